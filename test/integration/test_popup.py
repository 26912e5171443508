"""The conversations popup (prefix + A) on a real tmux server with the real CLIs: the binding
opens a display-popup running the TUI; in a pane (capture-pane can read a pane, not a popup)
the TUI lists the conversations, filters as you type, resumes the chosen one into a new window
with Enter, and restores a saved one in place with ``r``."""

from __future__ import annotations

import json
import shlex

import pytest
from support import fixtures
from support.lab import REPO, Lab, wait_for
from support.tools import TOOLS

pytestmark = [pytest.mark.clis]


def open_tui(lab: Lab, session: str) -> str:
    """A pane running ``popup --tui`` (what the popup runs), once it shows its list."""
    command = " ".join(shlex.quote(a) for a in [
        "env", f"PYTHONPATH={REPO / 'src'}", lab.python, "-m", "assistant_resurrect", "-L",
        lab.socket, "popup", "--tui"])
    pane = lab.start(session, lab.home, command)
    wait_for(lambda: "filter>" in lab.capture(pane) and "STATE" in lab.capture(pane), 30,
             what="the picker")
    return pane


def test_the_binding_opens_a_popup_running_the_picker(lab: Lab) -> None:
    lab.load_plugin()
    assert "assistant_resurrect popup --client" in lab.tmux("list-keys", "-T", "prefix", "A")
    argv = json.loads(lab.cli("popup", "--print", "--client", "/dev/pts/0").stdout
                      )["tmux_command"]
    assert argv[:3] == ["display-popup", "-c", "/dev/pts/0"] and "-E" in argv
    command = argv[argv.index("--") + 1:]  # an argv tmux execs: no shell, no format
    assert command[0] == "env" and command[-4:] == ["popup", "--tui", "--client", "/dev/pts/0"]


def test_type_to_filter_and_enter_resumes_into_a_new_window(lab: Lab) -> None:
    alpha, beta = lab.home / "alpha", lab.home / "beta"
    alpha.mkdir()
    beta.mkdir()
    claude = TOOLS["claude"].session(lab, alpha)
    opencode = TOOLS["opencode"].session(lab, beta)
    pane = open_tui(lab, "ui")
    screen = lab.capture(pane)
    assert claude[:12] in screen and opencode[:12] in screen

    lab.tmux("send-keys", "-t", pane, "-l", "beta")
    wait_for(lambda: claude[:12] not in lab.capture(pane), 10, what="the filter")
    assert opencode[:12] in lab.capture(pane)
    before = set(lab.tmux("list-panes", "-a", "-F", "#{pane_id}").split())
    lab.tmux("send-keys", "-t", pane, "Enter")
    new = wait_for(lambda: set(lab.tmux("list-panes", "-a", "-F", "#{pane_id}").split())
                   - before, 30, what="a new window")
    (new_pane,) = new
    argv = wait_for(lambda: lab.argv_in_pane(new_pane, "opencode"), 30, what="opencode")
    assert argv[-2:] == ["-s", opencode]
    assert lab.tmux("display-message", "-p", "-t", new_pane,
                    "#{pane_current_path}").strip() == str(beta)


def test_r_restores_a_saved_conversation_into_its_saved_pane(lab: Lab) -> None:
    lab.load_plugin()
    sid, _ = fixtures.start_opencode(lab, "w", "a")
    lab.resurrect_save()
    lab.restart_with_layout()
    saved_pane = lab.panes()[("w", 0, 0)]["pane_id"]
    pane = open_tui(lab, "ui")
    lab.tmux("send-keys", "-t", pane, "-l", sid[:14])
    wait_for(lambda: any(line.startswith("saved    opencode") and sid[:12] in line
                         for line in lab.capture(pane).splitlines()), 10, what="the saved row")
    lab.tmux("send-keys", "-t", pane, "Down")
    lab.tmux("send-keys", "-t", pane, "r")
    argv = wait_for(lambda: lab.argv_in_pane(saved_pane, "opencode"), 30, what="restored")
    assert argv[-2:] == ["-s", sid]
