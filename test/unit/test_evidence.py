"""Session evidence from the tools' own stores (real SQLite and JSONL files in their formats),
ranked, never handed to two panes, and marked when it is only a guess."""

from __future__ import annotations

import json
import os
import pathlib
import sqlite3
import subprocess
import sys
import time

import psutil
import pytest
from support.tools import TOOLS

from assistant_resurrect import restore
from assistant_resurrect.assistants import ASSISTANTS, claude
from assistant_resurrect.detect import detect, resolve
from assistant_resurrect.options import MissingSession, Options
from assistant_resurrect.procs import ProcessTable, ProcInfo, clock_ticks_since_boot
from assistant_resurrect.snapshot import PaneSession
from assistant_resurrect.tmux import PaneRecord

BASE = 4_100_000  # pids no real process has, so nothing is read from the live system
START = time.time() - 100


def world(*panes: tuple[str, list[str]]) -> tuple[list[PaneRecord], ProcessTable]:
    """One pane per (cwd, argv): a bash with the assistant as its child."""
    records, procs = [], []
    for i, (cwd, argv) in enumerate(panes):
        shell, tool = BASE + 2 * i, BASE + 2 * i + 1
        procs += [ProcInfo(shell, 1, "bash", START, ["bash"], "/bin/bash", cwd),
                  ProcInfo(tool, shell, argv[0][:15], START + i, argv, "/x/" + argv[0], cwd)]
        records.append(PaneRecord(f"%{i}", shell, "/dev/pts/9", "s", i, 0, "$1", argv[0], cwd,
                                  "t"))
    return records, ProcessTable(procs)


def codex_db(home: pathlib.Path, rows: list[tuple[str, str, float]]) -> None:
    """``state_5.sqlite`` with the ``threads`` columns Codex 0.169 has (subset we read)."""
    (home / ".codex").mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(home / ".codex/state_5.sqlite") as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE threads (id TEXT PRIMARY KEY, rollout_path TEXT NOT NULL, "
                   "created_at INTEGER, updated_at INTEGER, updated_at_ms INTEGER, "
                   "cwd TEXT NOT NULL, title TEXT NOT NULL, "
                   "archived INTEGER NOT NULL DEFAULT 0)")
        for tid, cwd, updated in rows:
            db.execute("INSERT INTO threads VALUES (?, '/r', 0, 0, ?, ?, '', 0)",
                       (tid, int(updated * 1000), cwd))


def test_two_codex_panes_in_one_directory_get_distinct_ids_marked_ambiguous() -> None:
    home = pathlib.Path(os.environ["HOME"])
    codex_db(home, [("0199aaaa-0000-7000-8000-000000000001", "/w", START + 10),
                    ("0199aaaa-0000-7000-8000-000000000002", "/w", START + 20),
                    ("0199aaaa-0000-7000-8000-000000000003", "/other", START + 30)])
    panes, table = world(("/w", ["codex"]), ("/w", ["codex", "-m", "o3"]))
    result = resolve(detect(panes, table), home / "state")
    ids = {result[p.pane_id][0].session_id for p in panes}
    assert ids == {"0199aaaa-0000-7000-8000-000000000001", "0199aaaa-0000-7000-8000-000000000002"}
    assert {result[p.pane_id][0].confidence.value for p in panes} == {"ambiguous"}


def test_codex_thread_switched_inside_the_tui_wins_over_launch_argv() -> None:
    home = pathlib.Path(os.environ["HOME"])
    launched, switched = ("0199bbbb-0000-7000-8000-000000000001",
                          "0199bbbb-0000-7000-8000-000000000002")
    codex_db(home, [(launched, "/w", START + 5), (switched, "/w", START + 50)])
    panes, table = world(("/w", ["codex", "resume", launched]))
    evidence, _ = resolve(detect(panes, table), home / "state")["%0"]
    assert (evidence.session_id, evidence.source, evidence.confidence.value) == (
        switched, "codex:state-threads", "inferred")


def test_pane_without_evidence_lists_what_was_searched() -> None:
    panes, table = world(("/w", ["opencode"]))
    evidence, searched = resolve(detect(panes, table), pathlib.Path("/nonexistent"))["%0"]
    assert evidence is None and any("store" in s for s in searched)


def test_claude_registry_of_a_reused_pid_is_ignored(tmp_path: pathlib.Path) -> None:
    home = pathlib.Path(os.environ["HOME"])
    panes, table = world(("/w", ["claude", "--resume", "11111111-2222-4333-8444-555555555555"]))
    pid = BASE + 1
    (home / ".claude/sessions").mkdir(parents=True)
    stale = {"pid": pid, "sessionId": "99999999-2222-4333-8444-555555555555",
             "procStart": str(clock_ticks_since_boot(START + 0) + 12345)}
    (home / f".claude/sessions/{pid}.json").write_text(json.dumps(stale))
    hook_state = tmp_path / f"claude-{pid}.json"
    hook_state.write_text(json.dumps({"session_id": "88888888-2222-4333-8444-555555555555"}))
    os.utime(hook_state, (START - 3600, START - 3600))  # written before this process existed
    evidence, _ = resolve(detect(panes, table), tmp_path)["%0"]
    assert (evidence.session_id, evidence.source) == (
        "11111111-2222-4333-8444-555555555555", "claude:argv")
    stale["procStart"] = str(clock_ticks_since_boot(START))
    (home / f".claude/sessions/{pid}.json").write_text(json.dumps(stale))
    evidence, _ = resolve(detect(panes, table), tmp_path)["%0"]
    assert evidence.source == "claude:argv"  # the registered id has no transcript yet
    TOOLS["claude"].store_entry(home, stale["sessionId"], "/elsewhere")
    evidence, _ = resolve(detect(panes, table), tmp_path)["%0"]
    assert (evidence.session_id, evidence.source) == (stale["sessionId"],
                                                      "claude:sessions-registry")


def test_claude_registry_on_macos_is_matched_by_its_ps_lstart_start(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Claude on darwin writes ``LC_ALL=C TZ=UTC ps -o lstart=`` as procStart (its bundle);
    procps prints the same format, so the token is checked against the real ps here."""
    me = psutil.Process()
    lstart = subprocess.run(["ps", "-o", "lstart=", "-p", str(me.pid)], capture_output=True,
                            text=True, check=True, env={**os.environ, "LC_ALL": "C",
                                                        "TZ": "UTC"}).stdout.strip()
    assert claude.proc_start_token(me.create_time(), "darwin") == lstart
    home = pathlib.Path(os.environ["HOME"])
    panes, table = world(("/w", ["claude"]))
    (home / ".claude/sessions").mkdir(parents=True)
    entry = {"sessionId": "77777777-2222-4333-8444-555555555555",
             "procStart": claude.proc_start_token(START + 0, "darwin")}
    (home / f".claude/sessions/{BASE + 1}.json").write_text(json.dumps(entry))
    TOOLS["claude"].store_entry(home, entry["sessionId"], "/w")
    monkeypatch.setattr(sys, "platform", "darwin")
    evidence, _ = resolve(detect(panes, table), home)["%0"]
    assert (evidence.session_id, evidence.source) == (entry["sessionId"],
                                                      "claude:sessions-registry")


def test_corrupt_state_files_are_ignored(tmp_path: pathlib.Path) -> None:
    panes, table = world(("/w", ["opencode", "-s", "ses_fromargv1"]))
    (tmp_path / f"opencode-{BASE + 1}.json").write_text("{torn")
    evidence, _ = resolve(detect(panes, table), tmp_path)["%0"]
    assert evidence.session_id == "ses_fromargv1"


@pytest.mark.parametrize("tool", list(TOOLS))
def test_session_exists_checks_each_tools_store(tool: str) -> None:
    home = pathlib.Path(os.environ["HOME"])
    sid = "0199cccc-0000-7000-8000-000000000001"
    env = {"HOME": str(home)}
    assert ASSISTANTS[tool].session_exists(sid, "/w", env) is False
    TOOLS[tool].store_entry(home, sid, "/w")
    assert ASSISTANTS[tool].session_exists(sid, "/w", env) is True
    assert sid in {s.session_id for s in ASSISTANTS[tool].sessions(env)}


@pytest.mark.parametrize("tool", [t for t, case in TOOLS.items() if not case.continue_is_new])
def test_a_launch_without_an_id_resolves_to_the_newest_conversation_it_resumed(
        tool: str) -> None:
    """``-c``, ``--last``, ``-r latest``: nothing was written since the process started, so
    the store's newest conversation of the directory at that time is the one it opened."""
    home = pathlib.Path(os.environ["HOME"])
    older, newest = "0199cccc-0000-7000-8000-000000000001", "0199cccc-0000-7000-8000-000000000002"
    opencode_like = hasattr(ASSISTANTS[tool], "database")
    if opencode_like:
        older, newest = "ses_olderolderolder1", "ses_newestnewestnew2"
    TOOLS[tool].store_entry(home, older, "/w")
    TOOLS[tool].store_entry(home, newest, "/w")
    if tool == "codex":
        codex_db(home, [(older, "/w", START - 60), (newest, "/w", START - 30)])
    elif opencode_like:
        with sqlite3.connect(ASSISTANTS[tool].database({"HOME": str(home)})) as db:
            for i, sid in enumerate((older, newest)):
                db.execute("UPDATE session SET time_updated = ? WHERE id = ?",
                           (int((START - 60 + 30 * i) * 1000), sid))
    else:
        for i, sid in enumerate((older, newest)):  # both written before the process started
            for path in [p for p in home.rglob("*") if sid in str(p) and p.is_file()]:
                os.utime(path, (START - 60 + 30 * i, START - 60 + 30 * i))
    panes, table = world(("/w", TOOLS[tool].continue_launch.split()))
    assert ASSISTANTS[tool].store_candidates(detect(panes, table)[0].found, "/w") == []
    evidence, _ = resolve(detect(panes, table), home / "state")["%0"]
    assert evidence is not None and evidence.session_id == newest
    assert evidence.confidence.value == "inferred"


def test_codex_resume_last_before_its_database_indexed_the_rollouts() -> None:
    """Codex adds rollouts to ``state_5.sqlite`` only once it has started up: a save before
    that finds the conversation ``--last`` opened from the rollouts of the directory."""
    home = pathlib.Path(os.environ["HOME"])
    ids = ["0199eeee-0000-7000-8000-000000000001", "0199eeee-0000-7000-8000-000000000002",
           "0199eeee-0000-7000-8000-000000000003"]
    for i, (sid, cwd) in enumerate(zip(ids, ["/w", "/w", "/other"], strict=True)):
        TOOLS["codex"].store_entry(home, sid, cwd)
        (path,) = home.rglob(f"rollout-*-{sid}.jsonl")
        os.utime(path, (START - 60 + 20 * i, START - 60 + 20 * i))
    panes, table = world(("/w", ["codex", "resume", "--last"]))
    evidence, _ = resolve(detect(panes, table), home / "state")["%0"]
    assert (evidence.session_id, evidence.source, evidence.confidence.value) == (
        ids[1], "codex:rollouts", "inferred")


def test_cline_session_is_the_last_one_its_tui_logged_opening() -> None:
    """``logs/cline.log`` (pino JSON) says which session each TUI pid opened, newest last;
    lines of another pid, or older than the process (a reused pid), do not count, nor a
    session that is not on disk."""
    home = pathlib.Path(os.environ["HOME"])
    panes, table = world(("/w", ["cline", "--id", "1796000000000_first"]))
    pid = panes[0].pane_pid + 1

    def line(at: float, who: int, sid: str) -> str:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(at))
        return json.dumps({"level": 30, "time": stamp, "pid": who, "event": "session.started",
                           "properties": {"sessionId": sid}, "msg": "telemetry.event"})

    log = home / ".cline/data/logs/cline.log"
    log.parent.mkdir(parents=True)
    log.write_text("\n".join([line(START - 50, pid, "1796000000000_reused"), "{not json",
                               line(START + 5, pid, "1796000000000_first"),
                               line(START + 9, pid, "1796000000000_switch"),
                               line(START + 20, pid + 7, "1796000000000_other")]) + "\n")
    for sid in ("1796000000000_first", "1796000000000_switch"):
        TOOLS["cline"].store_entry(home, sid, "/w")
    evidence, _ = resolve(detect(panes, table), home / "state")["%0"]
    assert (evidence.session_id, evidence.source, evidence.confidence.value) == (
        "1796000000000_switch", "cline:log", "exact")
    with log.open("a") as fh:  # a new conversation without a message is not on disk yet
        fh.write(line(START + 30, pid, "1796000000000_empty") + "\n")
    evidence, _ = resolve(detect(panes, table), home / "state")["%0"]
    assert (evidence.session_id, evidence.source) == ("1796000000000_first", "cline:argv")


def test_a_credential_option_value_never_reaches_the_sidecar() -> None:
    """Cline's ``-k <key>`` names no secret, yet its value is dropped from argv and replay."""
    from assistant_resurrect.save import build_record

    panes, table = world(("/w", ["cline", "-k", "plainsecret", "-m", "x"]))
    record = build_record(detect(panes, table)[0], None, [], (), ())
    assert "plainsecret" not in json.dumps(record._asdict())
    assert record.replay_args == ["-m", "x"]


@pytest.mark.parametrize("tool", [t for t, case in TOOLS.items() if case.continue_is_new])
def test_a_launch_that_cannot_continue_gets_the_conversation_it_created(tool: str) -> None:
    """Cline has no ``--continue``: a bare launch starts a new conversation, so an older one
    of the directory is never taken for it; the one created after it started is."""
    home = pathlib.Path(os.environ["HOME"])
    older, created = "1796000000000_older", "1796000000001_newer"
    TOOLS[tool].store_entry(home, older, "/w")
    panes, table = world(("/w", TOOLS[tool].continue_launch.split()))
    assert resolve(detect(panes, table), home / "state")["%0"][0] is None
    TOOLS[tool].store_entry(home, created, "/w")
    manifest = next(p for p in home.rglob(f"{created}.json"))
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(START + 3))
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "started_at": stamp}))
    evidence, _ = resolve(detect(panes, table), home / "state")["%0"]
    assert evidence is not None and evidence.session_id == created
    assert evidence.confidence.value == "inferred"


def _plan(rec: PaneSession, opts: Options) -> restore.PlanRow:
    panes, table = world()
    shell = ProcInfo(BASE + 99, 1, "bash", START, ["bash"], "/bin/bash", "/")
    pane = PaneRecord("%5", shell.pid, "/dev/pts/9", "s", 0, 0, "$1", "bash", "/", "t")
    return restore.plan_row(rec, {pane.address: pane}, ProcessTable([shell]), {}, opts,
                            pathlib.Path("/nonexistent-state"))


def test_missing_session_is_skipped_or_started_fresh(tmp_path: pathlib.Path) -> None:
    rec = PaneSession("s", 0, 0, "claude", str(tmp_path), "0199dddd-0000-7000-8000-00000000000f",
                      launcher="claude", replay_args=["--model", "opus"])
    assert _plan(rec, Options()).state == "session-gone"
    row = _plan(rec, Options(missing_session=MissingSession.FRESH))
    assert row.state == "ready" and row.fresh
    assert row.command and row.command.endswith("command claude --model opus")


def test_busy_missing_cwd_and_unsafe_flags_are_never_typed_into(tmp_path: pathlib.Path) -> None:
    rec = PaneSession("s", 0, 0, "codex", "/does/not/exist", "0199eeee-0000-7000-8000-00000000000f")
    assert _plan(rec, Options()).state == "cwd-missing"
    rec = rec._replace(refused="-a untrusted: no replacement")
    assert _plan(rec, Options()).state == "unsafe-flags"
    rec = rec._replace(tool="nosuchtool")
    assert _plan(rec, Options()).state == "unknown-tool"


def test_gemini_conversation_resumed_inside_the_tui_wins_over_launch_argv() -> None:
    home = pathlib.Path(os.environ["HOME"])
    chats = home / ".gemini/tmp/w/chats"
    chats.mkdir(parents=True)
    (home / ".gemini/projects.json").write_text(json.dumps({"projects": {"/w": "w"}}))
    launched = "0199ffff-0000-7000-8000-000000000001"
    switched = "0199ffff-0000-7000-8000-000000000002"
    for name, sid, when in (("a", launched, START - 50), ("b", switched, START + 30)):
        path = chats / f"session-2026-01-01T00-00-{name}.jsonl"
        path.write_text(json.dumps({"sessionId": sid, "kind": "main"}) + "\n")
        os.utime(path, (when, when))
    panes, table = world(("/w", ["node", "/b/gemini", "-r", launched]))
    evidence, _ = resolve(detect(panes, table), home / "state")["%0"]
    assert (evidence.session_id, evidence.source, evidence.confidence.value) == (
        switched, "gemini:chat-files", "inferred")


def test_a_value_that_lost_a_secret_is_never_replayed(tmp_path: pathlib.Path) -> None:
    """An env value redacted in part is left to the shell's environment (the plan says so);
    an option whose saved value lost a secret refuses the relaunch."""
    from assistant_resurrect.redact import REDACTED

    rec = PaneSession("s", 0, 0, "claude", str(tmp_path), "0199dddd-0000-7000-8000-00000000000f",
                      launcher="claude", env={"HTTPS_PROXY": f"https://{REDACTED}@proxy:3128",
                                              "MODE": "plan"})
    row = _plan(rec, Options(missing_session=MissingSession.FRESH))
    assert row.state == "ready" and row.command and "HTTPS_PROXY" not in row.command
    assert "MODE=plan" in row.command
    assert "HTTPS_PROXY left to the shell's environment" in row.reason
    assert restore.env_for(rec).get("HTTPS_PROXY") == os.environ.get("HTTPS_PROXY")
    rec = rec._replace(replay_args=["--mcp-config", f'{{"k": "{REDACTED}"}}'])
    assert _plan(rec, Options(missing_session=MissingSession.FRESH)).state == "unsafe-flags"


@pytest.mark.parametrize("option", ["--data-dir", "--config"])
def test_a_cline_store_moved_by_its_options_is_read_on_save_and_restore(
        tmp_path: pathlib.Path, option: str) -> None:
    """``cline --data-dir D`` keeps its sessions in ``D/sessions``, ``--config P`` in
    ``P/data/sessions`` (relative to its directory): the save finds the conversation there,
    and the restore does not call it gone."""
    project = tmp_path / "proj"
    data = project / "state" / ("data" if option == "--config" else "")
    sid = f"{int(START * 1000) + 10_000}_abcde"
    (data / "sessions" / sid).mkdir(parents=True)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(START + 10))
    (data / "sessions" / sid / f"{sid}.json").write_text(json.dumps(
        {"session_id": sid, "cwd": str(project), "started_at": stamp}))
    panes, table = world((str(project), ["cline", option, "state", "-m", "x"]))
    evidence, _ = resolve(detect(panes, table), tmp_path / "state")["%0"]
    assert evidence is not None and evidence.session_id == sid
    rec = PaneSession("s", 0, 0, "cline", str(project), sid, launcher="cline",
                      replay_args=[option, "state", "-m", "x"])
    assert _plan(rec, Options()).state == "ready"
    assert _plan(rec._replace(replay_args=["-m", "x"]), Options()).state == "session-gone"
