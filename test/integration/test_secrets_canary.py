"""A secret planted in a real assistant's argv and environment reaches no file we write."""

from __future__ import annotations

import json

import pytest
from support import fixtures
from support.lab import Lab, wait_for

pytestmark = [pytest.mark.clis]
CANARY = "sk-CANARY-7f3a9c1e5b"


def test_canary_secret_never_reaches_disk(lab: Lab) -> None:
    cwd = lab.home / "proj"
    cwd.mkdir()
    sid = fixtures.claude_session(lab, cwd)
    lab.load_plugin()
    lab.tmux("set-option", "-g", "@assistant-resurrect-capture-env", "MY_SERVICE_TOKEN LANG")
    pane = lab.new_pane("s", cwd)
    lab.wait_shell(pane)
    settings = json.dumps({"env": {"ANTHROPIC_AUTH_TOKEN": CANARY}})
    lab.type(pane, f"MY_SERVICE_TOKEN={CANARY} claude --settings '{settings}' --resume {sid}")
    wait_for(lambda: list((lab.home / ".claude/sessions").glob("*.json")), 60, what="claude")

    status = lab.cli("status", "--json").stdout
    lab.resurrect_save()
    plan = lab.cli("restore", "--json").stdout
    pane_record = lab.sidecar()["panes"][0]
    assert pane_record["session_id"] == sid
    assert pane_record["refused"] and "--settings" in pane_record["refused"]
    assert pane_record["env"]["MY_SERVICE_TOKEN"] == "<redacted>"
    assert pane_record["env"]["LANG"] == "C.UTF-8"
    assert CANARY not in status and CANARY not in plan
    written = [p for root in (lab.state_dir, lab.resurrect_dir) for p in root.rglob("*")
               if p.is_file()]
    assert any(p.suffix == ".json" for p in written) and any(p.suffix == ".log" for p in written)
    leaks = [p for p in written if CANARY.encode() in p.read_bytes()]
    assert leaks == []
