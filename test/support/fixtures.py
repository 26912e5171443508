"""Offline fixtures that make each real CLI start and open a real session on resume
(``shared/reference/assistant-clis.md`` §8), in the tools' own on-disk formats."""

from __future__ import annotations

import hashlib
import json
import pathlib
import subprocess
import time
import typing as t
import uuid

from assistant_resurrect.assistants.claude import encode_project_dir
from support.lab import FAKE_ANTHROPIC_KEY, Lab, wait_for


def claude_session(lab: Lab, cwd: pathlib.Path, text: str = "hello from the test") -> str:
    """A trusted project and a one-message transcript; returns its session id."""
    sid = str(uuid.uuid4())
    config = lab.home / ".claude.json"
    data = json.loads(config.read_text()) if config.exists() else {
        "hasCompletedOnboarding": True, "lastOnboardingVersion": "2.1.330",
        "customApiKeyResponses": {"approved": [FAKE_ANTHROPIC_KEY[-20:]], "rejected": []},
        "projects": {}}
    data["projects"][str(cwd)] = {"hasTrustDialogAccepted": True, "allowedTools": []}
    config.write_text(json.dumps(data))
    settings = lab.home / ".claude" / "settings.json"
    settings.parent.mkdir(parents=True, exist_ok=True)
    if not settings.exists():
        settings.write_text(json.dumps({"skipDangerousModePermissionPrompt": True}))
    project = lab.home / ".claude" / "projects" / encode_project_dir(str(cwd))
    project.mkdir(parents=True, exist_ok=True)
    line = {"type": "user", "message": {"role": "user", "content": text},
            "uuid": str(uuid.uuid4()), "parentUuid": None, "sessionId": sid, "cwd": str(cwd),
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
            "isSidechain": False, "userType": "external", "version": "2.1.330"}
    (project / f"{sid}.jsonl").write_text(json.dumps(line) + "\n")
    return sid


def codex_home(lab: Lab, daemon: bool = False) -> pathlib.Path:
    """Logged in with a fake key; Codex's shared app-server daemon off unless ``daemon``
    (each CODEX_HOME that starts one gets a 400 MB copy of Codex)."""
    home = lab.home / ".codex"
    if not (home / "auth.json").exists():
        home.mkdir(parents=True, exist_ok=True)
        if not daemon:
            (home / "config.toml").write_text("[features]\ndaemon_auto_start = false\n")
        subprocess.run([str(lab.cli_bin / "codex"), "login", "--with-api-key"],
                       input="sk-fake-test", text=True, env=lab.env, capture_output=True,
                       check=True, timeout=60)
        lab.started_codex_homes.add(home)
    return home


def codex_session(lab: Lab, cwd: pathlib.Path, daemon: bool = False) -> str:
    """A trusted project and a rollout whose first line is ``session_meta``; returns its id."""
    home = codex_home(lab, daemon)
    with (home / "config.toml").open("a") as fh:
        fh.write(f'\n[projects."{cwd}"]\ntrust_level = "trusted"\n')
    sid = str(uuid.uuid4())
    day = home / "sessions" / "2026" / "01" / "01"
    day.mkdir(parents=True, exist_ok=True)
    meta = {"timestamp": "2026-01-01T00:00:00.000Z", "type": "session_meta",
            "payload": {"id": sid, "timestamp": "2026-01-01T00:00:00.000Z", "cwd": str(cwd),
                        "originator": "codex_cli_rs", "cli_version": "0.169.0", "source": "cli",
                        "model_provider": "openai"}}
    (day / f"rollout-2026-01-01T00-00-00-{sid}.jsonl").write_text(json.dumps(meta) + "\n")
    return sid


def opencode_session(lab: Lab, cwd: pathlib.Path, title: str = "test session",
                     tool: str = "opencode", version: str = "1.18.33") -> str:
    """A session imported with OpenCode's (or its fork's) own importer; returns its id."""
    sid = "ses_" + uuid.uuid4().hex[:26]
    now = int(time.time() * 1000)
    export = {"info": {"id": sid, "slug": "t", "projectID": "global", "directory": str(cwd),
                       "title": title, "version": version,
                       "time": {"created": now, "updated": now}}, "messages": []}
    path = lab.root / f"{sid}.json"
    path.write_text(json.dumps(export))
    subprocess.run([str(lab.cli_bin / tool), "import", str(path)], env=lab.env,
                   capture_output=True, check=True, timeout=120, cwd=cwd)
    return sid


def kilo_session(lab: Lab, cwd: pathlib.Path) -> str:
    """A session imported with Kilo's own importer (OpenCode's export format)."""
    return opencode_session(lab, cwd, tool="kilo", version="7.7.7")


def gemini_session(lab: Lab, cwd: pathlib.Path, text: str = "hello from the test") -> str:
    """A trusted project and a chat file Gemini lists (recent: older ones are pruned by its
    session retention); returns its session id. Auth: ``GEMINI_API_KEY`` (fake) + settings."""
    sid = str(uuid.uuid4())
    root = lab.home / ".gemini"
    root.mkdir(exist_ok=True)
    (root / "settings.json").write_text(json.dumps(
        {"security": {"auth": {"selectedType": "gemini-api-key"}}}))
    trusted = root / "trustedFolders.json"
    folders = json.loads(trusted.read_text()) if trusted.exists() else {}
    trusted.write_text(json.dumps({**folders, str(cwd): "TRUST_FOLDER"}))
    projects_file = root / "projects.json"
    projects = json.loads(projects_file.read_text()) if projects_file.exists() else {
        "projects": {}}
    slug = projects["projects"].setdefault(str(cwd), f"p{len(projects['projects'])}")
    projects_file.write_text(json.dumps(projects))
    chats = root / "tmp" / slug / "chats"
    chats.mkdir(parents=True, exist_ok=True)
    (root / "tmp" / slug / ".project_root").write_text(str(cwd))
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    meta = {"sessionId": sid, "projectHash": hashlib.sha256(str(cwd).encode()).hexdigest(),
            "startTime": now, "lastUpdated": now, "kind": "main"}
    msg = {"id": uuid.uuid4().hex, "timestamp": now, "type": "user",
           "content": [{"text": text}]}
    name = f"session-{time.strftime('%Y-%m-%dT%H-%M', time.gmtime())}-{sid[:8]}.jsonl"
    (chats / name).write_text(json.dumps(meta) + "\n" + json.dumps(msg) + "\n")
    return sid


def copilot_session(lab: Lab, cwd: pathlib.Path, text: str = "hello from the test") -> str:
    """A trusted folder and a session-state dir whose events.jsonl Copilot resumes."""
    sid = str(uuid.uuid4())
    home = lab.home / ".copilot"
    home.mkdir(exist_ok=True)
    config = home / "config.json"
    data = json.loads(config.read_text()) if config.exists() else {"trustedFolders": []}
    data["trustedFolders"].append(str(cwd))
    config.write_text(json.dumps(data))
    state = home / "session-state" / sid
    state.mkdir(parents=True)
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    (state / "workspace.yaml").write_text(
        f"id: {sid}\ncwd: {cwd}\nclient_name: github/cli\nuser_named: false\n"
        f"summary_count: 0\nfork_count: 0\ncreated_at: {now}\nupdated_at: {now}\n")
    start, msg = str(uuid.uuid4()), str(uuid.uuid4())
    events = [
        {"type": "session.start", "id": start, "timestamp": now, "parentId": None,
         "data": {"sessionId": sid, "version": 1, "producer": "copilot-agent",
                  "copilotVersion": "1.0.102", "startTime": now, "context": {"cwd": str(cwd)}}},
        {"type": "user.message", "id": msg, "timestamp": now, "parentId": start,
         "data": {"content": text, "transformedContent": text, "attachments": []}},
    ]
    (state / "events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))
    return sid


def qwen_session(lab: Lab, cwd: pathlib.Path, text: str = "hello from the test") -> str:
    """A transcript ``~/.qwen/projects/<slug>/chats/<id>.jsonl`` of one user record, in the
    ChatRecordingService format; returns its id. Offline, Qwen opens it and asks for a
    provider."""
    from assistant_resurrect.assistants.qwen import project_slug

    sid = str(uuid.uuid4())
    chats = lab.home / ".qwen" / "projects" / project_slug(str(cwd)) / "chats"
    chats.mkdir(parents=True, exist_ok=True)
    record = {"uuid": str(uuid.uuid4()), "parentUuid": None, "sessionId": sid,
              "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
              "type": "user", "provenance": "real_user", "cwd": str(cwd), "version": "0.24.4",
              "message": {"role": "user", "parts": [{"text": text}]}}
    (chats / f"{sid}.jsonl").write_text(json.dumps(record) + "\n")
    return sid


def pi_session(lab: Lab, cwd: pathlib.Path, text: str = "hello from the test",
               tool: str = "pi") -> str:
    """A Pi (or Oh My Pi) session file (header, one user message) in the tool's folder for
    ``cwd``; returns its id."""
    from assistant_resurrect.assistants import ASSISTANTS

    sid = str(uuid.uuid4())
    folder = t.cast(t.Any, ASSISTANTS[tool]).folder(lab.env, str(cwd))
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    lines = [{"type": "session", "version": 3, "id": sid, "timestamp": stamp, "cwd": str(cwd)},
             {"type": "message", "id": uuid.uuid4().hex[:8], "parentId": None,
              "timestamp": stamp, "message": {"role": "user", "timestamp": int(time.time() * 1000),
                                              "content": [{"type": "text", "text": text}]}}]
    name = f"{stamp.replace(':', '-').replace('.', '-')}_{sid}.jsonl"
    (folder / name).write_text("".join(json.dumps(line) + "\n" for line in lines))
    return sid


def omp_session(lab: Lab, cwd: pathlib.Path) -> str:
    """An Oh My Pi session file (Pi's format, its own folder naming)."""
    return pi_session(lab, cwd, tool="omp")


def droid_session(lab: Lab, cwd: pathlib.Path, text: str = "hello from the test") -> str:
    """A Droid session file (``session_start``, one user message) in
    ``~/.factory/sessions/-<cwd>/``; returns its id. Droid wants a login before it shows it."""
    sid = str(uuid.uuid4())
    folder = lab.home / ".factory" / "sessions" / ("-" + str(cwd).strip("/").replace("/", "-"))
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    lines = [{"type": "session_start", "id": sid, "title": "test session", "owner": "tester",
              "cwd": str(cwd)},
             {"type": "message", "id": uuid.uuid4().hex, "timestamp": stamp,
              "message": {"role": "user", "content": [{"type": "text", "text": text}]}}]
    (folder / f"{sid}.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    return sid


def cline_session(lab: Lab, cwd: pathlib.Path, text: str = "hello from the test") -> str:
    """A Cline session (manifest and messages, as ``~/.cline/data/sessions/<id>/`` holds
    them) with one question and its answer; returns its id. Also Cline's offline set-up, once:
    an OpenAI-compatible provider on a closed local port (so the TUI opens a session instead
    of its sign-in screen) and its one-time promotion marked shown (it would eat a key)."""
    data = lab.home / ".cline" / "data"
    settings = data / "settings"
    settings.mkdir(parents=True, exist_ok=True)
    if not (settings / "providers.json").exists():
        (settings / "providers.json").write_text(json.dumps({
            "version": 1, "lastUsedProvider": "openai-compatible", "modes": {},
            "providers": {"openai-compatible": {"settings": {
                "provider": "openai-compatible", "apiKey": "test-key", "model": "gpt-test",
                "baseUrl": "http://127.0.0.1:9/v1"}, "updatedAt": "2026-01-01T00:00:00.000Z",
                "tokenSource": "manual"}}}))
        (settings / "cli-notices.json").write_text(json.dumps(
            {"shown": {"cline-cli-cline-pass-intro": True, "cline-cli-desktop-launch": True}}))
    now = time.time()
    sid = f"{int(now * 1000) - 60_000}_{uuid.uuid4().hex[:5]}"
    folder = data / "sessions" / sid
    folder.mkdir(parents=True)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(now - 60))
    (folder / f"{sid}.json").write_text(json.dumps({
        "version": 1, "session_id": sid, "source": "cli", "pid": 1, "started_at": stamp,
        "ended_at": stamp, "exit_code": 0, "status": "completed", "interactive": True,
        "provider": "openai-compatible", "model": "gpt-test", "cwd": str(cwd),
        "workspace_root": str(cwd), "enable_tools": True, "enable_spawn": True,
        "enable_teams": True, "prompt": f'<user_input mode="act">{text}</user_input>',
        "metadata": {"title": text}, "messages_path": str(folder / f"{sid}.messages.json")}))
    (folder / f"{sid}.messages.json").write_text(json.dumps({
        "version": 1, "updated_at": stamp, "agent": "lead", "sessionId": sid, "messages": [
            {"id": str(uuid.uuid4()), "role": "user", "createdAt": int(now * 1000) - 60_000,
             "content": [{"type": "text", "text": f'<user_input mode="act">{text}</user_input>'}]},
            {"id": str(uuid.uuid4()), "role": "assistant", "createdAt": int(now * 1000) - 59_000,
             "content": [{"type": "text", "text": "hello back"}]}]}))
    return sid


def start_opencode(lab: Lab, session: str, name: str) -> tuple[str, str]:
    """A pane in tmux session ``session`` running the real OpenCode in ``~/<name>`` on a fresh
    imported session; returns (session id, %pane_id)."""
    cwd = lab.home / name
    cwd.mkdir(exist_ok=True)
    sid = opencode_session(lab, cwd)
    pane = lab.start(session, cwd, f"opencode -s {sid}")
    wait_for(lambda: lab.argv_in_pane(pane, "opencode"), 30, what="opencode")
    return sid, pane


def start_claude(lab: Lab, session: str, cwd: pathlib.Path) -> tuple[str, str, pathlib.Path]:
    """The real Claude in a new pane, resuming a fresh one-message session in ``cwd``, once
    it has registered itself; returns (session id, %pane_id, its sessions/<pid>.json)."""
    sid = claude_session(lab, cwd)
    pane = lab.start(session, cwd, f"claude --resume {sid}")
    registry = lab.home / ".claude" / "sessions"
    entry = wait_for(lambda: next(iter(registry.glob("*.json")), None), 60,
                     what="Claude's sessions registry")
    return sid, pane, entry
