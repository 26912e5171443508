"""Gemini CLI (``@google/gemini-cli``, checked against 0.61.0).

``node …/bin/gemini`` relaunches itself as a node child with a larger heap; both carry the
same argv. Evidence: argv ``-r/--resume <uuid>``, then the project's chat files
``~/.gemini/tmp/<project>/chats/session-*.jsonl`` (first line ``{"sessionId", …}``; the
project folder comes from ``~/.gemini/projects.json``) written since the process started.
"""

from __future__ import annotations

import contextlib
import pathlib
import typing as t

from assistant_resurrect import _fs
from assistant_resurrect.assistants.argv import FlagSpec
from assistant_resurrect.assistants.base import (
    Assistant,
    StoredSession,
    home_of,
    is_session_id,
)
from assistant_resurrect.exc import AssistantResurrectError


def chat_session_id(path: pathlib.Path) -> str | None:
    """``sessionId`` from the first line of a Gemini chat file, or None."""
    data = _fs.first_json(path)
    sid = data.get("sessionId") if data else None
    return sid if isinstance(sid, str) and is_session_id(sid) else None


PROJECT_ROOT = ".project_root"  # tmp/<folder>/.project_root: the directory owning the folder


def projects(root: pathlib.Path, cwd: str | None = None) -> dict[str, str]:
    """{project directory: folder under ``tmp/``}: ``projects.json``, then the folders whose
    ``.project_root`` names a directory it does not map (Gemini adopts those itself,
    ``ProjectRegistry.findExistingSlugForPath``). Unsafe folder names are left out. With
    ``cwd``, only its entry (the markers are read only when ``projects.json`` maps it not)."""
    data = _fs.read_json_or_none(root / "projects.json")
    table = data.get("projects", data) if isinstance(data, dict) else {}
    mapped = {where: folder for where, folder in table.items() if isinstance(folder, str)
              and _safe(folder)} if isinstance(table, dict) else {}
    if cwd is None or cwd not in mapped:
        for marker in sorted((root / "tmp").glob(f"*/{PROJECT_ROOT}")):
            owner = _owner(marker.parent)
            if owner and owner not in mapped and _safe(marker.parent.name):
                mapped[owner] = marker.parent.name
    return mapped if cwd is None else {cwd: mapped[cwd]} if cwd in mapped else {}


def _safe(folder: str) -> bool:
    return bool(folder) and "/" not in folder and folder not in (".", "..")


def _owner(folder: pathlib.Path) -> str | None:
    """The directory ``folder``'s ``.project_root`` names (None: no readable marker)."""
    try:
        return (folder / PROJECT_ROOT).read_text(encoding="utf-8").strip() or None
    except (OSError, UnicodeDecodeError):
        return None


def project_chats(root: pathlib.Path, folder: str) -> list[pathlib.Path]:
    """Chat files of one project folder (``tmp/<folder>/chats/session-*.json[l]``)."""
    return sorted((root / "tmp" / folder / "chats").glob("session-*.json*"))


class Gemini(Assistant):
    name = "gemini"
    conversation_globs = ("tmp/*/chats/session-*.json*",)  # the id is inside, see below
    executables = frozenset({"gemini"})
    scripts = frozenset({"gemini", "gemini.js"})
    not_interactive = frozenset({"mcp", "extensions", "extension", "skills", "hooks"})
    selector_keys = ("-r", "--resume")
    continue_selectors = frozenset({"-r=latest", "--resume=latest"})
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

    def root(self, env: t.Mapping[str, str]) -> pathlib.Path:
        """``$GEMINI_CLI_HOME/.gemini`` or ``~/.gemini``."""
        return pathlib.Path(env.get("GEMINI_CLI_HOME") or home_of(env)) / ".gemini"

    def sessions(self, env: t.Mapping[str, str], cwd: str | None = None
                 ) -> list[StoredSession]:
        """Chat files of the projects :func:`projects` maps (first line ``sessionId``), their
        mtime as the update time."""
        root = self.root(env)
        out = []
        for where, folder in projects(root, cwd).items():
            for path in project_chats(root, folder):
                sid = chat_session_id(path)
                with contextlib.suppress(OSError):
                    if sid:
                        out.append(StoredSession(sid, path.stat().st_mtime, "gemini:chat-files",
                                                 where))
        return out

    def conversation_files(self, root: pathlib.Path, session_id: str) -> list[pathlib.Path]:
        """The chat files whose first line names ``session_id`` (their names hold only a
        prefix of it)."""
        return [path for path in sorted(root.glob(self.conversation_globs[0]))
                if chat_session_id(path) == session_id]

    def place(self, root: pathlib.Path, relative: str, cwd: str, dry_run: bool) -> str:
        """A chat file goes into the folder Gemini maps ``cwd`` to; where it maps none, into
        the bundle's folder, marked (``.project_root``) as ``cwd``'s, so Gemini adopts it as
        it does its own. Refused when that folder is another directory's."""
        parts = relative.split("/")  # tmp/<folder>/chats/<file>
        mapped = projects(root, cwd).get(cwd)
        folder = mapped or parts[1]
        owner = _owner(root / "tmp" / folder)
        if owner is not None and owner != cwd:
            raise AssistantResurrectError(f"gemini's folder {folder} belongs to {owner}")
        marker = root / "tmp" / folder / PROJECT_ROOT
        if not _fs.resolves_inside(marker, root):
            raise AssistantResurrectError(f"gemini's folder {folder} leads out of {root}")
        if mapped is None and owner is None and not dry_run and cwd:
            _fs.ensure_private_dir(marker.parent)
            _fs.atomic_write_text(marker, cwd)
        return "/".join(["tmp", folder, *parts[2:]])

    def resume_args(self, kept: list[str], session_id: str, cwd: str) -> list[str]:
        return [*kept, "--resume", session_id]
