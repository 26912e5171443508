"""Exceptions raised by assistant_resurrect; every one derives from AssistantResurrectError."""

from __future__ import annotations

import pathlib
import re


class AssistantResurrectError(Exception):
    """Root of this package's exceptions."""



def kind_of(err: BaseException) -> str:
    """An error's name in ``--json`` (``error.kind``, docs/json.md): its class name in kebab
    case without ``Error``; ``error`` for :class:`AssistantResurrectError` itself.

    >>> kind_of(TmuxNotRunningError("x")), kind_of(AssistantResurrectError("x"))
    ('tmux-not-running', 'error')
    >>> kind_of(FileNotFoundError("x"))
    'file-not-found'
    """
    name = re.sub(r"(?<!^)(?=[A-Z])", "-", type(err).__name__.removesuffix("Error")).lower()
    return "error" if name == "assistant-resurrect" else name


class TmuxNotRunningError(AssistantResurrectError):
    """No tmux server answers on the socket we were pointed at.

    >>> str(TmuxNotRunningError("/tmp/tmux-0/x"))
    'no tmux server is running on /tmp/tmux-0/x'
    """

    def __init__(self, socket: str) -> None:
        self.socket = socket
        super().__init__(f"no tmux server is running on {socket}")


class StateFileError(AssistantResurrectError):
    """A JSON file we read or must edit is unreadable, invalid or of an unknown version.

    >>> str(StateFileError(pathlib.Path("/x/settings.json"), "invalid JSON at line 3"))
    '/x/settings.json: invalid JSON at line 3'
    """

    def __init__(self, path: pathlib.Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class SnapshotNotFoundError(AssistantResurrectError):
    """No assistant snapshot exists for the requested resurrect save file."""


class UntrustedDirError(AssistantResurrectError):
    """A directory we read decisions from belongs to someone else or is writable by others.

    >>> str(UntrustedDirError(pathlib.Path("/r"), "writable by others (mode 777)"))
    'refusing /r: writable by others (mode 777)'
    """

    def __init__(self, path: pathlib.Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"refusing {path}: {reason}")


class TmuxCommandError(AssistantResurrectError):
    """A tmux command wrote to stderr, or gave no answer within 30 s."""


class UnquotableError(AssistantResurrectError, ValueError):
    """A value cannot be typed safely into a shell (a control character for sh or csh, a NUL,
    a lone surrogate)."""


class PaneChangedError(AssistantResurrectError):
    """A pane stopped being an idle shell (or closed) while we were typing into it."""


class ShellNotReadyError(AssistantResurrectError, TimeoutError):
    """A pane's line editor never started reading keys within the time allowed."""


class LockTimeoutError(AssistantResurrectError, TimeoutError):
    """The snapshot lock stayed held by another save for longer than allowed."""
