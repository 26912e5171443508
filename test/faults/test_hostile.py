"""Hostile values in every input, through the real hook strings and CLI in a real tmux with the
real OpenCode: pane directories, session names, sidecars, resurrect save files, tracker
files and options. Nothing is forged, nothing crashes, every bad item is skipped and logged."""

from __future__ import annotations

import json
import os
import time
import typing as t

import pytest
from support.faultlab import FaultLab
from support.lab import wait_for

TS = "20260101T000000"


def _plan(lab: FaultLab) -> list[dict[str, t.Any]]:
    return t.cast(list[dict[str, t.Any]], json.loads(lab.cli("restore", "--json").stdout)[
        "panes"])


def test_a_newline_in_a_pane_directory_cannot_forge_options(clean: FaultLab) -> None:
    evil = clean.home / ("evil\n@assistant-resurrect-capture-env HOME PATH"
                         "\n@assistant-resurrect-keep-days 0.00001")
    evil.mkdir()
    pane = clean.new_pane("evil", evil)
    try:
        old = clean.resurrect_save("20250101T000000")  # an older good snapshot
        old_sidecar = clean.store() / (old.stem + ".json")
        os.utime(old_sidecar, (time.time() - 3600, time.time() - 3600))
        clean.tmux("rename-window", "-t", "work:0", "renamed")
        clean.resurrect_save(TS)
        clean.tmux("rename-window", "-t", "work:0", "bash")
        assert clean.sidecar()["panes"][0]["env"] == {}  # capture-env was not forged
        assert old_sidecar.exists()  # keep-days was not forged
    finally:
        clean.tmux("kill-pane", "-t", pane)


@pytest.mark.parametrize("name", ["wo\u241erk", "tab\there", "semi;colon $(x) #{pane_id}"])
def test_a_session_name_holding_separators_is_saved_and_planned(clean: FaultLab,
                                                                name: str) -> None:
    clean.tmux("rename-session", "-t", "=work", name)
    try:
        shown = clean.tmux("display-message", "-p", "-t", clean.opencode_pane,
                           "#{session_name}").rstrip("\n")
        clean.resurrect_save(TS)
        assert [p["session_name"] for p in clean.sidecar()["panes"]] == [shown]
        assert [(p["session_name"], p["state"]) for p in _plan(clean)] == [
            (shown, "already-running")]
    finally:
        clean.tmux("rename-session", "-t", clean.opencode_pane, "work")


def test_a_pane_title_holding_the_old_separator_does_not_hide_the_pane(clean: FaultLab) -> None:
    clean.tmux("select-pane", "-t", clean.opencode_pane, "-T", "ti\u241etle")
    clean.resurrect_save(TS)
    assert len(clean.sidecar()["panes"]) == 1


GOOD = {"session_name": "work", "window_index": 0, "pane_index": 0, "tool": "opencode",
        "cwd": "/", "session_id": "ses_abcdefgh1234"}
BAD_ENTRIES = {
    "session id is a list": {**GOOD, "session_id": ["ses_x"], "pane_index": 1},
    "env value is an int": {**GOOD, "env": {"A": 1}, "pane_index": 1},
    "window index is a string": {**GOOD, "window_index": "0", "pane_index": 1},
    "argv holds a number": {**GOOD, "argv": ["opencode", 3], "pane_index": 1},
    "session id is an option": {**GOOD, "session_id": "--dangerously-skip", "pane_index": 1},
    "entry is a string": "pane",
    "required field missing": {"tool": "opencode"},
}


@pytest.mark.parametrize("bad", list(BAD_ENTRIES))
def test_one_bad_sidecar_entry_is_skipped_and_logged(clean: FaultLab, bad: str) -> None:
    save_file = clean.resurrect_save(TS)
    sidecar = clean.store() / (save_file.stem + ".json")
    data = json.loads(sidecar.read_text())
    data["panes"].append(BAD_ENTRIES[bad])
    sidecar.write_text(json.dumps(data))
    plan = _plan(clean)
    assert [(p["pane"], p["state"]) for p in plan] == [("work:0.0", "already-running")]
    assert "skipped pane entry 1" in clean.cli("--log-level", "INFO", "history").stderr
    history = json.loads(clean.cli("history", "--json").stdout)["snapshots"]
    assert [h["tools"] for h in history] == [{"opencode": 1}]


BAD_FILES = {
    "nested 100000 deep": "[" * 100_000 + "]" * 100_000,
    "a 5000-digit integer": '{"format": "tmux-assistant-resurrect", "version": 1, "panes": [], '
                            '"created_at": ' + "9" * 5000 + "}",
    "panes is an object": '{"format": "tmux-assistant-resurrect", "version": 1, "panes": {}}',
    "created_at is a string": '{"format": "tmux-assistant-resurrect", "version": 1, '
                              '"created_at": "yesterday", "panes": []}',
    "created_at past year 9999": '{"format": "tmux-assistant-resurrect", "version": 1, '
                                 '"created_at": 1800000000000000, "panes": []}',
    "not UTF-8": b"\xff\xfe{",
    "unknown version": '{"format": "tmux-assistant-resurrect", "version": 99, "panes": []}',
}


@pytest.mark.parametrize("bad", list(BAD_FILES))
def test_a_bad_sidecar_file_never_stops_plan_history_or_save(clean: FaultLab, bad: str) -> None:
    good = clean.resurrect_save(TS)
    content = BAD_FILES[bad]
    broken = clean.store() / "tmux_resurrect_20260101T000500.json"
    (clean.resurrect_dir / "tmux_resurrect_20260101T000500.txt").write_bytes(good.read_bytes())
    broken.write_bytes(content if isinstance(content, bytes) else content.encode())
    assert [p["state"] for p in _plan(clean)] == ["already-running"]
    clean.point_last(clean.resurrect_dir / "tmux_resurrect_20260101T000500.txt")
    assert [p["state"] for p in _plan(clean)] == ["already-running"]  # fell back to `good`
    assert clean.cli("history", "--json").returncode == 0
    clean.tmux("rename-window", "-t", "work:0", "renamed")
    clean.resurrect_save("20260101T001000")  # its purge reads every sidecar it must
    clean.tmux("rename-window", "-t", "work:0", "bash")
    assert "Traceback" not in clean.log()


def test_save_file_edit_keeps_every_other_byte(clean: FaultLab) -> None:
    save_file = clean.write_save_file(TS)
    hostile = (b"pane\tother\t1\t0\t:\t0\t\xff\xfetitle\r\n\t:/tmp/\xc3(\t1\tbash\t:vim \xff\n"
               b"window\tother\t1\t:w\r\x1b[2J\t0\t:\tlayout\t:\n"
               b"garbage line with \x00 nul and no tabs\n"
               b"pane\ttoo\tmany\tfields\t1\t2\t3\t4\t5\t6\t7\t8\n")
    original = save_file.read_bytes()
    save_file.write_bytes(original + hostile + b"state\tno-final-newline")
    before = save_file.read_bytes()
    clean.hook("post-save-layout", str(save_file))
    after = save_file.read_bytes()
    assert after != before and after.endswith(hostile + b"state\tno-final-newline")
    changed = [(a, b) for a, b in zip(before.split(b"\n"), after.split(b"\n"), strict=True)
               if a != b]
    assert len(changed) == 1 and changed[0][1].split(b"\t")[10] == b":"


TRACKER_CONTENTS = {
    "session id runs a command": '{"session_id": "$(touch PWNED)"}',
    "session id is a list": '{"session_id": ["ses_1"]}',
    "nested 100000 deep": "[" * 100_000 + "]" * 100_000,
    "20 MB of JSON": '{"session_id": "' + "a" * 20_000_000 + '"}',
}


@pytest.mark.parametrize("content", list(TRACKER_CONTENTS))
def test_a_hostile_tracker_file_is_ignored(clean: FaultLab, content: str) -> None:
    pid = clean.argv_pid(clean.opencode_pane, "opencode")
    (clean.state_dir / f"opencode-{pid}.json").write_text(TRACKER_CONTENTS[content])
    clean.resurrect_save(TS)
    pane = clean.sidecar()["panes"][0]
    assert (pane["session_id"], pane["session_source"]) == (clean.opencode_id, "opencode:argv")
    assert not (clean.home / "PWNED").exists()


BAD_OPTIONS = {"client-wait": "inf", "verify-seconds": "nan", "max-parallel": "-1",
               "keep-days": "1e400", "stagger": "soon"}


@pytest.mark.parametrize("option", list(BAD_OPTIONS))
def test_a_garbage_option_value_falls_back_to_its_default(clean: FaultLab, option: str) -> None:
    clean.tmux("set-option", "-g", f"@assistant-resurrect-{option}", BAD_OPTIONS[option])
    try:
        clean.resurrect_save(TS)
        assert len(clean.sidecar()["panes"]) == 1
        assert f"@assistant-resurrect-{option} is {BAD_OPTIONS[option]!r}" in clean.log()
        assert [p["state"] for p in _plan(clean)] == ["already-running"]
    finally:
        clean.tmux("set-option", "-gu", f"@assistant-resurrect-{option}")


def test_hostile_capture_env_names_are_dropped(clean: FaultLab) -> None:
    clean.tmux("set-option", "-g", "@assistant-resurrect-capture-env",
               "LANG X=1;touch${IFS}PWNED 1BAD $(id)")
    try:
        clean.resurrect_save(TS)
        assert clean.sidecar()["panes"][0]["env"] == {"LANG": "C.UTF-8"}
    finally:
        clean.tmux("set-option", "-gu", "@assistant-resurrect-capture-env")


def test_hostile_sidecar_values_never_reach_a_typed_line(clean: FaultLab) -> None:
    """A saved OpenCode pane with a hostile launcher, env names and values and directory: the
    plan types the tool's own name, drops the bad env name, encodes control characters."""
    cwd = clean.home / "repo\x15touch PWNED #"
    cwd.mkdir(exist_ok=True)
    clean.wait_shell(clean.new_pane("spare", cwd))
    save_file = clean.resurrect_save(TS)
    sidecar = clean.store() / (save_file.stem + ".json")
    data = json.loads(sidecar.read_text())
    data["panes"].append({**GOOD, "session_name": "spare", "cwd": str(cwd),
                          "session_id": "ses_notlivenotlive1", "launcher": "/bin/sh",
                          "env": {"X=1; touch PWNED; Y": "v", "OK": "a\x15b"}})
    sidecar.write_text(json.dumps(data))
    clean.tmux("set-option", "-g", "@assistant-resurrect-missing-session", "fresh")
    try:
        row = {p["pane"]: p for p in _plan(clean)}["spare:0.0"]
        assert row["state"] == "ready", row
        assert row["command"].endswith("/repo$'\\x15''touch PWNED #' && OK=a$'\\x15'b "
                                       "command opencode")
        assert all(c.isprintable() for c in row["command"])
    finally:
        clean.tmux("set-option", "-gu", "@assistant-resurrect-missing-session")
        clean.tmux("kill-session", "-t", "=spare")
    assert not (clean.home / "PWNED").exists()


def test_a_directory_with_a_control_character_is_unquotable_in_tcsh(clean: FaultLab) -> None:
    cwd = clean.home / "repo\x15touch PWNED #"
    cwd.mkdir(exist_ok=True)
    clean.tmux("new-session", "-d", "-s", "csh", "-c", str(cwd), "exec tcsh -f")
    try:
        wait_for(lambda: clean.tmux("display-message", "-p", "-t", "=csh:",
                                    "#{pane_current_command}").strip() in ("tcsh", "csh"), 20)
        save_file = clean.resurrect_save(TS)
        sidecar = clean.store() / (save_file.stem + ".json")
        data = json.loads(sidecar.read_text())
        data["panes"].append({**GOOD, "session_name": "csh", "cwd": str(cwd),
                              "session_id": "ses_notlivenotlive1"})
        sidecar.write_text(json.dumps(data))
        clean.tmux("set-option", "-g", "@assistant-resurrect-missing-session", "fresh")
        row = {p["pane"]: p for p in _plan(clean)}["csh:0.0"]
        assert (row["state"], row["command"]) == ("unquotable", None)
        assert "U+0015" in row["reason"]
    finally:
        clean.tmux("set-option", "-gu", "@assistant-resurrect-missing-session")
        clean.tmux("kill-session", "-t", "=csh")
