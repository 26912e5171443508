"""Benchmark ``assistant-resurrect sessions --json`` on a HOME with many conversations.

Generates ``count`` conversations per tool for Claude (transcripts of 40 lines), Codex
(rollouts indexed in ``state_5.sqlite``), OpenCode (``opencode.db``), Gemini (chat files) and
Cline (manifests), each in its tool's own layout, spread over 50 directories; then times the
whole command (a new Python process, as a user runs it; no tmux server) ``runs`` times and
prints the median. Usage: ``.venv/bin/python bench/sessions_cost.py [count [runs]]``
(default 1000 per tool, 5 runs: 5,000 conversations).
"""

from __future__ import annotations

import json
import os
import pathlib
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "test"))
sys.path.insert(0, str(REPO / "src"))


def populate(home: pathlib.Path, count: int) -> None:
    from support.tools import TOOLS

    now = time.time()
    codex_rows, opencode_rows = [], []
    for i in range(count):
        cwd = f"/home/u/projects/p{i % 50}"
        for tool in ("claude", "gemini"):
            TOOLS[tool].store_entry(home, str(uuid.uuid4()), cwd)
        claude = next((home / ".claude/projects").glob("*/"), None)
        if claude and i == 0:
            for path in claude.glob("*.jsonl"):  # a realistic transcript length, once
                path.write_text(path.read_text() * 40)
        cline = f"{int(now * 1000) - i}_{uuid.uuid4().hex[:5]}"
        TOOLS["cline"].store_entry(home, cline, cwd)
        codex = str(uuid.uuid4())
        TOOLS["codex"].store_entry(home, codex, cwd)
        codex_rows.append((codex, cwd, now - i))
        opencode_rows.append((f"ses_{uuid.uuid4().hex[:20]}", cwd, now - i))
    with sqlite3.connect(home / ".codex/state_5.sqlite") as db:
        db.execute("CREATE TABLE threads (id TEXT PRIMARY KEY, rollout_path TEXT NOT NULL, "
                   "created_at INTEGER, updated_at INTEGER, updated_at_ms INTEGER, "
                   "cwd TEXT NOT NULL, title TEXT NOT NULL, archived INTEGER NOT NULL DEFAULT 0)")
        db.executemany("INSERT INTO threads VALUES (?, '/r', 0, 0, ?, ?, 'a title', 0)",
                       [(i, int(u * 1000), c) for i, c, u in codex_rows])
    db_path = home / ".local/share/opencode/opencode.db"
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(db_path) as db:
        db.execute("CREATE TABLE session (id TEXT PRIMARY KEY, parent_id TEXT, directory TEXT, "
                   "title TEXT, time_created INTEGER, time_updated INTEGER, "
                   "time_archived INTEGER)")
        db.executemany("INSERT INTO session VALUES (?, NULL, ?, 'a title', ?, ?, NULL)",
                       [(i, c, int(u * 1000), int(u * 1000)) for i, c, u in opencode_rows])


def main(count: int, runs: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        home = pathlib.Path(tmp) / "home"
        home.mkdir()
        populate(home, count)
        env = {**os.environ, "HOME": str(home), "PYTHONPATH": str(REPO / "src"),
               "ASSISTANT_RESURRECT_STATE_DIR": str(home / "state")}
        times, rows = [], 0
        for _ in range(runs):
            start = time.perf_counter()
            out = subprocess.run([sys.executable, "-m", "assistant_resurrect", "-L",
                                  f"bench-none-{os.getpid()}", "sessions", "--json"], env=env,
                                 capture_output=True, text=True, check=True).stdout
            times.append(time.perf_counter() - start)
            rows = len(json.loads(out)["sessions"])
        print(f"sessions --json: {rows} conversations, median {statistics.median(times):.3f} s "
              f"over {runs} runs (min {min(times):.3f}, max {max(times):.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000,
                  int(sys.argv[2]) if len(sys.argv) > 2 else 5))
