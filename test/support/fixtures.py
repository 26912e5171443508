"""Cross-tool helpers over the offline conversations (``test/tools/<tool>.py`` writes each in
its tool's own format, ``shared/reference/assistant-clis.md`` §8), and each writer by its tool's
name (``opencode_session``)."""

from __future__ import annotations

import pathlib

from tools import claude, cline, codex, copilot, droid, gemini, kilo, omp, opencode, pi, qwen

from support.lab import Lab, wait_for

claude_session, codex_session, opencode_session = claude.session, codex.session, opencode.session
gemini_session, copilot_session, qwen_session = gemini.session, copilot.session, qwen.session
kilo_session, pi_session, omp_session = kilo.session, pi.session, omp.session
droid_session, cline_session = droid.session, cline.session


def start_opencode(lab: Lab, session: str, name: str) -> tuple[str, str]:
    """A pane in tmux session ``session`` running the real OpenCode in ``~/<name>`` on a fresh
    imported session; returns (session id, %pane_id)."""
    cwd = lab.home / name
    cwd.mkdir(exist_ok=True)
    sid = opencode_session(lab, cwd)
    pane = lab.start(session, cwd, f"opencode -s {sid}")
    wait_for(lambda: lab.argv_in_pane(pane, "opencode"), 30, what="opencode")
    return sid, pane


def start_claude(lab: Lab, session: str, cwd: pathlib.Path) -> tuple[str, str, pathlib.Path]:
    """The real Claude in a new pane, resuming a fresh one-message session in ``cwd``, once
    it has registered itself; returns (session id, %pane_id, its sessions/<pid>.json)."""
    sid = claude_session(lab, cwd)
    pane = lab.start(session, cwd, f"claude --resume {sid}")
    registry = lab.home / ".claude" / "sessions"
    entry = wait_for(lambda: next(iter(registry.glob("*.json")), None), 60,
                     what="Claude's sessions registry")
    return sid, pane, entry
