"""The tool table the lifecycle, contract and evidence tests iterate: one ``CASE`` per
``test/tools/<tool>.py``, in registration order (``tools.ORDER``)."""

from __future__ import annotations

import pathlib
import typing as t

from tools import TOOLS

from assistant_resurrect.assistants import ASSISTANTS
from support.lab import wait_for
from support.toolcase import ToolCase

if t.TYPE_CHECKING:
    from support.lab import Lab

__all__ = ["TOOLS", "ToolCase", "kept_claude"]


def kept_claude(lab: Lab) -> tuple[str, str, pathlib.Path]:
    """The real Claude on one of its conversations in a pane, with keep-transcripts on, saved
    once and its first kept version written. Returns (session id, pane id, transcript)."""
    cwd = lab.home / "kept work"
    cwd.mkdir()
    sid = TOOLS["claude"].session(lab, cwd)
    lab.load_plugin()
    lab.tmux("set", "-g", "@assistant-resurrect-keep-transcripts", "on")
    pane = lab.start("s", cwd, TOOLS["claude"].launch(sid))
    wait_for(lambda: lab.argv_in_pane(pane, "claude"), 60, what="claude running")
    lab.resurrect_save()
    claude = ASSISTANTS["claude"]
    (transcript,) = claude.conversation_files(claude.root(lab.env), sid)
    folder = lab.state_dir / "kept" / "claude" / sid
    wait_for(lambda: list(folder.glob("*.json")), 30, what="the first kept version")
    return sid, pane, transcript
