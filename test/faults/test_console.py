"""The recovery console under hostile input, on a real tmux server with real shells and the real
OpenCode: a directory named like a tmux format, a resurrect directory others can write with a
planted snapshot, and names that break libtmux's pane listing. Nothing runs that the user did
not ask for; every conversation still comes back."""

from __future__ import annotations

import json
import os
import pathlib

import psutil
import pytest
from support import fixtures
from support.hostile import canaries
from support.lab import Lab, wait_for

pytestmark = [pytest.mark.clis]


def new_panes(lab: Lab, before: set[str]) -> set[str]:
    return set(lab.tmux("list-panes", "-a", "-F", "#{pane_id}").split()) - before


@pytest.mark.parametrize("split", [False, True])
def test_resume_into_a_directory_named_like_a_tmux_format(lab: Lab, split: bool) -> None:
    """``sessions resume`` (a new window, or ``--split``) opens the pane in the directory
    itself: ``#(touch CANARY)`` in its name is a name, not a command the server runs."""
    cwd = lab.home / "p#(touch CANARY)q;"
    cwd.mkdir()
    sid = fixtures.opencode_session(lab, cwd)
    caller = lab.start("s", lab.home, "true")
    before = set(lab.tmux("list-panes", "-a", "-F", "#{pane_id}").split())
    proc = lab.cli("sessions", "resume", sid, "--json", *(["--split"] if split else []),
                   extra_env={"TMUX_PANE": caller})
    row = json.loads(proc.stdout)["resume"]
    assert row["outcome"] == "resumed", (row, proc.stderr)
    (pane,) = new_panes(lab, before)
    assert lab.tmux("display-message", "-p", "-t", pane,
                    "#{pane_current_path}").rstrip("\n") == str(cwd)
    assert lab.argv_in_pane(pane, "opencode")[-2:] == ["-s", sid]
    assert canaries(lab) == []


def plant_snapshot(lab: Lab, sid: str, cwd: pathlib.Path) -> None:
    """A snapshot someone else could have written into a resurrect directory others can
    write: the conversation with a launcher and flags the user never used."""
    store = lab.resurrect_dir / "assistant-resurrect"
    store.mkdir(parents=True)
    save = lab.write_save_file("20260101T000000")
    (lab.resurrect_dir / "last").symlink_to(save.name)
    (store / "tmux_resurrect_20260101T000000.json").write_text(json.dumps({
        "format": "tmux-assistant-resurrect", "version": 1, "created_at": 1,
        "resurrect_file": save.name, "panes": [{
            "session_name": "gone", "window_index": 0, "pane_index": 0, "tool": "opencode",
            "cwd": str(cwd), "session_id": sid, "launcher": "opencode",
            "replay_args": ["--port", "4242", "--hostname", "0.0.0.0"],
            "env": {"PLANTED_BY": "someone else"}}]}))
    os.chmod(lab.resurrect_dir, 0o777)


def test_no_console_reader_trusts_a_snapshot_others_could_write(lab: Lab) -> None:
    """``sessions`` (and so the popup), ``sessions resume``, ``keep`` and ``restore`` all
    refuse the planted snapshot and say why; the conversation itself still resumes, with
    the flags of its own tool only."""
    cwd = lab.home / "w"
    cwd.mkdir()
    sid = fixtures.opencode_session(lab, cwd)
    plant_snapshot(lab, sid, cwd)

    listed = lab.cli("sessions", "--json")
    (row,) = [r for r in json.loads(listed.stdout)["sessions"] if r["session_id"] == sid]
    assert row["state"] == "orphaned" and "--port" not in row["resume_command"]
    assert "writable by others" in listed.stderr

    for command in ("keep", "restore"):
        refused = lab.cli(command, "--json", check=False)
        error = json.loads(refused.stdout)["error"]
        assert refused.returncode == 1 and error["kind"] == "untrusted-dir", refused.stdout
        assert "writable by others" in error["message"]

    before = set(lab.tmux("list-panes", "-a", "-F", "#{pane_id}").split())
    done = json.loads(lab.cli("sessions", "resume", sid, "--json").stdout)["resume"]
    assert done["outcome"] == "resumed"
    (pane,) = new_panes(lab, before)
    argv = lab.argv_in_pane(pane, "opencode")
    assert "--port" not in argv and argv[-2:] == ["-s", sid]
    assert "PLANTED_BY" not in psutil.Process(lab.argv_pid(pane, "opencode")).environ()


def test_a_pane_libtmux_cannot_list_is_still_typed_into(lab: Lab) -> None:
    """libtmux's pane lookup splits records on U+241E and lines (libtmux PR #752): a pane in a
    session named with it, or in a directory holding a newline, raised ValueError and got
    nothing typed. A restore resumes the saved pane of such a session, and ``sessions resume
    --pane`` types into the pane in such a directory (keys go to %id, no listing)."""
    lab.load_plugin()
    sid, _ = fixtures.start_opencode(lab, "sep\u241ename", "a")
    lab.resurrect_save()
    lab.kill_server()
    lab.start_server()
    lab.load_plugin()
    lab.resurrect_restore()
    assert lab.restore_outcomes()["sep\u241ename:0.0"]["outcome"] == "resumed"
    pane = lab.panes()[("sep\u241ename", 0, 0)]["pane_id"]
    assert wait_for(lambda: lab.argv_in_pane(pane, "opencode"), 30)[-2:] == ["-s", sid]

    odd = lab.home / "new\nline"
    odd.mkdir()
    idle = lab.new_pane("plain", odd)
    lab.wait_shell(idle)
    (lab.home / "b").mkdir()
    other = fixtures.opencode_session(lab, lab.home / "b")
    done = json.loads(lab.cli("sessions", "resume", other, "--pane", idle, "--json").stdout)
    assert done["resume"]["outcome"] == "resumed", done
    assert wait_for(lambda: lab.argv_in_pane(idle, "opencode"), 30)[-2:] == ["-s", other]


def test_save_from_the_command_line_in_a_fresh_home(lab: Lab) -> None:
    """``assistant-resurrect save`` before any hook made the state directory: the snapshot
    and the status-line file are written (the status write crashed after the snapshot)."""
    sid, _ = fixtures.start_opencode(lab, "w", "a")
    save = lab.write_save_file()
    (lab.resurrect_dir / "last").symlink_to(save.name)
    assert not lab.state_dir.exists()
    lab.cli("save")
    assert [p["session_id"] for p in lab.sidecar()["panes"]] == [sid]
    assert (lab.state_dir / "status").read_text().split()[1] == "1"
    assert oct(lab.state_dir.stat().st_mode & 0o777) == "0o700"


CONTROL = "\x07\x1b[2K\x1b]0;owned\x07\x9b31m\u202egnp.exe\u2066"


def test_nothing_from_a_store_drives_the_terminal(lab: Lab) -> None:
    """A title and a directory holding BEL, ESC sequences, a C1 CSI and bidi controls:
    ``sessions`` shows them as visible escapes, and its JSON (valid, the same values) holds
    them only as ``\\u`` escapes."""
    cwd = lab.home / f"dir{CONTROL}"
    cwd.mkdir()
    sid = fixtures.opencode_session(lab, cwd, title=f"hello {CONTROL} there")
    for args in (("sessions",), ("sessions", "--json")):
        out = lab.cli(*args).stdout
        assert not [c for c in out if not c.isprintable() and c != "\n"], (args, out)
        assert sid[:8] in out
    rows = json.loads(lab.cli("sessions", "--json").stdout)["sessions"]
    (row,) = [r for r in rows if r["session_id"] == sid]
    assert row["cwd"] == str(cwd) and row["title"] == f"hello {CONTROL} there"


def test_a_captured_value_that_lost_a_secret_is_not_replayed(lab: Lab) -> None:
    """``capture-env`` of a URL with ``user:password@``: saved redacted, and the restore leaves
    that variable to the shell (the outcome says so) instead of typing the broken value."""
    lab.tmux("set-option", "-g", "@assistant-resurrect-capture-env", "AR_TEST_URL")
    lab.load_plugin()
    cwd = lab.home / "a"
    cwd.mkdir()
    sid = fixtures.opencode_session(lab, cwd)
    pane = lab.start("w", cwd, f"AR_TEST_URL=https://bob:pw@h.example/ opencode -s {sid}")
    wait_for(lambda: lab.argv_in_pane(pane, "opencode"), 30, what="opencode")
    lab.resurrect_save()
    assert lab.sidecar()["panes"][0]["env"] == {"AR_TEST_URL": "https://<redacted>@h.example/"}
    lab.kill_server()
    lab.start_server()
    lab.tmux("set-option", "-g", "@assistant-resurrect-capture-env", "AR_TEST_URL")
    lab.load_plugin()
    lab.resurrect_restore()
    outcome = lab.restore_outcomes()["w:0.0"]["outcome"]
    assert outcome == ("resumed: AR_TEST_URL left to the shell's environment (the saved "
                       "value lost a secret)")
    restored = lab.panes()[("w", 0, 0)]["pane_id"]
    pid = wait_for(lambda: lab.argv_pid(restored, "opencode"), 30)
    assert "AR_TEST_URL" not in psutil.Process(pid).environ()
