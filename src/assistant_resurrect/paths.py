"""Where this plugin keeps its own files (not the resurrect directory)."""

from __future__ import annotations

import functools
import os
import pathlib
import re
import sys
import typing as t

STATE_DIR_ENV = "ASSISTANT_RESURRECT_STATE_DIR"
STATE_FILES = pathlib.Path(__file__).with_name("state-files.sh")


def state_dir(env: t.Mapping[str, str] | None = None) -> pathlib.Path:
    """Hook state files and logs: ``$ASSISTANT_RESURRECT_STATE_DIR`` or
    ``$HOME/.local/state/tmux-assistant-resurrect``.

    Anchored on ``$HOME`` alone (not ``XDG_STATE_HOME`` or ``TMPDIR``) because the writer (an
    assistant's hook, with the assistant's environment) and the reader (a resurrect hook, with
    the tmux server's environment) must agree; the installed hooks also pass it explicitly.
    """
    environ = os.environ if env is None else env
    override = environ.get(STATE_DIR_ENV)
    if override:
        return pathlib.Path(override)
    home = environ.get("HOME") or str(pathlib.Path.home())
    return pathlib.Path(home, ".local", "state", "tmux-assistant-resurrect")


def plugin_dir() -> pathlib.Path:
    """The plugin checkout (``plugin.tmux``, ``hooks/``, ``scripts/``)."""
    return pathlib.Path(__file__).resolve().parents[2]


def cli_argv(socket_name: str | None, *argv: str) -> list[str]:
    """The argv that runs our CLI with ``argv`` on the ``socket_name`` server with this
    interpreter, for tmux to run (``run-shell`` from a menu, ``display-popup``)."""
    return ["env", f"PYTHONPATH={plugin_dir() / 'src'}", sys.executable, "-m",
            "assistant_resurrect", *(["-L", socket_name] if socket_name else []), *argv]


@functools.cache
def state_file_names() -> dict[str, str]:
    """{role: file name} of every file in the state directory, from :data:`STATE_FILES`
    (``state_<role>="<name>"`` lines, which ``plugin.tmux`` and ``scripts/status.sh`` source)."""
    return dict(re.findall(r'(?m)^state_(\w+)="([^"/]+)"', STATE_FILES.read_text()))


class StateDir:
    """Our state directory and every file in it, each named once, in :data:`STATE_FILES`.

    ``StateDir(root).save_log`` is ``root / "save.log"``; ``StateDir.here()`` is the one
    :func:`state_dir` gives. The trackers' own files (``<tool>-<pid>.json``) are named by their
    tools, as are the version caches (``<tool>.version.json``); a log past its size limit moves
    to ``<name>.1``. Raises RuntimeError when the attributes and :data:`STATE_FILES` disagree.
    """

    root: pathlib.Path
    save_log: pathlib.Path
    restore_log: pathlib.Path
    plugin_log: pathlib.Path
    bootstrap_log: pathlib.Path
    save_bound: pathlib.Path
    save_missed: pathlib.Path
    restore_failed: pathlib.Path
    status: pathlib.Path
    outcomes: pathlib.Path
    claims: pathlib.Path
    kept: pathlib.Path

    def __init__(self, root: pathlib.Path) -> None:
        names = state_file_names()
        roles = set(StateDir.__annotations__) - {"root"}
        if set(names) != roles:
            raise RuntimeError(f"{STATE_FILES} names {sorted(names)}, StateDir {sorted(roles)}")
        self.root = root
        for role, name in names.items():
            setattr(self, role, root / name)

    def __repr__(self) -> str:
        return f"StateDir({str(self.root)!r})"

    @classmethod
    def here(cls, env: t.Mapping[str, str] | None = None) -> StateDir:
        """The state directory of ``env`` (default ``os.environ``), see :func:`state_dir`."""
        return cls(state_dir(env))
