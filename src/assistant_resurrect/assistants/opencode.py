"""OpenCode (``opencode-ai``, checked against 1.18.33; SQLite storage since 1.2).

Evidence, best first:
1. our tracker plugin's state file ``<state>/opencode-<pid>.json`` (the plugin runs in-process);
2. argv ``-s/--session <id>``;
3. ``opencode.db`` table ``session`` rows for the directory (top-level, not archived)
   updated since the process started.
"""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import typing as t

from assistant_resurrect.assistants import _store
from assistant_resurrect.assistants.argv import FlagSpec
from assistant_resurrect.assistants.base import (
    Assistant,
    Evidence,
    Found,
    StoredSession,
    Tracker,
    home_of,
    session_rows,
    tracker_evidence,
)
from assistant_resurrect.exc import AssistantResurrectError


class OpenCode(Assistant):
    name = "opencode"
    executables = frozenset({"opencode", "opencode.exe", ".opencode-wrapped", ".opencode-wrapp"})
    comm_prefixes = (".opencode",)
    continue_selectors = frozenset({"-c", "--continue"})
    tracker_script: t.ClassVar[str | None] = "opencode-tracker.js"
    tracker_majors = (1,)  # the 2.x loader rejects 1.x plugins
    data_name = "opencode"  # <data>/opencode/opencode.db, <config>/opencode/plugins
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
        return tracker_evidence(found, state_dir, self.name, f"{self.name}:tracker-plugin")

    def root(self, env: t.Mapping[str, str]) -> pathlib.Path:
        """``$XDG_DATA_HOME/opencode`` or ``~/.local/share/opencode``."""
        return pathlib.Path(env.get("XDG_DATA_HOME") or home_of(env) / ".local" / "share"
                            ) / self.data_name

    def database(self, env: t.Mapping[str, str]) -> pathlib.Path:
        """``$OPENCODE_DB`` (absolute, or relative to the data dir), else ``opencode.db``."""
        return self.root(env) / (env.get("OPENCODE_DB") or f"{self.data_name}.db")

    def tracker(self) -> Tracker | None:
        """Our plugin, linked into ``$XDG_CONFIG_HOME/opencode/plugins/`` for OpenCode 1.x."""
        from assistant_resurrect.assistants.trackers import PluginLink  # off the save path

        if self.tracker_script is None:
            return None
        config = os.environ.get("XDG_CONFIG_HOME") or os.path.join(
            os.environ.get("HOME", "~"), ".config")
        link = pathlib.Path(os.path.expanduser(config), self.data_name, "plugins",
                            "tmux-assistant-resurrect.js")
        return PluginLink(self.name, link, self.tracker_script, self.tracker_majors)

    def sessions(self, env: t.Mapping[str, str], cwd: str | None = None
                 ) -> list[StoredSession]:
        """``opencode.db`` table ``session``: top-level, not archived; ``messages`` counted in
        table ``message`` (indexed by ``session_id``)."""
        return session_rows(
            self.database(env), "SELECT id, directory, time_created, time_updated, title "
            "FROM session WHERE parent_id IS NULL AND time_archived IS NULL", "directory", cwd,
            f"{self.name}:db-sessions",
            "SELECT id, (SELECT COUNT(*) FROM message WHERE message.session_id = session.id) "
            "FROM session WHERE parent_id IS NULL")

    def session_exists(self, session_id: str, cwd: str, env: dict[str, str]) -> bool | None:
        db = self.database(env)
        if not db.is_file():
            return False
        rows = _store.query(db, "SELECT time_archived FROM session WHERE id = ?", (session_id,))
        return bool(rows) and rows[0][0] is None

    def export_document(self, env: t.Mapping[str, str], session_id: str) -> bytes | None:
        """``<tool> export <id>``: the session and its messages as one JSON document (the
        format ``<tool> import`` reads)."""
        out = self._run(env, ["export", session_id], None).stdout
        if not out.lstrip().startswith(b"{"):
            raise AssistantResurrectError(f"{self.name} export {session_id} printed no JSON")
        return out

    def import_document(self, env: t.Mapping[str, str], path: pathlib.Path, cwd: str) -> None:
        """``<tool> import FILE``, run in the conversation's directory when it exists."""
        self._run(env, ["import", str(path)], cwd if os.path.isdir(cwd) else None)

    def _run(self, env: t.Mapping[str, str], args: list[str], cwd: str | None
             ) -> subprocess.CompletedProcess[bytes]:
        import shutil

        binary = shutil.which(self.data_name, path=env.get("PATH"))
        if binary is None:
            raise AssistantResurrectError(f"no {self.data_name} on PATH to run {args[0]}")
        try:
            done = subprocess.run([binary, *args], env=dict(env), cwd=cwd, capture_output=True,
                                  stdin=subprocess.DEVNULL, timeout=180, check=False)
        except (OSError, subprocess.TimeoutExpired) as err:
            raise AssistantResurrectError(f"{self.data_name} {args[0]} failed: {err}") from None
        if done.returncode != 0:
            tail = done.stderr.decode(errors="replace").strip().splitlines()[-1:]
            raise AssistantResurrectError(f"{self.data_name} {args[0]} exited "
                                          f"{done.returncode}: {' '.join(tail)}")
        return done

    def resume_args(self, kept: list[str], session_id: str, cwd: str) -> list[str]:
        return [*kept, "-s", session_id]
