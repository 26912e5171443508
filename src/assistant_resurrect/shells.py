"""Quoting a command line for the shell that will read it: POSIX sh family, fish, csh/tcsh.

Every command we type starts its program in a way that bypasses aliases and functions:
``command`` in POSIX shells and fish, ``\\env`` in csh (which has no ``command``).
"""

from __future__ import annotations

import enum
import shlex


class Shell(enum.Enum):
    """Shell families whose quoting rules differ."""

    POSIX = "posix"
    FISH = "fish"
    CSH = "csh"


SHELLS = {
    "sh": Shell.POSIX,
    "bash": Shell.POSIX,
    "zsh": Shell.POSIX,
    "dash": Shell.POSIX,
    "ksh": Shell.POSIX,
    "mksh": Shell.POSIX,
    "ash": Shell.POSIX,
    "fish": Shell.FISH,
    "csh": Shell.CSH,
    "tcsh": Shell.CSH,
}


class UnquotableError(ValueError):
    """The value cannot be typed safely into this shell (e.g. a newline for csh)."""


def shell_of(command_name: str) -> Shell | None:
    """The family of a pane's foreground command (``-bash`` login shells included), or None.

    >>> shell_of("-zsh"), shell_of("fish"), shell_of("vim")
    (<Shell.POSIX: 'posix'>, <Shell.FISH: 'fish'>, None)
    """
    return SHELLS.get(command_name.lstrip("-").rsplit("/", 1)[-1])


def quote(value: str, shell: Shell) -> str:
    r"""Quote one word so ``shell`` reads it back unchanged.

    >>> quote("it's [1m]!", Shell.POSIX)
    '\'it\'"\'"\'s [1m]!\''
    >>> quote("a\\b'c", Shell.FISH)
    "'a\\\\b\\'c'"
    >>> quote("wow!", Shell.CSH)
    "'wow\\!'"
    """
    if shell is Shell.POSIX:
        return shlex.quote(value)
    if shell is Shell.FISH:
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if "\n" in value or "\r" in value:
        raise UnquotableError("csh cannot take a newline inside a word")
    return "'" + value.replace("'", "'\\''").replace("!", "\\!") + "'"


def command_line(argv: list[str], shell: Shell, env: dict[str, str], cwd: str | None) -> str:
    r"""One line that changes to ``cwd`` and runs ``argv`` with ``env`` added, alias-free.

    >>> command_line(["claude", "--resume", "x"], Shell.POSIX, {"A": "1"}, "/tmp/a b")
    "cd -- '/tmp/a b' && A=1 command claude --resume x"
    >>> command_line(["codex", "resume", "x"], Shell.CSH, {}, "/tmp")
    "cd '/tmp' && \\env codex 'resume' 'x'"
    """
    words = [quote(a, shell) if i or shell is Shell.CSH else _quote_cmd(a, shell)
             for i, a in enumerate(argv)]
    assigns = [f"{name}={quote(value, shell)}" for name, value in env.items()]
    if shell is Shell.POSIX:
        run = " ".join([*assigns, "command", *words])
        prefix = f"cd -- {quote(cwd, shell)} && " if cwd else ""
    elif shell is Shell.FISH:
        run = " ".join(["command", "env", *assigns, *words] if assigns else ["command", *words])
        prefix = f"cd {quote(cwd, shell)}; and " if cwd else ""
    else:
        run = " ".join(["\\env", *assigns, _quote_cmd(argv[0], shell), *words[1:]])
        prefix = f"cd {quote(cwd, shell)} && " if cwd else ""
    return prefix + run


def _quote_cmd(word: str, shell: Shell) -> str:
    """Leave plain program names bare (readable); quote anything else."""
    return word if word and all(c.isalnum() or c in "-_./+" for c in word) else quote(word, shell)
