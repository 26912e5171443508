"""A resume that lands on a known failure screen is reported as that pane's failure."""

from __future__ import annotations

import json

import pytest
from support import fixtures
from support.lab import Lab

pytestmark = [pytest.mark.clis, pytest.mark.slow]


def test_claude_trust_dialog_after_restore_is_reported(lab: Lab) -> None:
    cwd = lab.home / "proj"
    cwd.mkdir()
    lab.load_plugin()
    fixtures.start_claude(lab, "s", cwd)
    lab.resurrect_save()
    lab.kill_server()
    config = lab.home / ".claude.json"
    data = json.loads(config.read_text())
    data["projects"][str(cwd)]["hasTrustDialogAccepted"] = False
    config.write_text(json.dumps(data))
    lab.start_server()
    lab.tmux("set-option", "-g", "@assistant-resurrect-verify-seconds", "20")
    lab.load_plugin()
    lab.resurrect_restore()
    outcome = lab.restore_outcomes()["s:0.0"]["outcome"]
    assert outcome.startswith("failed: claude shows"), outcome
    status = json.loads(lab.cli("status", "--json").stdout)["panes"]
    assert status[0]["last_restore"] == outcome
