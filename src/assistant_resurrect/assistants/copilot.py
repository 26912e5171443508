"""GitHub Copilot CLI (``@github/copilot``, checked against 1.0.102).

``node …/bin/copilot`` starts a native child whose process name is ``MainThread``; it holds
``$COPILOT_HOME/session-state/<uuid>/inuse.<pid>.lock`` for the session it shows: exact.
"""

from __future__ import annotations

import pathlib
import typing as t

from assistant_resurrect.assistants.argv import FlagSpec
from assistant_resurrect.assistants.base import (
    Assistant,
    Confidence,
    Evidence,
    Found,
    StoredSession,
    home_of,
    is_session_id,
)


class Copilot(Assistant):
    name = "copilot"
    conversation_globs = ("session-state/{id}",)
    executables = frozenset({"copilot", "copilot-linux-x64", "copilot-darwin-arm64",
                             "copilot-darwin-x64", "copilot-linux-arm64"})
    package = "@github/copilot"
    scripts = frozenset({"copilot", "index.js", "npm-loader.js"})
    not_interactive = frozenset({
        "app", "login", "help", "init", "config", "update", "version", "workflow", "sessions",
        "memories", "plugin", "mcp", "skill", "instruction", "lsp", "sandbox", "completion",
    })
    comm_prefixes = ("copilot", "MainThread")  # the native child is named MainThread
    selector_keys = ("--resume", "-r", "--session-id")
    continue_selectors = frozenset({"--continue"})
    failure_screens = ("No session, task, or name matched",)
    flags = FlagSpec(
        takes_value=frozenset({
            "-i", "--interactive", "-p", "--prompt", "--model", "--reasoning-effort", "--context",
            "--auto-tier", "--agent", "-n", "--name", "--session-id", "-C", "--log-dir",
            "--extension-sdk-path", "--log-level", "--stream", "--output-format", "--add-dir",
            "--attachment", "--disable-mcp-server", "--add-github-mcp-toolset",
            "--add-github-mcp-tool", "--plugin-dir", "--additional-mcp-config",
            "--mcp-github-auth", "--max-autopilot-continues", "--mode", "--environment-host",
            "--environment-compute-id", "--dynamic-retrieval", "--enable-mcp-server",
            "--max-ai-credits", "--usage-output-file",
        }),
        optional_value=frozenset({"-r", "--resume", "--connect", "--share", "--bash-env",
                                  "--mouse"}),
        variadic=frozenset({"--allow-tool", "--deny-tool", "--available-tools",
                            "--excluded-tools", "--secret-env-vars", "--allow-url", "--deny-url"}),
        selectors=frozenset({"-r", "--resume", "--continue", "--session-id", "--connect"}),
        dropped=frozenset({"-i", "--interactive", "-n", "--name", "--share", "--share-gist",
                           "--attachment", "--acp", "--usage-output-file", "-v", "--version",
                           "-h", "--help"}),
        restrictions=frozenset({"--deny-tool", "--available-tools", "--excluded-tools",
                                "--deny-url", "--disallow-temp-dir", "--disable-mcp-server",
                                "--disable-builtin-mcps"}),
        # <server=origin> where the account credential may go; variable names to redact
        not_credentials=frozenset({"--mcp-github-auth", "--secret-env-vars"}),
    )


    def is_interactive(self, args: list[str]) -> bool:
        return super().is_interactive(args) and not {"-p", "--prompt"} & set(args)

    def exact_evidence(self, found: Found, state_dir: pathlib.Path) -> t.Iterator[Evidence]:
        root = self.root(found.env) / "session-state"
        for proc in found.family:
            for lock in root.glob(f"*/inuse.{proc.pid}.lock"):
                if is_session_id(lock.parent.name):
                    yield Evidence(lock.parent.name, "copilot:inuse-lock", Confidence.EXACT)

    def root(self, env: t.Mapping[str, str]) -> pathlib.Path:
        """``$COPILOT_HOME`` or ``~/.copilot``."""
        return pathlib.Path(env.get("COPILOT_HOME") or home_of(env) / ".copilot")

    def sessions(self, env: t.Mapping[str, str], cwd: str | None = None
                 ) -> list[StoredSession]:
        """``session-state/<uuid>/``: ``workspace.yaml`` names the directory, and only a
        non-empty ``events.jsonl`` is resumable (else "No session … matched"); its mtime is
        the update time."""
        out = []
        for events in (self.root(env) / "session-state").glob("*/events.jsonl"):
            sid = events.parent.name
            try:
                st = events.stat()
            except OSError:
                continue
            if not (st.st_size and is_session_id(sid)):
                continue
            meta = _workspace(events.parent / "workspace.yaml")
            if cwd is None or meta.get("cwd") == cwd:
                out.append(StoredSession(sid, st.st_mtime, "copilot:session-state",
                                         meta.get("cwd", ""), title=meta.get("summary", "")))
        return out

    def session_exists(self, session_id: str, cwd: str, env: dict[str, str]) -> bool | None:
        events = self.root(env) / "session-state" / session_id / "events.jsonl"
        return events.is_file() and events.stat().st_size > 0

    def resume_args(self, kept: list[str], session_id: str, cwd: str) -> list[str]:
        return [*kept, f"--resume={session_id}"]


def _workspace(path: pathlib.Path, max_bytes: int = 65536) -> dict[str, str]:
    """The top-level ``key: value`` lines of a session's ``workspace.yaml`` (``id``, ``cwd``,
    ``summary``, ``created_at``, …), as strings; {} when unreadable."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read(max_bytes)
    except OSError:
        return {}
    pairs = (line.split(":", 1) for line in text.splitlines()
             if line[:1].isalpha() and ":" in line)
    return {key.strip(): value.strip().strip("\"'") for key, value in pairs}
