"""The CLI's error paths without a tmux server: with ``--json`` every error is the v2
envelope (docs/json.md), validated against the command's schema; without it one line on
stderr; a bad count is argparse's usage error, never a traceback."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

from support import contract

SRC = pathlib.Path(__file__).parents[2] / "src"


def cli(tmp_path: pathlib.Path, *args: str, state: str = "state"
        ) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC), "HOME": str(tmp_path),
           "ASSISTANT_RESURRECT_STATE_DIR": str(tmp_path / state)}
    return subprocess.run([sys.executable, "-m", "assistant_resurrect", "-L",
                           f"none-{os.getpid()}", *args], env=env, capture_output=True,
                          text=True, timeout=60, check=False)


def test_a_file_error_is_the_envelope_s_error(tmp_path: pathlib.Path) -> None:
    (tmp_path / "a-file").touch()  # the state directory is a file: keep cannot make kept/
    proc = cli(tmp_path, "keep", "--json", state="a-file")
    data = contract.checked("keep", proc.stdout)
    assert proc.returncode == 1 and data["ok"] is False and proc.stderr == ""
    assert data["error"]["kind"] == "not-a-directory" and "a-file" in data["error"]["message"]
    plain = cli(tmp_path, "keep", state="a-file")
    assert plain.returncode == 1 and plain.stdout == "" and "a-file/kept" in plain.stderr
    assert "Traceback" not in plain.stderr


def test_no_tmux_server_is_a_tmux_not_running_error(tmp_path: pathlib.Path) -> None:
    proc = cli(tmp_path, "restore", "--json")
    data = contract.checked("restore", proc.stdout)
    assert proc.returncode == 1 and data["error"]["kind"] == "tmux-not-running"


def test_json_before_a_subcommand_is_kept(tmp_path: pathlib.Path) -> None:
    proc = cli(tmp_path, "sessions", "--json", "resume", "no-such-id")
    data = contract.checked("sessions", proc.stdout)
    assert proc.returncode == 1 and data["error"]["kind"] == "error"


def test_a_bad_count_is_a_usage_error(tmp_path: pathlib.Path) -> None:
    proc = cli(tmp_path, "sessions", "--limit", "x")
    assert proc.returncode == 2 and "not a count: 'x'" in proc.stderr
    assert "Traceback" not in proc.stderr
