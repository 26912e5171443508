"""Hook chaining in a real tmux, and restore guards with the real OpenCode CLI."""

from __future__ import annotations

import json
import shutil

import pytest
from support import fixtures
from support.lab import Lab, wait_for

pytestmark = [pytest.mark.clis]


def test_plugin_chains_hooks_keeps_users_hook_and_is_idempotent(lab: Lab) -> None:
    record = lab.root / "user-hook-args"
    lab.tmux("set-option", "-g", "@resurrect-hook-post-save-layout",
             f"printf '%s\\n' >>{record}")
    lab.load_plugin()
    lab.load_plugin()
    value = lab.tmux("show-option", "-gqv", "@resurrect-hook-post-save-layout")
    lines = value.rstrip("\n").split("\n")
    assert len(lines) == 2 and "assistant_resurrect hook post-save-layout" in lines[0]
    assert lines[1].startswith("printf")
    assert lab.tmux("show-option", "-gqv", "@continuum-save-interval").strip() == "5"
    assert lab.tmux("show-option", "-gqv", "@resurrect-processes").strip() == ""
    save_file = lab.resurrect_save()
    assert record.read_text().split() == [str(save_file)]  # the user's hook got its argument


def test_restore_guards_and_no_double_resume(lab: Lab) -> None:
    lab.load_plugin()
    ids = {name: fixtures.start_opencode(lab, "w", name)[0]
           for name in ("ok", "busy", "gone dir", "gone session")}
    lab.resurrect_save()
    lab.kill_server()
    lab.start_server()
    shutil.rmtree(lab.home / "gone dir")
    lab.cli("uninstall")  # no tracker: exercise argv evidence only
    db = lab.home / ".local/share/opencode/opencode.db"
    import sqlite3
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM session WHERE id = ?", (ids["gone session"],))
    lab.resurrect_restore(wait=False)  # layout only; the hook is not wired yet
    panes = lab.panes()
    busy = panes[("w", 1, 0)]["pane_id"]
    lab.type(busy, "sleep 600")
    wait_for(lambda: lab.argv_in_pane(busy, "sleep"), 10, what="sleep")

    plan = json.loads(lab.cli("restore", "--json").stdout)
    states = {p["pane"]: p["state"] for p in plan["panes"]}
    assert states == {"w:0.0": "ready", "w:1.0": "pane-busy", "w:2.0": "cwd-missing",
                      "w:3.0": "session-gone"}
    assert not lab.argv_in_pane(panes[("w", 0, 0)]["pane_id"], "opencode")  # a plan types nothing

    lab.cli("restore", "--execute")
    first = lab.argv_in_pane(panes[("w", 0, 0)]["pane_id"], "opencode")
    assert first and first[-2:] == ["-s", ids["ok"]]
    again = json.loads(lab.cli("restore", "--execute", "--json").stdout)
    assert {p["pane"]: p["state"] for p in again["panes"]}["w:0.0"] == "already-running"
    status = json.loads(lab.cli("status", "--json").stdout)
    assert [(p["pane"], p["session_id"]) for p in status["panes"]] == [("w:0.0", ids["ok"])]
