"""``doctor`` on a real tmux server with the plugin loaded as TPM loads it and resurrect's
bindings made as resurrect makes them: the real state, a next step for each problem, exit 1
on errors, and nothing written."""

from __future__ import annotations

import os
import pathlib
import subprocess

import pytest
from support import contract, fixtures
from support.lab import REPO, Lab

pytestmark = [pytest.mark.clis]


def doctor(lab: Lab) -> tuple[int, dict[str, dict[str, object]]]:
    env = {**lab.env, "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.run([lab.python, "-m", "assistant_resurrect", "-L", lab.socket, "doctor",
                           "--json"], env=env, capture_output=True, text=True, timeout=120)
    data = contract.checked("doctor", proc.stdout)
    assert all(list(c) == ["check", "level", "detail", "next_step"] for c in data["checks"])
    return proc.returncode, {c["check"]: c for c in data["checks"]}


def tree(root: pathlib.Path) -> dict[str, tuple[float, int]]:
    return {str(p): (p.stat().st_mtime, p.stat().st_size) for p in root.rglob("*")
            if p.is_file() and not p.is_symlink() and "opencode" not in p.parts[-1]}


def test_doctor_reports_the_real_state_and_changes_nothing(lab: Lab) -> None:
    resurrect = lab.home / ".tmux/plugins/tmux-resurrect"
    (resurrect / "scripts").mkdir(parents=True)
    (resurrect / "CHANGELOG.md").write_text("# Changelog\n\n### master\n\n### v4.0.0, 2022\n")
    lab.tmux("bind-key", "C-s", "run-shell", f"{resurrect}/scripts/save.sh")  # as resurrect
    lab.load_plugin()
    fixtures.start_opencode(lab, "s", "w")
    lab.resurrect_save()

    before = tree(lab.home)
    code, checks = doctor(lab)
    assert tree(lab.home) == before  # read-only
    assert code == 0, checks
    assert checks["tmux"]["level"] == "ok"
    assert checks["tmux-resurrect"]["detail"] == f"{resurrect} (v4.0.0)"
    assert checks["tmux-continuum"]["level"] == "warn" and checks["tmux-continuum"]["next_step"]
    for hook in ("post-save-layout", "post-save-all", "post-restore-all"):
        assert checks[f"hook {hook}"]["level"] == "ok"
    assert "psutil" in str(checks["interpreter"]["detail"])
    assert checks["tracker claude"]["level"] == "ok", checks["tracker claude"]
    assert "opencode 1" in str(checks["last save"]["detail"])
    sidecar = lab.sidecar_path().name
    assert checks["restore source"]["level"] == "ok"
    assert f"a restore uses {sidecar} (1 resumable pane(s))" in str(checks["restore source"])
    assert checks["state directory"]["level"] == "ok"

    lab.tmux("set-option", "-g", "@resurrect-hook-post-save-all", "echo mine")
    lab.tmux("set-option", "-g", "@resurrect-processes", ":all:")
    (lab.home / ".claude/settings.json").write_text("{not json")
    unpaired = lab.write_save_file("20991231T000000")  # a save our hook line did not see
    (lab.resurrect_dir / "last").unlink()
    (lab.resurrect_dir / "last").symlink_to(unpaired.name)
    os.chmod(lab.state_dir, 0o777)
    code, checks = doctor(lab)
    assert code == 1
    assert checks["hook post-save-all"]["level"] == "error"
    assert checks["hook post-save-all"]["next_step"] == "tmux source-file ~/.tmux.conf"
    assert checks["tracker claude"]["level"] == "error"
    assert checks["state directory"]["next_step"] == f"chmod go-w {lab.state_dir}"
    assert checks["@resurrect-processes"]["level"] == "warn"
    source = checks["restore source"]
    assert source["level"] == "warn" and source["next_step"], source
    assert str(source["detail"]).startswith(f"last -> {unpaired.name} has no snapshot")
    assert f"a restore uses {sidecar} (1 resumable" in str(source["detail"])  # the fallback
    assert (lab.home / ".claude/settings.json").read_text() == "{not json"  # left untouched
    os.chmod(lab.state_dir, 0o700)
