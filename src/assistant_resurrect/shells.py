"""Quoting a command line for the shell that will read it: sh, bash/zsh/ksh, fish, csh/tcsh.

Every command we type starts its program in a way that bypasses aliases and functions:
``command`` in POSIX shells and fish, ``\\env`` in csh (which has no ``command``).

Nothing we type holds a character the line editor could act on: printable text goes inside
single quotes; a control character (C0, DEL, C1), a format or separator character, or a byte
that is not UTF-8 (a surrogate escape) is written in the shell's own inert escape syntax
(bash/zsh/ksh ``$'\\xHH'``, fish ``\\XHH`` outside quotes), byte by byte. sh and csh have no
such syntax: a value holding one is refused with :class:`UnquotableError`.
"""

from __future__ import annotations

import enum
import re
import shlex
import typing as t

from assistant_resurrect.exc import UnquotableError


class Shell(enum.Enum):
    """Shell families whose quoting rules differ."""

    POSIX = "sh"  # sh, dash, ash: single quotes only
    BASH = "bash"  # bash, zsh, ksh93, mksh: single quotes and $'...'
    FISH = "fish"
    CSH = "csh"


SHELLS = {
    "sh": Shell.POSIX,
    "dash": Shell.POSIX,
    "ash": Shell.POSIX,
    "bash": Shell.BASH,
    "zsh": Shell.BASH,
    "ksh": Shell.BASH,
    "ksh93": Shell.BASH,
    "mksh": Shell.BASH,
    "fish": Shell.FISH,
    "csh": Shell.CSH,
    "tcsh": Shell.CSH,
}

ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def shell_of(command_name: str) -> Shell | None:
    """The family of a pane's foreground command (``-bash`` login shells included), or None.

    >>> shell_of("-zsh"), shell_of("fish"), shell_of("dash"), shell_of("vim")
    (<Shell.BASH: 'bash'>, <Shell.FISH: 'fish'>, <Shell.POSIX: 'sh'>, None)
    """
    return SHELLS.get(command_name.lstrip("-").rsplit("/", 1)[-1])


def is_typable(char: str) -> bool:
    """True for a character a line editor shows and never acts on: printable, or a space.

    >>> [is_typable(c) for c in ("a", " ", "é", "\\t", "\\x7f", "\\x9b", "\\u202e", "\\udcff")]
    [True, True, True, False, False, False, False, False]
    """
    return char.isprintable()


def _shown_as_typed(char: str, shell: Shell, width: t.Callable[[str], int]) -> bool:
    """True for a character typed as itself; the rest are typed as escapes where ``shell``
    has them. A character that takes no cell of its own (a combining mark, U+FE0F) is
    escaped: zsh without COMBINING_CHARS shows ``e\u0301`` as ``e<0301>``, so the line on the
    screen could not be checked against the line typed."""
    if shell in (Shell.POSIX, Shell.CSH):
        return is_typable(char)
    return is_typable(char) and width(char) > 0


def _runs(value: str, shell: Shell) -> list[tuple[bool, str]]:
    """``value`` cut into maximal runs of characters typed as themselves and as escapes."""
    from wcwidth import wcwidth  # here: the save hook imports this module, never quotes

    runs: list[tuple[bool, str]] = []
    for char in value:
        ok = _shown_as_typed(char, shell, wcwidth)
        if runs and runs[-1][0] is ok:
            runs[-1] = (ok, runs[-1][1] + char)
        else:
            runs.append((ok, char))
    return runs


def _raw_bytes(text: str) -> bytes:
    # surrogate escapes stand for the bytes of a name that is not UTF-8 (os.fsdecode); any
    # other lone surrogate (from a hostile JSON file) names no bytes at all
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raise UnquotableError("a lone surrogate is not a character of any file name") from None


def quote(value: str, shell: Shell) -> str:
    r"""Quote one word so ``shell`` reads it back unchanged, byte for byte.

    Raises :class:`UnquotableError` for a NUL (no program argument can hold one) and, in sh
    and csh, for any character :func:`is_typable` rejects.

    >>> quote("it's [1m]!", Shell.BASH)
    '\'it\'"\'"\'s [1m]!\''
    >>> quote("repo\x15touch X #", Shell.BASH)
    "repo$'\\x15''touch X #'"
    >>> quote("a\\b'c\n", Shell.FISH)
    "'a\\\\b\\'c'\\X0a"
    >>> quote("wow!", Shell.CSH)
    "'wow\\!'"
    >>> quote("=ls", Shell.BASH)
    "'=ls'"
    >>> quote("e\u0301", Shell.BASH)
    "e$'\\xcc\\x81'"
    """
    if "\0" in value:
        raise UnquotableError("a NUL character cannot be passed to a program")
    runs = _runs(value, shell)
    if any(not ok for ok, _ in runs) and shell in (Shell.POSIX, Shell.CSH):
        bad = next(c for c in value if not is_typable(c))
        raise UnquotableError(f"{shell.value} has no inert way to type character "
                              f"U+{ord(bad):04X}")
    if not runs:
        runs = [(True, "")]
    return "".join(_quote_run(text, shell) if ok else _escape_run(text, shell)
                   for ok, text in runs)


def _quote_run(text: str, shell: Shell) -> str:
    if shell in (Shell.POSIX, Shell.BASH):
        if text.startswith("="):  # zsh's EQUALS expands a leading =cmd to cmd's path
            return "'" + text.replace("'", "'\"'\"'") + "'"
        return shlex.quote(text) if text else "''"
    if shell is Shell.FISH:
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return "'" + text.replace("'", "'\\''").replace("!", "\\!") + "'"


def _escape_run(text: str, shell: Shell) -> str:
    raw = _raw_bytes(text)
    if shell is Shell.FISH:
        return "".join(f"\\X{b:02x}" for b in raw)
    return "$'" + "".join(f"\\x{b:02x}" for b in raw) + "'"


def command_line(argv: list[str], shell: Shell, env: dict[str, str], cwd: str | None) -> str:
    r"""One line that changes to ``cwd`` and runs ``argv`` with ``env`` added, alias-free.

    Env names that are not shell identifiers (``[A-Za-z_][A-Za-z0-9_]*``) are dropped. Raises
    :class:`UnquotableError` when a value cannot be typed into ``shell``.

    >>> command_line(["tool", "--resume", "x"], Shell.BASH, {"A": "1"}, "/tmp/a b")
    "cd -- '/tmp/a b' && A=1 command tool --resume x"
    >>> command_line(["tool", "resume", "x"], Shell.CSH, {"X=1; id; Y": "2"}, "/tmp")
    "cd '/tmp' && \\env tool 'resume' 'x'"
    """
    words = [quote(a, shell) if i or shell is Shell.CSH else _quote_cmd(a, shell)
             for i, a in enumerate(argv)]
    assigns = [f"{name}={quote(value, shell)}" for name, value in env.items()
               if ENV_NAME.match(name)]
    if shell is Shell.FISH:
        run = " ".join(["command", "env", *assigns, *words] if assigns else ["command", *words])
        prefix = f"cd {quote(cwd, shell)}; and " if cwd else ""
    elif shell is Shell.CSH:
        run = " ".join(["\\env", *assigns, _quote_cmd(argv[0], shell), *words[1:]])
        prefix = f"cd {quote(cwd, shell)} && " if cwd else ""
    else:
        run = " ".join([*assigns, "command", *words])
        prefix = f"cd -- {quote(cwd, shell)} && " if cwd else ""
    return prefix + run


def _quote_cmd(word: str, shell: Shell) -> str:
    """Leave plain program names bare (readable); quote anything else."""
    return word if word and all(c.isalnum() or c in "-_./+" for c in word) and word.isascii() \
        else quote(word, shell)
