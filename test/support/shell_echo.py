"""The real shells as readers of our quoting: each prints back the words it parsed."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from assistant_resurrect import shells
from assistant_resurrect.exc import UnquotableError

# how each real shell prints its arguments back, NUL-separated, byte for byte
SHELL_ECHO = {
    "bash": (shells.Shell.BASH, ["bash", "--norc", "-c"]),
    "zsh": (shells.Shell.BASH, ["zsh", "-f", "-c"]),
    "fish": (shells.Shell.FISH, ["fish", "--no-config", "-c"]),
    "tcsh": (shells.Shell.CSH, ["tcsh", "-f", "-c"]),
    "dash": (shells.Shell.POSIX, ["dash", "-c"]),
}


def echo_through(shell: str, values: list[str]) -> list[str] | None:
    """The values as ``shell`` parses them back, or None when quoting refused one."""
    family, argv = SHELL_ECHO[shell]
    if shutil.which(argv[0]) is None:
        pytest.fail(f"{argv[0]} is not installed (.ci/run installs zsh, fish and tcsh)")
    try:
        script = "printf '%s\\000' " + " ".join(shells.quote(v, family) for v in values)
    except UnquotableError:
        return None
    assert all(shells.is_typable(c) for c in script), f"untypable character in {script!r}"
    out = subprocess.run([*argv, script], capture_output=True, check=True).stdout
    return [os.fsdecode(part) for part in out.split(b"\0")[:-1]]
