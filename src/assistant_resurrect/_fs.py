"""Private, atomic file handling: every file this plugin writes goes through here."""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import typing as t

from assistant_resurrect.exc import StateFileError

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def ensure_private_dir(path: pathlib.Path) -> pathlib.Path:
    """Create ``path`` (and parents) with mode 0700 for the leaf; return it.

    An existing directory keeps its mode: it may be shared with something we don't own.
    """
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
        os.chmod(path, PRIVATE_DIR_MODE)
    return path


def atomic_write_text(path: pathlib.Path, text: str, mode: int = PRIVATE_FILE_MODE) -> None:
    """Write ``text`` to ``path`` by temp file + fsync + rename in the same directory.

    A reader sees the old file or the new one, never a torn one. A symlink at ``path`` is
    replaced by the regular file, never followed.
    """
    tmp = path.parent / f".{path.name}.{os.urandom(6).hex()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
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
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise StateFileError(path, f"invalid JSON ({err})") from err


def read_json_or_none(path: pathlib.Path) -> t.Any:
    """Return the parsed JSON at ``path``, or None if it is missing, unreadable or invalid."""
    try:
        return read_json(path)
    except (OSError, StateFileError):
        return None


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
