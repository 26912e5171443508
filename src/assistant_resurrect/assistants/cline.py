"""Cline CLI (``cline``, checked against 3.0.65; a Bun-compiled binary from
``@cline/cli-<os>-<arch>``, started directly or through the package's ``node`` wrapper).

Verified on the installed CLI: its data directory is ``$CLINE_DATA_DIR`` or
``${CLINE_DIR:-~/.cline}/data``. A conversation ("session", id ``<epoch ms>_<5 chars>``) is
``sessions/<id>/<id>.json`` (a manifest: ``session_id``, ``cwd``, ``started_at``, ``prompt``,
``metadata.title``) with ``<id>.messages.json``, indexed in ``db/sessions.db`` (table
``sessions``, ISO 8601 times). The manifest alone is enough for ``cline --id <id>`` to open
it; an unknown id shows "Unknown session: <id>". A bare ``cline`` TUI creates its session at
start-up; ``cline <prompt>`` without ``-i`` is a one-shot run. There is no ``--continue``.

Sessions run in a shared hub daemon (``cline --cline-hub-daemon``, detached, outliving the
pane), and ``sessions.pid`` is that daemon's pid, shared by every pane. The TUI itself logs
``{"pid": <its pid>, "event": "session.started", "properties": {"sessionId"}}`` to
``logs/cline.log`` each time it opens a session: that line, newest first, is the exact
evidence; then argv ``--id``; then the sessions of the directory created since it started.
Without a running hub the TUI falls back to a local runtime: its new session is written only
with its first message, and ``--id`` of an unknown id starts an empty session of that id
instead of an error (the restore checks the store before it types).
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
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
    is_session_id,
)

LOG_TAIL_BYTES = 512 * 1024
_USER_INPUT = re.compile(r"</?user_input[^>]*>")


class Cline(Assistant):
    name = "cline"
    conversation_globs = ("sessions/{id}",)
    executables = frozenset({"cline", ".cline"})
    scripts = frozenset({"cline"})
    not_interactive = frozenset({
        "--cline-hub-daemon", "auth", "config", "plugin", "skill", "connect", "mcp", "doctor",
        "history", "h", "hook", "schedule", "hub", "dashboard", "update", "version", "kanban"})
    selector_keys = ("--id",)
    failure_screens = ("Unknown session:",)
    id_pattern = re.compile(r"^[0-9]{10,16}_[A-Za-z0-9]{3,16}$")
    flags = FlagSpec(
        takes_value=frozenset({
            "--auto-approve", "-c", "--cwd", "--compaction", "--id", "-P", "--provider", "-k",
            "--key", "-m", "--model", "-s", "--system", "-t", "--timeout", "--config",
            "--data-dir", "--hooks-dir"}),
        optional_value=frozenset({"--thinking", "--retries"}),
        selectors=frozenset({"--id"}),
        dropped=frozenset({"--json", "--acp", "-z", "--zen", "--worktree", "--update",
                           "--kanban", "-V", "--version", "-h", "--help"}),
        restrictions=frozenset({"-p", "--plan", "--auto-approve", "-s", "--system",
                                "--hooks-dir"}),
        credentials=frozenset({"-k", "--key"}),
    )

    def is_interactive(self, args: list[str]) -> bool:
        if not super().is_interactive(args) or {"--json", "--acp", "-z", "--zen"} & set(args):
            return False
        return "-i" in args or "--tui" in args or not self.split(args).prompted

    def root(self, env: t.Mapping[str, str]) -> pathlib.Path:
        """``$CLINE_DATA_DIR``, else ``${CLINE_DIR:-~/.cline}/data``."""
        if env.get("CLINE_DATA_DIR"):
            return pathlib.Path(env["CLINE_DATA_DIR"])
        return pathlib.Path(env.get("CLINE_DIR") or home_of(env) / ".cline") / "data"

    def exact_evidence(self, found: Found, state_dir: pathlib.Path) -> t.Iterator[Evidence]:
        """The last session the TUI logged opening, once it is on disk (a TUI without a
        hub keeps a new session in memory until its first message: nothing to resume)."""
        root = self.root(self.found_env(found))
        pids = {proc.pid: proc.create_time for proc in found.family}
        for pid, started, sid in reversed(_started_sessions(root)):
            if pid in pids and started >= pids[pid] - self.store_slack:
                if self.id_pattern.match(sid) and self._on_disk(root, sid):
                    yield Evidence(sid, "cline:log", Confidence.EXACT)
                return

    def _on_disk(self, root: pathlib.Path, session_id: str) -> bool:
        return (root / "sessions" / session_id / f"{session_id}.json").is_file() or bool(
            _store.query(root / "db" / "sessions.db",
                         "SELECT 1 FROM sessions WHERE session_id = ?", (session_id,)))

    def store_candidates(self, found: Found, cwd: str) -> list[StoredSession]:
        """Sessions of ``cwd`` created since the process started (a TUI creates its own at
        start-up; an older session updated meanwhile belongs to another pane)."""
        started = found.proc.create_time - self.store_slack
        return [s for s in self.sessions(self.found_env(found), cwd) if s.created_at >= started]

    def sessions(self, env: t.Mapping[str, str], cwd: str | None = None
                 ) -> list[StoredSession]:
        """The ``sessions.db`` index (top-level sessions), then the manifests of session
        folders it does not list."""
        root = self.root(env)
        sql = ("SELECT session_id, cwd, started_at, updated_at, "
               "coalesce(json_extract(metadata_json, '$.title'), prompt), model "
               "FROM sessions WHERE is_subagent = 0")
        params: tuple[str, ...] = ()
        if cwd is not None:
            sql, params = sql + " AND cwd = ?", (cwd,)
        out = {str(i): StoredSession(str(i), _epoch(u), "cline:sessions-db", str(d or ""),
                                     _epoch(c), _title(title), str(model or ""))
               for i, d, c, u, title, model in _store.query(root / "db" / "sessions.db", sql,
                                                            params)
               if is_session_id(str(i))}
        try:
            folders = [p for p in (root / "sessions").iterdir() if p.name not in out]
        except OSError:
            folders = []
        for folder in folders:
            entry = _manifest(folder)
            if entry is not None and (cwd is None or entry.cwd == cwd):
                out[entry.session_id] = entry
        return list(out.values())

    def store_env(self, args: list[str], cwd: str, env: t.Mapping[str, str]
                  ) -> t.Mapping[str, str]:
        """``--data-dir D`` is the data directory (the CLI sets ``CLINE_DATA_DIR`` to it);
        ``--config P`` the configuration directory (``CLINE_DIR``; its ``data/`` unless
        ``CLINE_DATA_DIR`` says otherwise); relative paths from ``cwd``."""
        split = self.split(args)
        data_dir, config = split.value("--data-dir"), split.value("--config")
        if data_dir:
            return {**env, "CLINE_DATA_DIR": os.path.join(cwd, data_dir)}
        if config:
            return {**env, "CLINE_DIR": os.path.join(cwd, config)}
        return env

    def resume_args(self, kept: list[str], session_id: str, cwd: str) -> list[str]:
        return [*kept, "--id", session_id]



def _started_sessions(root: pathlib.Path) -> list[tuple[int, float, str]]:
    """(pid, epoch s, session id) of the ``session.started`` lines in the last
    :data:`LOG_TAIL_BYTES` of ``logs/cline.log`` (pino JSON lines), oldest first."""
    try:
        with (root / "logs" / "cline.log").open("rb") as fh:
            size = fh.seek(0, 2)
            fh.seek(max(0, size - LOG_TAIL_BYTES))
            tail = fh.read()
    except OSError:
        return []
    out = []
    for line in tail.splitlines():
        if b'"session.started"' not in line:
            continue
        try:
            data = json.loads(line)
            sid = data["properties"]["sessionId"]
            if data["event"] == "session.started" and isinstance(data["pid"], int) and \
                    isinstance(sid, str):
                out.append((data["pid"], _epoch(data["time"]), sid))
        except (ValueError, KeyError, TypeError, RecursionError):
            continue
    return out


def _manifest(folder: pathlib.Path) -> StoredSession | None:
    """A session from ``<folder>/<id>.json`` when it names that id, else None."""
    data = _fs.read_json_or_none(folder / f"{folder.name}.json")
    if not isinstance(data, dict) or data.get("session_id") != folder.name or \
            not is_session_id(folder.name):
        return None
    meta = data.get("metadata")
    title = meta.get("title") if isinstance(meta, dict) else None
    cwd = data.get("cwd")
    updated = 0.0
    for name in (f"{folder.name}.messages.json", f"{folder.name}.json"):
        with contextlib.suppress(OSError):
            updated = updated or (folder / name).stat().st_mtime
    model = data.get("model")
    return StoredSession(folder.name, updated, "cline:sessions", cwd if isinstance(cwd, str)
                         else "", _epoch(data.get("started_at")),
                         _title(title if isinstance(title, str) else data.get("prompt")),
                         model if isinstance(model, str) else "")


def _epoch(value: t.Any) -> float:
    """Epoch seconds of an ISO 8601 time (``2026-12-03T05:31:58.150Z``); 0.0 if it is not one."""
    if not isinstance(value, str):
        return 0.0
    try:
        return datetime.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0


def _title(value: t.Any) -> str:
    """The session's title, or its first prompt without Cline's ``<user_input>`` wrapper."""
    return _USER_INPUT.sub("", value).strip() if isinstance(value, str) else ""
