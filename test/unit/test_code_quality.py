"""The code stays lint-clean (ruff) and strictly typed (mypy --strict)."""

from __future__ import annotations

import pathlib
import re
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
           "scripts/status.sh", ".ci/run", "test/run.sh", "test/install-clis.sh", "demo/run.sh",
           "test/support/execute_hook.sh", "bin/assistant-resurrect")


def test_shell_scripts_pass_shellcheck() -> None:
    assert shutil.which("shellcheck"), "shellcheck is not installed (.ci/run installs it)"
    proc = subprocess.run(["shellcheck", "-x", "-P", "SCRIPTDIR", *SCRIPTS], cwd=REPO,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout


# bash features newer than 3.2 (macOS's /bin/bash): associative and nameref declarations,
# case-changing and transforming expansions, mapfile, coproc, |&, &>>, ;;&, [[ -v ]],
# printf %(...)T, wait -n, negative subscripts, globstar, EPOCHSECONDS/BASHPID
BASH4 = re.compile(r"declare -[A-Za-z]*[An]|local -[A-Za-z]*[An]|\$\{[^}]*(,,|\^\^|@[QEPAKa])}"
                   r"|\bmapfile\b|\breadarray\b|\bcoproc\b|\|&|&>>|;;&|\[\[ -v |%\([^)]*\)T"
                   r"|\bwait -n\b|\[-1\]\}|globstar|\bEPOCH(SECONDS|REALTIME)\b|\bBASHPID\b")


def test_shell_scripts_use_nothing_newer_than_bash_3_2() -> None:
    """macOS ships bash 3.2: no bash 4+ construct in anything a user's tmux runs (bash 3.2
    itself is not installable here, so this is a lint; the CI workflow runs macOS)."""
    found = [f"{path}:{n}: {line.strip()}" for path in (*SCRIPTS[:5], SCRIPTS[-1])
             for n, line in enumerate((REPO / path).read_text().splitlines(), 1)
             if not line.lstrip().startswith("#") and BASH4.search(line)]
    assert found == []
    assert BASH4.search('declare -A map') and BASH4.search('echo "${x,,}"')
