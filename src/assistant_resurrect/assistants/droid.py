"""Factory Droid (``droid``, checked against 0.215.0; a native binary).

Droid asks for a Factory login before anything else, so here its resume is verified from the
installed binary (its bundled code) rather than by opening a conversation: sessions are
``~/.factory/sessions/<folder>/<id>.jsonl`` (``<folder>`` begins with ``-``; ``lSH`` looks
an id up in every such folder), whose first line is ``{"type": "session_start", "id",
"title", "cwd", …}``; ``droid -r <id>`` and ``droid resume <id>`` resume one, ``-r --last``
the newest of the directory. Evidence: argv, then the session files of the directory.
"""

from __future__ import annotations

import pathlib
import typing as t

from assistant_resurrect import _fs
from assistant_resurrect.assistants.argv import FlagSpec
from assistant_resurrect.assistants.base import Assistant, StoredSession, home_of, is_session_id


class Droid(Assistant):
    name = "droid"
    conversation_globs = (
        "sessions/*/{id}.jsonl",
        "sessions/*/{id}.settings.json",
        "sessions/{id}.jsonl",
        "sessions/{id}.settings.json",
    )
    executables = frozenset({"droid"})
    not_interactive = frozenset({"exec", "daemon", "search", "find", "update", "mcp", "plugin",
                                 "computer", "doctor", "help"})
    selector_keys = ("-r", "--resume", "resume")
    continue_selectors = frozenset({"--last"})
    failure_screens = ("Session file not found", "Session not found")
    flags = FlagSpec(
        takes_value=frozenset({"--settings", "--append-system-prompt",
                               "--append-system-prompt-file", "--fork", "--cwd",
                               "--worktree-dir", "--auto"}),
        optional_value=frozenset({"-r", "--resume", "-w", "--worktree"}),
        selectors=frozenset({"-r", "--resume", "--last", "--fork"}),
        dropped=frozenset({"-w", "--worktree", "--worktree-dir", "-h", "--help", "-v",
                           "--version"}),
        restrictions=frozenset({"--settings", "--auto", "--disable-builtin-skills"}),
        subcommands={"resume": True},
    )

    def root(self, env: t.Mapping[str, str]) -> pathlib.Path:
        """``~/.factory``."""
        return home_of(env) / ".factory"

    def sessions(self, env: t.Mapping[str, str], cwd: str | None = None
                 ) -> list[StoredSession]:
        """Session files in every ``sessions/-*/`` folder (and ``sessions/`` itself), their
        ``session_start`` line naming the id and the directory."""
        base = self.root(env) / "sessions"
        out = []
        for path in [*base.glob("-*/*.jsonl"), *base.glob("*.jsonl")]:
            start = _session_start(path)
            if start is None or (cwd is not None and start[1] != cwd):
                continue
            try:
                out.append(StoredSession(start[0], path.stat().st_mtime, "droid:sessions",
                                         start[1], title=start[2]))
            except OSError:
                continue
        return out

    def resume_args(self, kept: list[str], session_id: str, cwd: str) -> list[str]:
        return [*kept, "--resume", session_id]


def _session_start(path: pathlib.Path) -> tuple[str, str, str] | None:
    """(id, cwd, title) from a Droid session file's ``session_start`` line, or None."""
    data = _fs.first_json(path)
    if data is None or data.get("type") != "session_start":
        return None
    sid = data.get("id")
    if not isinstance(sid, str) or not is_session_id(sid):
        return None
    cwd, title = data.get("cwd"), data.get("title")
    return sid, cwd if isinstance(cwd, str) else "", title if isinstance(title, str) else ""
