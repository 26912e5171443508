"""The fault suite's world: one private tmux server per module whose plugin runs through
``faulty-python`` (``inject.py`` arms the fault named by ``$AR_FAULT`` in the server's
environment), with the real OpenCode running in one pane, and helpers to read what a
scenario left on disk."""

from __future__ import annotations

import os
import pathlib
import sys
import typing as t

import pytest
from support import fixtures
from support.faultlab import FAULTY_PYTHON, FaultLab
from support.lab import wait_for


@pytest.fixture(scope="module")
def flab(tmp_path_factory: pytest.TempPathFactory, cli_bin: pathlib.Path
         ) -> t.Iterator[FaultLab]:
    root = tmp_path_factory.mktemp("faults")
    home = root / "home"
    home.mkdir()
    lab = FaultLab(root, cli_bin, home=home, state_dir=home / ".local/state/tar")
    lab.start_server()
    lab.tmux("set-environment", "-g", "AR_REAL_PYTHON", sys.executable)
    lab.tmux("set-option", "-g", "@assistant-resurrect-python", str(FAULTY_PYTHON))
    lab.load_plugin()
    wait_for(lambda: "faulty-python" in lab.tmux("show-option", "-gqv",
                                                  "@resurrect-hook-post-save-layout"), 10)
    lab.opencode_id, lab.opencode_pane = fixtures.start_opencode(lab, "work", "proj")
    try:
        yield lab
    finally:
        lab.arm("")
        lab.teardown()


@pytest.fixture
def clean(flab: FaultLab) -> FaultLab:
    """``flab`` with no fault armed, and empty resurrect and state directories."""
    import shutil

    flab.arm("")
    for directory in (flab.resurrect_dir, flab.state_dir):
        if directory.is_symlink():
            directory.unlink()
        shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(flab.state_dir, mode=0o700)
    flab.resurrect_dir.mkdir(parents=True)
    return flab
