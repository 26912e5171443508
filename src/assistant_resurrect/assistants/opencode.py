"""OpenCode (``opencode-ai``, checked against 1.18.33; SQLite storage since 1.2).

Evidence, best first:
1. our tracker plugin's state file ``<state>/opencode-<pid>.json`` (the plugin runs in-process);
2. argv ``-s/--session <id>``;
3. ``opencode.db`` table ``session`` rows for the directory (top-level, not archived)
   updated since the process started.
"""

from __future__ import annotations

import pathlib
import re
import typing as t

from assistant_resurrect.assistants import _store
from assistant_resurrect.assistants.argv import FlagSpec
from assistant_resurrect.assistants.base import (
    Assistant,
    Evidence,
    Found,
    StoreCandidate,
    home_of,
    recent_rows,
    tracker_evidence,
)


def database(env: t.Mapping[str, str], home: pathlib.Path) -> pathlib.Path:
    """``$OPENCODE_DB`` (absolute, or relative to the data dir), else
    ``<data>/opencode/opencode.db``."""
    data_dir = pathlib.Path(env.get("XDG_DATA_HOME") or home / ".local" / "share") / "opencode"
    override = env.get("OPENCODE_DB")
    return data_dir / override if override else data_dir / "opencode.db"


class OpenCode(Assistant):
    name = "opencode"
    executables = frozenset({"opencode", "opencode.exe", ".opencode-wrapped", ".opencode-wrapp"})
    scripts = frozenset({"opencode", "opencode.js"})
    not_interactive = frozenset({
        "run", "serve", "web", "acp", "mcp", "debug", "auth", "agent", "upgrade", "uninstall",
        "models", "stats", "export", "import", "github", "pr", "session", "db", "completion",
        "attach", "generate",
    })
    selector_keys = ("-s", "--session")
    failure_screens = ("Session not found",)
    id_pattern = re.compile(r"^ses_[A-Za-z0-9]{4,64}$")
    flags = FlagSpec(
        takes_value=frozenset({
            "--log-level", "--port", "--hostname", "--mdns-domain", "-m", "--model", "-s",
            "--session", "--prompt", "--agent", "--replay-limit", "--cors",
        }),
        selectors=frozenset({"-s", "--session", "-c", "--continue", "--fork"}),
        dropped=frozenset({"--prompt", "-h", "--help", "-v", "--version"}),
        restrictions=frozenset({"--agent"}),
    )

    def exact_evidence(self, found: Found, state_dir: pathlib.Path) -> t.Iterator[Evidence]:
        return tracker_evidence(found, state_dir, self.name, "opencode:tracker-plugin")

    def store_candidates(self, found: Found, cwd: str) -> list[StoreCandidate]:
        return recent_rows(
            database(found.env, found.home()),
            "SELECT id, time_updated FROM session WHERE directory = ? AND parent_id IS NULL "
            "AND time_archived IS NULL AND time_updated >= ? ORDER BY time_updated DESC",
            found, cwd, "opencode:db-sessions")

    def session_exists(self, session_id: str, cwd: str, env: dict[str, str]) -> bool | None:
        db = database(env, home_of(env))
        if not db.is_file():
            return False
        rows = _store.query(db, "SELECT time_archived FROM session WHERE id = ?", (session_id,))
        return bool(rows) and rows[0][0] is None

    def resume_args(self, kept: list[str], session_id: str, cwd: str) -> list[str]:
        return [*kept, "-s", session_id]
