"""``sessions``: every conversation in every tool's store, with its state, filters and the
resume command, on stores written in each tool's own layout."""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import subprocess
import sys
import time

import pytest
from support import contract
from support.tools import TOOLS

from assistant_resurrect import shells
from assistant_resurrect.assistants import ASSISTANTS
from assistant_resurrect.conversations import (
    Conversation,
    ConversationState,
    Running,
    list_conversations,
    table,
)
from assistant_resurrect.snapshot import PaneSession

NOW = time.time()
KEYS = ["tool", "session_id", "cwd", "title", "model", "created_at", "updated_at", "messages",
        "state", "pane", "resume_command"]


def _id(tool: str, n: int) -> str:
    if tool in ("opencode", "kilo"):
        return f"ses_{tool}{n:016d}"
    if tool == "cline":
        return f"17960000000{n:02d}_{tool[:3]}{n:02d}"
    return f"0199dddd-0000-7000-8000-{n:012d}"


@pytest.fixture()
def home() -> pathlib.Path:
    home = pathlib.Path(os.environ["HOME"])
    for n, tool in enumerate(TOOLS):
        TOOLS[tool].store_entry(home, _id(tool, n), f"/w/{tool}")
    return home


def _list(home: pathlib.Path, **kw: object) -> list[Conversation]:
    args: dict[str, object] = {"running": {}, "saved": {}, "env": {"HOME": str(home)},
                               "shell": shells.Shell.BASH, "now": NOW, **kw}
    return list_conversations(**args)  # type: ignore[arg-type]


def test_every_tool_s_conversation_is_listed_with_its_directory(home: pathlib.Path) -> None:
    rows = _list(home)
    assert {(r.tool, r.session_id, r.cwd) for r in rows} == {
        (tool, _id(tool, n), f"/w/{tool}") for n, tool in enumerate(TOOLS)}
    assert {r.state for r in rows} == {ConversationState.ORPHANED}
    for row in rows:
        assert list(row.to_json()) == KEYS
        assert row.resume_command and row.resume_command.startswith(f"cd -- /w/{row.tool} && ")
        assert row.session_id in row.resume_command


def test_states_follow_what_runs_and_what_was_saved(home: pathlib.Path) -> None:
    claude, codex, gemini = _id("claude", 0), _id("codex", 1), _id("gemini", 3)
    saved = {("gemini", gemini): PaneSession("s", 1, 0, "gemini", "/w/gemini", gemini,
                                             launcher="gemini", replay_args=["-m", "pro"])}
    rows = {r.tool: r for r in _list(
        home, running={("claude", claude): Running("%3", "s:0.0"),
                       ("codex", codex): Running(None, "pid 42")},
        saved=saved, current=("claude", claude))}
    assert rows["claude"].state is ConversationState.CURRENT and rows["claude"].pane == "%3"
    # the store entries are old (written at the test's start with no time), so live means idle
    assert rows["codex"].state in (ConversationState.LIVE, ConversationState.IDLE)
    assert rows["codex"].pane is None
    assert rows["gemini"].state is ConversationState.SAVED
    assert rows["gemini"].resume_command == (
        f"cd -- /w/gemini && command gemini -m pro --resume {gemini}")  # its saved options
    assert rows["copilot"].state is ConversationState.ORPHANED


def test_filters_and_newest_first(home: pathlib.Path) -> None:
    """Tools dated by their files' mtimes, an hour apart: newest first, ``since`` by age."""
    order = [t for t in TOOLS if t not in ("opencode", "kilo")]  # SQLite-dated stores
    for n, tool in enumerate(order):
        for path in [p for p in home.rglob("*") if _id(tool, list(TOOLS).index(tool)) in str(p)]:
            for f in [path, *path.rglob("*")] if path.is_dir() else [path]:
                os.utime(f, (NOW - 3600 * (n + 1), NOW - 3600 * (n + 1)))
    assert [r.tool for r in _list(home) if r.tool in order] == order
    assert [r.tool for r in _list(home, since=2.5 * 3600)] == order[:2]
    assert {r.tool for r in _list(home, tools=["pi", "cline"])} == {"pi", "cline"}
    assert [r.tool for r in _list(home, cwd="/w/qwen")] == ["qwen"]
    assert [r.tool for r in _list(home, limit=3)] == order[:3]
    assert _list(home, states=[ConversationState.SAVED]) == []


def test_titles_are_redacted_and_a_hostile_directory_gets_no_command(home: pathlib.Path
                                                                     ) -> None:
    folder = home / ".cline/data/sessions/1796000000099_evil1"
    folder.mkdir(parents=True)
    (folder / "1796000000099_evil1.json").write_text(json.dumps({
        "session_id": "1796000000099_evil1", "cwd": "/w/x\x15touch y",
        "metadata": {"title": "use Authorization: Bearer abcdefgh12345678 " + "x" * 200}}))
    row = next(r for r in _list(home) if r.session_id == "1796000000099_evil1")
    assert "abcdefgh12345678" not in row.title and len(row.title) == 80
    assert row.resume_command == (  # the control character in bash's inert syntax
        "cd -- /w/x$'\\x15''touch y' && command cline --id 1796000000099_evil1")
    csh = next(r for r in _list(home, shell=shells.Shell.CSH)
               if r.session_id == "1796000000099_evil1")
    assert csh.resume_command is None  # csh has no inert syntax for a control character


def test_the_table_fits_100_columns(home: pathlib.Path) -> None:
    lines = table(_list(home), NOW)
    assert lines[0].startswith("STATE") and len(lines) == len(TOOLS) + 1
    assert max(len(line) for line in lines) <= 100


def test_sessions_json_is_one_envelope(home: pathlib.Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(pathlib.Path(__file__).parents[2] / "src")}
    out = subprocess.run([sys.executable, "-m", "assistant_resurrect", "-L",
                          f"none-{os.getpid()}", "sessions", "--json", "--tool", "claude",
                          "--tool", "cline"], env=env, capture_output=True, text=True,
                         check=True).stdout
    data = contract.checked("sessions", out)
    assert list(data) == ["schema_version", "command", "ok", "sessions"]
    assert {r["tool"] for r in data["sessions"]} == {"claude", "cline"}
    assert all(list(r) == KEYS for r in data["sessions"])


def test_the_plugin_s_command_runs_through_a_link_in_path(home: pathlib.Path,
                                                          tmp_path: pathlib.Path) -> None:
    """``bin/assistant-resurrect`` finds the plugin's environment from a link elsewhere."""
    link = tmp_path / "path" / "assistant-resurrect"
    link.parent.mkdir()
    link.symlink_to(pathlib.Path(__file__).parents[2] / "bin" / "assistant-resurrect")
    out = subprocess.run([str(link), "-L", f"none-{os.getpid()}", "sessions", "--json",
                          "--tool", "pi"], capture_output=True, text=True, check=True).stdout
    assert [r["session_id"] for r in json.loads(out)["sessions"]] == [_id("pi", 7)]


def test_messages_are_counted_where_the_store_indexes_them(tmp_path: pathlib.Path) -> None:
    """OpenCode's (and Kilo's) ``message`` table gives each session's count; a store without
    that table gives None, never a wrong 0, and still lists the session."""
    import sqlite3

    env = {"HOME": str(tmp_path)}
    TOOLS["opencode"].store_entry(tmp_path, "ses_counted", "/w")
    TOOLS["opencode"].store_entry(tmp_path, "ses_quiet", "/w")
    opencode = ASSISTANTS["opencode"]
    assert {s.session_id: s.messages for s in opencode.sessions(env)} == {
        "ses_counted": None, "ses_quiet": None}
    with contextlib.closing(sqlite3.connect(opencode.database(env))) as conn, conn:
        conn.execute("CREATE TABLE message (id TEXT PRIMARY KEY, session_id TEXT)")
        conn.executemany("INSERT INTO message VALUES (?, ?)",
                         [("m1", "ses_counted"), ("m2", "ses_counted")])
    assert {s.session_id: s.messages for s in opencode.sessions(env, "/w")} == {
        "ses_counted": 2, "ses_quiet": 0}
