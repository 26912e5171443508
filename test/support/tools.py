"""One row per supported tool: everything the lifecycle, contract and evidence tests need to
know about it. Adding an assistant adds its module, its tracker (if any) and a row here."""

from __future__ import annotations

import json
import pathlib
import typing as t

from assistant_resurrect.assistants import ASSISTANTS
from assistant_resurrect.assistants.claude import encode_project_dir
from support import fixtures
from support.lab import wait_for

if t.TYPE_CHECKING:
    from support.lab import Lab


class ToolCase(t.NamedTuple):
    """How the tests drive one real CLI.

    ``session`` writes an offline conversation in the tool's own format and returns its id;
    ``launch`` is a command line (with options) resuming an id, ``resumed_tail`` the argv
    tail the restore must start it with, ``continue_launch`` a launch without any id that
    opens the directory's newest conversation, ``source`` the evidence ``status`` reports
    for ``launch`` (a tuple: any of them), ``store_entry`` the least store entry that makes
    ``session_exists`` true (unit tests, no CLI), ``hidden_options`` options the CLI accepts
    but leaves out of ``--help``.
    """

    name: str
    session: t.Callable[[Lab, pathlib.Path], str]
    launch: t.Callable[[str], str]
    resumed_tail: t.Callable[[str, pathlib.Path], list[str]]
    continue_launch: str
    source: tuple[str, ...]
    store_entry: t.Callable[[pathlib.Path, str, str], None]
    hidden_options: frozenset[str] = frozenset()
    continue_is_new: bool = False


def _claude_entry(home: pathlib.Path, sid: str, cwd: str) -> None:
    project = home / ".claude/projects" / encode_project_dir(cwd)
    project.mkdir(parents=True, exist_ok=True)
    (project / f"{sid}.jsonl").write_text(json.dumps(
        {"type": "user", "sessionId": sid, "cwd": cwd}) + "\n")


def _codex_entry(home: pathlib.Path, sid: str, cwd: str) -> None:
    day = home / ".codex/sessions/2026/01/01"
    day.mkdir(parents=True, exist_ok=True)
    (day / f"rollout-2026-01-01T00-00-00-{sid}.jsonl").write_text(json.dumps(
        {"type": "session_meta", "payload": {"id": sid, "cwd": cwd}}) + "\n")


def _opencode_entry(home: pathlib.Path, sid: str, cwd: str, name: str = "opencode") -> None:
    import sqlite3

    db = home / f".local/share/{name}/{name}.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS session (id TEXT PRIMARY KEY, parent_id TEXT, "
                     "directory TEXT, title TEXT, time_created INTEGER, time_updated INTEGER, "
                     "time_archived INTEGER)")
        conn.execute("INSERT INTO session VALUES (?, NULL, ?, 't', 1, 2, NULL)", (sid, cwd))


def _gemini_entry(home: pathlib.Path, sid: str, cwd: str) -> None:
    (home / ".gemini/tmp/w/chats").mkdir(parents=True, exist_ok=True)
    (home / ".gemini/projects.json").write_text(json.dumps({"projects": {cwd: "w"}}))
    (home / f".gemini/tmp/w/chats/session-{sid}.jsonl").write_text(json.dumps({"sessionId": sid}))


def _copilot_entry(home: pathlib.Path, sid: str, cwd: str) -> None:
    state = home / ".copilot/session-state" / sid
    state.mkdir(parents=True, exist_ok=True)
    (state / "workspace.yaml").write_text(f"id: {sid}\ncwd: {cwd}\n")
    (state / "events.jsonl").write_text("{}\n")


def _qwen_entry(home: pathlib.Path, sid: str, cwd: str) -> None:
    from assistant_resurrect.assistants.qwen import project_slug

    chats = home / ".qwen/projects" / project_slug(cwd) / "chats"
    chats.mkdir(parents=True, exist_ok=True)
    (chats / f"{sid}.jsonl").write_text(json.dumps({"sessionId": sid, "cwd": cwd}) + "\n")


def _pi_entry(home: pathlib.Path, sid: str, cwd: str, tool: str = "pi") -> None:
    from assistant_resurrect.assistants import ASSISTANTS

    folder = t.cast(t.Any, ASSISTANTS[tool]).folder({"HOME": str(home)}, cwd)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"2026-01-01T00-00-00-000Z_{sid}.jsonl").write_text(json.dumps(
        {"type": "session", "version": 3, "id": sid, "cwd": cwd}) + "\n")


def _droid_entry(home: pathlib.Path, sid: str, cwd: str) -> None:
    folder = home / ".factory/sessions/-w"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{sid}.jsonl").write_text(json.dumps(
        {"type": "session_start", "id": sid, "title": "t", "cwd": cwd}) + "\n")


def _cline_entry(home: pathlib.Path, sid: str, cwd: str) -> None:
    folder = home / ".cline/data/sessions" / sid
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{sid}.json").write_text(json.dumps({"session_id": sid, "cwd": cwd}))


TOOLS = {case.name: case for case in (
    ToolCase("claude", fixtures.claude_session,
             lambda sid: f"claude --model 'claude-opus-4-6[1m]' --resume {sid}",
             lambda sid, cwd: ["--model", "claude-opus-4-6[1m]", "--resume", sid],
             "claude -c", ("claude:sessions-registry",), _claude_entry,
             frozenset({"--append-system-prompt-file", "--system-prompt-file"})),
    ToolCase("codex", fixtures.codex_session,
             lambda sid: f"codex -m gpt-5.1 -s workspace-write resume {sid}",
             lambda sid, cwd: ["-m", "gpt-5.1", "-s", "workspace-write", "resume", sid,
                               "-C", str(cwd)],
             "codex resume --last", ("codex:open-rollout", "codex:argv"), _codex_entry,
             frozenset({"--full-auto", "--config", "--profile", "--sandbox",
                        "--ask-for-approval", "--cd", "--image", "--model", "--help",
                        "--version", "--all", "--last", "--include-non-interactive"})),
    ToolCase("opencode", fixtures.opencode_session,
             lambda sid: f"opencode --log-level INFO -s {sid}",
             lambda sid, cwd: ["--log-level", "INFO", "-s", sid],
             "opencode --continue", ("opencode:argv",), _opencode_entry),
    ToolCase("gemini", fixtures.gemini_session,
             lambda sid: f"gemini -m gemini-2.5-pro --approval-mode auto_edit -r {sid}",
             lambda sid, cwd: ["-m", "gemini-2.5-pro", "--approval-mode", "auto_edit",
                               "--resume", sid],
             "gemini -r latest", ("gemini:argv",), _gemini_entry,
             frozenset({"--policy", "--admin-policy"})),
    ToolCase("copilot", fixtures.copilot_session,
             lambda sid: f"copilot --model gpt-5 --resume={sid}",
             lambda sid, cwd: ["--model", "gpt-5", f"--resume={sid}"],
             "copilot --continue", ("copilot:argv", "copilot:inuse-lock"), _copilot_entry,
             frozenset({"--interactive", "--prompt", "--help", "--version", "--continue"})),
    ToolCase("qwen", fixtures.qwen_session,
             lambda sid: f"qwen -m qwen3-coder-plus --resume {sid}",
             lambda sid, cwd: ["-m", "qwen3-coder-plus", "--resume", sid],
             "qwen -c", ("qwen:sessions-registry", "qwen:argv"), _qwen_entry),
    ToolCase("kilo", fixtures.kilo_session,
             lambda sid: f"kilo --log-level INFO -s {sid}",
             lambda sid, cwd: ["--log-level", "INFO", "-s", sid],
             "kilo --continue", ("kilo:argv",),
             lambda home, sid, cwd: _opencode_entry(home, sid, cwd, "kilo")),
    # Pi's argv reads as just "pi" once it set process.title: no options to replay, its
    # session guessed (a status taken before that still reads its argv)
    ToolCase("pi", fixtures.pi_session, lambda sid: f"pi --offline --session {sid}",
             lambda sid, cwd: ["--session", sid], "pi --offline -c", ("pi:sessions", "pi:argv"),
             _pi_entry),
    ToolCase("omp", fixtures.omp_session,
             lambda sid: f"omp --model opus --thinking high --resume {sid}",
             lambda sid, cwd: ["--model", "opus", "--thinking", "high", "--resume", sid],
             "omp -c", ("omp:argv",), lambda home, sid, cwd: _pi_entry(home, sid, cwd, "omp"),
             frozenset({"--help", "--version"})),
    # Droid wants a Factory login first: the restore proves it starts on the right id
    ToolCase("droid", fixtures.droid_session, lambda sid: f"droid --auto low -r {sid}",
             lambda sid, cwd: ["--auto", "low", "--resume", sid], "droid -r --last",
             ("droid:argv",), _droid_entry),
    # Cline has no --continue: a bare launch is saved with the conversation it created
    ToolCase("cline", fixtures.cline_session,
             lambda sid: f"cline -m gpt-test --compaction basic --id {sid}",
             lambda sid, cwd: ["-m", "gpt-test", "--compaction", "basic", "--id", sid],
             "cline", ("cline:log", "cline:argv"), _cline_entry, continue_is_new=True),
)}


def kept_claude(lab: Lab) -> tuple[str, str, pathlib.Path]:
    """The real Claude on one of its conversations in a pane, with keep-transcripts on, saved
    once and its first kept version written. Returns (session id, pane id, transcript)."""
    cwd = lab.home / "kept work"
    cwd.mkdir()
    sid = TOOLS["claude"].session(lab, cwd)
    lab.load_plugin()
    lab.tmux("set", "-g", "@assistant-resurrect-keep-transcripts", "on")
    pane = lab.start("s", cwd, TOOLS["claude"].launch(sid))
    wait_for(lambda: lab.argv_in_pane(pane, "claude"), 60, what="claude running")
    lab.resurrect_save()
    claude = ASSISTANTS["claude"]
    (transcript,) = claude.conversation_files(claude.root(lab.env), sid)
    folder = lab.state_dir / "kept" / "claude" / sid
    wait_for(lambda: list(folder.glob("*.json")), 30, what="the first kept version")
    return sid, pane, transcript
