"""Claude Code (``@anthropic-ai/claude-code``, checked against 2.1.330).

Session evidence, best first:
1. ``$CLAUDE_CONFIG_DIR/sessions/<pid>.json``, Claude's own per-process registry (``sessionId``,
   ``procStart``: ``/proc/<pid>/stat`` field 22 on Linux, ``ps -o lstart`` in UTC on macOS,
   see :func:`proc_start_token`); it follows ``/clear`` and ``--fork-session``.
2. Our SessionStart hook's state file ``<state>/claude-<pid>.json`` (keyed by ``$CLAUDE_PID``).
3. argv ``--resume <id>`` / ``--session-id <id>``.
4. Transcripts ``projects/<encoded cwd>/<id>.jsonl`` written since the process started.
"""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import re
import sys
import time
import typing as t

from assistant_resurrect import _fs
from assistant_resurrect.assistants.argv import FlagSpec
from assistant_resurrect.assistants.base import (
    Assistant,
    Confidence,
    Evidence,
    Found,
    StoredSession,
    Tracker,
    home_of,
    is_session_id,
    tracker_evidence,
    transcript_sessions,
)
from assistant_resurrect.procs import clock_ticks_since_boot

_VERSION_RE = re.compile(r"^\d+\.\d+\.\d+")


def encode_project_dir(cwd: str) -> str:
    """Claude's project directory name for ``cwd``.

    Every non-alphanumeric UTF-16 code unit becomes ``-``; names over 200 characters are cut
    and suffixed with a base-36 Java-style string hash (Claude Code 2.1.330 bundle).

    >>> encode_project_dir("/home/u/my.proj")
    '-home-u-my-proj'
    """
    units = cwd.encode("utf-16-le")
    codes = [int.from_bytes(units[i : i + 2], "little") for i in range(0, len(units), 2)]
    out = "".join(chr(c) if chr(c).isascii() and chr(c).isalnum() else "-" for c in codes)
    if len(out) <= 200:
        return out
    h = 0
    for c in codes:
        h = ((h << 5) - h + c) & 0xFFFFFFFF
    h = abs(h - (1 << 32) if h & 0x80000000 else h)
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    b36 = ""
    while True:
        h, r = divmod(h, 36)
        b36 = digits[r] + b36
        if not h:
            break
    return f"{out[:200]}-{b36}"


def proc_start_token(create_time: float, system: str | None = None) -> str:
    """A process's start as Claude Code writes it in ``sessions/<pid>.json`` ``procStart``.

    Read from the installed Claude Code 2.1.330 bundle: on Linux ``/proc/<pid>/stat`` field 22
    (clock ticks since boot); elsewhere (macOS) ``LC_ALL=C TZ=UTC ps -o lstart= -p <pid>``,
    whose one-second format this rebuilds from psutil's start time.

    >>> proc_start_token(1764706693.7, "darwin")
    'Tue Dec  2 20:18:13 2025'
    """
    if (system or sys.platform).startswith("linux"):
        return str(clock_ticks_since_boot(create_time))
    return time.strftime("%a %b %e %H:%M:%S %Y", time.gmtime(int(create_time)))


class Claude(Assistant):
    name = "claude"
    conversation_globs = ("projects/*/{id}.jsonl", "projects/*/{id}")
    executables = frozenset({"claude", "claude.exe", ".claude-wrapped"})
    comm_prefixes = (".claude", *"0123456789")  # the native installer's versions/<semver>
    continue_selectors = frozenset({"-c", "--continue"})
    store_slack = 0.0
    hook_script = "claude_session.py"
    hook_events = ("SessionStart", "SessionEnd")
    package = "claude-code"
    scripts = frozenset({"claude", "cli.js"})
    not_interactive = frozenset({
        "mcp", "config", "doctor", "update", "upgrade", "install", "migrate-installer",
        "setup-token", "plugin", "plugins", "daemon", "bg-spare", "agents", "auth",
    })
    selector_keys = ("--resume", "-r", "--session-id")
    failure_screens = ("No conversation found", "Do you trust the files in this folder",
                       "trust this folder")
    flags = FlagSpec(
        takes_value=frozenset({
            "--agent", "--agents", "--append-system-prompt", "--append-system-prompt-file",
            "--system-prompt-file", "--autocompact", "--debug-file", "--effort", "--environment",
            "--fallback-model", "--input-format", "--json-schema", "--max-budget-usd", "--model",
            "-n", "--name", "--output-format", "--permission-mode", "--permission-prompts",
            "--plugin-dir", "--plugin-url", "--remote-control-session-name-prefix",
            "--session-id", "--setting-sources", "--settings", "--system-prompt",
            "--system-prompt-snapshot",
        }),
        optional_value=frozenset({
            "--cloud", "-d", "--debug", "--from-pr", "--prompt-suggestions", "--remote-control",
            "-r", "--resume", "--teleport", "-w", "--worktree",
        }),
        variadic=frozenset({
            "--add-dir", "--allowedTools", "--allowed-tools", "--betas", "--disallowedTools",
            "--disallowed-tools", "--file", "--mcp-config", "--tools",
        }),
        selectors=frozenset({
            "-r", "--resume", "-c", "--continue", "--session-id", "--fork-session", "--from-pr",
            "--teleport", "--cloud",
        }),
        dropped=frozenset({
            "-n", "--name", "--bg", "--background", "-w", "--worktree", "--tmux",
            "--remote-control", "--remote-control-session-name-prefix", "--desktop", "--file",
            "--environment", "-v", "--version", "-h", "--help",
        }),
        restrictions=frozenset({
            "--permission-mode", "--disallowedTools", "--disallowed-tools", "--tools",
            "--settings", "--setting-sources", "--strict-mcp-config", "--restricted",
            "--safe-mode", "--bare", "--disable-slash-commands",
        }),
    )

    def is_executable(self, path: str) -> bool:
        # the native installer runs ~/.local/share/claude/versions/<semver>
        parts = pathlib.PurePosixPath(path).parts
        if len(parts) >= 3 and parts[-2] == "versions" and parts[-3] == "claude":
            return bool(_VERSION_RE.match(parts[-1]))
        return super().is_executable(path)


    def is_interactive(self, args: list[str]) -> bool:
        head = args[: args.index("--")] if "--" in args else args
        return super().is_interactive(args) and not {"-p", "--print"} & set(head)

    def launcher(self, argv: list[str], index: int, env: t.Mapping[str, str]) -> str:
        # versioned native binaries are replaced on update; the stable name is `claude`
        if self.is_executable(argv[index]) and "versions" in argv[index]:
            return "claude"
        return super().launcher(argv, index, env)

    def root(self, env: t.Mapping[str, str]) -> pathlib.Path:
        """``$CLAUDE_CONFIG_DIR`` or ``~/.claude``."""
        return pathlib.Path(env.get("CLAUDE_CONFIG_DIR") or home_of(env) / ".claude")

    def tracker(self) -> Tracker:
        """Our SessionStart/SessionEnd hook in ``<root>/settings.json`` (``hooks/`` script)."""
        from assistant_resurrect.assistants.trackers import SettingsHooks  # off the save path

        return SettingsHooks(self.name, self.root(os.environ) / "settings.json",
                             self.hook_events, self.hook_script)

    def exact_evidence(self, found: Found, state_dir: pathlib.Path) -> t.Iterator[Evidence]:
        """The registry's and our hook's id, once it has a transcript: ``claude -c`` and a
        bare ``claude`` register a new id that holds nothing until the first message, and
        resuming it would fail (the conversation ``-c`` opened is found from the store)."""
        registry = self.root(found.env) / "sessions"
        for proc in found.family:
            data = _fs.read_json_or_none(registry / f"{proc.pid}.json")
            if isinstance(data, dict) and is_session_id(str(data.get("sessionId", ""))):
                start = data.get("procStart")
                if (start is None or str(start) == proc_start_token(proc.create_time)) and \
                        self._has_transcript(found.env, data["sessionId"]):
                    yield Evidence(data["sessionId"], "claude:sessions-registry", Confidence.EXACT)
        for evidence in tracker_evidence(found, state_dir, self.name, "claude:session-start-hook"):
            if self._has_transcript(found.env, evidence.session_id):
                yield evidence

    def _has_transcript(self, env: t.Mapping[str, str], session_id: str) -> bool:
        return any(p.stat().st_size > 0 for p in (self.root(env) / "projects").glob(
            f"*/{session_id}.jsonl"))

    def argv_session(self, split: t.Any) -> str | None:
        if "--fork-session" in split.selector_values:
            return None
        return super().argv_session(split)

    def sessions(self, env: t.Mapping[str, str], cwd: str | None = None
                 ) -> list[StoredSession]:
        """Transcripts ``projects/<encoded cwd>/<id>.jsonl`` (non-empty), their mtime as the
        update time; without ``cwd``, every project's (the directory read from each
        transcript's first line that says)."""
        pattern = f"{encode_project_dir(cwd)}/*.jsonl" if cwd is not None else "*/*.jsonl"
        return transcript_sessions((self.root(env) / "projects").glob(pattern),
                                   "claude:transcripts", cwd, _transcript_cwd)

    def session_exists(self, session_id: str, cwd: str, env: dict[str, str]) -> bool | None:
        return self._has_transcript(env, session_id)

    def required_env(self, kept: list[str]) -> tuple[str, ...]:
        # as root, --dangerously-skip-permissions exits 1 unless IS_SANDBOX=1
        return ("IS_SANDBOX",) if "--dangerously-skip-permissions" in kept else ()

    def resume_args(self, kept: list[str], session_id: str, cwd: str) -> list[str]:
        return [*kept, "--resume", session_id]


def _transcript_cwd(path: pathlib.Path) -> str:
    """The ``cwd`` of the first transcript line that has one (Claude Code JSONL), or ''."""
    try:
        with open(path, "rb") as fh:
            for _ in range(8):
                line = fh.readline(1 << 20)
                if not line:
                    break
                with contextlib.suppress(ValueError, RecursionError):
                    data = json.loads(line)
                    if isinstance(data, dict) and isinstance(data.get("cwd"), str):
                        return str(data["cwd"])
    except OSError:
        pass
    return ""
