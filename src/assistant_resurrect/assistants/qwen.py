"""Qwen Code (``@qwen-code/qwen-code``, checked against 0.24.4; a Gemini CLI fork, Node 22+).

``node …/bin/qwen`` relaunches itself as ``node --expose-gc …/qwen-code/cli.js``. Its home is
``$QWEN_HOME`` or ``~/.qwen``. Evidence, best first (read from the installed bundle,
``packages/core/src/services/session-registry.ts`` and ``Storage``):

1. the registry ``sessions/<pid>.json`` (``sessionId``, ``cwd``, ``procStart`` =
   ``<boot_id>:<field 22 of /proc/<pid>/stat>`` on Linux, null elsewhere), written by the
   process itself and rewritten when the conversation changes;
2. argv ``-r/--resume <id>``;
3. transcripts ``projects/<cwd, non-alphanumerics as '-'>/chats/<id>.jsonl`` (records of
   ``{uuid, parentUuid, sessionId, timestamp, type, cwd, message}``).
"""

from __future__ import annotations

import pathlib
import re
import typing as t

from assistant_resurrect import _fs
from assistant_resurrect.assistants.argv import FlagSpec
from assistant_resurrect.assistants.base import (
    Assistant,
    Confidence,
    Evidence,
    Found,
    StoredSession,
    home_of,
    is_session_id,
    transcript_sessions,
)
from assistant_resurrect.procs import clock_ticks_since_boot


def project_slug(cwd: str) -> str:
    """Qwen's project folder for ``cwd`` (``sanitizeCwd``: every non-alphanumeric is ``-``).

    >>> project_slug("/home/u/my.proj")
    '-home-u-my-proj'
    """
    return re.sub(r"[^a-zA-Z0-9]", "-", cwd)


def boot_id() -> str | None:
    """The kernel's boot id (Linux; None elsewhere or when unreadable)."""
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as fh:
            return fh.read().strip() or None
    except (OSError, UnicodeDecodeError):
        return None


class Qwen(Assistant):
    name = "qwen"
    conversation_globs = ("projects/*/chats/{id}.jsonl",)
    executables = frozenset({"qwen"})
    package = "qwen-code"
    scripts = frozenset({"qwen", "cli-entry.js", "cli.js"})
    not_interactive = frozenset({"auth", "board", "channel", "extensions", "hooks", "mcp",
                                 "review", "sandbox", "serve", "sessions", "update"})
    selector_keys = ("-r", "--resume")
    continue_selectors = frozenset({"-c", "--continue"})
    failure_screens = ("No saved session found",)
    flags = FlagSpec(
        takes_value=frozenset({
            "--telemetry-target", "--telemetry-otlp-endpoint", "--telemetry-otlp-protocol",
            "--telemetry-outfile", "--proxy", "-m", "--model", "-p", "--prompt", "-i",
            "--prompt-interactive", "--system-prompt", "--append-system-prompt",
            "--output-style", "--sandbox-image", "--approval-mode", "--channel",
            "--mcp-config", "--openai-logging-dir", "--openai-api-key", "--openai-base-url",
            "--input-format", "-o", "--output-format", "--json-fd", "--json-file",
            "--json-schema", "--input-file", "-r", "--resume", "--session-id", "--worktree",
            "--max-session-turns", "--max-wall-time", "--max-tool-calls",
            "--max-subagent-depth", "--auth-type",
        }),
        variadic=frozenset({"--fallback-model", "--allowed-mcp-server-names", "--allowed-tools",
                            "-e", "--extensions", "--include-directories", "--add-dir",
                            "--core-tools", "--exclude-tools", "--disabled-slash-commands"}),
        selectors=frozenset({"-r", "--resume", "-c", "--continue", "--session-id",
                             "--fork-session"}),
        dropped=frozenset({"-p", "--prompt", "-i", "--prompt-interactive", "--worktree",
                           "--json-fd", "--json-file", "--input-file", "-l",
                           "--list-extensions", "-h", "--help", "-v", "--version"}),
        restrictions=frozenset({"--approval-mode", "-s", "--sandbox", "--sandbox-image",
                                "--allowed-mcp-server-names", "-e", "--extensions",
                                "--core-tools", "--exclude-tools", "--disabled-slash-commands",
                                "--safe-mode", "--bare", "--max-session-turns",
                                "--max-wall-time", "--max-tool-calls"}),
        not_credentials=frozenset({"--auth-type"}),  # openai, qwen-oauth, …: a choice
    )


    def is_interactive(self, args: list[str]) -> bool:
        """A positional query is a one-shot run (``-i`` keeps it interactive), as are
        ``-p``, ``--acp`` and the subcommands."""
        split = self.split(args)
        one_shot = {"-p", "--prompt", "--acp", "-l", "--list-extensions"} & set(args)
        return super().is_interactive(args) and not one_shot and not any(
            "prompt" in note for note in split.notes)

    def root(self, env: t.Mapping[str, str]) -> pathlib.Path:
        """``$QWEN_HOME`` or ``~/.qwen``."""
        return pathlib.Path(env.get("QWEN_HOME") or home_of(env) / ".qwen")

    def exact_evidence(self, found: Found, state_dir: pathlib.Path) -> t.Iterator[Evidence]:
        registry = self.root(found.env) / "sessions"
        boot = boot_id()
        for proc in found.family:
            data = _fs.read_json_or_none(registry / f"{proc.pid}.json")
            if not (isinstance(data, dict) and is_session_id(str(data.get("sessionId", "")))):
                continue
            token = data.get("procStart")
            ours = f"{boot}:{clock_ticks_since_boot(proc.create_time)}" if boot else None
            if token is None or ours is None or token == ours:
                yield Evidence(data["sessionId"], "qwen:sessions-registry", Confidence.EXACT)

    def sessions(self, env: t.Mapping[str, str], cwd: str | None = None
                 ) -> list[StoredSession]:
        """Transcripts ``projects/<slug>/chats/<id>.jsonl``, their mtime as the update time;
        without ``cwd``, every project's (the directory read from the first record)."""
        pattern = f"{project_slug(cwd)}/chats/*.jsonl" if cwd is not None else "*/chats/*.jsonl"
        return transcript_sessions((self.root(env) / "projects").glob(pattern), "qwen:chats",
                                   cwd, _first_cwd)

    def resume_args(self, kept: list[str], session_id: str, cwd: str) -> list[str]:
        return [*kept, "--resume", session_id]


def _first_cwd(path: pathlib.Path) -> str:
    data = _fs.first_json(path)
    cwd = data.get("cwd") if data else None
    return cwd if isinstance(cwd, str) else ""
