"""Claude Code (``@anthropic-ai/claude-code``, checked against 2.1.330).

Session evidence, best first:
1. ``$CLAUDE_CONFIG_DIR/sessions/<pid>.json``, Claude's own per-process registry (``sessionId``,
   ``procStart``: ``/proc/<pid>/stat`` field 22 on Linux, ``ps -o lstart`` in UTC on macOS,
   see :func:`procs.proc_start_token`); it follows ``/clear`` and ``--fork-session``.
2. Our SessionStart hook's state file ``<state>/claude-<pid>.json`` (keyed by ``$CLAUDE_PID``).
3. argv ``--resume <id>`` / ``--session-id <id>``.
4. Transcripts ``projects/<encoded cwd>/<id>.jsonl`` written since the process started.
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
    StoreCandidate,
    home_of,
    newer_than,
    tracker_evidence,
)
from assistant_resurrect.procs import basename, proc_start_token
from assistant_resurrect.snapshot import is_session_id

_VERSION_RE = re.compile(r"^\d+\.\d+\.\d+")


def config_dir(env: t.Mapping[str, str], home: pathlib.Path) -> pathlib.Path:
    """``$CLAUDE_CONFIG_DIR`` or ``~/.claude``."""
    return pathlib.Path(env.get("CLAUDE_CONFIG_DIR") or home / ".claude")


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


class Claude(Assistant):
    name = "claude"
    executables = frozenset({"claude", "claude.exe", ".claude-wrapped"})
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

    def tool_index(self, proc: t.Any) -> int | None:
        index = super().tool_index(proc)
        if index is not None and index > 0 and basename(proc.cmdline[index]) == "cli.js":
            return index if "claude-code" in proc.cmdline[index] else None
        return index

    def is_interactive(self, args: list[str]) -> bool:
        head = args[: args.index("--")] if "--" in args else args
        return super().is_interactive(args) and not {"-p", "--print"} & set(head)

    def launcher(self, argv: list[str], index: int, env: t.Mapping[str, str]) -> str:
        # versioned native binaries are replaced on update; the stable name is `claude`
        if self.is_executable(argv[index]) and "versions" in argv[index]:
            return "claude"
        return super().launcher(argv, index, env)

    def exact_evidence(self, found: Found, state_dir: pathlib.Path) -> t.Iterator[Evidence]:
        registry = config_dir(found.env, found.home()) / "sessions"
        for proc in found.family:
            data = _fs.read_json_or_none(registry / f"{proc.pid}.json")
            if isinstance(data, dict) and is_session_id(str(data.get("sessionId", ""))):
                start = data.get("procStart")
                if start is None or str(start) == proc_start_token(proc.create_time):
                    yield Evidence(data["sessionId"], "claude:sessions-registry", Confidence.EXACT)
        yield from tracker_evidence(found, state_dir, self.name, "claude:session-start-hook")

    def argv_session(self, split: t.Any) -> str | None:
        if "--fork-session" in split.selector_values:
            return None
        return super().argv_session(split)

    def store_candidates(self, found: Found, cwd: str) -> list[StoreCandidate]:
        project = config_dir(found.env, found.home()) / "projects" / encode_project_dir(cwd)
        out = []
        for path in project.glob("*.jsonl"):
            if newer_than(path, found.proc.create_time, slack=0) and is_session_id(path.stem):
                out.append(StoreCandidate(path.stem, path.stat().st_mtime, "claude:transcripts"))
        return out

    def session_exists(self, session_id: str, cwd: str, env: dict[str, str]) -> bool | None:
        projects = config_dir(env, home_of(env)) / "projects"
        if not projects.is_dir():
            return False
        candidates = [projects / encode_project_dir(cwd) / f"{session_id}.jsonl"]
        candidates += projects.glob(f"*/{session_id}.jsonl")
        return any(p.is_file() and p.stat().st_size > 0 for p in candidates)

    def required_env(self, kept: list[str]) -> tuple[str, ...]:
        # as root, --dangerously-skip-permissions exits 1 unless IS_SANDBOX=1
        return ("IS_SANDBOX",) if "--dangerously-skip-permissions" in kept else ()

    def resume_args(self, kept: list[str], session_id: str, cwd: str) -> list[str]:
        return [*kept, "--resume", session_id]
