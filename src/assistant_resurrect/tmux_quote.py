"""Quoting for tmux, one function per expansion depth. Every value that reaches tmux (a
directory, a path, a label, a command line) is hostile, and tmux reads it at up to four
depths, each with its own rules (tmux ``cmd-parse.y``, ``format.c``, ``menu.c``,
``cmd-run-shell.c`` at 3.2 to 3.7):

argv
    Each argument of a ``tmux`` invocation. One that ends with ``;`` ends the command there
    (``cmd_parse_from_arguments``): the rest would start another command. :func:`argument`.
format
    Arguments tmux expands as a format: ``-c`` of ``new-window``/``split-window``/
    ``new-session``, ``display-message`` text, menu labels and item commands, the command of
    ``run-shell``. ``#(cmd)`` runs ``cmd``; ``##`` is a literal ``#``, but a run of ``#``
    before ``[`` is kept as it is (a style, left for drawing). :func:`format_escape`.
draw
    Text tmux draws (the status line's messages, menu labels) is read once more for
    ``#[style]``: a run of ``n`` ``#`` shows ``ceil(n/2)`` of them (``format-draw.c``).
    :func:`draw_escape`.
time
    ``display-message`` runs its text through ``strftime`` before the format: ``%a`` is
    the weekday, ``%%`` a ``%``. :func:`time_escape`.
command string
    A command tmux parses itself (a menu item's command): words split on blanks and ``;``,
    ``$VAR``, ``~`` and ``\\`` expanded outside single quotes. :func:`command_word`.
sh
    ``run-shell`` and ``if-shell`` run their command with ``/bin/sh -c``. :func:`shell_line`.

Nothing holding a control character is passed through a command string or a shell line:
:class:`~assistant_resurrect.exc.UnquotableError`.
"""

from __future__ import annotations

import re
import shlex
import typing as t

from assistant_resurrect.exc import UnquotableError

PANE_ID = re.compile(r"^%[0-9]+$")
_HASHES = re.compile(r"#+(?=(\[)?)")
_OWN_FORMAT = re.compile(r"^(?:[^#%]|#\{[a-z_]+\})*$")


def argument(value: str) -> str:
    r"""One argv element that tmux reads literally: a trailing ``;`` is written ``\;``.

    >>> argument("a;"), argument("a\\;"), argument("a")
    ('a\\;', 'a\\\\;', 'a')
    """
    return value[:-1] + "\\;" if value.endswith(";") else value


def format_escape(value: str) -> str:
    """``value`` as literal text inside a tmux format: each run of ``#`` doubled, but one
    before ``[``, which the expansion keeps as it is (``format_expand1``, tmux 3.2 to 3.7).

    >>> format_escape("p#(touch x) #[fg=red] ##[")
    'p##(touch x) #[fg=red] ##['
    """
    return _HASHES.sub(lambda m: m[0] if m[1] else m[0] * 2, value)


def draw_escape(value: str) -> str:
    """``value`` as literal text tmux draws (``#[style]`` is read when drawing): each run of
    ``#`` doubled.

    >>> draw_escape("#[fg=red]x#")
    '##[fg=red]x##'
    """
    return _HASHES.sub(lambda m: m[0] * 2, value)


def time_escape(value: str) -> str:
    """``value`` as literal text for ``strftime`` (``display-message``): ``%`` doubled."""
    return value.replace("%", "%%")


def message_argument(value: str) -> str:
    """The text of a ``display-message`` (strftime, then a format, then drawn on the status
    line), shown as ``value``."""
    return argument(time_escape(format_escape(draw_escape(value))))


def format_argument(value: str) -> str:
    """One argv element that tmux expands as a format, read back as ``value``."""
    return argument(format_escape(value))


def drawn_argument(value: str) -> str:
    """One argv element that tmux expands as a format and then draws (a ``display-message``
    text, a menu label), shown as ``value``."""
    return argument(format_escape(draw_escape(value)))


def own_format(text: str) -> str:
    """A format of our own making (``#{pane_id}`` and literal text without ``#``), as an
    argument; raises ValueError for anything else, so data can never pass as a format.

    >>> own_format("T<#{pane_id}T>")
    'T<#{pane_id}T>'
    """
    if not _OWN_FORMAT.match(text):
        raise ValueError(f"not one of our formats: {text!r}")
    return argument(text)


def pane_target(pane_id: str) -> str:
    """A ``-t`` target naming one pane by its ``%id`` (never a name tmux would match by
    prefix or pattern); raises ValueError for anything else."""
    if not PANE_ID.match(pane_id):
        raise ValueError(f"not a pane id: {pane_id!r}")
    return pane_id


def next_window_of(session_id: str) -> str:
    """A ``-t`` target for ``new-window``: the next free index of the session ``$N``; raises
    ValueError for anything but a session id."""
    if not re.match(r"^\$[0-9]+$", session_id):
        raise ValueError(f"not a session id: {session_id!r}")
    return session_id + ":"


def client_target(name: str) -> str:
    """A ``-c`` client target (``#{client_name}``: a tty path or a name): literal."""
    _refuse_control(name, "a client name")
    return argument(name)


def client_flag(client: str | None) -> list[str]:
    """``["-c", client]`` for a command aimed at one client, or [] for the current one."""
    return ["-c", client_target(client)] if client else []


def command_word(value: str) -> str:
    r"""One word of a tmux command string, read back as ``value``: single quotes, inside
    which tmux expands nothing; a ``'`` is written ``'\''``.

    >>> command_word("it's $HOME ~ \\ ;")
    "'it'\\''s $HOME ~ \\ ;'"
    """
    _refuse_control(value, "a tmux command string")
    return "'" + value.replace("'", "'\\''") + "'"


def shell_line(argv: t.Sequence[str]) -> str:
    """``argv`` as one ``/bin/sh -c`` line (what ``run-shell`` runs), each word quoted.

    >>> shell_line(["env", "A=b c", "/x/py thon", "-m", "m"])
    "env 'A=b c' '/x/py thon' -m m"
    """
    for word in argv:
        _refuse_control(word, "a shell line tmux runs")
    return " ".join(shlex.quote(word) for word in argv)


def run_shell(argv: t.Sequence[str], background: bool = True) -> str:
    """The tmux command string ``run-shell [-b] '<argv as a sh line>'``: the line is a
    format to run-shell, a word to the command parser."""
    flags = "-b " if background else ""
    return f"run-shell {flags}{command_word(format_escape(shell_line(argv)))}"


def menu_command(command: str) -> str:
    """A ``display-menu`` item's command: the menu expands it as a format before tmux parses
    it, so a command string is escaped once more."""
    return format_argument(command)


def _refuse_control(value: str, where: str) -> None:
    bad = next((c for c in value if not c.isprintable()), None)
    if bad is not None:
        raise UnquotableError(f"U+{ord(bad):04X} cannot be written into {where}")
