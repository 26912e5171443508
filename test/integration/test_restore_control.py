"""Snapshots that survive an empty autosave, previews, targets, prompt mode, the menu, and
sessions never resumed twice, with the real OpenCode CLI (it starts fastest)."""

from __future__ import annotations

import json
import subprocess

import pytest
from support import fixtures
from support.lab import REPO, Lab, wait_for

pytestmark = [pytest.mark.clis]


def opencode_count(lab: Lab, pane: str) -> int:
    return sum(1 for p in lab.pane_tree(pane)[1:] if p.name() == "opencode")


def test_empty_autosave_after_restart_keeps_the_good_snapshot_and_history_shows_it(lab: Lab
                                                                                   ) -> None:
    lab.load_plugin()
    sid, pane = fixtures.start_opencode(lab, "w", "a")
    lab.resurrect_save("20260101T000000")
    lab.restart_with_layout()
    lab.load_plugin()
    lab.resurrect_save("20260101T000500")  # continuum's autosave: deduplicated by resurrect

    history = json.loads(lab.cli("history", "--json").stdout)["snapshots"]
    assert [sum(h["tools"].values()) for h in history] == [1, 0]
    plan = json.loads(lab.cli("restore", "--json").stdout)
    assert [(p["session_id"], p["state"]) for p in plan["panes"]] == [(sid, "ready")]
    assert not lab.argv_in_pane(lab.panes()[("w", 0, 0)]["pane_id"], "opencode")
    older = history[0]["snapshot"]  # preview one window of the older snapshot, then run it
    preview = json.loads(lab.cli("restore", "--from", older, "--window", "w:0", "--json").stdout)
    assert [(p["pane"], p["state"], p["outcome"]) for p in preview["panes"]] == [
        ("w:0.0", "ready", "")]
    done = json.loads(lab.cli("restore", "--from", older, "--window", "w:0", "--execute",
                              "--json").stdout)
    assert [(p["pane"], p["outcome"]) for p in done["panes"]] == [("w:0.0", "resumed")]
    assert lab.argv_in_pane(lab.panes()[("w", 0, 0)]["pane_id"], "opencode")[-2:] == ["-s", sid]
    store = lab.resurrect_dir / "assistant-resurrect"
    preview_purge = lab.cli("purge", "--older-than", "0s", "--dry-run").stdout
    assert f"would remove {history[1]['snapshot']}" in preview_purge
    assert (store / history[1]["snapshot"]).exists()  # a dry run removes nothing
    lab.cli("purge", "--older-than", "0s")
    assert sorted(p.name for p in store.glob("*.json")) == [history[0]["snapshot"]]


def test_targets_prompt_mode_and_no_double_resume(lab: Lab) -> None:
    lab.load_plugin()
    ids = {}
    for session, name in (("one", "a"), ("one", "b"), ("two", "c")):
        ids[name] = fixtures.start_opencode(lab, session, name)[0]
    lab.resurrect_save()
    lab.restart_with_layout()
    panes = lab.panes()

    window = json.loads(lab.cli("restore", "--json", "--window", "one:1").stdout)["panes"]
    assert [p["session_id"] for p in window] == [ids["b"]]
    lab.cli("restore", "--execute", "--pane", panes[("one", 1, 0)]["pane_id"])
    assert opencode_count(lab, panes[("one", 1, 0)]["pane_id"]) == 1
    assert opencode_count(lab, panes[("one", 0, 0)]["pane_id"]) == 0
    spare = lab.new_pane("spare", lab.home)
    lab.wait_shell(spare)
    moved = json.loads(lab.cli("restore", "--execute", "--json", "--pane", "one:0.0",
                               "--into", spare).stdout)["panes"]
    assert [(p["pane_id"], p["session_id"], p["outcome"]) for p in moved] == [
        (spare, ids["a"], "resumed")]
    assert opencode_count(lab, panes[("one", 0, 0)]["pane_id"]) == 0

    lab.tmux("set-option", "-g", "@assistant-resurrect-restore-mode", "prompt")
    lab.cli("restore", "--execute", "--session", "two")
    two = panes[("two", 0, 0)]["pane_id"]
    wait_for(lambda: f"-s {ids['c']}" in lab.capture(two), 10, what="the typed command")
    assert opencode_count(lab, two) == 0  # typed, not run: the person presses Enter

    lab.tmux("set-option", "-g", "@assistant-resurrect-restore-mode", "auto")
    for _ in range(2):  # pressed twice: the second run resumes nothing
        rows = json.loads(lab.cli("restore", "--execute", "--json", "--session", "one").stdout)
    assert {p["pane"]: p["state"] for p in rows["panes"]} == {
        "one:0.0": "duplicate", "one:1.0": "already-running"}  # a is live in the spare pane
    assert [opencode_count(lab, panes[("one", i, 0)]["pane_id"]) for i in (0, 1)] == [0, 1]


def test_session_live_in_another_tmux_server_is_not_resumed_again(lab: Lab) -> None:
    lab.load_plugin()
    sid, _ = fixtures.start_opencode(lab, "w", "a")
    lab.resurrect_save()
    lab.restart_with_layout()
    other = f"{lab.socket}-other"
    cwd = lab.home / "a"
    subprocess.run(["tmux", "-L", other, "-f", "/dev/null", "new-session", "-d", "-c", str(cwd),
                    f"opencode -s {sid}"], env=lab.env, check=True)
    try:
        wait_for(lambda: any(f"-s {sid}" in line for line in subprocess.run(
            ["ps", "-eo", "args"], capture_output=True, text=True).stdout.splitlines()), 30)
        plan = json.loads(lab.cli("restore", "--json").stdout)["panes"]
        assert plan[0]["state"] == "duplicate"
        assert plan[0]["reason"].startswith("session is live in pid")
    finally:
        subprocess.run(["tmux", "-L", other, "kill-server"], env=lab.env, check=False)


def test_menu_lists_saved_assistants_and_its_item_resumes_one(lab: Lab) -> None:
    """The menu opens on a real client and its item, chosen with its key, resumes the pane;
    the resurrect directory's ``#(…)`` is a name at every depth (menu, run-shell, sh)."""
    hostile = lab.home / "r#(touch MENU-CANARY);x"
    lab.tmux("set-option", "-g", "@resurrect-dir", str(hostile))
    lab.resurrect_dir = hostile
    lab.load_plugin()
    assert "assistant_resurrect popup" in lab.tmux("list-keys", "-T", "prefix", "A")
    sid, _ = fixtures.start_opencode(lab, "w", "a")
    lab.resurrect_save()
    lab.restart_with_layout()
    argv = json.loads(lab.cli("menu", "--print").stdout)["tmux_command"]
    assert argv[0] == "display-menu"
    label, key, command = argv[-3:]
    assert label.startswith("opencode") and "ready" in label and key == "1"
    client, outer = lab.attach_client()
    lab.cli("menu", "--client", client)
    wait_for(lambda: "saved assistants" in lab.outer_screen(outer), 15, what="the menu")
    lab.outer_keys(outer, "1")
    pane = lab.panes()[("w", 0, 0)]["pane_id"]
    argv_run = wait_for(lambda: lab.argv_in_pane(pane, "opencode"), 30, what="resumed")
    assert argv_run[-2:] == ["-s", sid]
    assert not list(lab.home.rglob("MENU-CANARY")) and not list(REPO.rglob("MENU-CANARY"))


@pytest.mark.parametrize("max_parallel", [1, 2])
def test_max_parallel_starts_assistants_in_batches(lab: Lab, max_parallel: int) -> None:
    """With max-parallel N, N assistants start, are verified, and only then the next ones."""
    lab.load_plugin()
    for name in ("a", "b", "c"):
        fixtures.start_opencode(lab, "s", name)
    lab.resurrect_save()
    lab.kill_server()
    lab.start_server()
    lab.load_plugin()
    lab.tmux("set-option", "-g", "@assistant-resurrect-max-parallel", str(max_parallel))
    lab.resurrect_restore()
    outcomes = lab.restore_outcomes()
    assert {label: p["outcome"] for label, p in outcomes.items()} == dict.fromkeys(
        ("s:0.0", "s:1.0", "s:2.0"), "resumed")

    events = []  # ("typed" | "started", pane label), in the order the restore log has them
    for line in (lab.state_dir / "restore.log").read_text().splitlines():
        words = line.split(": ", 1)[1].split() if ": " in line else []
        if words[:2] == ["typed", "into"]:
            events.append(("typed", words[2]))
        elif words[1:3] == ["opencode:", "started"]:
            events.append(("started", words[0]))
    assert sorted(events) == sorted((kind, label) for label in ("s:0.0", "s:1.0", "s:2.0")
                                    for kind in ("typed", "started"))
    starting: set[str] = set()
    for kind, label in events:  # never more than max-parallel assistants starting at once
        if kind == "typed":
            assert len(starting) < max_parallel, events
            starting.add(label)
        else:
            starting.discard(label)
