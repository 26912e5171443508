"""Codex CLI: its npm pin, its offline conversation in its own format, the least store entry its
module reads, and how the tests drive its real CLI."""

from __future__ import annotations

import json
import pathlib
import subprocess
import uuid

from support.lab import Lab
from support.toolcase import ToolCase

PINS = {"@openai/codex": "0.169.0"}


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


def session(lab: Lab, cwd: pathlib.Path, daemon: bool = False) -> str:
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


def store_entry(home: pathlib.Path, sid: str, cwd: str) -> None:
    day = home / ".codex/sessions/2026/01/01"
    day.mkdir(parents=True, exist_ok=True)
    (day / f"rollout-2026-01-01T00-00-00-{sid}.jsonl").write_text(json.dumps(
        {"type": "session_meta", "payload": {"id": sid, "cwd": cwd}}) + "\n")


CASE = ToolCase("codex", session,
                lambda sid: f"codex -m gpt-5.1 -s workspace-write resume {sid}",
                lambda sid, cwd: ["-m", "gpt-5.1", "-s", "workspace-write", "resume", sid,
                                  "-C", str(cwd)],
                "codex resume --last", ("codex:open-rollout", "codex:argv"), store_entry,
                frozenset({"--full-auto", "--config", "--profile", "--sandbox",
                           "--ask-for-approval", "--cd", "--image", "--model", "--help",
                           "--version", "--all", "--last", "--include-non-interactive"}))
