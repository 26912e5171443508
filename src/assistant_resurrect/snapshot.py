"""The snapshot store: one versioned JSON sidecar per resurrect save file.

Layout, inside the resurrect directory::

    assistant-resurrect/
        tmux_resurrect_20261123T101500.json   # pairs with tmux_resurrect_20261123T101500.txt
        .lock

Schema (``version`` 1)::

    {"format": "tmux-assistant-resurrect", "version": 1, "created_at": <epoch s>,
     "resurrect_file": "tmux_resurrect_<ts>.txt", "panes": [<PaneSession as dict>, ...]}
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import math
import os
import pathlib
import time
import typing as t

from assistant_resurrect import _fs, resurrect
from assistant_resurrect.assistants.base import is_session_id
from assistant_resurrect.exc import LockTimeoutError, StateFileError, UntrustedDirError
from assistant_resurrect.shells import ENV_NAME

log = logging.getLogger(__name__)
NEWEST_RESUMABLE = ".newest-resumable"  # name of the newest snapshot with a session, or ''
FALLBACK_DEPTH = 200  # older snapshots a restore may fall back to


FORMAT = "tmux-assistant-resurrect"
VERSION = 1
STORE_NAME = "assistant-resurrect"
LEGACY_SIDECAR = "assistant-sessions.json"


class PaneSession(t.NamedTuple):
    """What we saved about one assistant pane (immutable: change it with ``_replace``).

    ``argv`` is the full original argv and ``replay_args`` the options we replay (both with
    secrets redacted); ``session_id`` is None when no evidence was found (``searched`` then
    lists what was tried). ``refused`` says why the pane must not be relaunched, if so.
    """

    session_name: str
    window_index: int
    pane_index: int
    tool: str
    cwd: str
    session_id: str | None = None
    session_source: str = ""
    confidence: str = ""
    launcher: str = ""
    argv: list[str] = []  # noqa: RUF012 (never mutated in place)
    replay_args: list[str] = []  # noqa: RUF012 (never mutated in place)
    env: dict[str, str] = {}  # noqa: RUF012 (never mutated in place)
    pane_id: str = ""
    pid: int = 0
    notes: list[str] = []  # noqa: RUF012 (never mutated in place)
    refused: str | None = None
    searched: list[str] = []  # noqa: RUF012 (never mutated in place)

    @property
    def address(self) -> tuple[str, int, int]:
        return (self.session_name, self.window_index, self.pane_index)

    @property
    def label(self) -> str:
        return f"{self.session_name}:{self.window_index}.{self.pane_index}"

    @classmethod
    def from_dict(cls, data: t.Any) -> PaneSession:
        """Build from a sidecar entry, checking every field's type.

        Env names that are not shell identifiers are dropped. Raises ValueError (with the
        reason) when the entry is malformed: a required field missing, a field of the wrong
        type, a session id that is not one.
        """
        if not isinstance(data, dict):
            raise ValueError("an entry is not a JSON object")
        values: dict[str, t.Any] = {}
        for name in cls._fields:
            if name not in data:
                if name in _REQUIRED:
                    raise ValueError(f"{name} is missing")
                continue
            values[name] = _checked(name, data[name])
        sid = values.get("session_id")
        if sid is not None and not is_session_id(sid):
            raise ValueError(f"session_id {sid!r} is not a session id")
        if "env" in values:
            values["env"] = {k: v for k, v in values["env"].items() if ENV_NAME.match(k)}
        return cls(**values)


_REQUIRED = ("session_name", "window_index", "pane_index", "tool", "cwd")
_INTS = ("window_index", "pane_index", "pid")
_STR_LISTS = ("argv", "replay_args", "notes", "searched")
_OPTIONAL_STRS = ("session_id", "refused")


def _checked(name: str, value: t.Any) -> t.Any:
    """``value`` if it has the type field ``name`` needs, else ValueError."""
    if name in _INTS:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif name in _STR_LISTS:
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
    elif name == "env":
        ok = isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
    elif name in _OPTIONAL_STRS:
        ok = value is None or isinstance(value, str)
    else:
        ok = isinstance(value, str)
    if not ok:
        raise ValueError(f"{name} has the wrong type ({type(value).__name__})")
    return value


class Snapshot:
    """All assistant panes of one save.

    ``created_at`` is in epoch seconds (now when not given); ``path`` is the sidecar it was
    loaded from or written to; ``skipped_entries`` counts malformed entries left out on load.
    """

    def __init__(self, panes: list[PaneSession], created_at: float | None = None,
                 resurrect_file: str = "", path: pathlib.Path | None = None,
                 skipped_entries: int = 0) -> None:
        self.panes = panes
        self.created_at = time.time() if created_at is None else created_at
        self.resurrect_file = resurrect_file
        self.path = path
        self.skipped_entries = skipped_entries

    def to_json(self) -> dict[str, t.Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "created_at": self.created_at,
            "resurrect_file": self.resurrect_file,
            "panes": [p._asdict() for p in self.panes],
        }

    @property
    def resumable(self) -> list[PaneSession]:
        return [p for p in self.panes if p.session_id]


def store_dir(resurrect_dir: pathlib.Path) -> pathlib.Path:
    return resurrect_dir / STORE_NAME


def resurrect_dir_of(path: pathlib.Path) -> pathlib.Path:
    """The resurrect directory a sidecar belongs to (ours in its store, the bash plugin's
    beside the save files)."""
    return path.parent.parent if path.parent.name == STORE_NAME else path.parent


def sidecar_path(resurrect_dir: pathlib.Path, save_file_name: str) -> pathlib.Path:
    """The sidecar paired with a resurrect save file name."""
    return store_dir(resurrect_dir) / (pathlib.Path(save_file_name).stem + ".json")


@contextlib.contextmanager
def locked(resurrect_dir: pathlib.Path, timeout: float = 15.0) -> t.Iterator[None]:
    """Serialise overlapping saves (continuum plus a key press) and restores.

    ``flock`` (POSIX, Linux and macOS) dies with its holder, so a crashed save never leaves a
    stale lock behind. Raises :class:`LockTimeoutError` after ``timeout`` seconds.
    """
    directory = _fs.ensure_private_dir(store_dir(resurrect_dir))
    lock = directory / ".lock"
    if lock.is_symlink():
        lock.unlink()
    fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockTimeoutError(f"{directory}/.lock is held by another save") from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def write(path: pathlib.Path, snap: Snapshot) -> bool:
    """Atomically write ``snap`` to ``path`` (mode 0600, parent 0700); False when the file
    already holds the same panes (nothing written: an autosave that changed nothing costs no
    fsync, and ``created_at`` keeps the time the content was first seen)."""
    _fs.ensure_private_dir(path.parent)
    snap.path = path
    new = snap.to_json()
    old = _fs.read_json_or_none(path)
    if isinstance(old, dict) and {**old, "created_at": 0} == {**new, "created_at": 0}:
        created = old.get("created_at")
        if isinstance(created, (int, float)) and math.isfinite(created):
            snap.created_at = float(created)
        return False
    _fs.atomic_write_json(path, new)
    if snap.resumable:
        _note_resumable(path)
    return True


def _note_resumable(path: pathlib.Path) -> None:
    """Keep :data:`NEWEST_RESUMABLE` pointing at the newest snapshot that has a session, so a
    save never parses every sidecar to find the one it must not prune."""
    pointer = path.parent / NEWEST_RESUMABLE
    try:
        current = pointer.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        current = ""
    if path.name >= current:
        with contextlib.suppress(OSError):
            _fs.atomic_write_text(pointer, path.name + "\n")


def load(path: pathlib.Path) -> Snapshot:
    """Read a sidecar (ours, or the bash plugin's ``assistant-sessions.json``).

    Malformed pane entries are skipped (each logged with its reason) and counted in
    ``skipped_entries``; a ``created_at`` that is not a number becomes the file's mtime.

    Every reader goes through here, so every reader keeps the trust rule
    (:func:`_fs.require_trusted`): a snapshot decides what is typed.

    Raises
    ------
    FileNotFoundError
        When the file is missing.
    UntrustedDirError
        When it, its directory or the resurrect directory above is another user's or
        writable by others.
    StateFileError
        When it is not JSON, not an object, of an unknown format or version, or its
        ``panes`` is not a list.
    """
    _fs.require_trusted(path, resurrect_dir_of(path))
    data = _fs.read_json(path)
    if not isinstance(data, dict):
        raise StateFileError(path, "not a JSON object")
    if data.get("format") != FORMAT:
        if isinstance(data.get("sessions"), list):
            return _load_legacy(path, data)
        raise StateFileError(path, "not an assistant-resurrect snapshot")
    if data.get("version") != VERSION:
        raise StateFileError(path, f"unknown snapshot version {data.get('version')!r}")
    entries = data.get("panes", [])
    if not isinstance(entries, list):
        raise StateFileError(path, "panes is not a list")
    panes, skipped = [], 0
    for i, entry in enumerate(entries):
        try:
            panes.append(PaneSession.from_dict(entry))
        except ValueError as err:
            log.warning("%s: skipped pane entry %d: %s", path.name, i, err)
            skipped += 1
    created = data.get("created_at")
    if isinstance(created, bool) or not isinstance(created, (int, float)) or not math.isfinite(
            created):
        created = path.stat().st_mtime
    name = data.get("resurrect_file")
    return Snapshot(panes, float(created), name if isinstance(name, str) else "", path, skipped)


def _load_legacy(path: pathlib.Path, data: dict[str, t.Any]) -> Snapshot:
    """The bash plugin's sidecar: ``{"sessions": [{"pane": "s:w.p", "tool", "session_id", "cwd",
    "cli_args" (whitespace-joined), "env", "session_name", "window_index", "pane_index"}]}``."""
    panes, skipped = [], 0
    for i, entry in enumerate(data["sessions"]):
        try:
            panes.append(_legacy_entry(entry))
        except (TypeError, ValueError, KeyError, AttributeError) as err:
            log.warning("%s: skipped legacy entry %d: %s", path.name, i, err)
            skipped += 1
    return Snapshot(panes, path.stat().st_mtime, "", path, skipped)


def _legacy_entry(entry: t.Any) -> PaneSession:
    name = entry.get("session_name")
    if name is None:
        name, _, rest = str(entry["pane"]).rpartition(":")
        win, _, idx = rest.partition(".")
    else:
        win, idx = entry["window_index"], entry["pane_index"]
    env = entry.get("env") or {}
    sid = entry.get("session_id")
    return PaneSession.from_dict({
        "session_name": name, "window_index": int(win), "pane_index": int(idx),
        "tool": entry["tool"], "cwd": entry.get("cwd", ""),
        "session_id": sid if sid else None, "session_source": "legacy-sidecar",
        "confidence": "argv", "replay_args": str(entry.get("cli_args") or "").split(),
        "env": {k: v for k, v in env.items() if k not in ("tmux_pane", "shell")
                and isinstance(v, str)},
    })


def save_file_stem(name: str) -> str:
    """The resurrect save file a sidecar name belongs to (archived ones carry a suffix).

    >>> save_file_stem("tmux_resurrect_20260101T000000.1767225600.json")
    'tmux_resurrect_20260101T000000'
    """
    return name.split(".", 1)[0]


def archive_if_better(path: pathlib.Path, new: Snapshot) -> pathlib.Path | None:
    """Before ``new`` replaces the sidecar at ``path``: if the old one resumes more panes (an
    autosave right after a restart, deduplicated by resurrect into the same save file), keep
    it as ``<stem>.<created_at>.json`` so the last good state is never lost."""
    old = _load_or_none(path)
    if old is None or len(old.resumable) <= len(new.resumable):
        return None
    archived = path.with_name(f"{path.stem}.{int(old.created_at)}.json")
    os.replace(path, archived)
    return archived


def list_snapshots(resurrect_dir: pathlib.Path) -> list[pathlib.Path]:
    """Our sidecars, oldest first (names sort by time, like resurrect's files; an archived
    sidecar sorts just before the current one of the same save file)."""
    directory = store_dir(resurrect_dir)
    return [directory / name for name in _snapshot_names(directory)]


def _snapshot_names(directory: pathlib.Path) -> list[str]:
    # names, not paths, and one directory read: a month of autosaves is thousands of files,
    # and every save prunes
    try:
        with os.scandir(directory) as entries:
            return sorted(e.name for e in entries if e.name.startswith("tmux_resurrect_")
                          and e.name.endswith(".json") and e.is_file())
    except OSError:
        return []


def for_save_file(resurrect_dir: pathlib.Path, save_file: pathlib.Path | None) -> Snapshot:
    """The snapshot to restore with ``save_file``.

    The sidecar paired with it; when that one holds no resumable pane (an autosave taken
    right after tmux restarted), the newest older snapshot with assistants whose panes all
    exist in ``save_file``'s layout. Falls back to the bash plugin's sidecar.

    Raises
    ------
    SnapshotNotFoundError
        When nothing matches.
    """
    from assistant_resurrect.exc import SnapshotNotFoundError

    if save_file is not None:
        paired = sidecar_path(resurrect_dir, save_file.name)
        snap = _load_or_none(paired)
        if snap is not None and snap.resumable:
            return snap
        layout = {p.address for p in resurrect.read_panes(save_file)}
        older_ones = [p for p in list_snapshots(resurrect_dir) if p.name < paired.name]
        for older in reversed(older_ones[-FALLBACK_DEPTH:]):
            candidate = _load_or_none(older)
            if candidate and candidate.resumable and {
                    p.address for p in candidate.resumable} <= layout:
                candidate.panes = list(candidate.panes)
                return candidate
        if snap is not None:
            return snap
    legacy = _load_or_none(resurrect_dir / LEGACY_SIDECAR)
    if legacy is not None:
        return legacy
    raise SnapshotNotFoundError(f"no assistant snapshot for {save_file or resurrect_dir}")


def _load_or_none(path: pathlib.Path) -> Snapshot | None:
    """:func:`load`, or None when the file is missing, unreadable or refused (said in the
    log: a refused snapshot is never used, nor silently ignored)."""
    try:
        return load(path)
    except UntrustedDirError as err:
        log.warning("%s", err)
        return None
    except (OSError, StateFileError):
        return None


def newest_non_empty(resurrect_dir: pathlib.Path) -> pathlib.Path | None:
    """The newest snapshot with at least one resumable pane (never purged).

    Raises :class:`UntrustedDirError` when the store or the resurrect directory is refused
    (nothing is read or noted there then)."""
    directory = store_dir(resurrect_dir)
    _fs.require_trusted(directory, resurrect_dir)
    return _newest_non_empty(directory, _snapshot_names(directory))


def _newest_non_empty(directory: pathlib.Path, names: list[str]) -> pathlib.Path | None:
    """Read from :data:`NEWEST_RESUMABLE` (one file parsed); only when it is missing or
    wrong are the sidecars scanned, newest first, and the answer written back ('' for
    none, so a store without any session is not scanned again)."""
    pointer = directory / NEWEST_RESUMABLE
    try:
        noted = pointer.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        noted = None
    if noted == "" and not _newer_than(pointer, directory, names):
        return None
    if noted and noted in names:
        snap = _load_or_none(directory / noted)
        if snap and snap.resumable:  # anything newer with a session would have moved it
            return directory / noted
    found = _scan_newest_resumable(directory, names)
    with contextlib.suppress(OSError):
        _fs.atomic_write_text(pointer, (found or "") + "\n")
    return directory / found if found else None


def _newer_than(pointer: pathlib.Path, directory: pathlib.Path, names: list[str]) -> bool:
    """True when a sidecar changed after the pointer said 'none' (written by something
    other than :func:`write`, e.g. an archive rename)."""
    try:
        since = pointer.stat().st_mtime
        return any((directory / n).stat().st_mtime > since for n in names[-8:])
    except OSError:
        return True


def _scan_newest_resumable(directory: pathlib.Path, names: list[str]) -> str | None:
    for name in reversed(names):
        snap = _load_or_none(directory / name)
        if snap and snap.resumable:
            return name
    return None


def purge(resurrect_dir: pathlib.Path, older_than: float | None = None,
          dry_run: bool = False, now: float | None = None) -> list[pathlib.Path]:
    """Remove snapshots whose resurrect save file is gone, and (with ``older_than``, seconds)
    those older than that; never the newest non-empty one. Returns what was (or would be)
    removed."""
    directory = store_dir(resurrect_dir)
    names = _snapshot_names(directory)
    keep = _newest_non_empty(directory, names)
    now = time.time() if now is None else now
    saves = {name.removesuffix(".txt") for name in resurrect.save_file_names(resurrect_dir)}
    removed = []
    for name in names:
        orphan = save_file_stem(name) not in saves
        if not orphan and older_than is None:
            continue
        path = directory / name
        old = older_than is not None and now - path.stat().st_mtime > older_than
        if path != keep and (orphan or old):
            if not dry_run:
                path.unlink(missing_ok=True)
            removed.append(path)
    return removed
