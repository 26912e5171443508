"""Files we write or edit: resurrect's save file, the snapshot store, Claude settings, hooks."""

from __future__ import annotations

import json
import os
import pathlib
import stat
import subprocess
import sys
import typing as t

import pytest

from assistant_resurrect import _fs, install, resurrect, snapshot
from assistant_resurrect.assistants import ASSISTANTS
from assistant_resurrect.exc import SnapshotNotFoundError, StateFileError

REPO = pathlib.Path(__file__).resolve().parents[2]
LINE = "pane\ts\t1\t1\t:*\t0\ttitle\t:/tmp/a\\ b\t1\tclaude\t:claude --resume x\n"


def test_blank_commands_only_touches_assistant_panes(tmp_path: pathlib.Path) -> None:
    save = tmp_path / "tmux_resurrect_20260101T000000.txt"
    other = LINE.replace("\t0\ttitle", "\t1\ttitle").replace(":claude --resume x", ":vim f")
    save.write_text(LINE + other + "window\ts\t1\t:w\t1\t:*\tlayout\t:\nstate\ts\t\n")
    assert resurrect.blank_commands(save, {("s", 1, 0)}) == 1
    panes = resurrect.read_panes(save)
    assert [p.full_command for p in panes] == ["", "vim f"]
    assert panes[0].pane_current_path == "/tmp/a b"
    assert save.read_text().endswith("state\ts\t\n")


def test_resolve_dir_never_creates_the_legacy_directory(tmp_path: pathlib.Path) -> None:
    env = {"HOME": str(tmp_path)}
    assert resurrect.resolve_dir("", env) == tmp_path / ".local/share/tmux/resurrect"
    assert not (tmp_path / ".tmux").exists()
    (tmp_path / ".tmux/resurrect").mkdir(parents=True)
    assert resurrect.resolve_dir("", env) == tmp_path / ".tmux/resurrect"
    assert resurrect.resolve_dir("~/r", env) == tmp_path / "r"


def _snap(tmp_path: pathlib.Path, ts: str, panes: list[snapshot.PaneSession]) -> None:
    (tmp_path / f"tmux_resurrect_{ts}.txt").write_text(LINE)
    snapshot.write(snapshot.sidecar_path(tmp_path, f"tmux_resurrect_{ts}.txt"),
                   snapshot.Snapshot(panes))


def test_empty_autosave_never_displaces_the_last_good_snapshot(tmp_path: pathlib.Path) -> None:
    good = snapshot.PaneSession("s", 1, 0, "claude", "/tmp", session_id="abcd-1")
    _snap(tmp_path, "20260101T000000", [good])
    _snap(tmp_path, "20260101T001500", [])
    chosen = snapshot.for_save_file(tmp_path, tmp_path / "tmux_resurrect_20260101T001500.txt")
    assert [p.session_id for p in chosen.panes] == ["abcd-1"]
    assert chosen.path is not None
    assert stat.S_IMODE(os.stat(chosen.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(snapshot.store_dir(tmp_path)).st_mode) == 0o700
    (tmp_path / "tmux_resurrect_20260101T000000.txt").unlink()
    snapshot.purge(tmp_path)
    assert chosen.path.exists()  # the newest non-empty one survives pruning
    removed = snapshot.purge(tmp_path, older_than=0.0, now=2e9)
    assert [p.name for p in removed] == ["tmux_resurrect_20260101T001500.json"]
    assert chosen.path.exists()  # ... and any age limit


def test_purge_removes_orphans_only_and_keeps_archives_of_live_save_files(
        tmp_path: pathlib.Path) -> None:
    rec = snapshot.PaneSession("s", 1, 0, "claude", "/tmp", session_id="abcd-1")
    for ts in ("20260101T000000", "20260101T001500", "20260101T003000"):
        _snap(tmp_path, ts, [rec])
    store = snapshot.store_dir(tmp_path)
    archived = store / "tmux_resurrect_20260101T001500.1767225600.json"
    archived.write_text((store / "tmux_resurrect_20260101T001500.json").read_text())
    (tmp_path / "tmux_resurrect_20260101T000000.txt").unlink()  # resurrect dropped it
    assert [p.name for p in snapshot.purge(tmp_path, dry_run=True)] == [
        "tmux_resurrect_20260101T000000.json"]
    assert (store / "tmux_resurrect_20260101T000000.json").exists()
    snapshot.purge(tmp_path)
    assert [p.name for p in snapshot.list_snapshots(tmp_path)] == [
        archived.name, "tmux_resurrect_20260101T001500.json", "tmux_resurrect_20260101T003000.json"]


def test_corrupt_and_legacy_sidecars(tmp_path: pathlib.Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(StateFileError):
        snapshot.load(bad)
    with pytest.raises(SnapshotNotFoundError):
        snapshot.for_save_file(tmp_path, None)
    (tmp_path / "assistant-sessions.json").write_text(json.dumps({"sessions": [
        {"pane": "a:b:1.0", "tool": "codex", "session_id": "x-123", "cwd": "/t",
         "cli_args": "-m o3", "env": {"tmux_pane": "%1", "FOO": "1"}},
        {"pane": "broken"}]}))
    legacy = snapshot.for_save_file(tmp_path, None)
    assert legacy.panes[0].address == ("a:b", 1, 0)
    assert legacy.panes[0].replay_args == ["-m", "o3"] and legacy.panes[0].env == {"FOO": "1"}
    assert legacy.skipped_entries == 1


def _tracker(tool: str) -> t.Any:
    tracker = ASSISTANTS[tool].tracker()
    assert tracker is not None
    return tracker


def test_claude_settings_install_is_idempotent_and_keeps_other_hooks() -> None:
    tracker = _tracker("claude")
    settings = tracker.settings
    settings.parent.mkdir(parents=True)
    user_hook = {"matcher": "", "hooks": [{"type": "command", "command": "echo mine"}]}
    settings.write_text(json.dumps({"model": "opus", "hooks": {"SessionStart": [user_hook]}}))
    tracker.install("py /p/hooks/claude_session.py")
    tracker.install("py /p/hooks/claude_session.py")
    tracker.install("py /new/hooks/claude_session.py")  # moved plugin
    data = json.loads(settings.read_text())
    start = data["hooks"]["SessionStart"]
    assert start[0] == user_hook and data["model"] == "opus"
    commands = [h["command"] for g in start for h in g["hooks"]]
    assert commands == ["echo mine", "py /new/hooks/claude_session.py"]
    assert list(settings.parent.glob("settings.json.assistant-resurrect-*.bak"))
    tracker.uninstall()
    data = json.loads(settings.read_text())
    assert data["hooks"] == {"SessionStart": [user_hook]}


def test_claude_settings_with_invalid_json_is_left_untouched() -> None:
    tracker = _tracker("claude")
    tracker.settings.parent.mkdir(parents=True)
    tracker.settings.write_text('{"hooks": oops')
    with pytest.raises(StateFileError):
        tracker.install("py x/claude_session.py")
    assert tracker.settings.read_text() == '{"hooks": oops'


def test_opencode_link_never_replaces_a_users_file() -> None:
    tracker = _tracker("opencode")
    tracker.install("1.18.33")
    assert tracker.link.is_symlink()
    tracker.uninstall()
    tracker.link.write_text("mine")
    with pytest.raises(StateFileError):
        tracker.install(None)
    assert tracker.link.read_text() == "mine"


def test_opencode_2_gets_no_tracker_and_loses_ours() -> None:
    tracker = _tracker("opencode")
    tracker.install(None)  # not installed yet: linked for when it is
    assert tracker.link.is_symlink()
    said = tracker.install("2.0.1")
    assert "not linked" in said and not tracker.link.exists() and not tracker.link.is_symlink()
    tracker.install("1.18.33")
    assert tracker.link.is_symlink()


def test_install_all_skips_trackers_switched_off_and_goes_on_after_an_error() -> None:
    claude, opencode = _tracker("claude"), _tracker("opencode")
    claude.settings.parent.mkdir(parents=True)
    claude.settings.write_text("[1, 2]")  # not an object: refused, the others go on
    steps = {s.tool: s for s in install.install_all(off={"opencode"})}
    assert not steps["claude"].ok and "not a JSON object" in steps["claude"].text
    assert steps["opencode"].ok and not opencode.link.is_symlink()
    assert claude.settings.read_text() == "[1, 2]"


def run(args: list[str], stdin: str = "", env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, input=stdin, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(REPO / "src"), **(env or {})})


@pytest.mark.parametrize("hook", [["post-save-layout", "/nonexistent"], ["post-save-all"],
                                  ["nonsense", "x"]])
def test_hooks_print_nothing_and_succeed_without_tmux(hook: list[str]) -> None:
    proc = run([sys.executable, "-m", "assistant_resurrect", "hook", *hook])
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


def test_claude_hook_script_is_silent_and_writes_private_state(tmp_path: pathlib.Path) -> None:
    script = str(REPO / "hooks/claude_session.py")
    garbage = run([sys.executable, script, "--state-dir", str(tmp_path)], "not json",
                  {"CLAUDE_PID": "4242"})
    assert (garbage.returncode, garbage.stdout, garbage.stderr) == (0, "", "")
    payload = {"hook_event_name": "SessionStart", "session_id": "abc-123", "source": "clear"}
    ok = run([sys.executable, script, "--state-dir", str(tmp_path)], json.dumps(payload),
             {"CLAUDE_PID": "4242", "TMUX_PANE": "%7"})
    assert (ok.returncode, ok.stdout) == (0, "")
    state = tmp_path / "claude-4242.json"
    assert json.loads(state.read_text())["session_id"] == "abc-123"
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
    end = {"hook_event_name": "SessionEnd", "reason": "prompt_input_exit"}
    run([sys.executable, script, "--state-dir", str(tmp_path)], json.dumps(end),
        {"CLAUDE_PID": "4242"})
    assert not state.exists()


def test_the_trust_rule_refuses_what_others_could_have_planted(tmp_path: pathlib.Path) -> None:
    """:func:`_fs.require_trusted`: every directory from the top down to the file, and the
    file itself (a regular file of ours that others cannot write)."""
    from assistant_resurrect.exc import UntrustedDirError

    top = tmp_path / "resurrect"
    store = top / "assistant-resurrect"
    store.mkdir(parents=True)
    snap = store / "s.json"
    snap.write_text("{}")
    os.chmod(snap, 0o600)
    _fs.require_trusted(snap, top)
    _fs.require_trusted(store / "missing.json", top)  # nothing there: nothing to refuse
    for target, mode in ((top, 0o777), (store, 0o770), (snap, 0o666)):
        os.chmod(target, mode)
        with pytest.raises(UntrustedDirError, match="writable by others"):
            _fs.require_trusted(snap, top)
        os.chmod(target, 0o700 if target.is_dir() else 0o600)
    snap.unlink()
    snap.symlink_to(tmp_path / "elsewhere.json")
    with pytest.raises(UntrustedDirError, match="not a regular file"):
        _fs.require_trusted(snap, top)
