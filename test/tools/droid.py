"""Factory Droid: its npm pin, its offline conversation in its own format, the least store entry
its module reads, and how the tests drive its real CLI.

Droid wants a Factory login first: the restore proves it starts on the right id."""

from __future__ import annotations

import json
import pathlib
import time
import uuid

from support.lab import Lab
from support.toolcase import ToolCase

PINS = {"droid": "0.215.0"}


def session(lab: Lab, cwd: pathlib.Path, text: str = "hello from the test") -> str:
    """A Droid session file (``session_start``, one user message) in
    ``~/.factory/sessions/-<cwd>/``; returns its id. Droid wants a login before it shows it."""
    sid = str(uuid.uuid4())
    folder = lab.home / ".factory" / "sessions" / ("-" + str(cwd).strip("/").replace("/", "-"))
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    lines = [{"type": "session_start", "id": sid, "title": "test session", "owner": "tester",
              "cwd": str(cwd)},
             {"type": "message", "id": uuid.uuid4().hex, "timestamp": stamp,
              "message": {"role": "user", "content": [{"type": "text", "text": text}]}}]
    (folder / f"{sid}.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    return sid


def store_entry(home: pathlib.Path, sid: str, cwd: str) -> None:
    folder = home / ".factory/sessions/-w"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{sid}.jsonl").write_text(json.dumps(
        {"type": "session_start", "id": sid, "title": "t", "cwd": cwd}) + "\n")


CASE = ToolCase("droid", session, lambda sid: f"droid --auto low -r {sid}",
                lambda sid, cwd: ["--auto", "low", "--resume", sid], "droid -r --last",
                ("droid:argv",), store_entry)
