"""OpenCode: its npm pin, its offline conversation in its own format, the least store entry its
module reads, and how the tests drive its real CLI."""

from __future__ import annotations

import json
import pathlib
import subprocess
import time
import uuid

from support.lab import Lab
from support.toolcase import ToolCase

PINS = {"opencode-ai": "1.18.33"}


def session(lab: Lab, cwd: pathlib.Path, title: str = "test session",
                     tool: str = "opencode", version: str = "1.18.33") -> str:
    """A session imported with OpenCode's (or its fork's) own importer; returns its id."""
    sid = "ses_" + uuid.uuid4().hex[:26]
    now = int(time.time() * 1000)
    export = {"info": {"id": sid, "slug": "t", "projectID": "global", "directory": str(cwd),
                       "title": title, "version": version,
                       "time": {"created": now, "updated": now}}, "messages": []}
    path = lab.root / f"{sid}.json"
    path.write_text(json.dumps(export))
    subprocess.run([str(lab.cli_bin / tool), "import", str(path)], env=lab.env,
                   capture_output=True, check=True, timeout=120, cwd=cwd)
    return sid


def store_entry(home: pathlib.Path, sid: str, cwd: str, name: str = "opencode") -> None:
    import sqlite3

    db = home / f".local/share/{name}/{name}.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS session (id TEXT PRIMARY KEY, parent_id TEXT, "
                     "directory TEXT, title TEXT, time_created INTEGER, time_updated INTEGER, "
                     "time_archived INTEGER)")
        conn.execute("INSERT INTO session VALUES (?, NULL, ?, 't', 1, 2, NULL)", (sid, cwd))


CASE = ToolCase("opencode", session,
                lambda sid: f"opencode --log-level INFO -s {sid}",
                lambda sid, cwd: ["--log-level", "INFO", "-s", sid],
                "opencode --continue", ("opencode:argv",), store_entry)
