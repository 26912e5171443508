"""The whole lifecycle on a private tmux server with the real CLIs: start assistants in panes,
save through resurrect's hooks, kill tmux, recreate the layout, restore, check each relaunch."""

from __future__ import annotations

import json

import pytest
from support import fixtures
from support.lab import Lab, wait_for

pytestmark = [pytest.mark.clis, pytest.mark.slow]


def test_all_five_assistants_come_back_in_their_sessions(lab: Lab) -> None:
    work = lab.home / "projects"
    dirs = {name: work / name for name in ("claude dir", "codex-dir", "open'code", "gem ini",
                                           "co[pilot]")}
    for d in dirs.values():
        d.mkdir(parents=True)
    claude_id = fixtures.claude_session(lab, dirs["claude dir"])
    codex_id = fixtures.codex_session(lab, dirs["codex-dir"])
    opencode_id = fixtures.opencode_session(lab, dirs["open'code"])
    gemini_id = fixtures.gemini_session(lab, dirs["gem ini"])
    copilot_id = fixtures.copilot_session(lab, dirs["co[pilot]"])
    lab.load_plugin()

    panes = {
        "claude": lab.new_pane("my work's \"pane\"", dirs["claude dir"]),
        "codex": lab.new_pane("my work's \"pane\"", dirs["codex-dir"]),
        "opencode": lab.new_pane("other", dirs["open'code"]),
        "gemini": lab.new_pane("other", dirs["gem ini"]),
        "copilot": lab.new_pane("other", dirs["co[pilot]"]),
    }
    for pane in panes.values():
        lab.wait_shell(pane)
    lab.type(panes["claude"], f"claude --model 'claude-opus-4-6[1m]' --resume {claude_id}")
    lab.type(panes["codex"], f"codex -m gpt-5.1 -s workspace-write resume {codex_id}")
    lab.type(panes["opencode"], f"opencode --log-level INFO -s {opencode_id}")
    lab.type(panes["gemini"], f"gemini -m gemini-2.5-pro --approval-mode auto_edit -r {gemini_id}")
    lab.type(panes["copilot"], f"copilot --model gpt-5 --resume={copilot_id}")
    registry = lab.home / ".claude" / "sessions"
    wait_for(lambda: list(registry.glob("*.json")), 60, what="Claude's sessions registry")
    for tool, pane in panes.items():
        wait_for(lambda p=pane, t=tool: lab.argv_in_pane(p, t), 30, what=f"{tool} running")

    status = {p["tool"]: p for p in json.loads(lab.cli("status", "--json").stdout)["panes"]}
    assert {t: p["session_id"] for t, p in status.items()} == {
        "claude": claude_id, "codex": codex_id, "opencode": opencode_id, "gemini": gemini_id,
        "copilot": copilot_id}
    sources = {t: p["session_source"] for t, p in status.items()}
    # Codex (daemon off) opens its rollout lazily: exact once it holds it, argv before
    assert sources.pop("codex") in ("codex:open-rollout", "codex:argv")
    assert sources == {"claude": "claude:sessions-registry", "opencode": "opencode:argv",
                       "gemini": "gemini:argv", "copilot": "copilot:argv"}

    save_file = lab.resurrect_save()
    sidecar = {p["tool"]: p for p in lab.sidecar()["panes"]}
    assert sidecar["claude"]["session_id"] == claude_id
    assert sidecar["claude"]["session_source"] == "claude:sessions-registry"
    assert sidecar["codex"]["session_id"] == codex_id
    assert sidecar["opencode"]["session_id"] == opencode_id
    assert sidecar["gemini"]["session_id"] == gemini_id
    assert sidecar["copilot"]["session_id"] == copilot_id
    assert sidecar["codex"]["replay_args"] == ["-m", "gpt-5.1", "-s", "workspace-write"]
    commands = [line.split("\t")[10] for line in save_file.read_text().splitlines()
                if line.startswith("pane\t")]
    assert commands and set(commands) == {":"}  # resurrect must not relaunch assistants itself

    lab.kill_server()
    lab.start_server()
    lab.load_plugin()
    hook_seconds = lab.resurrect_restore()
    assert hook_seconds < 1.0  # the worker runs detached; resurrect's spinner ends at once

    outcomes = lab.restore_outcomes()
    assert {o["outcome"] for o in outcomes.values()} == {"resumed"}, outcomes
    live = lab.panes()
    claude_argv = lab.argv_in_pane(live[("my work's \"pane\"", 0, 0)]["pane_id"], "claude")
    codex_argv = lab.argv_in_pane(live[("my work's \"pane\"", 1, 0)]["pane_id"], "codex")
    opencode_argv = lab.argv_in_pane(live[("other", 0, 0)]["pane_id"], "opencode")
    assert claude_argv[-4:] == ["--model", "claude-opus-4-6[1m]", "--resume", claude_id]
    assert codex_argv[-7:] == ["-m", "gpt-5.1", "-s", "workspace-write", "resume", codex_id,
                               "-C", str(dirs["codex-dir"])][-7:] or codex_argv[-8:] == [
        "-m", "gpt-5.1", "-s", "workspace-write", "resume", codex_id, "-C",
        str(dirs["codex-dir"])]
    assert opencode_argv[-4:] == ["--log-level", "INFO", "-s", opencode_id]
    gemini_argv = lab.argv_in_pane(live[("other", 1, 0)]["pane_id"], "gemini")
    assert gemini_argv[-6:] == ["-m", "gemini-2.5-pro", "--approval-mode", "auto_edit",
                                "--resume", gemini_id]
    copilot_argv = lab.argv_in_pane(live[("other", 2, 0)]["pane_id"], "copilot")
    assert copilot_argv[-3:] == ["--model", "gpt-5", f"--resume={copilot_id}"]
