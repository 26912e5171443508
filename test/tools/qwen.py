"""Qwen Code: its npm pin, its offline conversation in its own format, the least store entry its
module reads, and how the tests drive its real CLI."""

from __future__ import annotations

import json
import pathlib
import time
import uuid

from support.lab import Lab
from support.toolcase import ToolCase

PINS = {"@qwen-code/qwen-code": "0.24.4", "node": "22.12.0"}


def session(lab: Lab, cwd: pathlib.Path, text: str = "hello from the test") -> str:
    """A transcript ``~/.qwen/projects/<slug>/chats/<id>.jsonl`` of one user record, in the
    ChatRecordingService format; returns its id. Offline, Qwen opens it and asks for a
    provider."""
    from assistant_resurrect.assistants.qwen import project_slug

    sid = str(uuid.uuid4())
    chats = lab.home / ".qwen" / "projects" / project_slug(str(cwd)) / "chats"
    chats.mkdir(parents=True, exist_ok=True)
    record = {"uuid": str(uuid.uuid4()), "parentUuid": None, "sessionId": sid,
              "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
              "type": "user", "provenance": "real_user", "cwd": str(cwd), "version": "0.24.4",
              "message": {"role": "user", "parts": [{"text": text}]}}
    (chats / f"{sid}.jsonl").write_text(json.dumps(record) + "\n")
    return sid


def store_entry(home: pathlib.Path, sid: str, cwd: str) -> None:
    from assistant_resurrect.assistants.qwen import project_slug

    chats = home / ".qwen/projects" / project_slug(cwd) / "chats"
    chats.mkdir(parents=True, exist_ok=True)
    (chats / f"{sid}.jsonl").write_text(json.dumps({"sessionId": sid, "cwd": cwd}) + "\n")


CASE = ToolCase("qwen", session,
                lambda sid: f"qwen -m qwen3-coder-plus --resume {sid}",
                lambda sid, cwd: ["-m", "qwen3-coder-plus", "--resume", sid],
                "qwen -c", ("qwen:sessions-registry", "qwen:argv"), store_entry)
