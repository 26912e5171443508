"""``#{assistant_resurrect_status}`` on a real tmux server: replaced by plugin.tmux with our
sh script in a clickable range (only where the user put it), the script's text after a save
and after a failure, and the mouse bindings that keep what was bound before."""

from __future__ import annotations

import re
import shlex
import subprocess

import pytest
from support.lab import REPO, Lab, wait_for
from support.tools import TOOLS

pytestmark = [pytest.mark.clis]


def run_status(lab: Lab) -> str:
    """Run the #() command of status-right exactly as tmux would (sh, the lab's env)."""
    right = lab.tmux("show-option", "-gv", "status-right").strip()
    (command,) = re.findall(r"#\((.*?)\)#\[norange\]", right)
    return subprocess.run(["sh", "-c", command], env=lab.env, capture_output=True, text=True,
                          check=True, timeout=10).stdout


def test_the_status_shows_the_last_save_and_a_failure_mark(lab: Lab) -> None:
    lab.tmux("set-option", "-g", "status-left", "[#S]")
    lab.tmux("set-option", "-g", "status-right", "#{assistant_resurrect_status} | %H:%M")
    lab.load_plugin()
    right = lab.tmux("show-option", "-gv", "status-right").strip()
    assert right.startswith("#[range=user|assistant-resurrect]#(")
    assert right.endswith("#[norange] | %H:%M")
    assert lab.tmux("show-option", "-gv", "status-left").strip() == "[#S]"
    assert run_status(lab) == "AR -"

    cwd = lab.home / "w"
    cwd.mkdir()
    pane = lab.start("s", cwd, TOOLS["claude"].launch(TOOLS["claude"].session(lab, cwd)))
    wait_for(lambda: lab.argv_in_pane(pane, "claude"), 60, what="claude running")
    lab.resurrect_save()
    assert re.fullmatch(r"AR 1 \d+s", run_status(lab)), run_status(lab)
    (lab.state_dir / "restore-failed").touch()
    assert run_status(lab).startswith("AR! 1 ")

    lab.load_plugin()  # a reload keeps one range and chains the mouse bindings once
    assert lab.tmux("show-option", "-gv", "status-right").count("#[range=") == 1
    left = lab.tmux("list-keys", "-T", "root", "MouseDown1Status")
    assert "#{==:#{mouse_status_range},assistant-resurrect}" in left
    assert left.count("status.sh") == 1 and left.rstrip().endswith('"select-window -t ="')
    right_click = lab.tmux("list-keys", "-T", "root", "MouseDown3Status")
    assert "assistant_resurrect popup" in right_click and "display-menu" in right_click


def test_the_left_click_saves_through_resurrect(lab: Lab) -> None:
    done = lab.root / "saved"
    script = lab.root / "save.sh"
    script.write_text(f"#!/bin/sh\ntouch {shlex.quote(str(done))}\n")
    script.chmod(0o755)
    lab.tmux("set-option", "-g", "@resurrect-save-script-path", str(script))
    socket = lab.tmux("display-message", "-p", "#{socket_path}").strip()
    subprocess.run(["sh", str(REPO / "scripts/status.sh"), str(lab.state_dir), "save"],
                   env={**lab.env, "TMUX": f"{socket},0,0"}, check=True, timeout=10)
    assert done.exists()


def test_the_status_line_is_left_alone_without_the_placeholder(lab: Lab) -> None:
    lab.tmux("set-option", "-g", "status-right", "%H:%M")
    before = lab.tmux("list-keys", "-T", "root", "MouseDown1Status")
    lab.load_plugin()
    assert lab.tmux("show-option", "-gv", "status-right").strip() == "%H:%M"
    assert lab.tmux("list-keys", "-T", "root", "MouseDown1Status") == before
