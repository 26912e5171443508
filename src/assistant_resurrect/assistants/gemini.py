"""Gemini CLI (``@google/gemini-cli``, checked against 0.61.0).

``node …/bin/gemini`` relaunches itself as a node child with a larger heap; both carry the
same argv. Evidence: argv ``-r/--resume <uuid>``, then the project's chat files
``~/.gemini/tmp/<project>/chats/session-*.jsonl`` (first line ``{"sessionId", …}``; the
project folder comes from ``~/.gemini/projects.json``) written since the process started.
"""

from __future__ import annotations

import json
import pathlib
import typing as t

from assistant_resurrect import _fs
from assistant_resurrect.assistants.argv import FlagSpec
from assistant_resurrect.assistants.base import (
    Assistant,
    Found,
    StoreCandidate,
    home_of,
)
from assistant_resurrect.snapshot import is_session_id


def gemini_dir(env: t.Mapping[str, str], home: pathlib.Path) -> pathlib.Path:
    """``$GEMINI_CLI_HOME/.gemini`` or ``~/.gemini``."""
    return pathlib.Path(env.get("GEMINI_CLI_HOME") or home) / ".gemini"


def chat_session_id(path: pathlib.Path) -> str | None:
    """``sessionId`` from the first line of a Gemini chat file, or None."""
    line = _fs.first_line(path)
    try:
        data = json.loads(line) if line else None
    except json.JSONDecodeError:
        return None
    sid = data.get("sessionId") if isinstance(data, dict) else None
    return sid if isinstance(sid, str) and is_session_id(sid) else None


def project_chats(root: pathlib.Path, cwd: str) -> list[pathlib.Path]:
    """Chat files of the project Gemini keys by ``cwd`` (``projects.json``: path → folder)."""
    projects = _fs.read_json_or_none(root / "projects.json")
    table = projects.get("projects", projects) if isinstance(projects, dict) else {}
    folder = table.get(cwd) if isinstance(table, dict) else None
    if not isinstance(folder, str) or "/" in folder:
        return []
    return sorted((root / "tmp" / folder / "chats").glob("session-*.json*"))


class Gemini(Assistant):
    name = "gemini"
    executables = frozenset({"gemini"})
    scripts = frozenset({"gemini", "gemini.js"})
    not_interactive = frozenset({"mcp", "extensions", "extension", "skills", "hooks"})
    selector_keys = ("-r", "--resume")
    failure_screens = ("Error resuming session", "Invalid session identifier")
    flags = FlagSpec(
        takes_value=frozenset({
            "-m", "--model", "-p", "--prompt", "-i", "--prompt-interactive", "--approval-mode",
            "--session-file", "--session-id", "--delete-session", "-o", "--output-format",
            "-r", "--resume",
        }),
        optional_value=frozenset({"-w", "--worktree"}),
        variadic=frozenset({"--policy", "--admin-policy", "--allowed-mcp-server-names",
                            "--allowed-tools", "-e", "--extensions", "--include-directories"}),
        selectors=frozenset({"-r", "--resume", "--session-file", "--session-id"}),
        dropped=frozenset({"-i", "--prompt-interactive", "-w", "--worktree", "--delete-session",
                           "-h", "--help", "-v", "--version"}),
        restrictions=frozenset({"--approval-mode", "--policy", "--admin-policy", "-s",
                                "--sandbox", "--allowed-mcp-server-names", "-e", "--extensions"}),
    )

    def is_interactive(self, args: list[str]) -> bool:
        return super().is_interactive(args) and not {"-p", "--prompt", "--acp",
                                                     "--list-sessions"} & set(args)

    def store_candidates(self, found: Found, cwd: str) -> list[StoreCandidate]:
        out = []
        for path in project_chats(gemini_dir(found.env, found.home()), cwd):
            sid = chat_session_id(path)
            if sid and path.stat().st_mtime >= found.proc.create_time - 2:
                out.append(StoreCandidate(sid, path.stat().st_mtime, "gemini:chat-files"))
        return out

    def session_exists(self, session_id: str, cwd: str, env: dict[str, str]) -> bool | None:
        home = home_of(env)
        root = gemini_dir(env, home)
        return any(chat_session_id(p) == session_id for p in project_chats(root, cwd))

    def resume_args(self, kept: list[str], session_id: str, cwd: str) -> list[str]:
        return [*kept, "--resume", session_id]
