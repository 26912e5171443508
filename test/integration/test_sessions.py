"""``sessions`` on a real tmux server with the real CLIs: every tool's conversation found with
its id and directory; those running are ``live`` in their panes (``current`` for the caller's
own), saved ones ``saved`` once tmux is gone, the rest ``orphaned``."""

from __future__ import annotations

import json
import subprocess

import pytest
from support import contract
from support.lab import REPO, Lab, wait_for
from support.tools import TOOLS

pytestmark = [pytest.mark.clis]
RUNNING = ("opencode", "cline")


def sessions(lab: Lab, *args: str, pane: str | None = None) -> dict[str, dict[str, object]]:
    """``sessions --json`` rows by session id, run as from inside ``pane`` when given."""
    env = {**lab.env, "PYTHONPATH": str(REPO / "src"), **({"TMUX_PANE": pane} if pane else {})}
    out = subprocess.run([lab.python, "-m", "assistant_resurrect", "-L", lab.socket, "sessions",
                          "--json", *args], env=env, capture_output=True, text=True, check=True,
                         timeout=60).stdout
    data = contract.checked("sessions", out)
    return {row["session_id"]: row for row in data["sessions"]}


def test_every_conversation_on_disk_with_its_state(lab: Lab) -> None:
    ids, panes = {}, {}
    for tool, case in TOOLS.items():
        cwd = lab.home / "work" / f"{tool} dir"
        cwd.mkdir(parents=True)
        ids[tool] = (case.session(lab, cwd), cwd)
    lab.load_plugin()
    for tool in RUNNING:
        sid, cwd = ids[tool]
        panes[tool] = lab.start("s", cwd, TOOLS[tool].launch(sid))
    for tool in RUNNING:
        wait_for(lambda t=tool: lab.argv_in_pane(panes[t], t), 60, what=f"{tool} running")

    rows = sessions(lab, pane=panes["cline"])
    for tool, (sid, cwd) in ids.items():
        assert (rows[sid]["tool"], rows[sid]["cwd"]) == (tool, str(cwd)), rows.get(sid)
        expected = {"cline": "current", "opencode": "live"}.get(tool, "orphaned")
        assert rows[sid]["state"] == expected, (tool, rows[sid])
        assert rows[sid]["pane"] == panes.get(tool)
        assert sid in str(rows[sid]["resume_command"])
        # counted where the store indexes them (the real databases the imports made)
        assert rows[sid]["messages"] == (0 if tool in ("opencode", "kilo") else None)

    lab.resurrect_save()
    lab.kill_server()
    lab.start_server()
    rows = sessions(lab)
    assert {t: rows[ids[t][0]]["state"] for t in RUNNING} == {t: "saved" for t in RUNNING}
    assert set(sessions(lab, "--state", "saved")) == {ids[t][0] for t in RUNNING}
    only = sessions(lab, "--tool", "claude", "--cwd", str(ids["claude"][1]))
    assert set(only) == {ids["claude"][0]}


def test_resume_one_conversation_through_the_restore_guards(lab: Lab) -> None:
    """``sessions resume`` opens a new window in the conversation's directory and verifies
    it; a live conversation is not resumed twice; a busy pane gets nothing typed."""
    cwd = lab.home / "work dir"
    cwd.mkdir()
    sid = TOOLS["opencode"].session(lab, cwd)
    busy = lab.start("s", lab.home, "sleep 300")
    before = set(lab.tmux("list-panes", "-a", "-F", "#{pane_id}").split())

    refused = lab.cli("sessions", "resume", sid, "--pane", busy, "--json", check=False)
    assert refused.returncode == 1
    assert json.loads(refused.stdout)["resume"]["state"] == "pane-busy"
    assert "opencode" not in lab.capture(busy)

    done = lab.cli("sessions", "resume", sid[:12], "--json", check=False)
    row = json.loads(done.stdout)["resume"]
    assert done.returncode == 0 and row["outcome"] == "resumed", row
    (new,) = set(lab.tmux("list-panes", "-a", "-F", "#{pane_id}").split()) - before
    assert lab.argv_in_pane(new, "opencode")[-2:] == ["-s", sid]
    assert lab.tmux("display-message", "-p", "-t", new, "#{pane_current_path}").strip() == str(cwd)

    again = lab.cli("sessions", "resume", sid, check=False)
    assert again.returncode == 1 and "live" in again.stderr
