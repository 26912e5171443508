"""Detection by executable identity and argv splitting, on literal process tables."""

from __future__ import annotations

import typing as t

import pytest

from assistant_resurrect.assistants import ASSISTANTS
from assistant_resurrect.detect import detect_elsewhere, find_assistant
from assistant_resurrect.procs import ProcessTable, ProcInfo


def proc(pid: int, ppid: int, argv: list[str], exe: str = "", name: str = "") -> ProcInfo:
    return ProcInfo(pid, ppid, name or argv[0].rsplit("/", 1)[-1][:15], 1000.0 + pid,
                    cmdline=argv, exe=exe or argv[0], cwd="/w")


class Case(t.NamedTuple):
    test_id: str
    argv: list[str]
    tool: str | None


CASES = [
    Case("claude-bare", ["claude", "--model", "opus"], "claude"),
    Case("claude-native-installer", ["/home/u/.local/share/claude/versions/2.1.330"], "claude"),
    Case("unrelated-versions-path", ["/opt/x/versions/2.1.330"], None),
    Case("vim-on-a-claude-file", ["vim", "/tmp/claude"], None),
    Case("python-with-codex-word", ["python3", "x.py", "--profile", "codex"], None),
    Case("opencode-run-helper", ["opencode", "run", "fix it"], None),
    Case("codex-app-server-daemon", ["/x/bin/codex", "app-server", "--listen", "unix://"], None),
    Case("codex-node-wrapper", ["node", "/usr/lib/node_modules/.bin/codex", "-m", "o3"], "codex"),
    Case("codex-target-triple", ["codex-x86_64-unknown-linux-musl", "resume", "x"], "codex"),
    Case("claude-helper-mcp", ["claude", "mcp", "serve"], None),
    Case("claude-print-mode", ["claude", "-p", "hi"], None),
    Case("claude-old-node-cli", ["node", "/l/node_modules/@anthropic-ai/claude-code/cli.js"],
         "claude"),
    Case("some-other-cli-js", ["node", "/l/node_modules/other/cli.js"], None),
    Case("gemini-relaunched-child", ["node", "--max-old-space-size=4096", "/b/gemini", "-m", "x"],
         "gemini"),
    Case("copilot-mainthread", ["/l/@github/copilot-linux-x64/copilot"], "copilot"),
    Case("cline-tui", ["cline", "--id", "1796100000000_fixt1"], "cline"),
    Case("cline-node-wrapper", ["node", "/l/node_modules/cline/bin/cline", "-m", "x"], "cline"),
    Case("cline-one-shot-prompt", ["cline", "-m", "x", "fix the bug"], None),
    Case("cline-prompt-in-tui", ["cline", "-i", "fix the bug"], "cline"),
    Case("cline-hub-daemon", ["/l/@cline/cli-linux-x64/bin/cline", "--cline-hub-daemon",
                              "--cwd", "/w", "--port", "25463"], None),
    Case("cline-history-helper", ["cline", "history", "--json"], None),
]


@pytest.mark.parametrize("case", CASES, ids=[c.test_id for c in CASES])
def test_detection_by_executable_identity(case: Case) -> None:
    table = ProcessTable([proc(10, 1, ["bash"]), proc(11, 10, case.argv)])
    hit = find_assistant(table.tree(10))
    assert (hit[0].name if hit else None) == case.tool


def test_walk_is_order_independent_and_finds_grandchildren() -> None:
    # child listed before its parent, assistant two levels down (npx → node → opencode)
    table = ProcessTable([proc(30, 21, ["opencode", "-s", "ses_abcdef"]),
                          proc(21, 20, ["node", "/x/npx"]), proc(20, 1, ["zsh"])])
    tool, found = find_assistant(table.tree(20))
    assert tool.name == "opencode" and found.proc.pid == 30


def test_codex_family_excludes_daemon_but_keeps_native_child() -> None:
    table = ProcessTable([
        proc(1, 0, ["bash"]), proc(2, 1, ["node", "/b/.bin/codex", "resume", "abc"]),
        proc(3, 2, ["/v/codex-linux-x64/vendor/bin/codex", "resume", "abc"], name="codex"),
        proc(4, 3, ["/r/bin/codex", "app-server", "--managed-daemon"], name="codex"),
    ])
    _, found = find_assistant(table.tree(1))
    assert found.pids == [2, 3]
    assert found.launcher == "/b/.bin/codex"


NESTED = [  # (outer argv, nested argvs started through the outer one's shell tool)
    (["claude", "--resume", "0e8f1d52-5d1c-4a59-a2c4-6f0d0c5f2a11"],
     [["codex", "exec", "fix it"], ["codex", "-m", "o3"], ["claude"]]),
    (["codex", "resume", "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"],
     [["opencode", "-s", "ses_abcdef0123456789abcdef01"], ["gemini"]]),
    (["opencode", "-s", "ses_abcdef0123456789abcdef01"], [["claude", "-p", "x"], ["qwen"]]),
]


@pytest.mark.parametrize(("outer", "nested"), NESTED, ids=[o[0] for o, _ in NESTED])
def test_a_nested_agent_never_takes_over_the_pane(outer: list[str], nested: list[list[str]]
                                                  ) -> None:
    """An assistant started by another (through its shell tool: an ``sh -c`` child, or
    directly) is part of the outer one's tree, not the pane's assistant, and not of its
    family; outside tmux too, only the outermost is reported."""
    procs = [proc(1, 0, ["bash"]), proc(2, 1, outer)]
    for offset, argv in enumerate(nested):
        shell, agent = 10 + 2 * offset, 11 + 2 * offset
        procs += [proc(shell, 2, ["/bin/sh", "-c", " ".join(argv)], name="sh"),
                  proc(agent, shell, argv)]
    procs.append(proc(40, 2, nested[-1]))  # one started directly, no shell between
    table = ProcessTable(procs)
    tool, found = find_assistant(table.tree(1))  # type: ignore[misc]
    assert tool.name == outer[0] and found.proc.pid == 2
    # the same tool straight under it, no shell between, is how a launcher relaunches itself
    # (node wrapper -> native binary): that one joins the family; through a shell, none does
    assert found.pids == ([2, 40] if nested[-1][0] == outer[0] else [2])
    elsewhere = detect_elsewhere(table, exclude=set())
    assert [(t.name, f.proc.pid) for t, f in elsewhere] == [(outer[0], 2)]


class ArgCase(t.NamedTuple):
    test_id: str
    tool: str
    args: list[str]
    kept: list[str]
    session: str | None
    refused: bool = False


U = "0199a213-81c0-7800-8aa1-bbab2a035a53"
ARG_CASES = [
    ArgCase("claude-keeps-values-with-spaces-newlines-globs", "claude",
            ["--model", "claude-opus-4-6[1m]", "--append-system-prompt", "line1\nit's \"x\" *",
             "--resume", U], ["--model", "claude-opus-4-6[1m]", "--append-system-prompt",
                              "line1\nit's \"x\" *"], U),
    ArgCase("claude-resume-does-not-eat-next-flag", "claude", ["--resume", "--model", "x"],
            ["--model", "x"], None),
    ArgCase("claude-prompt-and-tail-dropped", "claude", ["--verbose", "fix the bug", "--debug"],
            ["--verbose"], None),
    ArgCase("claude-restriction-after-prompt-refused", "claude",
            ["fix", "--permission-mode", "plan"], [], None, True),
    ArgCase("claude-fork-session-is-not-the-id", "claude", ["-r", U, "--fork-session"], [], None),
    ArgCase("claude-credentials-dropped", "claude", ["--api-key", "sk-1", "--model", "m"],
            ["--model", "m"], None),
    ArgCase("codex-full-auto-mapped", "codex", ["--full-auto", "resume", U],
            ["--sandbox", "workspace-write", "--ask-for-approval", "on-request"], U),
    ArgCase("codex-on-failure-mapped", "codex", ["-a", "on-failure"],
            ["--ask-for-approval", "on-request"], None),
    ArgCase("codex-untrusted-refused", "codex", ["-a", "untrusted"], [], None, True),
    ArgCase("codex-options-after-subcommand", "codex", ["resume", U, "-m", "o3", "-C", "/x"],
            ["-m", "o3"], U),
    ArgCase("codex-fork-is-not-resumed", "codex", ["fork", U], [], None),
    ArgCase("codex-profile-named-fork", "codex", ["--profile", "fork", "resume", U],
            ["--profile", "fork"], U),
    ArgCase("opencode-session-and-project-dropped", "opencode",
            ["--model", "a/b", "-s", "ses_abc123", "/some/project"], ["--model", "a/b"],
            "ses_abc123"),
    ArgCase("gemini-resume-latest-is-no-id", "gemini", ["-r", "latest", "-m", "x"],
            ["-m", "x"], None),
    ArgCase("cline-key-value-dropped", "cline", ["-k", "plainsecret", "-m", "x", "--id",
                                                 "1796100000000_fixt1"], ["-m", "x"],
            "1796100000000_fixt1"),
    ArgCase("cline-thinking-bare-or-valued", "cline", ["--thinking", "-m", "x", "--thinking",
                                                       "high"],
            ["--thinking", "-m", "x", "--thinking", "high"], None),
    ArgCase("copilot-resume-equals", "copilot", [f"--resume={U}", "--model", "m"],
            ["--model", "m"], U),
]


@pytest.mark.parametrize("case", ARG_CASES, ids=[c.test_id for c in ARG_CASES])
def test_argv_split(case: ArgCase) -> None:
    tool = ASSISTANTS[case.tool]
    split = tool.split(case.args)
    assert split.kept == case.kept
    assert tool.argv_session(split) == case.session
    assert (split.refused is not None) == case.refused


def test_launcher_is_the_bare_name_when_it_resolves_on_the_assistants_path(
        tmp_path: t.Any) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "codex"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    tool = __import__("assistant_resurrect.assistants", fromlist=["x"]).ASSISTANTS["codex"]
    argv = ["node", str(script), "resume", "x"]
    assert tool.launcher(argv, 1, {"PATH": f"{bin_dir}:/usr/bin"}) == "codex"
    assert tool.launcher(argv, 1, {"PATH": "/usr/bin"}) == str(script)


def test_background_assistant_makes_the_pane_busy() -> None:
    from assistant_resurrect.restore import pane_is_idle_shell
    from assistant_resurrect.tmux import PaneRecord

    table = ProcessTable([proc(10, 1, ["bash"]), proc(11, 10, ["opencode", "-s", "ses_abcd1"])])
    pane = PaneRecord("%1", 10, "/dev/pts/1", "s", 0, 0, "$1", "bash", "/w", "t")
    assert pane_is_idle_shell(pane, table) == "an assistant already runs in this pane"
