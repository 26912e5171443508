"""Where this plugin keeps its own files (not the resurrect directory)."""

from __future__ import annotations

import os
import pathlib
import typing as t

STATE_DIR_ENV = "ASSISTANT_RESURRECT_STATE_DIR"


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
