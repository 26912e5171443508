"""Shell quoting round-trips through a real shell; secrets never reach disk."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from assistant_resurrect import redact, shells
from assistant_resurrect.assistants import ASSISTANTS
from assistant_resurrect.procs import ProcessTable, ProcInfo
from assistant_resurrect.save import build_record, detect
from assistant_resurrect.tmux import PaneRecord

NASTY = ["it's", 'say "hi"', "[1m]", "*", "$HOME", "`id`", "a\nb", "!x", "back\\slash", " "]


@pytest.mark.parametrize("value", NASTY)
def test_posix_quote_round_trips_through_bash(value: str) -> None:
    out = subprocess.run(["bash", "-c", f"printf %s {shells.quote(value, shells.Shell.POSIX)}"],
                         capture_output=True, text=True, check=True).stdout
    assert out == value


SHELL_ECHO = {  # how each real shell prints its one argument back, byte for byte
    "zsh": (shells.Shell.POSIX, ["zsh", "-f", "-c"], "printf %s {}"),
    "fish": (shells.Shell.FISH, ["fish", "--no-config", "-c"], "printf %s {}"),
    "tcsh": (shells.Shell.CSH, ["tcsh", "-f", "-c"], "printf %s {}"),
}


@pytest.mark.parametrize("shell", list(SHELL_ECHO))
@pytest.mark.parametrize("value", NASTY)
def test_quote_round_trips_through_each_real_shell(shell: str, value: str) -> None:
    family, argv, template = SHELL_ECHO[shell]
    if shutil.which(argv[0]) is None:
        pytest.fail(f"{argv[0]} is not installed (.ci/run installs zsh, fish and tcsh)")
    if family is shells.Shell.CSH and "\n" in value:
        with pytest.raises(shells.UnquotableError):
            shells.quote(value, family)
        return
    script = template.format(shells.quote(value, family))
    out = subprocess.run([*argv, script], capture_output=True, text=True, check=True).stdout
    assert out == value


def test_csh_refuses_newlines_and_escapes_bang() -> None:
    with pytest.raises(shells.UnquotableError):
        shells.quote("a\nb", shells.Shell.CSH)
    assert shells.quote("a!b", shells.Shell.CSH) == "'a\\!b'"


def test_command_bypasses_aliases_in_each_shell() -> None:
    for shell, start in ((shells.Shell.POSIX, "command claude"), (shells.Shell.FISH,
                         "command claude"), (shells.Shell.CSH, "\\env claude")):
        assert start in shells.command_line(["claude", "-r", "x"], shell, {}, None)


def test_canary_secrets_are_redacted_from_the_record() -> None:
    canary = "sk-CANARY-0123456789"
    argv = ["claude", "--api-key", canary, f"--token={canary}", "--mcp-config",
            json.dumps({"servers": {"x": {"env": {"API_KEY": canary}}}}),
            "--add-dir", f"https://me:{canary}@example.com/repo", "--model", "m"]
    proc = ProcInfo(11, 10, "claude", 1.0, cmdline=argv, exe="/bin/claude", cwd="/w")
    table = ProcessTable([ProcInfo(10, 1, "bash", 1.0, cmdline=["bash"], exe="/bin/bash"),
                          proc])
    pane = PaneRecord("%1", 10, "/dev/pts/1", "s", 0, 0, "$1", "claude", "/w", "t")
    det = detect([pane], table)[0]
    det.found.env.update({"ANTHROPIC_API_KEY": canary, "MY_SECRET": canary, "MODE": "x"})
    rec = build_record(det, None, [], ["ANTHROPIC_API_KEY", "MY_SECRET", "MODE"], [])
    dumped = json.dumps(rec._asdict())
    assert canary not in dumped
    assert rec.env["MODE"] == "x" and rec.env["MY_SECRET"] == redact.REDACTED
    assert rec.replay_args[-2:] == ["--model", "m"]


def test_restriction_holding_a_secret_refuses_relaunch() -> None:
    tool = ASSISTANTS["claude"]
    argv = ["claude", "--settings", json.dumps({"env": {"GITHUB_TOKEN": "ghp_x"}})]
    table = ProcessTable([ProcInfo(10, 1, "bash", 1.0, cmdline=["bash"], exe="/bin/bash"),
                          ProcInfo(11, 10, "claude", 1.0, cmdline=argv, exe="/bin/claude")])
    pane = PaneRecord("%1", 10, "/dev/pts/1", "s", 0, 0, "$1", "claude", "/w", "t")
    rec = build_record(detect([pane], table)[0], None, [], [], [])
    assert rec.refused and "--settings" in rec.refused and tool.name == rec.tool


@pytest.mark.parametrize("shell", list(shells.Shell))
def test_logged_command_masks_env_values_in_every_shell(shell: shells.Shell) -> None:
    from assistant_resurrect.restore import resume_command
    from assistant_resurrect.snapshot import PaneSession

    rec = PaneSession("s", 0, 0, "opencode", "/w", "ses_abcdef", launcher="opencode",
                      env={"ALLOWED_TOKEN": "it's v@lue!", "GONE": redact.REDACTED})
    typed = resume_command(rec, shell)
    logged = resume_command(rec, shell, masked=True)
    assert "v@lue" in typed and "v@lue" not in logged and "***" in logged
    assert "GONE" not in typed  # redacted values are never replayed
