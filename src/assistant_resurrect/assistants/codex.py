"""OpenAI Codex CLI (``@openai/codex``, checked against 0.169.0).

The npm package runs ``node …/bin/codex.js`` which spawns the native ``codex`` binary. By
default threads live in a shared ``codex app-server`` daemon, so no file ties a TUI pid to
its thread; with ``--no-daemon`` the TUI holds its rollout file open. Evidence, best first:
1. the rollout ``sessions/YYYY/MM/DD/rollout-<ts>-<uuid>.jsonl`` a pane process holds open;
2. argv ``resume <id>``;
3. ``state_5.sqlite`` table ``threads`` rows for the directory updated since the process started.
"""

from __future__ import annotations

import contextlib
import pathlib
import re
import typing as t

from assistant_resurrect import _fs
from assistant_resurrect.assistants import _store
from assistant_resurrect.assistants.argv import FlagSpec
from assistant_resurrect.assistants.base import (
    Assistant,
    Confidence,
    Evidence,
    Found,
    StoredSession,
    home_of,
    newest_at_start,
    session_rows,
)

ROLLOUT_RE = re.compile(
    r"rollout-.*-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl$"
)
_TRIPLE_RE = re.compile(r"^codex-[a-z0-9_]+-[a-z0-9_]+-[a-z0-9_]+")


class Codex(Assistant):
    name = "codex"
    conversation_globs = ("sessions/*/*/*/rollout-*-{id}.jsonl",)
    executables = frozenset({"codex", "codex.exe"})
    comm_prefixes = ("codex-",)  # the native codex-<target-triple> binary
    continue_selectors = frozenset({"--last"})
    scripts = frozenset({"codex", "codex.js"})
    not_interactive = frozenset({
        "exec", "e", "review", "login", "logout", "mcp", "mcp-server", "plugin", "app-server",
        "remote-control", "completion", "update", "doctor", "sandbox", "debug", "apply", "a",
        "queue", "archive", "delete", "migrate-rollouts", "migrate-nfs-db", "unarchive",
        "cloud", "exec-server", "features", "help", "agents",
    })
    selector_keys = ("resume",)
    failure_screens = ("No saved session found", "Working directory", "serverShuttingDown")
    flags = FlagSpec(
        takes_value=frozenset({
            "-c", "--config", "--enable", "--disable", "--remote", "--remote-auth-token-env",
            "-i", "--image", "-m", "--model", "--local-provider", "-p", "--profile", "-s",
            "--sandbox", "-C", "--cd", "--add-dir", "-a", "--ask-for-approval",
        }),
        selectors=frozenset({"--last", "--all", "--include-non-interactive"}),
        dropped=frozenset({"-i", "--image", "--worktree", "-C", "--cd", "--remote",
                           "--remote-auth-token-env", "-h", "--help", "-V", "--version"}),
        rejected={
            "--full-auto": ("--sandbox", "workspace-write", "--ask-for-approval", "on-request"),
            "-a=on-failure": ("--ask-for-approval", "on-request"),
            "--ask-for-approval=on-failure": ("--ask-for-approval", "on-request"),
            "-a=untrusted": "approval policy 'untrusted' is gone and nothing as strict replaces it",
            "--ask-for-approval=untrusted":
                "approval policy 'untrusted' is gone and nothing as strict replaces it",
        },
        restrictions=frozenset({"-s", "--sandbox", "-a", "--ask-for-approval", "-p",
                                "--profile", "-c", "--config", "--strict-config"}),
        subcommands={"resume": True, "fork": True},
        not_credentials=frozenset({"--remote-auth-token-env"}),  # the name of a variable
    )

    def is_executable(self, path: str) -> bool:
        name = pathlib.PurePosixPath(path).name
        return super().is_executable(path) or bool(_TRIPLE_RE.match(name))

    def is_interactive(self, args: list[str]) -> bool:
        first = next((a for a in args if not a.startswith("-")), None)
        return first not in self.not_interactive

    def argv_session(self, split: t.Any) -> str | None:
        if "fork" in split.selector_values:
            return None
        return super().argv_session(split)

    def effective_cwd(self, found: Found, fallback: str) -> str:
        args = found.args
        for flag in ("-C", "--cd"):
            if flag in args and args.index(flag) + 1 < len(args):
                return str(pathlib.Path(found.proc.cwd or fallback, args[args.index(flag) + 1]))
        return super().effective_cwd(found, fallback)

    def exact_evidence(self, found: Found, state_dir: pathlib.Path) -> t.Iterator[Evidence]:
        for proc in found.family:
            for path in proc.open_paths():
                match = ROLLOUT_RE.search(path)
                if match:
                    yield Evidence(match.group(1), "codex:open-rollout", Confidence.EXACT)

    def root(self, env: t.Mapping[str, str]) -> pathlib.Path:
        """``$CODEX_HOME`` or ``~/.codex``."""
        return pathlib.Path(env.get("CODEX_HOME") or home_of(env) / ".codex")

    def state_db(self, env: t.Mapping[str, str]) -> pathlib.Path:
        """The threads database (``$CODEX_SQLITE_HOME`` relocates it)."""
        return pathlib.Path(env.get("CODEX_SQLITE_HOME") or self.root(env)) / "state_5.sqlite"

    def sessions(self, env: t.Mapping[str, str], cwd: str | None = None
                 ) -> list[StoredSession]:
        """``state_5.sqlite`` table ``threads``, not archived; listing every directory
        (``cwd`` None), also the rollouts the database does not index (their first line,
        ``session_meta``, names the id and directory; the file's mtime is the update time)."""
        rows = session_rows(
            self.state_db(env), "SELECT id, cwd, created_at * 1000, updated_at_ms, title "
            "FROM threads WHERE archived = 0", "cwd", cwd, "codex:state-threads")
        if cwd is not None:
            return rows
        known = {row.session_id for row in rows} | {str(i) for i, in _store.query(
            self.state_db(env), "SELECT id FROM threads")}
        for path in (self.root(env) / "sessions").glob("*/*/*/rollout-*.jsonl"):
            match = ROLLOUT_RE.search(path.name)
            if match and match.group(1) not in known:
                meta = _fs.first_json(path)
                payload = meta.get("payload") if meta and meta.get("type") == "session_meta" \
                    else None
                with contextlib.suppress(OSError):
                    rows.append(StoredSession(
                        match.group(1), path.stat().st_mtime, "codex:rollouts",
                        str(payload.get("cwd") or "") if isinstance(payload, dict) else ""))
        return rows

    def continued(self, found: Found, cwd: str) -> StoredSession | None:
        """``resume --last``: from the threads database, else from the rollouts themselves
        (Codex indexes rollouts it has not seen yet only once it has started up)."""
        return super().continued(found, cwd) or newest_at_start(
            found, [s for s in self.sessions(found.env) if s.cwd == cwd])

    def session_exists(self, session_id: str, cwd: str, env: dict[str, str]) -> bool | None:
        rows = _store.query(self.state_db(env), "SELECT archived FROM threads WHERE id = ?",
                            (session_id,))
        if rows:
            return bool(rows[0][0] == 0)
        return any((self.root(env) / "sessions").glob(f"*/*/*/rollout-*-{session_id}.jsonl"))

    def resume_args(self, kept: list[str], session_id: str, cwd: str) -> list[str]:
        # -C keeps Codex from opening its working-directory chooser
        return [*kept, "resume", session_id, "-C", cwd]

    def fresh_args(self, kept: list[str], cwd: str) -> list[str]:
        return [*kept, "-C", cwd]
