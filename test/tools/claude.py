"""Claude Code: its npm pin, its offline conversation in its own format, the least store entry
its module reads, and how the tests drive its real CLI."""

from __future__ import annotations

import json
import pathlib
import time
import uuid

from support.lab import FAKE_ANTHROPIC_KEY, Lab
from support.toolcase import ToolCase

from assistant_resurrect.assistants.claude import encode_project_dir

PINS = {"@anthropic-ai/claude-code": "2.1.330"}


def session(lab: Lab, cwd: pathlib.Path, text: str = "hello from the test") -> str:
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


def store_entry(home: pathlib.Path, sid: str, cwd: str) -> None:
    project = home / ".claude/projects" / encode_project_dir(cwd)
    project.mkdir(parents=True, exist_ok=True)
    (project / f"{sid}.jsonl").write_text(json.dumps(
        {"type": "user", "sessionId": sid, "cwd": cwd}) + "\n")


CASE = ToolCase("claude", session,
                lambda sid: f"claude --model 'claude-opus-4-6[1m]' --resume {sid}",
                lambda sid, cwd: ["--model", "claude-opus-4-6[1m]", "--resume", sid],
                "claude -c", ("claude:sessions-registry",), store_entry,
                frozenset({"--append-system-prompt-file", "--system-prompt-file"}))
