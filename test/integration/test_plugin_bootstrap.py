"""First load through TPM's rules: plugin.tmux builds its own venv, then wires and installs, on
a PATH that holds no GNU-only tool (what a macOS server started by launchd sees)."""

from __future__ import annotations

import json
import pathlib
import shutil
import subprocess

import pytest
from support.lab import REPO, Lab, wait_for

pytestmark = [pytest.mark.slow]
# what plugin.tmux and scripts/*.sh run, all of it in macOS's base system (POSIX or BSD);
# setsid, readlink -f, realpath, stat, timeout and GNU sed are deliberately absent
PORTABLE_TOOLS = ("bash", "sh", "tmux", "python3", "cat", "grep", "cut", "cksum", "date",
                  "mkdir", "chmod", "rm", "touch", "dirname", "nohup", "env", "uname", "ls")
GNU_ONLY = ("setsid", "readlink", "realpath", "stat", "timeout", "sed", "flock")


def portable_path(root: pathlib.Path) -> str:
    bindir = root / "portable-bin"
    bindir.mkdir()
    for tool in PORTABLE_TOOLS:
        found = shutil.which(tool)
        assert found, f"{tool} is not installed"
        (bindir / tool).symlink_to(found)
    return str(bindir)


def test_first_load_bootstraps_a_venv_then_wires_hooks_and_trackers(lab: Lab) -> None:
    plugin = lab.root / "plugins" / "tmux-assistant-resurrect"
    subprocess.run(["git", "clone", "-q", str(REPO), str(plugin)], check=True)
    lab.kill_server()
    lab.env["PATH"] = portable_path(lab.root)
    assert not any(shutil.which(t, path=lab.env["PATH"]) for t in GNU_ONLY)
    lab.start_server()
    lab.tmux("set-option", "-gu", "@assistant-resurrect-python")
    # Python then writes no bytecode on import: the plugin must compile its package itself
    lab.tmux("set-environment", "-g", "PYTHONDONTWRITEBYTECODE", "1")
    lab.tmux("run-shell", str(plugin / "plugin.tmux"))
    python = plugin / ".venv/bin/python"
    hook = lab.tmux("show-option", "-gqv", "@resurrect-hook-post-save-layout")
    assert str(python) in hook  # wired at once; the venv arrives in the background
    save_during_setup = lab.resurrect_save("20260101T000000")  # the venv is not there yet
    wait_for((plugin / ".venv/.assistant-resurrect-stamp").exists, 300, 1, "the venv")
    settings = lab.home / ".claude/settings.json"
    wait_for(settings.exists, 60, what="the Claude hook installed after bootstrap")
    commands = [h["command"] for g in json.loads(settings.read_text())["hooks"]["SessionStart"]
                for h in g["hooks"]]
    assert len(commands) == 1 and str(plugin / "hooks/claude_session.py") in commands[0]
    # the save taken while the venv was being built was caught up when it was ready
    sidecar = lab.resurrect_dir / "assistant-resurrect" / (save_during_setup.stem + ".json")
    wait_for(sidecar.exists, 60, what="the caught-up save")
    assert "setup finished" in (lab.state_dir / "save.log").read_text()
    lab.tmux("run-shell", str(plugin / "plugin.tmux"))  # a reload changes nothing
    assert lab.tmux("show-option", "-gqv", "@resurrect-hook-post-save-layout") == hook
    before = len((lab.state_dir / "save.log").read_text())
    lab.resurrect_save("20260101T000500")  # a save on the thin PATH, once ready
    after = (lab.state_dir / "save.log").read_text()[before:]
    assert "assistant pane(s) in tmux_resurrect_" in after, after
    assert "could not run" not in after and "Traceback" not in after
    out = subprocess.run([str(python), "-v", "-c", "import assistant_resurrect.hooks, "
                          "assistant_resurrect.save, assistant_resurrect.cli, libtmux"],
                         capture_output=True, text=True, env={**lab.env,
                                                              "PYTHONDONTWRITEBYTECODE": "1"})
    assert out.returncode == 0, out.stderr
    loaded = [line for line in out.stderr.splitlines()
              if line.startswith("# code object from") and "/src/assistant_resurrect/" in line]
    assert len(loaded) > 20, out.stderr[-2000:]
    assert all(line.endswith(".pyc'") for line in loaded), "compiled from source: " + str(
        [line for line in loaded if not line.endswith(".pyc'")])
