"""The tmux-resurrect contract: its save directory, save files and ``last`` link.

Formats follow tmux-resurrect ``scripts/save.sh`` and ``scripts/helpers.sh`` at cff343c
(v4.0.0 and later): tab-separated lines, ``pane`` lines with 11 fields whose possibly-empty
fields carry a leading ``:``.
"""

from __future__ import annotations

import os
import pathlib
import re
import typing as t

from assistant_resurrect import _fs

SAVE_FILE_RE = re.compile(r"^tmux_resurrect_\d{8}T\d{6}\.txt$")


class SavedPane(t.NamedTuple):
    """One ``pane`` line of a resurrect save file.

    Fields (1-based, from ``save.sh`` ``pane_format``): 2 session_name, 3 window_index,
    6 pane_index, 8 ``:``+pane_current_path (first space backslash-escaped),
    10 pane_current_command, 11 ``:``+full_command.
    """

    session_name: str
    window_index: int
    pane_index: int
    pane_current_path: str
    pane_current_command: str
    full_command: str

    @property
    def address(self) -> tuple[str, int, int]:
        return (self.session_name, self.window_index, self.pane_index)


def _strip_colon(field: str) -> str:
    return field.removeprefix(":")


def parse_pane_line(line: str) -> SavedPane | None:
    r"""Parse a ``pane`` line; None for other lines or pre-v4 formats.

    >>> p = parse_pane_line("pane\ta:b.c\t1\t1\t:*\t0\ttitle\t:/tmp/x\\ y\t1\tbash\t:")
    >>> p.address, p.pane_current_path, p.full_command
    (('a:b.c', 1, 0), '/tmp/x y', '')
    """
    fields = line.rstrip("\n").split("\t")
    if len(fields) != 11 or fields[0] != "pane":
        return None
    try:
        return SavedPane(
            session_name=fields[1],
            window_index=int(fields[2]),
            pane_index=int(fields[5]),
            pane_current_path=_strip_colon(fields[7]).replace("\\ ", " ", 1),
            pane_current_command=fields[9],
            full_command=_strip_colon(fields[10]),
        )
    except ValueError:
        return None


def _split_lf(path: str) -> t.Iterator[bytes]:
    with open(path, "rb") as fh:
        data = fh.read()
    start = 0
    while start < len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end + 1
        yield data[start:end]
        start = end


def _decode(line: bytes) -> str:
    return line.decode("utf-8", "surrogateescape")


def read_panes(save_file: pathlib.Path) -> list[SavedPane]:
    """All pane lines of a save file (grouped-session panes are already absent there)."""
    panes = (parse_pane_line(_decode(line).removesuffix("\n")) for line in _split_lf(
        str(save_file)))
    return [p for p in panes if p is not None]


def blank_commands(save_file: pathlib.Path, addresses: set[tuple[str, int, int]]) -> int:
    """Empty field 11 of the pane lines at ``addresses``, atomically; return lines changed.

    Every other byte of the file stays as it was (bytes that are not UTF-8, a ``\r`` inside a
    field, a missing final newline). restore.sh relaunches nothing for an empty
    full_command, whatever ``@resurrect-processes`` says, so resurrect never starts a bare
    assistant in a pane we will resume.
    """
    lines = list(_split_lf(str(save_file)))
    changed = 0
    for i, line in enumerate(lines):
        body = line.removesuffix(b"\n")
        pane = parse_pane_line(_decode(body))
        if pane is None or pane.address not in addresses or pane.full_command == "":
            continue
        fields = body.split(b"\t")
        fields[10] = b":"
        lines[i] = b"\t".join(fields) + line[len(body):]
        changed += 1
    if changed:
        mode = save_file.stat().st_mode & 0o777
        _fs.atomic_write_bytes(save_file, b"".join(lines), mode)
    return changed


def expand_dir_option(value: str, home: str, hostname: str | None = None) -> str:
    """Expand ``@resurrect-dir`` as resurrect does: ``$HOME``, ``$HOSTNAME`` and ``~`` only.

    >>> expand_dir_option("~/r/$HOSTNAME", "/home/u", "box")
    '/home/u/r/box'
    """
    host = hostname if hostname is not None else os.uname().nodename
    return value.replace("$HOME", home).replace("$HOSTNAME", host).replace("~", home)


def default_dir(env: t.Mapping[str, str] | None = None) -> pathlib.Path:
    """Resurrect's save directory when ``@resurrect-dir`` is unset (never created here)."""
    environ = os.environ if env is None else env
    home = environ.get("HOME", str(pathlib.Path.home()))
    legacy = pathlib.Path(home, ".tmux", "resurrect")
    if legacy.is_dir():
        return legacy
    data = environ.get("XDG_DATA_HOME") or os.path.join(home, ".local", "share")
    return pathlib.Path(data, "tmux", "resurrect")


def resolve_dir(dir_option: str, env: t.Mapping[str, str] | None = None) -> pathlib.Path:
    """The directory resurrect saves into, given the value of ``@resurrect-dir`` ('' if unset)."""
    environ = os.environ if env is None else env
    if dir_option:
        home = environ.get("HOME", str(pathlib.Path.home()))
        return pathlib.Path(expand_dir_option(dir_option, home))
    return default_dir(env)


def last_save_file(resurrect_dir: pathlib.Path) -> pathlib.Path | None:
    """The save file ``<dir>/last`` points to (a relative symlink), or None if missing/dangling."""
    link = resurrect_dir / "last"
    try:
        target = os.readlink(link)
    except OSError:
        return None
    path = resurrect_dir / target
    return path if path.is_file() else None


def save_file_names(resurrect_dir: pathlib.Path) -> list[str]:
    """Names of every ``tmux_resurrect_<ts>.txt`` in the directory, oldest first (by name =
    time); names, not paths, because a month of autosaves is thousands of files."""
    try:
        return sorted(n for n in os.listdir(resurrect_dir) if SAVE_FILE_RE.match(n))
    except OSError:
        return []
