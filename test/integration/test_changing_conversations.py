"""The id saved is the conversation a pane shows now, not the one it was launched with."""

from __future__ import annotations

import json

import pytest
from support import fixtures
from support.lab import Lab, wait_for

pytestmark = [pytest.mark.clis, pytest.mark.slow]


def test_claude_clear_moves_the_saved_id_to_the_new_conversation(lab: Lab) -> None:
    cwd = lab.home / "proj"
    cwd.mkdir()
    lab.load_plugin()
    original, pane, entry = fixtures.start_claude(lab, "c", cwd)
    wait_for(lambda: json.loads(entry.read_text()).get("sessionId") == original, 60,
             what="claude to open the saved conversation")
    wait_for(lambda: "? for shortcuts" in lab.capture(pane) or ">" in lab.capture(pane), 60,
             what="claude's prompt")

    def cleared() -> str | None:
        sid = json.loads(entry.read_text()).get("sessionId")
        return sid if sid != original else None

    lab.tmux("send-keys", "-t", pane, "-l", "/clear")
    lab.tmux("send-keys", "-t", pane, "Enter")
    new_id = wait_for(cleared, 60, 0.5, "claude to start a new conversation after /clear")

    status = json.loads(lab.cli("status", "--json").stdout)["panes"]
    assert [(p["tool"], p["session_id"], p["session_source"]) for p in status] == [
        ("claude", new_id, "claude:sessions-registry")]
    assert status[0]["command"].endswith(f"--resume {new_id}")
    lab.resurrect_save()
    assert lab.sidecar()["panes"][0]["session_id"] == new_id


def test_opencode_tracker_plugin_and_new_session_inside_the_tui(lab: Lab) -> None:
    lab.load_plugin()
    link = lab.home / ".config/opencode/plugins/tmux-assistant-resurrect.js"
    wait_for(link.is_symlink, 30, what="the tracker link installed by plugin.tmux")
    sid, pane = fixtures.start_opencode(lab, "w", "a")
    wait_for(lambda: "ctrl+p" in lab.capture(pane), 30, what="opencode's TUI")
    lab.type(pane, "hello there")  # offline: the message is stored, the API call fails
    state = wait_for(lambda: next(iter(lab.state_dir.glob("opencode-*.json")), None), 30,
                     what="the tracker's state file")
    wait_for(lambda: json.loads(state.read_text())["session_id"] == sid, 30,
             what="the tracker to name the opened session")
    status = json.loads(lab.cli("status", "--json").stdout)["panes"][0]
    assert (status["session_id"], status["session_source"]) == (sid, "opencode:tracker-plugin")

    lab.tmux("send-keys", "-t", pane, "-l", "/new")
    wait_for(lambda: "/new" in lab.capture(pane), 10, what="/new typed")
    lab.tmux("send-keys", "-t", pane, "Enter")
    wait_for(lambda: "Cannot connect" not in lab.capture(pane), 15, what="a new session screen")
    lab.type(pane, "a second conversation")
    new_id = wait_for(lambda: (json.loads(state.read_text())["session_id"]
                               if json.loads(state.read_text())["session_id"] != sid else None),
                      30, what="the tracker to follow /new")
    status = json.loads(lab.cli("status", "--json").stdout)["panes"][0]
    assert (status["session_id"], status["session_source"]) == (new_id,
                                                                 "opencode:tracker-plugin")
    assert status["command"].endswith(f"-s {new_id}")
