"""Cline CLI: its npm pin, its offline conversation in its own format, the least store entry its
module reads, and how the tests drive its real CLI.

Cline has no --continue: a bare launch is saved with the conversation it created."""

from __future__ import annotations

import json
import pathlib
import time
import uuid

from support.lab import Lab
from support.toolcase import ToolCase

PINS = {"cline": "3.0.65"}


def session(lab: Lab, cwd: pathlib.Path, text: str = "hello from the test") -> str:
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


def store_entry(home: pathlib.Path, sid: str, cwd: str) -> None:
    folder = home / ".cline/data/sessions" / sid
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{sid}.json").write_text(json.dumps({"session_id": sid, "cwd": cwd}))


CASE = ToolCase("cline", session,
                lambda sid: f"cline -m gpt-test --compaction basic --id {sid}",
                lambda sid, cwd: ["-m", "gpt-test", "--compaction", "basic", "--id", sid],
                "cline", ("cline:log", "cline:argv"), store_entry, continue_is_new=True)
