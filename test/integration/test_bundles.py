"""``export``/``verify``/``import`` and kept copies on a real tmux server with the real CLIs:
every tool's conversation bundled from its own store, a tampered bundle refused, a deleted
conversation put back and resumed; a transcript the tool deleted brought back from its kept
copy."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import tarfile

import pytest
from support.lab import Lab
from support.tools import TOOLS, kept_claude

from assistant_resurrect.assistants import ASSISTANTS

pytestmark = [pytest.mark.clis, pytest.mark.slow]


def delete_conversation(lab: Lab, tool: str, sid: str) -> None:
    """Remove a conversation the way its tool would: its files, or its own delete command."""
    assistant = ASSISTANTS[tool]
    if assistant.export_document(lab.env, sid) is not None:
        subprocess.run([str(lab.cli_bin / tool), "session", "delete", sid], env=lab.env,
                       capture_output=True, check=True, timeout=120)
        return
    files = assistant.conversation_files(assistant.root(lab.env), sid)
    assert files, (tool, sid)
    for path in files:
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    if tool == "gemini":  # its project table too: the import must not need it
        (assistant.root(lab.env) / "projects.json").unlink()


def listed(lab: Lab) -> dict[str, dict[str, object]]:
    out = json.loads(lab.cli("sessions", "--json").stdout)
    return {row["session_id"]: row for row in out["sessions"]}


def test_every_tool_exported_verified_deleted_imported_and_resumed(lab: Lab) -> None:
    ids = {}
    for tool, case in TOOLS.items():
        cwd = lab.home / "work" / f"{tool} dir"
        cwd.mkdir(parents=True)
        ids[tool] = (case.session(lab, cwd), cwd)
    lab.load_plugin()
    bundle = lab.root / "all.tar.gz"
    out = lab.cli("export", *[sid for sid, _ in ids.values()], "-o", str(bundle), "--json")
    manifest = json.loads(out.stdout)
    assert manifest["schema_version"] == 2 and manifest["skipped"] == []
    assert {(c["tool"], c["session_id"], c["cwd"]) for c in manifest["conversations"]} == {
        (tool, sid, str(cwd)) for tool, (sid, cwd) in ids.items()}
    assert os.stat(bundle).st_mode & 0o777 == 0o600
    assert lab.cli("verify", str(bundle)).returncode == 0

    tampered = lab.root / "tampered.tar.gz"
    with tarfile.open(bundle) as src, tarfile.open(tampered, "w:gz") as dst:
        for member in src:
            data = src.extractfile(member).read()  # type: ignore[union-attr]
            if member.name.startswith("claude/"):
                data = data.replace(b"hello", b"HELLO")
            dst.addfile(member, io.BytesIO(data))
    bad = lab.cli("verify", str(tampered), "--json", check=False)
    assert bad.returncode == 1
    problems = json.loads(bad.stdout)["problems"]
    assert len(problems) == 1 and problems[0].startswith("claude/") and "mismatch" in problems[0]
    assert lab.cli("import", str(tampered), check=False).returncode == 1

    for tool, (sid, _) in ids.items():
        delete_conversation(lab, tool, sid)
    rows = listed(lab)
    assert not {sid for sid, _ in ids.values()} & set(rows)

    dry = json.loads(lab.cli("import", str(bundle), "--dry-run", "--json").stdout)
    assert {r["action"] for r in dry["results"]} == {"would-restore"}
    assert not {sid for sid, _ in ids.values()} & set(listed(lab))
    done = json.loads(lab.cli("import", str(bundle), "--json").stdout)
    assert {r["action"] for r in done["results"]} == {"restored"}, done
    rows = listed(lab)
    for tool, (sid, cwd) in ids.items():
        assert (rows[sid]["tool"], rows[sid]["cwd"], rows[sid]["state"]) == (
            tool, str(cwd), "orphaned"), (tool, rows.get(sid))
    again = json.loads(lab.cli("import", str(bundle), "--json").stdout)
    assert {r["action"] for r in again["results"]} == {"present"}

    for tool, (sid, _) in ids.items():
        resumed = lab.cli("sessions", "resume", sid, "--json", check=False)
        row = json.loads(resumed.stdout)["resume"]
        assert resumed.returncode == 0 and row["outcome"] == "resumed", (tool, row)
        assert sid in row["command"]


def test_a_conversation_the_tool_deleted_comes_back_from_its_kept_copy(lab: Lab) -> None:
    sid, _, transcript = kept_claude(lab)
    versions = lab.state_dir / "kept" / "claude" / sid
    (version,) = versions.glob("*.json")
    (member,) = json.loads(version.read_text())["members"].values()
    kept = lab.state_dir / "kept" / "objects" / member["sha256"]
    assert not os.path.samefile(kept, transcript)  # the content, not the live file
    content = transcript.read_bytes()
    assert kept.read_bytes() == content[:member["size"]]

    lab.restart_with_layout()
    transcript.unlink()  # what Claude's cleanupPeriodDays does
    plan = json.loads(lab.cli("restore", "--json").stdout)["panes"]
    (row,) = plan
    assert row["state"] == "session-gone"
    assert f"a kept copy exists: assistant-resurrect import --kept {sid}" in row["reason"]

    lab.cli("import", "--kept", sid)
    assert transcript.read_bytes() == kept.read_bytes()
    assert transcript.stat().st_mode & 0o777 == 0o600
    done = json.loads(lab.cli("restore", "--execute", "--json").stdout)["panes"]
    assert done[0]["outcome"] == "resumed", done
