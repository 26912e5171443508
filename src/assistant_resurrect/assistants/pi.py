"""Pi (``@mariozechner/pi-coding-agent``, checked against 0.73.1).

Read from the installed package (``dist/config.js``, ``dist/core/session-manager.js``,
``dist/main.js``): the agent directory is ``$PI_CODING_AGENT_DIR`` or ``~/.pi/agent``, and
sessions ``$PI_CODING_AGENT_SESSION_DIR`` or ``<agent>/sessions/--<cwd, '/' and ':' as
'-'>--/<timestamp>_<uuid>.jsonl``, whose first line is the header ``{"type": "session",
"version": 3, "id", "timestamp", "cwd"}``. ``pi --session <id|path>`` resumes one, ``-c`` the
newest; an unknown id prints "No session found matching …".

Pi sets ``process.title = "pi"``, which overwrites its argv on Linux: a running Pi reads as
just ``pi``, so its options and its session id cannot be learned from argv. Its session is
the one of its directory updated since it started, or else the newest there when it
started (``ambiguous``: it may have been started on an older one, or on none).
"""

from __future__ import annotations

import pathlib
import typing as t

from assistant_resurrect import _fs
from assistant_resurrect.assistants.argv import FlagSpec
from assistant_resurrect.assistants.base import Assistant, StoredSession, home_of, is_session_id


def session_folder(cwd: str) -> str:
    """Pi's folder for ``cwd`` (``getDefaultSessionDir``).

    >>> session_folder("/home/u/my:proj")
    '--home-u-my-proj--'
    """
    return "--" + cwd.removeprefix("/").replace("/", "-").replace(":", "-") + "--"


class Pi(Assistant):
    name = "pi"
    conversation_globs = ("sessions/*/*_{id}.jsonl",)
    executables = frozenset({"pi"})
    package = "@mariozechner/pi-coding-agent"
    scripts = frozenset({"pi", "cli.js"})
    not_interactive = frozenset({"install", "remove", "uninstall", "update", "list", "config"})
    selector_keys: t.ClassVar[tuple[str, ...]] = ("--session",)
    continue_selectors = frozenset({"-c", "--continue"})
    failure_screens = ("No session found matching",)
    argv_is_title = True
    flags = FlagSpec(
        takes_value=frozenset({
            "--provider", "--model", "--api-key", "--system-prompt", "--append-system-prompt",
            "--mode", "--session", "--fork", "--session-dir", "--models", "--tools", "-t",
            "--thinking", "--extension", "-e", "--skill", "--prompt-template", "--theme",
            "--export",
        }),
        optional_value=frozenset({"--list-models"}),
        selectors=frozenset({"--session", "--fork", "-c", "--continue", "-r", "--resume",
                             "--no-session"}),
        dropped=frozenset({"-p", "--print", "--export", "--list-models", "--session-dir",
                           "-h", "--help", "-v", "--version"}),
        restrictions=frozenset({"--no-tools", "-nt", "--no-builtin-tools", "-nbt", "--tools",
                                "-t", "--no-extensions", "-ne", "--no-skills", "-ns"}),
    )


    def is_interactive(self, args: list[str]) -> bool:
        return super().is_interactive(args) and not {"-p", "--print", "--mode",
                                                     "--list-models"} & set(args)

    def root(self, env: t.Mapping[str, str]) -> pathlib.Path:
        """``$PI_CODING_AGENT_DIR`` or ``~/.pi/agent``."""
        return pathlib.Path(env.get("PI_CODING_AGENT_DIR") or home_of(env) / ".pi" / "agent")

    def sessions_dir(self, env: t.Mapping[str, str]) -> pathlib.Path:
        return pathlib.Path(env.get("PI_CODING_AGENT_SESSION_DIR") or self.root(env) /
                            "sessions")

    def sessions(self, env: t.Mapping[str, str], cwd: str | None = None
                 ) -> list[StoredSession]:
        """Session files of ``cwd``'s folder (every folder without ``cwd``): the header's
        ``id`` and ``cwd``, the file's mtime as the update time."""
        return self._sessions_in(env, self.folder(env, cwd) if cwd is not None else "*", cwd)

    def folder(self, env: t.Mapping[str, str], cwd: str) -> pathlib.Path:
        """The folder holding ``cwd``'s session files."""
        return self.sessions_dir(env) / session_folder(cwd)

    def _sessions_in(self, env: t.Mapping[str, str], folder: pathlib.Path | str,
                     cwd: str | None = None) -> list[StoredSession]:
        out = []
        for path in self.sessions_dir(env).glob(f"{pathlib.Path(folder).name}/*.jsonl"):
            header = _header(path)
            if header is None:
                continue
            sid, where = header
            try:
                out.append(StoredSession(sid, path.stat().st_mtime, f"{self.name}:sessions",
                                         cwd if cwd is not None else where))
            except OSError:
                continue
        return out

    def resume_args(self, kept: list[str], session_id: str, cwd: str) -> list[str]:
        return [*kept, "--session", session_id]


def _header(path: pathlib.Path) -> tuple[str, str] | None:
    """(id, cwd) from a Pi session file's header line, or None."""
    data = _fs.first_json(path)
    if data is None or data.get("type") != "session":
        return None
    sid, cwd = data.get("id"), data.get("cwd")
    if not isinstance(sid, str) or not is_session_id(sid):
        return None
    return sid, cwd if isinstance(cwd, str) else ""
