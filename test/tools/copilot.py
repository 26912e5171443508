"""GitHub Copilot CLI: its npm pin, its offline conversation in its own format, the least store
entry its module reads, and how the tests drive its real CLI."""

from __future__ import annotations

import json
import pathlib
import time
import uuid

from support.lab import Lab
from support.toolcase import ToolCase

PINS = {"@github/copilot": "1.0.102"}


def session(lab: Lab, cwd: pathlib.Path, text: str = "hello from the test") -> str:
    """A trusted folder and a session-state dir whose events.jsonl Copilot resumes."""
    sid = str(uuid.uuid4())
    home = lab.home / ".copilot"
    home.mkdir(exist_ok=True)
    config = home / "config.json"
    data = json.loads(config.read_text()) if config.exists() else {"trustedFolders": []}
    data["trustedFolders"].append(str(cwd))
    config.write_text(json.dumps(data))
    state = home / "session-state" / sid
    state.mkdir(parents=True)
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    (state / "workspace.yaml").write_text(
        f"id: {sid}\ncwd: {cwd}\nclient_name: github/cli\nuser_named: false\n"
        f"summary_count: 0\nfork_count: 0\ncreated_at: {now}\nupdated_at: {now}\n")
    start, msg = str(uuid.uuid4()), str(uuid.uuid4())
    events = [
        {"type": "session.start", "id": start, "timestamp": now, "parentId": None,
         "data": {"sessionId": sid, "version": 1, "producer": "copilot-agent",
                  "copilotVersion": "1.0.102", "startTime": now, "context": {"cwd": str(cwd)}}},
        {"type": "user.message", "id": msg, "timestamp": now, "parentId": start,
         "data": {"content": text, "transformedContent": text, "attachments": []}},
    ]
    (state / "events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))
    return sid


def store_entry(home: pathlib.Path, sid: str, cwd: str) -> None:
    state = home / ".copilot/session-state" / sid
    state.mkdir(parents=True, exist_ok=True)
    (state / "workspace.yaml").write_text(f"id: {sid}\ncwd: {cwd}\n")
    (state / "events.jsonl").write_text("{}\n")


CASE = ToolCase("copilot", session,
                lambda sid: f"copilot --model gpt-5 --resume={sid}",
                lambda sid, cwd: ["--model", "gpt-5", f"--resume={sid}"],
                "copilot --continue", ("copilot:argv", "copilot:inuse-lock"), store_entry,
                frozenset({"--interactive", "--prompt", "--help", "--version", "--continue"}))
