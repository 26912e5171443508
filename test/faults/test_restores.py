"""Restores and setup under faults, through the real hook strings: every failure of the worker
is in the log, one pane's failure never stops another, a save never waits on a restore, a save
missed while the venv was being built is caught up, untrusted directories are refused, and a
killed Claude settings install leaves the file whole."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import time

import pytest
from support import fixtures
from support.faultlab import FAULTY_PYTHON, FaultLab
from support.lab import REPO, wait_for

TS = "20260101T000000"


def _worker(lab: FaultLab, timeout: float = 90) -> str:
    """Fire post-restore-all as resurrect does and wait for the detached worker's last word."""
    log = lab.state_dir / "restore.log"
    before = log.read_text() if log.exists() else ""
    lab.hook("post-restore-all")
    wait_for(lambda: any(w in lab.log("restore.log")[len(before):] for w in (
        "assistant-resurrect: resumed", "nothing to restore", "restore failed",
        "could not start", "could not run")), timeout, 0.3, "the restore worker")
    time.sleep(0.3)
    return lab.log("restore.log")[len(before):]


def _save_with_spares(lab: FaultLab, *names: str) -> dict[str, tuple[str, str]]:
    """A save of the layout plus, per name, a pane (own tmux session) at an idle shell whose
    saved OpenCode session is not running: {name: (session id, pane id)}."""
    spares = {}
    for name in names:
        cwd = lab.home / name
        cwd.mkdir(exist_ok=True)
        pane = lab.new_pane(name, cwd)
        spares[name] = (fixtures.opencode_session(lab, cwd), pane, cwd)
        lab.wait_shell(pane)
    save_file = lab.resurrect_save(TS)
    sidecar = lab.store() / (save_file.stem + ".json")
    data = json.loads(sidecar.read_text())
    data["panes"] += [{"session_name": name, "window_index": 0, "pane_index": 0,
                       "tool": "opencode", "cwd": str(cwd), "session_id": sid,
                       "launcher": "opencode"} for name, (sid, _, cwd) in spares.items()]
    sidecar.write_text(json.dumps(data))
    return {name: (sid, pane) for name, (sid, pane, _) in spares.items()}


def test_a_restore_with_nothing_saved_says_so(clean: FaultLab) -> None:
    assert "nothing to restore" in _worker(clean)


def test_a_hook_line_from_before_the_worker_entry_point_still_restores(clean: FaultLab
                                                                      ) -> None:
    """``restore --execute --hook`` (the line an older plugin.tmux set) runs the worker."""
    before = clean.log("restore.log")
    socket = clean.tmux("display-message", "-p", "#{socket_path}").strip()
    in_tmux = {"TMUX": f"{socket},1,0"}  # resurrect runs its hooks inside the tmux server
    assert clean.cli("restore", "--execute", "--hook", extra_env=in_tmux).returncode == 0
    assert "nothing to restore" in clean.log("restore.log")[len(before):]


def test_a_worker_that_cannot_start_logs_the_traceback(clean: FaultLab) -> None:
    clean.resurrect_save(TS)
    clean.arm("errno:open:EACCES:1")  # its first file, the log itself, cannot be opened
    try:
        log = _worker(clean)
    finally:
        clean.arm("")
    assert "restore could not start" in log and "Traceback" in log
    assert "PermissionError" in log


def test_missing_libtmux_fails_each_pane_visibly_and_the_worker_exits_0(clean: FaultLab
                                                                        ) -> None:
    _save_with_spares(clean, "nolib")
    clean.arm("no-module:libtmux")
    try:
        log = _worker(clean)
    finally:
        clean.arm("")
        clean.tmux("kill-session", "-t", "=nolib")
    assert "ModuleNotFoundError" in log and "Traceback" in log
    outcomes = clean.restore_outcomes()
    assert outcomes["nolib:0.0"]["outcome"].startswith("failed: internal error")
    assert outcomes["work:0.0"]["state"] == "already-running"


def test_one_pane_closing_mid_restore_never_stops_the_others(clean: FaultLab) -> None:
    ids = _save_with_spares(clean, "keep", "gone")
    clean.tmux("set-option", "-g", "@assistant-resurrect-client-wait", "4")
    try:
        clean.hook("post-restore-all")
        time.sleep(1.0)  # the worker waits for a client; the person closes one pane
        clean.tmux("kill-session", "-t", "=gone")
        wait_for(lambda: "assistant-resurrect: resumed" in clean.log("restore.log"), 90, 0.5)
        outcomes = clean.restore_outcomes()
        assert outcomes["keep:0.0"]["outcome"] == "resumed"
        assert outcomes["gone:0.0"]["outcome"].startswith(("skipped: pane-busy (pane changed",
                                                           "failed"))
        argv = clean.argv_in_pane(ids["keep"][1], "opencode")
        assert argv and argv[-2:] == ["-s", ids["keep"][0]]
    finally:
        clean.tmux("set-option", "-gu", "@assistant-resurrect-client-wait")
        clean.tmux("kill-session", "-t", "=keep", check=False)


def test_a_save_during_a_restore_does_not_wait(clean: FaultLab) -> None:
    _save_with_spares(clean, "slow")
    clean.tmux("set-option", "-g", "@assistant-resurrect-client-wait", "8")
    try:
        clean.hook("post-restore-all")
        wait_for(lambda: "restoring" in clean.log("restore.log"), 30, what="the worker")
        clean.tmux("rename-window", "-t", "work:0", "renamed")
        started = time.monotonic()
        save_file = clean.resurrect_save("20260101T000500")
        took = time.monotonic() - started
        clean.tmux("rename-window", "-t", "work:0", "bash")
        assert "assistant-resurrect: resumed" not in clean.log("restore.log"), "not waiting"
        assert took < 10, f"the save waited {took:.1f}s"  # the old lock held it 15 s
        assert [p["session_id"] for p in clean.sidecar_for(save_file)["panes"]] == [
            clean.opencode_id]
        assert "lock stayed busy" not in clean.log()
    finally:
        clean.tmux("set-option", "-gu", "@assistant-resurrect-client-wait")
        wait_for(lambda: "assistant-resurrect: resumed" in clean.log("restore.log"), 90, 0.5)
        clean.tmux("kill-session", "-t", "=slow")


@pytest.mark.parametrize(("error", "method"), [("AccessDenied", "cmdline"),
                                                ("AccessDenied", "environ"),
                                                ("NoSuchProcess", "cwd"),
                                                ("ZombieProcess", "exe")])
def test_processes_that_deny_or_vanish_mid_walk_are_skipped(clean: FaultLab, error: str,
                                                            method: str) -> None:
    clean.arm(f"psutil:{error}:{method}:opencode")
    try:
        clean.resurrect_save(TS)
    finally:
        clean.arm("")
    assert "Traceback" not in clean.log()
    panes = clean.sidecar()["panes"]
    if method == "cmdline":
        assert panes == []  # an unreadable argv cannot be told apart from any program
    else:
        assert [p["session_id"] for p in panes] == [clean.opencode_id]


def test_a_save_while_the_venv_is_being_built_is_caught_up(clean: FaultLab) -> None:
    clean.tmux("set-option", "-g", "@assistant-resurrect-python", str(clean.root / "no-venv"))
    clean.load_plugin()
    try:
        started = time.time() - 1
        save_file = clean.resurrect_save(TS)
        assert "post-save-layout: could not run" in clean.log()
        assert not (clean.store() / (save_file.stem + ".json")).exists()
        assert (clean.state_dir / "save-missed").exists()
    finally:
        clean.tmux("set-option", "-g", "@assistant-resurrect-python", str(FAULTY_PYTHON))
        clean.load_plugin()
    clean.tmux("run-shell", f"PYTHONPATH={REPO / 'src'} {sys.executable} -m assistant_resurrect "
               f"hook catch-up {started}")  # what scripts/bootstrap.sh runs when it is done
    assert [p["session_id"] for p in clean.sidecar_for(save_file)["panes"]] == [
        clean.opencode_id]
    assert "setup finished" in clean.log()
    assert not (clean.state_dir / "save-missed").exists()


@pytest.mark.parametrize("where", ["resurrect dir", "state dir"])
def test_a_directory_others_can_write_is_refused(clean: FaultLab, where: str) -> None:
    save_file = clean.resurrect_save(TS)
    directory = clean.resurrect_dir if where == "resurrect dir" else clean.state_dir
    directory.chmod(0o777)
    try:
        plan = clean.cli("restore", "--json", check=False)
        error = json.loads(plan.stdout)["error"]
        assert plan.returncode == 1 and error["kind"] == "untrusted-dir"
        assert "writable by others" in error["message"]
        assert "writable by others" in _worker(clean)
        before = (clean.store() / (save_file.stem + ".json")).read_bytes()
        clean.hook("post-save-layout", str(save_file))
        assert (clean.store() / (save_file.stem + ".json")).read_bytes() == before
        assert "writable by others" in clean.log()
    finally:
        directory.chmod(0o700 if where == "state dir" else 0o755)


@pytest.mark.parametrize("where", ["last-restore.json", "restore.log", "claim"])
def test_a_symlink_planted_where_a_restore_writes_is_never_followed(clean: FaultLab,
                                                                    where: str) -> None:
    sid, _ = _save_with_spares(clean, "linked")["linked"]
    victim = clean.root / "victim"
    victim.write_bytes(b"keep me\n")
    link = {"last-restore.json": clean.state_dir / "last-restore.json",
            "restore.log": clean.state_dir / "restore.log",
            "claim": clean.state_dir / "claims" / f"opencode-{sid}"}[where]
    link.parent.mkdir(exist_ok=True, mode=0o700)
    link.unlink(missing_ok=True)
    link.symlink_to(victim)
    os.utime(victim, (time.time() - 600, time.time() - 600), follow_symlinks=True)
    try:
        _worker(clean)
    finally:
        clean.tmux("kill-session", "-t", "=linked")
    assert victim.read_bytes() == b"keep me\n"
    assert not link.is_symlink() or where == "claim"  # an expired claim link is removed


CLAUDE_STEPS = [("open", 1, "the temp file"), ("fsync", 1, "the temp file's data"),
                ("replace", 1, "the rename over settings.json")]


@pytest.mark.parametrize(("call", "n", "step"), CLAUDE_STEPS, ids=[s[2] for s in CLAUDE_STEPS])
def test_kill_9_during_the_claude_settings_install_leaves_it_whole(
        tmp_path: pathlib.Path, call: str, n: int, step: str) -> None:
    settings = tmp_path / ".claude" / "settings.json"
    settings.parent.mkdir()
    original = json.dumps({"model": "opus", "hooks": {"Stop": [{"hooks": [
        {"type": "command", "command": "say done"}]}]}}, indent=1)
    settings.write_text(original)
    env = {"HOME": str(tmp_path), "PATH": os.environ["PATH"], "AR_REAL_PYTHON": sys.executable,
           "PYTHONPATH": str(REPO / "src"),
           "ASSISTANT_RESURRECT_STATE_DIR": str(tmp_path / "state"), "AR_FAULT": f"kill:{call}:{n}"}
    run = [str(FAULTY_PYTHON), "-m", "assistant_resurrect", "install-hooks", "--off", "opencode"]
    killed = subprocess.run(run, env=env, capture_output=True, text=True, timeout=60)
    assert killed.returncode == -9
    now = json.loads(settings.read_text())  # whole: the old file or the new one
    assert now == json.loads(original) or "SessionStart" in now["hooks"]
    backups = list(settings.parent.glob("settings.json.assistant-resurrect-*.bak"))
    assert [b.read_text() for b in backups] == [original]
    for temp in settings.parent.glob(".settings.json.*.tmp"):
        os.utime(temp, (time.time() - 120, time.time() - 120))
    env.pop("AR_FAULT")
    subprocess.run(run, env=env, capture_output=True, text=True, timeout=60, check=True)
    final = json.loads(settings.read_text())
    assert final["model"] == "opus" and final["hooks"]["Stop"] == json.loads(original)["hooks"][
        "Stop"]
    assert len(final["hooks"]["SessionStart"]) == 1
    assert not list(settings.parent.glob(".settings.json.*.tmp"))
