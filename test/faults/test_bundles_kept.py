"""Bundles and kept copies through the command line, on a real tmux server with the real
Claude: a forged bundle is one clear error that writes nothing; a transcript its tool grew,
rewrote in place and emptied keeps every content it had, each one put back exactly."""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import stat
import tarfile
import typing as t

import pytest
from support import forge
from support.lab import Lab
from support.tools import kept_claude

pytestmark = [pytest.mark.clis]
SID = "0199eeee-0000-7000-8000-000000000002"
MEMBER = f"claude/projects/-w/{SID}.jsonl"
FORGED: dict[str, t.Callable[[pathlib.Path], pathlib.Path]] = {
    "a decompression bomb": lambda d: forge.bundle(d / "bomb.tar.gz", {
        MEMBER: b"\0" * (40 << 20)}, SID),
    "an mtime that is no time": lambda d: forge.bundle(d / "nan.tar.gz", {
        MEMBER: b"{}\n"}, SID, pax_mtime="nan"),
    "a manifest nested 200,000 deep": lambda d: forge.bundle(
        d / "deep.tar.gz", {}, SID, manifest=b"[" * 200_000 + b"]" * 200_000),
    "a symlink member": lambda d: forge.bundle(d / "link.tar.gz", {MEMBER: b""}, SID,
                                               kind=tarfile.SYMTYPE),
    "a member climbing out": lambda d: forge.bundle(d / "out.tar.gz", {
        f"claude/projects/-w/{SID}/../../../settings.json": b'{"hooks": {}}'}, SID),
}


def files_under(home: pathlib.Path) -> dict[str, str]:
    return {str(p.relative_to(home)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(home.rglob("*")) if p.is_file() and not p.is_symlink()}


@pytest.mark.parametrize("forgery", list(FORGED))
def test_a_forged_bundle_is_one_clear_error_and_writes_nothing(lab: Lab, forgery: str) -> None:
    path = FORGED[forgery](lab.root)
    before = files_under(lab.home)
    for args in (["import", str(path)], ["import", "--dry-run", str(path)],
                 ["verify", str(path)]):
        proc = lab.cli(*args, check=False)
        assert proc.returncode == 1, (args, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
        assert "does not verify" in proc.stderr or "verify" in args, proc.stderr
    assert files_under(lab.home) == before


def test_a_transcript_grown_rewritten_and_emptied_keeps_each_content(lab: Lab) -> None:
    sid, pane, transcript = kept_claude(lab)
    folder = lab.state_dir / "kept" / "claude" / sid
    lab.tmux("respawn-pane", "-k", "-t", pane, "bash --norc -i")  # Claude writes no more

    def keep() -> list[bytes]:
        """Keep now; the content of each version, oldest first."""
        lab.cli("keep")
        contents = []
        for version in sorted(folder.glob("*.json")):
            (member,) = json.loads(version.read_text())["members"].values()
            obj = lab.state_dir / "kept" / "objects" / member["sha256"]
            assert stat.S_IMODE(obj.stat().st_mode) == 0o400
            assert not os.path.samefile(obj, transcript)
            contents.append(obj.read_bytes())
        return contents

    grown = transcript.read_bytes() + b'{"type":"user","message":"more"}\n'
    transcript.write_bytes(grown)
    assert keep() == [grown]  # an appended transcript replaces the version it holds
    rewritten = b'{"type":"summary","summary":"rewritten in place"}\n'
    with transcript.open("r+b") as fh:  # in place: the same inode, as Gemini rewrites
        fh.write(rewritten)
        fh.truncate()
    assert keep() == [grown, rewritten]
    transcript.open("r+b").truncate()  # a crash emptied it
    assert keep() == [grown, rewritten, b""]

    for back, content in ((1, rewritten), (2, grown)):
        transcript.unlink()
        args = ["import", "--kept", sid, "--older", str(back)]
        lab.cli(*args)
        assert transcript.read_bytes() == content, args
        assert stat.S_IMODE(transcript.stat().st_mode) == 0o600
    refused = lab.cli("import", "--kept", sid, "--older", "3", check=False)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr, refused.stderr
    assert transcript.read_bytes() == grown
