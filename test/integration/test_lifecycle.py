"""The whole lifecycle on a private tmux server with the real CLIs, one pane per tool of
``support.tools.TOOLS``: start each assistant, save through resurrect's hooks, kill tmux,
recreate the layout, restore, check each relaunch. Once with ids and options on the command
line, once with launches that name no id (``-c``, ``--last``, ``-r latest``)."""

from __future__ import annotations

import json
import pathlib
import shlex

import pytest
from support.lab import Lab, wait_for
from support.tools import TOOLS

from assistant_resurrect.assistants import ASSISTANTS

pytestmark = [pytest.mark.clis, pytest.mark.slow]
# hostile names on purpose: quotes, brackets, spaces in directories and session names
DIRS = ["claude dir", "codex-dir", "open'code", "gem ini", "co[pilot]"]
SESSIONS = ["my work's \"pane\"", "other"]


def start_all(lab: Lab, command: str) -> dict[str, tuple[str, str, pathlib.Path]]:
    """Per tool: (its fixture session id, the pane it runs in, its directory); ``command``
    is ``launch`` or ``continue``."""
    started = {}
    for i, case in enumerate(TOOLS.values()):
        cwd = lab.home / "projects" / (DIRS[i] if i < len(DIRS) else f"{case.name} dir")
        cwd.mkdir(parents=True)
        sid = case.session(lab, cwd)
        pane = lab.new_pane(SESSIONS[i % 2], cwd)
        started[case.name] = (sid, pane, cwd)
    lab.load_plugin()
    for name, (sid, pane, _) in started.items():
        lab.wait_shell(pane)
        case = TOOLS[name]
        lab.type(pane, case.launch(sid) if command == "launch" else case.continue_launch)
    for name, (_, pane, _) in started.items():
        wait_for(lambda p=pane, t=name: lab.argv_in_pane(p, t), 60, what=f"{name} running")
    return started


def save_kill_restore(lab: Lab) -> dict[str, list[str]]:
    """Save, crash tmux, restore; every pane must be resumed. Returns each tool's argv (the
    line typed, split, for a tool whose argv reads as its title only)."""
    labels = {p["tool"]: f"{p['session_name']}:{p['window_index']}.{p['pane_index']}"
              for p in lab.sidecar()["panes"]}
    lab.kill_server()
    lab.start_server()
    lab.load_plugin()
    hook_seconds = lab.resurrect_restore()
    assert hook_seconds < 1.0  # the worker runs detached; resurrect's spinner ends at once
    outcomes = lab.restore_outcomes()
    assert {o["outcome"] for o in outcomes.values()} == {"resumed"}, outcomes
    live = {o["pane"]: o["pane_id"] for o in outcomes.values()}
    return {tool: shlex.split(outcomes[label]["command"]) if ASSISTANTS[tool].argv_is_title
            else lab.argv_in_pane(live[label], tool) or [] for tool, label in labels.items()}


def wait_registered(lab: Lab, started: dict[str, tuple[str, str, pathlib.Path]]) -> None:
    registry = lab.home / ".claude" / "sessions"
    try:
        wait_for(lambda: list(registry.glob("*.json")), 90, what="Claude's sessions registry")
    except AssertionError as exc:
        raise AssertionError(f"{exc}; Claude's pane:\n{lab.capture(started['claude'][1])}"
                             ) from None


def test_every_assistant_comes_back_in_its_session_with_its_options(lab: Lab) -> None:
    started = start_all(lab, "launch")
    wait_registered(lab, started)
    status = {p["tool"]: p for p in json.loads(lab.cli("status", "--json").stdout)["panes"]}
    assert {t: p["session_id"] for t, p in status.items()} == {
        t: sid for t, (sid, _, _) in started.items()}
    for tool, row in status.items():
        assert row["session_source"] in TOOLS[tool].source, (tool, row["session_source"])

    save_file = lab.resurrect_save()
    sidecar = {p["tool"]: p for p in lab.sidecar()["panes"]}
    assert {t: p["session_id"] for t, p in sidecar.items()} == {
        t: sid for t, (sid, _, _) in started.items()}
    assert sidecar["codex"]["replay_args"] == ["-m", "gpt-5.1", "-s", "workspace-write"]
    commands = [line.split("\t")[10] for line in save_file.read_text().splitlines()
                if line.startswith("pane\t")]
    assert commands and set(commands) == {":"}  # resurrect must not relaunch assistants itself

    argv = save_kill_restore(lab)
    for tool, (sid, _, cwd) in started.items():
        tail = TOOLS[tool].resumed_tail(sid, cwd)
        assert argv[tool][-len(tail):] == tail, (tool, argv[tool])


def test_launches_without_an_id_are_saved_with_the_conversation_they_opened(lab: Lab) -> None:
    started = start_all(lab, "continue")
    wait_registered(lab, started)
    for tool, (fixture_id, pane, cwd) in started.items():
        if TOOLS[tool].continue_is_new:  # its new conversation is kept once it has a message
            wait_for(lambda p=pane: "Auto-approve" in lab.capture(p), 60, what=f"{tool}'s TUI")
            lab.tmux("send-keys", "-t", pane, "-l", "a question")
            wait_for(lambda p=pane: "❯ a question" in lab.capture(p), 30, what="the question")

            def kept(t: str = tool, c: pathlib.Path = cwd, f: str = fixture_id,
                     p: str = pane) -> bool:
                if "❯ a question" in lab.capture(p):  # a TUI still starting drops the Enter
                    lab.tmux("send-keys", "-t", p, "Enter")
                return bool({s.session_id for s in ASSISTANTS[t].sessions(lab.env, str(c))}
                            - {f})

            wait_for(kept, 60, interval=1.0, what=f"{tool}'s new conversation on disk")
    lab.resurrect_save()
    sidecar = {p["tool"]: p for p in lab.sidecar()["panes"]}
    expected = {t: sid for t, (sid, _, _) in started.items() if not TOOLS[t].continue_is_new}
    for tool, (fixture_id, _, cwd) in started.items():
        if TOOLS[tool].continue_is_new:  # the one conversation it created since it started
            created = {s.session_id for s in ASSISTANTS[tool].sessions(lab.env, str(cwd))}
            assert created - {fixture_id} == {sidecar[tool]["session_id"]}, (tool, created)
            expected[tool] = sidecar[tool]["session_id"]
    assert {t: p["session_id"] for t, p in sidecar.items()} == expected, sidecar
    for tool, row in sidecar.items():  # a tool whose argv is hidden can only guess
        allowed = ("inferred", "ambiguous") if ASSISTANTS[tool].argv_is_title else (
            "exact", "inferred")
        assert row["confidence"] in allowed, (tool, row)

    argv = save_kill_restore(lab)
    for tool, sid in expected.items():
        assert sid in " ".join(argv[tool]), (tool, argv[tool])
