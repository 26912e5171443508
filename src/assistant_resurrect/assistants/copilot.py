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
    home_of,
)
from assistant_resurrect.snapshot import is_session_id


def copilot_home(env: t.Mapping[str, str], home: pathlib.Path) -> pathlib.Path:
    """``$COPILOT_HOME`` or ``~/.copilot``."""
    return pathlib.Path(env.get("COPILOT_HOME") or home / ".copilot")


class Copilot(Assistant):
    name = "copilot"
    executables = frozenset({"copilot", "copilot-linux-x64", "copilot-darwin-arm64",
                             "copilot-darwin-x64", "copilot-linux-arm64"})
    scripts = frozenset({"copilot", "index.js", "npm-loader.js"})
    not_interactive = frozenset({
        "app", "login", "help", "init", "config", "update", "version", "workflow", "sessions",
        "memories", "plugin", "mcp", "skill", "instruction", "lsp", "sandbox", "completion",
    })
    selector_keys = ("--resume", "-r", "--session-id")
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
    )

    def tool_index(self, proc: t.Any) -> int | None:
        index = super().tool_index(proc)
        if index is not None and index > 0 and pathlib.PurePosixPath(
                proc.cmdline[index]).name in {"index.js", "npm-loader.js"}:
            return index if "@github/copilot" in proc.cmdline[index] else None
        return index

    def is_interactive(self, args: list[str]) -> bool:
        return super().is_interactive(args) and not {"-p", "--prompt"} & set(args)

    def exact_evidence(self, found: Found, state_dir: pathlib.Path) -> t.Iterator[Evidence]:
        root = copilot_home(found.env, found.home()) / "session-state"
        for proc in found.family:
            for lock in root.glob(f"*/inuse.{proc.pid}.lock"):
                if is_session_id(lock.parent.name):
                    yield Evidence(lock.parent.name, "copilot:inuse-lock", Confidence.EXACT)

    def session_exists(self, session_id: str, cwd: str, env: dict[str, str]) -> bool | None:
        home = home_of(env)
        # a session dir without events (never used) is not resumable: "No session … matched"
        events = copilot_home(env, home) / "session-state" / session_id / "events.jsonl"
        return events.is_file() and events.stat().st_size > 0

    def resume_args(self, kept: list[str], session_id: str, cwd: str) -> list[str]:
        return [*kept, f"--resume={session_id}"]
