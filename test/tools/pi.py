"""Pi: its npm pin, its offline conversation in its own format, the least store entry its module
reads, and how the tests drive its real CLI.

Pi's argv reads as just "pi" once it set process.title: no options to replay, its session
guessed (a status taken before that still reads its argv)."""

from __future__ import annotations

import json
import pathlib
import time
import typing as t
import uuid

from support.lab import Lab
from support.toolcase import ToolCase

PINS = {"@mariozechner/pi-coding-agent": "0.73.1"}


def session(lab: Lab, cwd: pathlib.Path, text: str = "hello from the test",
               tool: str = "pi") -> str:
    """A Pi (or Oh My Pi) session file (header, one user message) in the tool's folder for
    ``cwd``; returns its id."""
    from assistant_resurrect.assistants import ASSISTANTS

    sid = str(uuid.uuid4())
    folder = t.cast(t.Any, ASSISTANTS[tool]).folder(lab.env, str(cwd))
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    lines = [{"type": "session", "version": 3, "id": sid, "timestamp": stamp, "cwd": str(cwd)},
             {"type": "message", "id": uuid.uuid4().hex[:8], "parentId": None,
              "timestamp": stamp, "message": {"role": "user", "timestamp": int(time.time() * 1000),
                                              "content": [{"type": "text", "text": text}]}}]
    name = f"{stamp.replace(':', '-').replace('.', '-')}_{sid}.jsonl"
    (folder / name).write_text("".join(json.dumps(line) + "\n" for line in lines))
    return sid


def store_entry(home: pathlib.Path, sid: str, cwd: str, tool: str = "pi") -> None:
    from assistant_resurrect.assistants import ASSISTANTS

    folder = t.cast(t.Any, ASSISTANTS[tool]).folder({"HOME": str(home)}, cwd)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"2026-01-01T00-00-00-000Z_{sid}.jsonl").write_text(json.dumps(
        {"type": "session", "version": 3, "id": sid, "cwd": cwd}) + "\n")


CASE = ToolCase("pi", session, lambda sid: f"pi --offline --session {sid}",
                lambda sid, cwd: ["--session", sid], "pi --offline -c", ("pi:sessions", "pi:argv"),
                store_entry)
