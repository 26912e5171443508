"""How the tests drive one real CLI: the row each ``test/tools/<tool>.py`` defines as
``CASE``."""

from __future__ import annotations

import pathlib
import typing as t

if t.TYPE_CHECKING:
    from support.lab import Lab


class ToolCase(t.NamedTuple):
    """How the tests drive one real CLI.

    ``session`` writes an offline conversation in the tool's own format and returns its id;
    ``launch`` is a command line (with options) resuming an id, ``resumed_tail`` the argv
    tail the restore must start it with, ``continue_launch`` a launch without any id that
    opens the directory's newest conversation, ``source`` the evidence ``status`` reports
    for ``launch`` (a tuple: any of them), ``store_entry`` the least store entry that makes
    ``session_exists`` true (unit tests, no CLI), ``hidden_options`` options the CLI accepts
    but leaves out of ``--help``.
    """

    name: str
    session: t.Callable[[Lab, pathlib.Path], str]
    launch: t.Callable[[str], str]
    resumed_tail: t.Callable[[str, pathlib.Path], list[str]]
    continue_launch: str
    source: tuple[str, ...]
    store_entry: t.Callable[[pathlib.Path, str, str], None]
    hidden_options: frozenset[str] = frozenset()
    continue_is_new: bool = False
