"""Gemini CLI: its npm pin, its offline conversation in its own format, the least store entry
its module reads, and how the tests drive its real CLI."""

from __future__ import annotations

import hashlib
import json
import pathlib
import time
import uuid

from support.lab import Lab
from support.toolcase import ToolCase

PINS = {"@google/gemini-cli": "0.61.0"}


def session(lab: Lab, cwd: pathlib.Path, text: str = "hello from the test") -> str:
    """A trusted project and a chat file Gemini lists (recent: older ones are pruned by its
    session retention); returns its session id. Auth: ``GEMINI_API_KEY`` (fake) + settings."""
    sid = str(uuid.uuid4())
    root = lab.home / ".gemini"
    root.mkdir(exist_ok=True)
    (root / "settings.json").write_text(json.dumps(
        {"security": {"auth": {"selectedType": "gemini-api-key"}}}))
    trusted = root / "trustedFolders.json"
    folders = json.loads(trusted.read_text()) if trusted.exists() else {}
    trusted.write_text(json.dumps({**folders, str(cwd): "TRUST_FOLDER"}))
    projects_file = root / "projects.json"
    projects = json.loads(projects_file.read_text()) if projects_file.exists() else {
        "projects": {}}
    slug = projects["projects"].setdefault(str(cwd), f"p{len(projects['projects'])}")
    projects_file.write_text(json.dumps(projects))
    chats = root / "tmp" / slug / "chats"
    chats.mkdir(parents=True, exist_ok=True)
    (root / "tmp" / slug / ".project_root").write_text(str(cwd))
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    meta = {"sessionId": sid, "projectHash": hashlib.sha256(str(cwd).encode()).hexdigest(),
            "startTime": now, "lastUpdated": now, "kind": "main"}
    msg = {"id": uuid.uuid4().hex, "timestamp": now, "type": "user",
           "content": [{"text": text}]}
    name = f"session-{time.strftime('%Y-%m-%dT%H-%M', time.gmtime())}-{sid[:8]}.jsonl"
    (chats / name).write_text(json.dumps(meta) + "\n" + json.dumps(msg) + "\n")
    return sid


def store_entry(home: pathlib.Path, sid: str, cwd: str) -> None:
    (home / ".gemini/tmp/w/chats").mkdir(parents=True, exist_ok=True)
    (home / ".gemini/projects.json").write_text(json.dumps({"projects": {cwd: "w"}}))
    (home / f".gemini/tmp/w/chats/session-{sid}.jsonl").write_text(json.dumps({"sessionId": sid}))


CASE = ToolCase("gemini", session,
                lambda sid: f"gemini -m gemini-2.5-pro --approval-mode auto_edit -r {sid}",
                lambda sid, cwd: ["-m", "gemini-2.5-pro", "--approval-mode", "auto_edit",
                                  "--resume", sid],
                "gemini -r latest", ("gemini:argv",), store_entry,
                frozenset({"--policy", "--admin-policy"}))
