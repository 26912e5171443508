"""The code stays lint-clean (ruff) and strictly typed (mypy --strict)."""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=300, check=False)


def test_ruff() -> None:
    proc = run("ruff", "check", "src", "hooks", "test", "bench", "demo")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_strict() -> None:
    proc = run("mypy")
    assert proc.returncode == 0, proc.stdout + proc.stderr


SCRIPTS = ("plugin.tmux", "scripts/bootstrap.sh", "scripts/helpers.sh", "scripts/variables.sh",
           ".ci/run", "test/run.sh", "test/install-clis.sh", "demo/run.sh",
           "test/support/execute_hook.sh")


def test_shell_scripts_pass_shellcheck() -> None:
    assert shutil.which("shellcheck"), "shellcheck is not installed (.ci/run installs it)"
    proc = subprocess.run(["shellcheck", "-x", "-P", "SCRIPTDIR", *SCRIPTS], cwd=REPO,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout
