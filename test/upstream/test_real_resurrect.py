"""Save and restore through a real tmux-resurrect checkout (opt-in: TMUX_RESURRECT_PATH)."""

from __future__ import annotations

import os
import pathlib

import pytest
from support import fixtures
from support.lab import Lab, wait_for

RESURRECT = os.environ.get("TMUX_RESURRECT_PATH", "")
pytestmark = pytest.mark.skipif(
    not RESURRECT, reason="set TMUX_RESURRECT_PATH to a tmux-resurrect checkout to run this")


def test_save_and_restore_through_real_tmux_resurrect(lab: Lab) -> None:
    scripts = pathlib.Path(RESURRECT) / "scripts"
    cwd = lab.home / "proj dir"
    cwd.mkdir()
    sid = fixtures.opencode_session(lab, cwd)
    lab.tmux("run-shell", str(pathlib.Path(RESURRECT) / "resurrect.tmux"))
    lab.load_plugin()
    pane = lab.start("work", cwd, f"opencode --log-level INFO -s {sid}")
    wait_for(lambda: lab.argv_in_pane(pane, "opencode"), 30, what="opencode")

    lab.tmux("run-shell", f"{scripts / 'save.sh'} quiet")
    snap = lab.sidecar()
    assert [(p["tool"], p["session_id"]) for p in snap["panes"]] == [("opencode", sid)]
    saved = (lab.resurrect_dir / os.readlink(lab.resurrect_dir / "last")).read_text()
    assert "opencode" not in [line.split("\t")[10][1:].split(" ")[0]
                              for line in saved.splitlines() if line.startswith("pane\t")]

    lab.kill_server()
    lab.start_server()
    lab.tmux("run-shell", str(pathlib.Path(RESURRECT) / "resurrect.tmux"))
    lab.load_plugin()
    outcomes = lab.state_dir / "last-restore.json"
    outcomes.unlink(missing_ok=True)
    lab.tmux("run-shell", str(scripts / "restore.sh"))
    wait_for(outcomes.exists, 120, 0.5, "our restore worker")
    restored = lab.panes()[("work", 0, 0)]["pane_id"]
    argv = wait_for(lambda: lab.argv_in_pane(restored, "opencode"), 30, what="opencode back")
    assert argv[-4:] == ["--log-level", "INFO", "-s", sid]
