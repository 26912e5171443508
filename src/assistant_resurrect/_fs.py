"""Private, atomic file handling: every file this plugin writes goes through here."""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import re
import stat
import time
import typing as t

from assistant_resurrect.exc import StateFileError, UntrustedDirError

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def ensure_private_dir(path: pathlib.Path) -> pathlib.Path:
    """Create ``path`` and any missing parents with mode 0700 (whatever the umask); return it.

    An existing directory keeps its mode: it may be shared with something we don't own.
    """
    if path.is_dir():
        return path
    missing = []
    for parent in (path, *path.parents):
        if parent.is_dir():
            break
        missing.append(parent)
    for directory in reversed(missing):
        with contextlib.suppress(FileExistsError):
            os.mkdir(directory, PRIVATE_DIR_MODE)
            os.chmod(directory, PRIVATE_DIR_MODE)
    return path


def atomic_write_text(path: pathlib.Path, text: str, mode: int = PRIVATE_FILE_MODE) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically (see :func:`atomic_write_bytes`)."""
    atomic_write_bytes(path, text.encode("utf-8"), mode)


def atomic_write_bytes(path: pathlib.Path, data: bytes, mode: int = PRIVATE_FILE_MODE) -> None:
    """Write ``data`` to ``path`` by temp file + fsync + rename in the same directory.

    A reader sees the old file or the new one, never a torn one. A symlink at ``path`` is
    replaced by the regular file, never followed. The mode is set explicitly (the umask
    does not widen or narrow it). Raises OSError (ENOSPC, EROFS, EACCES, …) with the old
    file untouched and no temp file left.
    """
    tmp = path.parent / f".{path.name}.{os.urandom(6).hex()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def atomic_write_json(path: pathlib.Path, data: t.Any, mode: int = PRIVATE_FILE_MODE) -> None:
    """Serialise ``data`` (indented, UTF-8, trailing newline) and write it atomically."""
    atomic_write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n", mode)


def read_json(path: pathlib.Path, max_bytes: int = 16 * 1024 * 1024) -> t.Any:
    """Return the parsed JSON at ``path``.

    Raises
    ------
    FileNotFoundError
        When the file does not exist.
    StateFileError
        When it is larger than ``max_bytes``, not UTF-8, or not valid JSON.
    """
    with open(path, "rb") as fh:
        raw = fh.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise StateFileError(path, f"larger than {max_bytes} bytes")
    try:
        return json.loads(raw.decode("utf-8"))
    except RecursionError:
        raise StateFileError(path, "invalid JSON (nested too deeply)") from None
    except ValueError as err:  # bad UTF-8 or JSON, or an integer of more than 4300 digits
        raise StateFileError(path, f"invalid JSON ({err})") from err


def read_json_or_none(path: pathlib.Path) -> t.Any:
    """Return the parsed JSON at ``path``, or None if it is missing, unreadable or invalid."""
    try:
        return read_json(path)
    except (OSError, StateFileError):
        return None


def first_json(path: pathlib.Path) -> dict[str, t.Any] | None:
    """The first line of a JSONL file as an object, or None (unreadable, not JSON, not an
    object): the header line most assistants start their transcripts with."""
    line = first_line(path)
    try:
        data = json.loads(line) if line else None
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def first_line(path: pathlib.Path, max_bytes: int = 1024 * 1024) -> str | None:
    """Return the first line of a text file (without newline), or None when unreadable.

    Lines longer than ``max_bytes`` are refused (None): transcripts can hold huge records.
    """
    try:
        with open(path, "rb") as fh:
            line = fh.readline(max_bytes + 1)
    except OSError:
        return None
    if len(line) > max_bytes:
        return None
    return line.decode("utf-8", "replace").rstrip("\r\n")


def require_trusted_dir(path: pathlib.Path) -> None:
    """Refuse a directory another user could have planted files in.

    Raises
    ------
    UntrustedDirError
        When ``path`` is owned by another user, or writable by group or others (a sidecar or
        tracker file there decides what we type).
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return
    if st.st_uid != os.geteuid():
        raise UntrustedDirError(path, f"owned by uid {st.st_uid}, not by you")
    if st.st_mode & 0o022:
        raise UntrustedDirError(path, f"writable by others (mode {st.st_mode & 0o777:o}); "
                                      f"run: chmod go-w {path}")


def require_trusted(path: pathlib.Path, top: pathlib.Path) -> None:
    """The one trust rule for what decides the lines we type (snapshots, kept copies): ``top``
    and every directory from it down to ``path`` pass :func:`require_trusted_dir`, and
    ``path``, when it exists, is a directory or a regular file of ours that others cannot
    write.

    Raises :class:`UntrustedDirError` naming what failed and why.
    """
    chain = [top, *(d for d in reversed(path.parents) if d.is_relative_to(top) and d != top)]
    for directory in chain:
        require_trusted_dir(directory)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(st.st_mode):
        require_trusted_dir(path)
        return
    if not stat.S_ISREG(st.st_mode):
        raise UntrustedDirError(path, "not a regular file (a symlink or a device)")
    if st.st_uid != os.geteuid():
        raise UntrustedDirError(path, f"owned by uid {st.st_uid}, not by you")
    if st.st_mode & 0o022:
        raise UntrustedDirError(path, f"writable by others (mode {st.st_mode & 0o777:o}); "
                                      f"run: chmod go-w {path}")


STALE_TEMP_SECONDS = 60.0
_OUR_TEMP = re.compile(r"^\.(?P<target>.+)\.[0-9a-f]{12}\.tmp$")  # atomic_write_bytes'


def remove_stale_temps(directory: pathlib.Path, targets: t.Collection[str] | None = None,
                       now: float | None = None) -> list[str]:
    """Remove the temp files a killed write left in ``directory`` (``.<name>.<12 hex>.tmp``,
    as :func:`atomic_write_bytes` and our ``hooks/`` scripts name them; for any name or only
    those in ``targets``) once older than a minute; returns their names. Nobody else's files
    match; symlinks are removed, never followed."""
    now = time.time() if now is None else now
    removed = []
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                ours = _OUR_TEMP.match(entry.name)
                if not ours or (targets is not None and ours["target"] not in targets):
                    continue
                with contextlib.suppress(OSError):
                    if now - entry.stat(follow_symlinks=False).st_mtime > STALE_TEMP_SECONDS:
                        os.unlink(entry.path)
                        removed.append(entry.name)
    except OSError:
        pass
    return removed


def touch_private(path: pathlib.Path) -> None:
    """Create (or refresh) a flag file, mode 0600, replacing a symlink instead of following
    it."""
    if path.is_symlink():
        path.unlink()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, PRIVATE_FILE_MODE)
    try:
        os.utime(fd)
    finally:
        os.close(fd)


def resolves_inside(path: pathlib.Path, root: pathlib.Path) -> bool:
    """True when the nearest existing ancestor of ``path`` resolves inside ``root`` (a
    symlinked folder in the store must not carry a write elsewhere)."""
    if not root.exists():
        return True
    existing = next(p for p in path.parents if p.exists())
    try:
        return existing.resolve().is_relative_to(root.resolve())
    except OSError:
        return False
