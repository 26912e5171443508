"""Shell quoting round-trips through a real shell; secrets never reach disk."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.shell_echo import SHELL_ECHO, echo_through

from assistant_resurrect import redact, shells
from assistant_resurrect.assistants import ASSISTANTS
from assistant_resurrect.detect import detect
from assistant_resurrect.exc import UnquotableError
from assistant_resurrect.procs import ProcessTable, ProcInfo
from assistant_resurrect.save import build_record
from assistant_resurrect.tmux import PaneRecord

# printable metacharacters, then everything a line editor acts on: C0 (Ctrl-U kills the line,
# Ctrl-M submits it), DEL, C1 (U+009B is CSI), format characters, non-UTF-8 bytes
NASTY = ["it's", 'say "hi"', "[1m]", "*", "$HOME", "`id`", "!x", "back\\slash", " ", "",
         "a\nb", "repo\x15touch X #", "tab\there", "\x1b[31mred", "del\x7f", "csi\u009b2J",
         "rtl\u202egpj.exe", "nb\u00a0sp", "not-utf8-\udcff\udcfe", "e\u0301", "日本",
         "=ls", "~root", "a=b"]
@pytest.mark.parametrize("shell", list(SHELL_ECHO))
@pytest.mark.parametrize("value", NASTY)
def test_quote_round_trips_through_each_real_shell_or_refuses(shell: str, value: str) -> None:
    family = SHELL_ECHO[shell][0]
    back = echo_through(shell, [value])
    if back is None:  # only sh and csh refuse, and only for what they cannot type inertly
        assert family in (shells.Shell.POSIX, shells.Shell.CSH)
        assert not all(shells.is_typable(c) for c in value)
    else:
        assert back == [value]


@pytest.mark.parametrize("shell", list(SHELL_ECHO))
@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.text(alphabet=st.characters(
    min_codepoint=1, blacklist_categories=("Cs",)) | st.sampled_from(
    [chr(c) for c in range(0xDC80, 0xDD00)]), max_size=12), min_size=1, max_size=4))
def test_any_string_round_trips_or_is_refused(shell: str, values: list[str]) -> None:
    back = echo_through(shell, values)
    assert back is None or back == values


def test_csh_and_sh_refuse_control_characters_and_csh_escapes_bang() -> None:
    for family in (shells.Shell.CSH, shells.Shell.POSIX):
        with pytest.raises(UnquotableError):
            shells.quote("a\nb", family)
    assert shells.quote("a!b", shells.Shell.CSH) == "'a\\!b'"
    with pytest.raises(UnquotableError):
        shells.quote("nul\0", shells.Shell.BASH)
    with pytest.raises(UnquotableError):
        shells.quote("lone \ud800", shells.Shell.BASH)


def test_hostile_env_names_are_dropped() -> None:
    line = shells.command_line(["opencode"], shells.Shell.BASH,
                               {"X=1; touch PWNED; Y": "v", "GOOD_NAME": "ok", "1BAD": "x"}, None)
    assert line == "GOOD_NAME=ok command opencode"


def test_command_bypasses_aliases_in_each_shell() -> None:
    for shell, start in ((shells.Shell.BASH, "command claude"), (shells.Shell.FISH,
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


LEAKS = [  # (text, the secret that must not survive)
    ("HF hf_" + "a" * 34, "a" * 34),
    ("stripe sk_live_" + "Ab1" * 8, "Ab1" * 8),
    ("groq gsk_" + "x9" * 26, "x9" * 26),
    ("xai-" + "Q" * 80, "Q" * 80),
    ("//registry/:_authToken=npm_" + "z" * 36, "z" * 36),
    ("npm_" + "k" * 36, "k" * 36),
    ("ya29.a0AfH6SMB" + "c" * 40, "c" * 40),
    ("id ASIA" + "Y" * 16, "Y" * 16),
    ("aws wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY ok",
     "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    ("aws wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY12 ok", "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY12"),
    ("http://bob:p/ss@proxy:3128", "p/ss"),
    ("https://user:p@ss@h.example/x", "ss@h"),
    ("https://user:p@ss@h.example/x", "p@ss"),
    ("srv --token s3cr3tvalue --port 1", "s3cr3tvalue"),
    ('MCP=x {"args": ["--auth-token", "tok-12345678"]} y', "tok-12345678"),
    ("cfg=['--api-key', 'abc123'] ok", "abc123"),
    ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA\n"
     "-----END OPENSSH PRIVATE KEY-----", "b3BlbnNzaC1rZXktdjEAAAA"),
]


@pytest.mark.parametrize(("text", "secret"), LEAKS)
def test_secrets_of_every_shape_are_redacted(text: str, secret: str) -> None:
    assert secret not in redact.redact_text(text)


def test_an_argv_inside_json_loses_the_value_after_a_credential_flag() -> None:
    config = json.dumps({"mcpServers": {"x": {"command": "srv", "args": [
        "--token", "tok-123456", "--port", "8080", "--api-key=abc"]}}})
    cleaned = redact.redact_text(config)
    assert "tok-123456" not in cleaned and "abc" not in cleaned and "8080" in cleaned


def test_a_credential_flag_of_any_name_is_never_saved() -> None:
    """Qwen's --openai-api-key (the old rule matched --api* only), in both spellings."""
    canary = "CANARY-openai-0123456789"
    argv = ["qwen", "--openai-api-key", canary, f"--openai-api-key={canary}", "--auth-type",
            "openai", "-m", "m"]
    proc = ProcInfo(11, 10, "qwen", 1.0, cmdline=argv, exe="/bin/qwen", cwd="/w")
    table = ProcessTable([ProcInfo(10, 1, "bash", 1.0, cmdline=["bash"], exe="/bin/bash"),
                          proc])
    pane = PaneRecord("%1", 10, "/dev/pts/1", "s", 0, 0, "$1", "qwen", "/w", "t")
    rec = build_record(detect([pane], table)[0], None, [], [], [])
    assert canary not in json.dumps(rec._asdict())
    assert rec.replay_args == ["--auth-type", "openai", "-m", "m"]


NOT_SECRETS = ["/home/user/projects/tmux-assistant-resurrect", "claude-sonnet-4-5-20250929",
               "https://registry.npmjs.org/@scope/pkg", "git@github.com:org/repo.git",
               "0123456789abcdef0123456789abcdef01234567",  # a git commit
               "/Users/Me/Projects/AppTwo/src/Components/Widget", "--model opus --max-turns 5",
               "ses_2a1b3c4d5e6f", "019a2b3c-4d5e-7f80-9a1b-2c3d4e5f6a7b"]


@pytest.mark.parametrize("text", NOT_SECRETS)
def test_ordinary_values_are_left_as_they_are(text: str) -> None:
    assert redact.redact_text(text) == text


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_every_listed_token_shape_is_redacted_wherever_it_stands(data: st.DataObject) -> None:
    """A sample of each issuer's format, generated from its own pattern, inside prose."""
    for provider, pattern in redact.TOKEN_SHAPES[:-1]:
        token = data.draw(st.from_regex(pattern, fullmatch=True), label=provider)
        assert token not in redact.redact_shapes(f"use {token} now"), provider
