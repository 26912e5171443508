"""A shell's prompt line: wait for its line editor, prove the line is empty, type, submit.

Typing into a shell is the most dangerous thing this plugin does, so keys reach a pane only
through :func:`type_line`, and only these keys: printable text (``send-keys -l``; the
:mod:`shells` quoting leaves no control character in it), ``C-a``/``C-e``/``C-f`` to measure
the line, ``BSpace`` to remove exactly what we typed, and one ``Enter`` after a line that was
proven to hold nothing but our command.

How the line is proven empty, without submitting or destroying anything:

1. The pane's foreground is an idle shell and its tty is in raw mode: a line editor
   (readline, zle, fish, tcsh) is reading keys, so none are swallowed by rc files.
2. A random 8-digit marker is typed and must appear at the cursor; ``C-a`` must then move
   the cursor back to exactly where the marker began (nothing typed before it) and ``C-e`` to
   where it ended (nothing after it). The marker is removed with as many ``BSpace``.
3. Where ``C-a`` is not a motion (vi insert modes insert it literally) the line cannot be
   proven empty: the command is typed and left for the person to submit. A shell with no
   line editor (``sh``), or one that does not show the marker (a vi command mode), gets
   nothing typed at all.

A ``guard`` (the caller's "is this pane still an idle shell?") runs before every send.
"""

from __future__ import annotations

import enum
import os
import time
import typing as t

import wcwidth

from assistant_resurrect import shells
from assistant_resurrect.exc import PaneChangedError, ShellNotReadyError
from assistant_resurrect.tmux import PaneView, Tmux

POLL = 0.04
# an rc file's `read -k`/`read -n 1` sets the tty raw for an instant: the line editor's raw
# mode lasts until a key comes, so the tty must be seen raw this long and this many times in a
# row (under load one look can take longer than RAW_STEADY: two raw looks are a coincidence)
RAW_STEADY = 0.3
RAW_LOOKS = 5
Guard = t.Callable[[PaneView], str]  # '' while the pane is an idle shell, else why not


class Line(enum.Enum):
    """What the probe learned about the prompt line."""

    EMPTY = "empty"
    BUSY = "busy"  # text the person typed is on it
    UNVERIFIABLE = "unverifiable"  # no beginning-of-line motion to measure it with


class Typed(t.NamedTuple):
    """The result of :func:`type_line`: whether the line was typed and submitted, and why
    not (``problem`` is '' when everything asked for happened)."""

    typed: bool
    submitted: bool
    problem: str = ""


def cell_width(text: str) -> int:
    """Terminal cells ``text`` takes, as tmux counts them (the C library's ``wcwidth``, which
    the wcwidth package implements): wide East Asian characters 2; combining marks and format
    characters (U+200B, U+202E) 0, kept in the cell before them; characters tmux does not
    draw (U+2028, C1 controls) 0.

    >>> cell_width("ab"), cell_width("日本"), cell_width("e\u0301"), cell_width("a\u202eb")
    (2, 4, 1, 2)
    """
    return sum(max(wcwidth.wcwidth(char), 0) for char in text)


def cells(row: str, start: int, end: int) -> str:
    """The characters of ``row`` occupying cells ``[start, end)`` (padded with spaces).

    >>> cells("$ 日本x", 2, 6), cells("ab", 1, 4)
    ('日本', 'b  ')
    """
    out: list[str] = []
    pos = 0
    for char in row:
        width = cell_width(char)
        if start <= pos < end or (width == 0 and start < pos <= end and out):
            out.append(char)
        pos += width
    return "".join(out) + " " * max(0, end - max(pos, start))


def wrapped(text: str, start_x: int, width: int) -> str:
    """``text`` as a terminal lays it out from column ``start_x`` of ``width``-cell rows: a wide
    character that does not fit in a row's last cell goes to the next row and leaves that cell
    blank (a space here), so the result reads cell for cell like :func:`_span`.

    >>> wrapped("ab日", 0, 3), wrapped("ab日", 1, 3), wrapped("日本", 0, 4)
    ('ab 日', 'ab日', '日本')
    """
    out, pos = [], start_x
    for char in text:
        size = cell_width(char)
        if size == 2 and pos % width == width - 1:
            out.append(" ")
            pos += 1
        out.append(char)
        pos += size
    return "".join(out)


def _span(view: PaneView, start_row: int, start_x: int, end_row: int, end_x: int) -> str | None:
    """The text between two absolute cell positions, across wrapped rows; None when part of
    it has scrolled out of sight."""
    top = start_row - view.history_size
    bottom = end_row - view.history_size
    if top < 0 or bottom >= len(view.lines) or (start_row, start_x) > (end_row, end_x):
        return None
    parts = []
    for y in range(top, bottom + 1):
        a = start_x if y == top else 0
        b = end_x if y == bottom else view.width
        parts.append(cells(view.lines[y], a, b))
    return "".join(parts)


def linear(view: PaneView) -> int:
    """The cursor as one cell index that wrapping and scrolling keep comparable."""
    return view.row * view.width + view.cursor_x


def tty_is_raw(tty: str) -> bool | None:
    """True when a line editor has the terminal (canonical mode off), None when unknown."""
    import termios

    try:
        fd = os.open(tty, os.O_RDONLY | os.O_NOCTTY | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        return not termios.tcgetattr(fd)[3] & termios.ICANON
    except termios.error:
        return None
    finally:
        os.close(fd)


def _prompt(view: PaneView) -> tuple[int, str]:
    """The cursor and what is left of it on its row: changes when anything is typed."""
    row = view.lines[view.cursor_y] if 0 <= view.cursor_y < len(view.lines) else ""
    return linear(view), cells(row, 0, view.cursor_x)


def _look(tmux: Tmux, pane_id: str, guard: Guard) -> PaneView:
    view = tmux.view(pane_id)
    if view is None:
        raise PaneChangedError("the pane closed")
    reason = view.blocked or guard(view)
    if reason:
        raise PaneChangedError(reason)
    return view


def _await(tmux: Tmux, pane_id: str, guard: Guard, done: t.Callable[[PaneView], bool],
           timeout: float) -> tuple[PaneView, bool]:
    """Poll the pane until ``done`` (or ``timeout`` seconds); (last view, whether done)."""
    deadline = time.monotonic() + timeout
    while True:
        view = _look(tmux, pane_id, guard)
        if done(view):
            return view, True
        if time.monotonic() >= deadline:
            return view, False
        time.sleep(POLL)


def wait_line_editor(tmux: Tmux, pane_id: str, guard: Guard, timeout: float = 15.0
                     ) -> tuple[PaneView, bool]:
    """Wait until the shell's line editor reads keys and the prompt is still.

    bash, zsh, fish and tcsh always edit their line in raw mode, so until the tty leaves
    canonical mode (seen raw :data:`RAW_LOOKS` times in a row over :data:`RAW_STEADY` seconds
    at least: an rc file reading one key sets it raw for an instant) their rc files are still
    loading (keys typed then are often lost); only a shell without a line editor (``sh``) is
    taken once its screen is still. Returns (view, raw). Raises :class:`PaneChangedError`, or
    TimeoutError.
    """
    deadline = time.monotonic() + timeout
    last: PaneView | None = None
    still_since = raw_since = time.monotonic()
    raw_looks = 0
    while time.monotonic() < deadline:
        view = _look(tmux, pane_id, guard)
        now = time.monotonic()
        if last is None or _prompt(view) != _prompt(last):
            last, still_since = view, now
        raw = tty_is_raw(view.tty)
        raw_looks = raw_looks + 1 if raw else 0
        if raw_looks == 1:
            raw_since = now
        still = now - still_since
        editor = shells.shell_of(view.command) is not shells.Shell.POSIX
        steady = raw_looks >= RAW_LOOKS and now - raw_since >= RAW_STEADY
        if (raw and still >= 0.1 and steady) or (
                not editor and raw is not True and still >= 1.0) or (
                raw is None and still >= 1.0):
            return view, bool(raw)
        time.sleep(POLL)
    raise ShellNotReadyError("the shell's line editor never started reading keys")


def probe(tmux: Tmux, pane_id: str, guard: Guard, start: PaneView) -> tuple[Line, str]:
    """Find out whether the prompt line at ``start`` is empty (see the module docstring);
    leaves the line as it found it. Returns (verdict, reason)."""
    # digits: self-inserting in every emacs-style editor, a mere count in a vi command mode
    marker = "".join(str(b % 10) for b in os.urandom(8))
    origin = linear(start)
    if start.cursor_x + len(marker) + 2 >= start.width:
        return Line.UNVERIFIABLE, "the prompt reaches the pane's right edge"
    end = origin + len(marker)
    tmux.send_text(pane_id, marker)
    view, shown = _await(tmux, pane_id, guard, lambda v: linear(v) == end and _span(
        v, start.row, start.cursor_x, v.row, v.cursor_x) == marker, 5.0)
    if not shown:
        return Line.BUSY, "the shell did not show the keys it was sent (vi command mode?)"
    _look(tmux, pane_id, guard)
    tmux.send_keys(pane_id, "C-a")
    view, moved = _await(tmux, pane_id, guard, lambda v: linear(v) != end, 1.0)
    position = linear(view)
    if not moved:
        _erase(tmux, pane_id, guard, len(marker))
        return Line.UNVERIFIABLE, "C-a does not move the cursor (vi mode?)"
    if position > end:  # inserted literally (^A), as vi insert modes do
        _erase(tmux, pane_id, guard, 1)
        _erase(tmux, pane_id, guard, len(marker))
        return Line.UNVERIFIABLE, "C-a is not a motion in this line editor (vi mode?)"
    verdict = (Line.EMPTY, "") if position == origin else (
        Line.BUSY, "text is waiting at the prompt")
    tmux.send_keys(pane_id, "C-e")
    view, _ = _await(tmux, pane_id, guard, lambda v: linear(v) != position, 1.0)
    if linear(view) != end:
        verdict = (Line.BUSY, "text is waiting at the prompt")
        _move_to(tmux, pane_id, guard, position, end)
    _erase(tmux, pane_id, guard, len(marker))
    return verdict


def _move_to(tmux: Tmux, pane_id: str, guard: Guard, line_start: int, target: int) -> None:
    """Bring the cursor to ``target`` with C-a then C-f steps (each one checked)."""
    tmux.send_keys(pane_id, "C-a")
    view, _ = _await(tmux, pane_id, guard, lambda v: linear(v) == line_start, 1.0)
    for _ in range(512):
        if linear(view) >= target:
            return
        before = linear(view)
        tmux.send_keys(pane_id, "C-f")
        view, _ = _await(tmux, pane_id, guard, _moved_from(before), 0.5)


def _moved_from(position: int) -> t.Callable[[PaneView], bool]:
    return lambda view: linear(view) != position


def _erase(tmux: Tmux, pane_id: str, guard: Guard, count: int) -> None:
    """Delete the ``count`` characters left of the cursor (what we just typed)."""
    _look(tmux, pane_id, guard)
    tmux.send_keys(pane_id, *["BSpace"] * count)


def type_line(tmux: Tmux, pane_id: str, line: str, submit: bool, guard: Guard,
              settle: t.Callable[[], None] = lambda: None) -> Typed:
    """Type ``line`` at the pane's prompt and, when ``submit`` and the prompt was proven
    empty, press Enter. ``settle`` runs between the probe and the typing (the caller waits
    there for a client or a start slot); the line is re-checked after it.

    Never raises for the pane's sake: every refusal is in :attr:`Typed.problem`.
    """
    typed = False
    try:
        start, raw = wait_line_editor(tmux, pane_id, guard)
        if not raw:
            return Typed(False, False, "the shell has no line editor (sh?): its prompt line "
                                       "cannot be checked")
        verdict, reason = probe(tmux, pane_id, guard, start)
        if verdict is Line.BUSY:
            return Typed(False, False, reason)
        settle()
        # the probe's BSpaces may still be on their way (fish repaints late under load)
        _, same = _await(tmux, pane_id, guard, lambda v: _prompt(v) == _prompt(start), 2.0)
        if not same:
            return Typed(False, False, "the prompt changed while we waited")
        tmux.send_text(pane_id, line)
        typed = True
        shown_as = wrapped(line, start.cursor_x, start.width)
        end = linear(start) + cell_width(shown_as)
        view, shown = _await(tmux, pane_id, guard, lambda v: linear(v) == end and _span(
            v, start.row, start.cursor_x, v.row, v.cursor_x) == shown_as, 5.0)
        if not shown:
            return Typed(True, False, "the typed line did not appear intact; left unsubmitted")
        if not submit:
            return Typed(True, False, "" if verdict is Line.EMPTY else reason)
        if verdict is not Line.EMPTY:
            return Typed(True, False, f"{reason}; left for you to press Enter")
        _look(tmux, pane_id, guard)
        tmux.send_keys(pane_id, "Enter")
        return Typed(True, True)
    except PaneChangedError as err:
        return Typed(typed, False, f"pane changed: {err}")
    except ShellNotReadyError as err:
        return Typed(typed, False, str(err))
