"""Saves under faults, through the real hook strings in a real tmux with the real OpenCode in a
pane: kill -9 at every step, a full disk, a read-only directory, symlinks planted at every path
we write, umask 000, twenty saves at once, tmux missing, a nonexistent save file."""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import re
import stat
import subprocess
import sys
import threading
import time
import typing as t

import pytest
from support.faultlab import FaultLab

from assistant_resurrect import resurrect

BASE_TS, NEXT_TS = "20260101T000000", "20260101T000100"
# the file-changing steps of a save whose snapshot changes, in order (test_save_steps checks
# the list is still true); each is killed in turn
STEPS = [("open", 2, "the lock"), ("open", 3, "the blanking temp file"),
         ("fsync", 1, "the blanked save file's data"), ("replace", 1, "the blanked save file"),
         ("fsync", 2, "the resurrect directory"), ("open", 4, "the sidecar temp file"),
         ("fsync", 3, "the sidecar's data"), ("replace", 2, "the sidecar"),
         ("fsync", 4, "the store directory"), ("replace", 3, "the newest-resumable pointer"),
         ("open", 6, "the status-line temp file"), ("replace", 4, "the status-line file"),
         ("open", 7, "the save-bound flag")]


def _base_and_next(lab: FaultLab) -> tuple[pathlib.Path, pathlib.Path]:
    """A good saved state, and the next save file (its layout differs: a window renamed)."""
    base = lab.resurrect_save(BASE_TS)
    lab.tmux("rename-window", "-t", "work:0", f"w{time.monotonic_ns()}")
    return base, lab.write_save_file(NEXT_TS)


def _blanked_or_original(original: bytes, now: bytes) -> None:
    if now == original:
        return
    before, after = original.split(b"\n"), now.split(b"\n")
    assert len(before) == len(after)
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert len(changed) == 1 and changed[0][1].endswith(b"\t:")  # only field 11 emptied
    assert changed[0][0].split(b"\t")[:10] == changed[0][1].split(b"\t")[:10]


def _valid_sidecar(path: pathlib.Path, sid: str) -> None:
    data = json.loads(path.read_text())
    assert [p["session_id"] for p in data["panes"]] == [sid]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def _age_temps(*dirs: pathlib.Path) -> list[pathlib.Path]:
    temps = [p for d in dirs for p in d.glob(".*.tmp")]
    for p in temps:
        os.utime(p, (time.time() - 120, time.time() - 120))
    return temps


def test_save_steps_are_the_ones_the_kill_scenarios_cover(clean: FaultLab) -> None:
    _, save_file = _base_and_next(clean)
    trace = clean.root / "trace.txt"
    trace.unlink(missing_ok=True)
    clean.arm(f"trace:{trace}")
    clean.hook("post-save-layout", str(save_file))
    calls = [line.split()[0] for line in trace.read_text().splitlines()]
    for call, n, _ in STEPS:
        assert calls.count(call) >= n, (call, n, calls)
    assert calls == ["open", "open", "open", "fsync", "replace", "fsync", "open", "fsync",
                     "replace", "fsync", "open", "fsync", "replace", "fsync", "unlink", "open",
                     "fsync", "replace", "fsync", "open"]


@pytest.mark.parametrize(("call", "n", "step"), STEPS, ids=[s[2] for s in STEPS])
def test_kill_9_at_each_save_step_leaves_every_file_whole(clean: FaultLab, call: str, n: int,
                                                         step: str) -> None:
    base, save_file = _base_and_next(clean)
    base_sidecar = clean.store() / (base.stem + ".json")
    base_bytes, original = base_sidecar.read_bytes(), save_file.read_bytes()
    clean.arm(f"kill:{call}:{n}")
    clean.hook("post-save-layout", str(save_file))
    clean.arm("")

    assert "post-save-layout: could not run" in clean.log() and "(exit 137)" in clean.log()
    assert (clean.state_dir / "save-missed").exists()  # the next catch-up knows
    _blanked_or_original(original, save_file.read_bytes())
    assert base_sidecar.read_bytes() == base_bytes
    sidecar = clean.store() / (save_file.stem + ".json")
    if sidecar.exists():
        _valid_sidecar(sidecar, clean.opencode_id)
    status = (clean.state_dir / "status").read_text()  # the base save's or this one's, whole
    assert re.fullmatch(r"\d+ 1\n", status), status

    stale = _age_temps(clean.store(), clean.resurrect_dir, clean.state_dir)  # a minute later
    clean.hook("post-save-layout", str(save_file))
    _valid_sidecar(sidecar, clean.opencode_id)
    assert not [p for p in stale if p.exists()]
    assert not (clean.state_dir / "save-missed").exists()


@contextlib.contextmanager
def _small_filesystem(path: pathlib.Path) -> t.Iterator[str]:
    """``path`` on a 256 KiB tmpfs where we may mount one (root, outside a container that
    forbids it), else 'injected': the fault comes from inject.py instead."""
    path.mkdir(parents=True, exist_ok=True)
    mounted = os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k,mode=0755", "tmpfs", str(path)],
        capture_output=True, check=False).returncode == 0
    if not mounted:
        yield "injected"
        return
    try:
        yield "tmpfs"
    finally:
        subprocess.run(["umount", "-l", str(path)], check=True)


def _fill(directory: pathlib.Path) -> pathlib.Path:
    filler = directory / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        with contextlib.suppress(OSError):
            while os.write(fd, b"\0" * 4096):
                pass
    finally:
        os.close(fd)
    return filler


def test_full_disk_keeps_the_old_files_and_says_so(clean: FaultLab) -> None:
    with _small_filesystem(clean.resurrect_dir) as how:
        base, save_file = _base_and_next(clean)
        base_sidecar = clean.store() / (base.stem + ".json")
        base_bytes, original = base_sidecar.read_bytes(), save_file.read_bytes()
        if how == "tmpfs":
            filler = _fill(clean.resurrect_dir)
        else:
            clean.arm("errno:fsync:ENOSPC:1")
        clean.hook("post-save-layout", str(save_file))
        clean.arm("")
        assert save_file.read_bytes() == original and base_sidecar.read_bytes() == base_bytes
        assert not list(clean.resurrect_dir.rglob(".*.tmp"))
        assert "No space left on device" in clean.log() and "Traceback" in clean.log()
        assert "could not run" not in clean.log()  # the hook itself exited 0
        if how == "tmpfs":
            filler.unlink()
        clean.hook("post-save-layout", str(save_file))
        _valid_sidecar(clean.store() / (save_file.stem + ".json"), clean.opencode_id)


def test_read_only_resurrect_directory_changes_nothing_and_says_so(clean: FaultLab) -> None:
    with _small_filesystem(clean.resurrect_dir) as how:
        base, save_file = _base_and_next(clean)
        before = {p: p.read_bytes() for p in clean.resurrect_dir.rglob("*") if p.is_file()}
        if how == "tmpfs":
            subprocess.run(["mount", "-o", "remount,ro", str(clean.resurrect_dir)], check=True)
        elif os.geteuid() != 0:
            clean.resurrect_dir.chmod(0o500)
            clean.store().chmod(0o500)
        else:  # root, and no mount allowed: the store's lock is where writing starts
            clean.arm("errno:open:EROFS:2")
        try:
            clean.hook("post-save-layout", str(save_file))
        finally:
            clean.arm("")
            if how == "tmpfs":
                subprocess.run(["mount", "-o", "remount,rw", str(clean.resurrect_dir)],
                               check=True)
            else:
                clean.resurrect_dir.chmod(0o755)
                clean.store().chmod(0o700)
        after = {p: p.read_bytes() for p in clean.resurrect_dir.rglob("*") if p.is_file()}
        assert after == before
        assert ("Read-only file system" in clean.log() or "Permission denied" in clean.log())
        assert "could not run" not in clean.log()


VICTIM = b"someone else's file\n"


def _planted(clean: FaultLab, where: str, save_file: pathlib.Path) -> pathlib.Path:
    return {
        "sidecar": clean.store() / (save_file.stem + ".json"),
        "lock": clean.store() / ".lock",
        "pointer": clean.store() / ".newest-resumable",
        "save log": clean.state_dir / "save.log",
        "save-bound flag": clean.state_dir / "save-bound",
        "save-missed flag": clean.state_dir / "save-missed",
    }[where]


@pytest.mark.parametrize("where", ["sidecar", "lock", "pointer", "save log", "save-bound flag",
                                   "save-missed flag"])
def test_a_symlink_planted_where_we_write_is_never_followed(clean: FaultLab, where: str) -> None:
    _, save_file = _base_and_next(clean)
    victim = clean.root / "victim"
    victim.write_bytes(VICTIM)
    os.utime(victim, (1_000_000_000, 1_000_000_000))
    link = _planted(clean, where, save_file)
    link.unlink(missing_ok=True)
    link.symlink_to(victim)
    if where == "save-missed flag":
        clean.arm("errno:open:EIO:3")  # a failing save leaves this flag
    clean.hook("post-save-layout", str(save_file))
    clean.arm("")
    assert victim.read_bytes() == VICTIM and victim.stat().st_mtime == 1_000_000_000
    assert not link.is_symlink()


def test_umask_000_still_gives_private_files(clean: FaultLab) -> None:
    save_file = clean.write_save_file(BASE_TS)
    clean.point_last(save_file)
    import shutil

    shutil.rmtree(clean.state_dir)
    clean.tmux("run-shell", f"umask 000; bash {REPO_HOOK} post-save-layout {save_file}")
    modes = {p.relative_to(clean.home).as_posix(): stat.S_IMODE(p.stat().st_mode)
             for root in (clean.state_dir, clean.store()) for p in [root, *root.rglob("*")]
             if not p.is_symlink()}
    assert modes and all(m == (0o700 if m & 0o100 else 0o600) for m in modes.values()), modes
    assert stat.S_IMODE(clean.state_dir.parent.stat().st_mode) == 0o700


REPO_HOOK = pathlib.Path(__file__).resolve().parents[1] / "support/execute_hook.sh"


def test_twenty_saves_at_once_each_get_a_whole_snapshot(clean: FaultLab) -> None:
    files = [clean.write_save_file(f"20260101T0001{i:02d}") for i in range(20)]
    errors: list[str] = []

    def run(path: pathlib.Path) -> None:
        try:
            clean.hook("post-save-layout", str(path))
        except AssertionError as err:
            errors.append(str(err))

    threads = [threading.Thread(target=run, args=(f,)) for f in files]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    for f in files:
        _valid_sidecar(clean.store() / (f.stem + ".json"), clean.opencode_id)
        assert resurrect.read_panes(f)[0].full_command == ""
    assert "lock stayed busy" not in clean.log() and "Traceback" not in clean.log()


def test_stale_temp_files_of_a_killed_write_are_cleaned_by_the_next_save(clean: FaultLab
                                                                        ) -> None:
    save_file = clean.resurrect_save(BASE_TS)
    stale = [clean.store() / ".tmux_resurrect_x.json.0123456789ab.tmp",
             clean.resurrect_dir / f".{save_file.name}.0123456789ab.tmp",
             clean.state_dir / ".claude-4242.json.0123456789ab.tmp"]
    fresh = clean.store() / ".tmux_resurrect_y.json.ba9876543210.tmp"
    foreign = clean.resurrect_dir / ".someone-elses.tmp"
    for p in [*stale, fresh, foreign]:
        p.write_text("partial")
    _age_temps(clean.store(), clean.resurrect_dir)
    os.utime(stale[2], (time.time() - 120, time.time() - 120))
    os.utime(fresh, None)
    clean.resurrect_save(NEXT_TS)
    assert [p.exists() for p in stale] == [False, False, False]
    assert fresh.exists() and foreign.exists()  # too new to be dead; not ours


def test_a_nonexistent_save_file_creates_nothing(clean: FaultLab) -> None:
    ghost = clean.root / "nowhere" / "tmux_resurrect_20260101T000000.txt"
    clean.hook("post-save-layout", str(ghost))
    assert not ghost.parent.exists()
    assert "not a resurrect save file" in clean.log()


def test_tmux_missing_from_path_is_logged_and_the_hook_exits_0(clean: FaultLab) -> None:
    save_file = clean.write_save_file(BASE_TS)
    env = {**clean.env, "PATH": "/nonexistent", "TMUX": "/tmp/none,1,0",
           "PYTHONPATH": str(REPO_HOOK.parents[2] / "src")}
    proc = subprocess.run([sys.executable, "-m", "assistant_resurrect", "hook",
                           "post-save-layout", str(save_file)], env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout == "" and proc.stderr == ""
    assert "tmux is not on PATH" in clean.log()
