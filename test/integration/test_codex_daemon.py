"""Codex in its default mode: threads live in a shared ``codex app-server`` daemon that
outlives the TUI and tmux itself. The daemon is never taken for an assistant."""

from __future__ import annotations

import psutil
import pytest
from support import fixtures
from support.lab import Lab, wait_for

pytestmark = [pytest.mark.clis, pytest.mark.slow]


def daemons(lab: Lab) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline", "environ"]):
        argv = proc.info["cmdline"] or []
        if "app-server" in argv[1:2] and (proc.info["environ"] or {}).get("HOME") == str(lab.home):
            found.append(proc)
    return found


def test_codex_daemon_mode_saves_the_tui_and_restores_through_the_daemon(lab: Lab) -> None:
    cwd = lab.home / "proj"
    cwd.mkdir()
    sid = fixtures.codex_session(lab, cwd, daemon=True)
    lab.load_plugin()
    lab.start("c", cwd, f"codex -m gpt-5.1 resume {sid}")
    wait_for(lambda: daemons(lab), 120, 1, "codex's app-server daemon")
    lab.resurrect_save()
    panes = lab.sidecar()["panes"]
    assert [(p["tool"], p["session_id"], p["session_source"]) for p in panes] == [
        ("codex", sid, "codex:argv")]
    assert panes[0]["argv"][1:2] != ["app-server"]

    lab.kill_server()
    assert daemons(lab), "the daemon outlives tmux (so the restore must not count it as live)"
    lab.start_server()
    lab.load_plugin()
    lab.resurrect_restore()
    assert lab.restore_outcomes()["c:0.0"]["outcome"] == "resumed"
    argv = lab.argv_in_pane(lab.panes()[("c", 0, 0)]["pane_id"], "codex")
    assert argv[-5:] == ["gpt-5.1", "resume", sid, "-C", str(cwd)]
