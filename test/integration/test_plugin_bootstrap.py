"""First load through TPM's rules: plugin.tmux builds its own venv, then wires and installs."""

from __future__ import annotations

import json
import subprocess

import pytest
from support.lab import REPO, Lab, wait_for

pytestmark = [pytest.mark.slow]


def test_first_load_bootstraps_a_venv_then_wires_hooks_and_trackers(lab: Lab) -> None:
    plugin = lab.root / "plugins" / "tmux-assistant-resurrect"
    subprocess.run(["git", "clone", "-q", str(REPO), str(plugin)], check=True)
    lab.tmux("set-option", "-gu", "@assistant-resurrect-python")
    # Python then writes no bytecode on import: the plugin must compile its package itself
    lab.tmux("set-environment", "-g", "PYTHONDONTWRITEBYTECODE", "1")
    lab.tmux("run-shell", str(plugin / "plugin.tmux"))
    python = plugin / ".venv/bin/python"
    hook = lab.tmux("show-option", "-gqv", "@resurrect-hook-post-save-layout")
    assert str(python) in hook  # wired at once; the venv arrives in the background
    wait_for((plugin / ".venv/.assistant-resurrect-stamp").exists, 300, 1, "the venv")
    settings = lab.home / ".claude/settings.json"
    wait_for(settings.exists, 60, what="the Claude hook installed after bootstrap")
    commands = [h["command"] for g in json.loads(settings.read_text())["hooks"]["SessionStart"]
                for h in g["hooks"]]
    assert len(commands) == 1 and str(plugin / "hooks/claude_session.py") in commands[0]
    lab.tmux("run-shell", str(plugin / "plugin.tmux"))  # a reload changes nothing
    assert lab.tmux("show-option", "-gqv", "@resurrect-hook-post-save-layout") == hook
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
