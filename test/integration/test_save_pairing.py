"""A snapshot is paired with the resurrect save file that survives resurrect's dedup, and the
post-save-all hook alone still saves when someone else owns post-save-layout."""

from __future__ import annotations

import json

import pytest
from support import fixtures
from support.lab import Lab, wait_for

pytestmark = [pytest.mark.clis]


def test_identical_save_is_deduplicated_and_snapshot_follows(lab: Lab) -> None:
    lab.load_plugin()
    _, pane = fixtures.start_opencode(lab, "s", "p")
    # OpenCode retitles its pane once its TUI is up; the title is part of the layout
    wait_for(lambda: lab.tmux("display-message", "-p", "-t", pane, "#{pane_title}").startswith(
        ("OpenCode", "OC |")), 30, what="OpenCode's pane title")
    first = lab.resurrect_save("20260101T000000")
    (lab.state_dir / f"opencode-{lab.argv_pid(pane, 'opencode')}.json").write_text(
        json.dumps({"session_id": "ses_switchedinthetui"}))  # the TUI switched sessions
    second = lab.resurrect_save("20260101T000100")
    assert second == first and not (lab.resurrect_dir / "tmux_resurrect_20260101T000100.txt"
                                    ).exists()
    store = lab.resurrect_dir / "assistant-resurrect"
    assert sorted(p.name for p in store.glob("*.json")) == ["tmux_resurrect_20260101T000000.json"]
    assert lab.sidecar()["panes"][0]["session_id"] == "ses_switchedinthetui"
    assert lab.sidecar()["panes"][0]["session_source"] == "opencode:tracker-plugin"
    assert not (lab.state_dir / "save-bound").exists()  # post-save-all consumed the flag

    lab.tmux("set-option", "-g", "@resurrect-hook-post-save-layout", "true")
    lab.tmux("kill-pane", "-t", pane)
    lab.resurrect_save("20260101T000200")
    snap = json.loads((store / "tmux_resurrect_20260101T000200.json").read_text())
    assert snap["panes"] == []  # the fallback ran: a fresh snapshot, paired with the new file
