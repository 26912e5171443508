"""Bundles and kept copies on stores written in the tools' own layouts (``store_entry`` of
each tool's row): what is bundled, what ``verify`` catches, what ``import`` may write."""

from __future__ import annotations

import errno
import io
import json
import os
import pathlib
import shutil
import tarfile
import tempfile
import typing as t

import pytest
from support import forge
from support.tools import TOOLS

from assistant_resurrect import bundle, kept
from assistant_resurrect.assistants import ASSISTANTS
from assistant_resurrect.exc import AssistantResurrectError
from assistant_resurrect.snapshot import PaneSession

SID = "0199dddd-0000-7000-8000-000000000001"
FILE_TOOLS = [name for name in TOOLS if name not in ("opencode", "kilo")]


def _sid(tool: str) -> str:
    return "1796000000001_abc01" if tool == "cline" else SID


@pytest.fixture()
def env(tmp_path: pathlib.Path) -> dict[str, str]:
    (tmp_path / "home").mkdir(exist_ok=True)
    return {"HOME": str(tmp_path / "home"), "PATH": os.environ.get("PATH", "")}


def _store(env: dict[str, str], tool: str, cwd: str = "/work/p") -> str:
    sid = _sid(tool)
    TOOLS[tool].store_entry(pathlib.Path(env["HOME"]), sid, cwd)
    return sid


def _export(tmp_path: pathlib.Path, env: dict[str, str], *tools: str) -> pathlib.Path:
    out = tmp_path / "b.tar.gz"
    bundle.export([bundle.Source(tool, _store(env, tool), "/work/p") for tool in tools], out,
                  env)
    return out


@pytest.mark.parametrize("tool", FILE_TOOLS)
def test_each_tool_s_own_files_round_trip(tmp_path: pathlib.Path, env: dict[str, str],
                                          tool: str) -> None:
    out = _export(tmp_path, env, tool)
    assert out.stat().st_mode & 0o777 == 0o600
    checked = bundle.verify(out)
    assert checked.problems == [] and checked.members
    assistant = ASSISTANTS[tool]
    root = assistant.root(env)
    originals = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    for path in assistant.conversation_files(root, _sid(tool)):
        if path.is_dir():
            for inner in path.rglob("*"):
                inner.unlink() if inner.is_file() else None
        else:
            path.unlink()
    results = bundle.import_bundle(out, env)
    assert {r.action for r in results} == {"restored"}
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == originals
    assert {r.action for r in bundle.import_bundle(out, env)} == {"present"}


def test_verify_names_every_changed_missing_and_added_member(tmp_path: pathlib.Path,
                                                             env: dict[str, str]) -> None:
    out = _export(tmp_path, env, "claude", "copilot")
    names = [m for m in bundle.verify(out).members]
    changed, dropped = names[0], names[1]
    tampered = tmp_path / "t.tar.gz"
    with tarfile.open(out) as src, tarfile.open(tampered, "w:gz") as dst:
        for member in src:
            data = src.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == dropped:
                continue
            if member.name == changed:
                data += b"x"
                member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
        extra = tarfile.TarInfo("claude/projects/extra.jsonl")
        dst.addfile(extra, io.BytesIO(b""))
    problems = bundle.verify(tampered).problems
    assert len(problems) == 3, problems
    assert any(p.startswith(changed) and "mismatch" in p for p in problems)
    assert f"{dropped}: missing" in problems
    assert "claude/projects/extra.jsonl: not in the manifest" in problems
    with pytest.raises(AssistantResurrectError, match="does not verify"):
        bundle.import_bundle(tampered, env)


def _forged(tmp_path: pathlib.Path, members: dict[str, bytes], tool: str = "claude",
            kind: bytes = tarfile.REGTYPE) -> pathlib.Path:
    """A bundle whose manifest matches its members: it verifies, whatever it holds."""
    return forge.bundle(tmp_path / "forged.tar.gz", members, SID, tool, kind)


def test_a_bundle_puts_back_transcripts_never_settings(tmp_path: pathlib.Path,
                                                       env: dict[str, str]) -> None:
    path = _forged(tmp_path, {"claude/settings.json": b'{"hooks": "evil"}',
                              f"claude/projects/x/{SID}.jsonl": b"{}\n",
                              f"claude/projects/x/{SID}/../../../settings.json": b"{}"})
    checked = bundle.verify(path)
    assert any("unsafe member" in p for p in checked.problems)
    safe = _forged(tmp_path, {"claude/settings.json": b'{"hooks": "evil"}',
                              f"claude/projects/x/{SID}.jsonl": b"{}\n"})
    results = {r.member: r.action for r in bundle.import_bundle(safe, env)}
    assert results == {"claude/settings.json": "refused",
                       f"claude/projects/x/{SID}.jsonl": "restored"}
    assert not (pathlib.Path(env["HOME"]) / ".claude/settings.json").exists()


def test_import_never_overwrites_a_different_file(tmp_path: pathlib.Path,
                                                  env: dict[str, str]) -> None:
    out = _export(tmp_path, env, "claude")
    (transcript,) = ASSISTANTS["claude"].conversation_files(ASSISTANTS["claude"].root(env), SID)
    transcript.write_text("the user's newer conversation\n")
    (result,) = bundle.import_bundle(out, env)
    assert result.action == "conflict"
    assert transcript.read_text() == "the user's newer conversation\n"


def test_import_does_not_follow_a_symlinked_folder_out_of_the_store(
        tmp_path: pathlib.Path, env: dict[str, str]) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    projects = pathlib.Path(env["HOME"]) / ".claude/projects"
    projects.mkdir(parents=True)
    (projects / "x").symlink_to(outside)
    path = _forged(tmp_path, {f"claude/projects/x/{SID}.jsonl": b"{}\n"})
    (result,) = bundle.import_bundle(path, env)
    assert result.action == "refused" and list(outside.iterdir()) == []


def test_export_leaves_out_symlinks_out_of_the_store_and_credentials(
        tmp_path: pathlib.Path, env: dict[str, str]) -> None:
    sid = _store(env, "copilot")
    folder = pathlib.Path(env["HOME"]) / ".copilot/session-state" / sid
    (folder / "auth.json").write_text('{"token": "secret"}')
    secret = tmp_path / "secret.txt"
    secret.write_text("ssh key")
    (folder / "link.txt").symlink_to(secret)
    out = tmp_path / "b.tar.gz"
    manifest, skipped = bundle.export([bundle.Source("copilot", sid, "/work/p")], out, env)
    names = {m["name"] for m in manifest["members"]}
    assert names == {f"copilot/session-state/{sid}/events.jsonl",
                     f"copilot/session-state/{sid}/workspace.yaml"}
    assert len(skipped) == 2 and any("credentials" in s for s in skipped)
    assert b"ssh key" not in out.read_bytes() and b"secret" not in out.read_bytes()


def test_export_never_overwrites_and_leaves_nothing_on_failure(tmp_path: pathlib.Path,
                                                               env: dict[str, str]) -> None:
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "b.tar.gz"
    out.write_text("mine")
    with pytest.raises(AssistantResurrectError, match="will not overwrite"):
        bundle.export([bundle.Source("claude", _store(env, "claude"), "/w")], out, env)
    assert out.read_text() == "mine"
    with pytest.raises(AssistantResurrectError, match="nothing to export"):
        bundle.export([bundle.Source("claude", "0199dddd-0000-7000-8000-00000000dead", "/w")],
                      tmp_path / "out" / "c.tar.gz", env)
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["b.tar.gz"]


def _record(tool: str, sid: str) -> PaneSession:
    return PaneSession("s", 0, 0, tool, "/work/p", sid, launcher=tool)


def _transcript(env: dict[str, str], tool: str = "claude") -> pathlib.Path:
    (path,) = ASSISTANTS[tool].conversation_files(ASSISTANTS[tool].root(env), _sid(tool))
    return path


def _objects(state: pathlib.Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (kept.kept_dir(state) / "objects").iterdir()}


def test_a_kept_copy_is_the_content_when_it_was_kept(tmp_path: pathlib.Path,
                                                     env: dict[str, str]) -> None:
    """Not a link to the live file: a transcript the tool empties (or deletes) keeps its
    kept content; the emptied one is a version of its own, the earlier one stays."""
    state = tmp_path / "state"
    sid = _store(env, "claude")
    transcript = _transcript(env)
    original = transcript.read_bytes()
    assert [r.action for r in kept.keep([_record("claude", sid)], state, lambda r: env)] == [
        "kept"]
    (obj,) = (kept.kept_dir(state) / "objects").iterdir()
    assert not os.path.samefile(obj, transcript) and obj.read_bytes() == original
    assert obj.stat().st_mode & 0o777 == 0o400
    assert kept.kept_dir(state).stat().st_mode & 0o777 == 0o700
    assert [r.action for r in kept.keep([_record("claude", sid)], state, lambda r: env)] == [
        "present"]  # unchanged: nothing copied, no new version

    with open(transcript, "r+b") as fh:  # a crash empties it in place
        fh.truncate(0)
    kept.keep([_record("claude", sid)], state, lambda r: env)
    assert len(kept.versions(kept.kept_dir(state), "claude", sid)) == 2
    assert original in _objects(state).values()
    transcript.unlink()
    (result,) = kept.import_kept(state, "claude", sid, "/work/p", env, back=1)
    assert result.action == "restored" and transcript.read_bytes() == original


def test_a_grown_transcript_replaces_its_older_version_a_rewritten_one_does_not(
        tmp_path: pathlib.Path, env: dict[str, str]) -> None:
    state = tmp_path / "state"
    sid = _store(env, "claude")
    transcript = _transcript(env)
    kept.keep([_record("claude", sid)], state, lambda r: env)
    with transcript.open("a") as fh:
        fh.write('{"type": "assistant"}\n')  # appended: the new version holds the old
    kept.keep([_record("claude", sid)], state, lambda r: env)
    assert len(kept.versions(kept.kept_dir(state), "claude", sid)) == 1
    assert list(_objects(state).values()) == [transcript.read_bytes()]  # the old object gone
    before = transcript.read_bytes()
    transcript.write_bytes(before.replace(b"user", b"USER"))  # rewritten in place
    kept.keep([_record("claude", sid)], state, lambda r: env)
    assert sorted(_objects(state).values()) == sorted([before, transcript.read_bytes()])


def test_a_transcript_reached_through_a_symlink_is_kept_as_content(
        tmp_path: pathlib.Path, env: dict[str, str]) -> None:
    state = tmp_path / "state"
    sid = _store(env, "claude")
    transcript = _transcript(env)
    real = transcript.with_name("real.data")
    transcript.rename(real)
    transcript.symlink_to(real.name)
    (result,) = kept.keep([_record("claude", sid)], state, lambda r: env)
    assert result.action == "kept"
    (obj,) = (kept.kept_dir(state) / "objects").iterdir()
    assert not obj.is_symlink() and obj.read_bytes() == real.read_bytes()


def test_kept_on_another_filesystem_keeps_every_version(tmp_path: pathlib.Path,
                                                        env: dict[str, str]) -> None:
    """The state directory on a tmpfs (/dev/shm), the store on disk: each keep copies, and
    a changed file never overwrites the kept one."""
    shm = pathlib.Path("/dev/shm")
    if not shm.is_dir() or os.stat(shm).st_dev == os.stat(tmp_path).st_dev:
        pytest.fail("this test needs /dev/shm on another filesystem than the temp dir")
    state = pathlib.Path(tempfile.mkdtemp(dir=shm)) / "state"
    try:
        sid = _store(env, "codex")
        transcript = _transcript(env, "codex")
        first = transcript.read_bytes()
        kept.keep([_record("codex", sid)], state, lambda r: env)
        transcript.write_bytes(b'{"type": "session_meta", "rewritten": true}\n')
        kept.keep([_record("codex", sid)], state, lambda r: env)
        assert first in _objects(state).values()
        assert all(p.stat().st_mode & 0o777 == 0o400
                   for p in (kept.kept_dir(state) / "objects").iterdir())
    finally:
        shutil.rmtree(state.parent, ignore_errors=True)


def _swap_after_verify(monkeypatch: pytest.MonkeyPatch, path: pathlib.Path,
                       action: t.Callable[[], None]) -> None:
    """Run ``action`` right after the bundle verified (the moment an attacker swaps it)."""
    for name in ("verify_file", "verify"):
        original = getattr(bundle, name, None)
        if original is None:
            continue

        def wrapped(*args: t.Any, _original: t.Any = original) -> t.Any:
            checked = _original(*args)
            action()
            return checked

        monkeypatch.setattr(bundle, name, wrapped)
        return


def test_what_is_verified_is_what_is_imported(tmp_path: pathlib.Path, env: dict[str, str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A bundle replaced on disk after it verified is never read; bytes changed inside the
    open file fail the import, with nothing written."""
    good = _forged(tmp_path, {f"claude/projects/x/{SID}.jsonl": b'{"good": 1}\n'})
    evil_dir = tmp_path / "evil"
    evil_dir.mkdir()
    evil = _forged(evil_dir, {f"claude/projects/x/{SID}.jsonl": b'{"evil": 1}\n'})
    _swap_after_verify(monkeypatch, good, lambda: os.replace(evil, good))
    (result,) = bundle.import_bundle(good, env)
    transcript = pathlib.Path(result.detail)
    assert result.action == "restored" and transcript.read_bytes() == b'{"good": 1}\n'

    transcript.unlink()
    again = _forged(tmp_path, {f"claude/projects/x/{SID}.jsonl": b'{"good": 2}\n'})
    other = _forged(evil_dir, {f"claude/projects/x/{SID}.jsonl": b'{"evil": 2}\n'})
    monkeypatch.undo()

    def overwrite_in_place() -> None:
        with open(again, "r+b") as fh:
            fh.write(other.read_bytes())
            fh.truncate()

    _swap_after_verify(monkeypatch, again, overwrite_in_place)
    with pytest.raises(AssistantResurrectError, match="not what was verified"):
        bundle.import_bundle(again, env)
    assert not transcript.exists() and not list(transcript.parent.iterdir())


def test_a_decompression_bomb_and_oversized_members_are_refused(
        tmp_path: pathlib.Path, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = _forged(tmp_path, {f"claude/projects/x/{SID}.jsonl": b"\0" * (40 << 20)})
    assert bomb.stat().st_size < 100_000
    assert any("decompression bomb" in p for p in bundle.verify(bomb).problems)
    with pytest.raises(AssistantResurrectError, match="does not verify"):
        bundle.import_bundle(bomb, env)
    monkeypatch.setattr(bundle, "MAX_MEMBER_BYTES", 1000, raising=False)
    big = _forged(tmp_path, {f"claude/projects/x/{SID}.jsonl": os.urandom(2000)})
    assert any("more than a member may hold" in p for p in bundle.verify(big).problems)
    assert not (pathlib.Path(env["HOME"]) / ".claude").exists()


@pytest.mark.parametrize("mtime", ["nan", "1e300", "-1", "inf"])
def test_an_mtime_that_is_no_time_is_one_clear_error(tmp_path: pathlib.Path,
                                                     env: dict[str, str], mtime: str) -> None:
    path = forge.bundle(tmp_path / "t.tar.gz", {f"claude/projects/x/{SID}.jsonl": b"{}\n"},
                        SID, pax_mtime=mtime)
    with pytest.raises(AssistantResurrectError, match="does not verify"):
        bundle.import_bundle(path, env)
    assert not (pathlib.Path(env["HOME"]) / ".claude").exists()


def test_a_deeply_nested_manifest_is_one_clear_error(tmp_path: pathlib.Path,
                                                     env: dict[str, str]) -> None:
    path = forge.bundle(tmp_path / "n.tar.gz", {}, SID,
                        manifest=b"[" * 200_000 + b"]" * 200_000)
    assert "manifest.json: not a version 1 manifest" in bundle.verify(path).problems
    with pytest.raises(AssistantResurrectError, match="does not verify"):
        bundle.import_bundle(path, env)


def test_a_failure_midway_leaves_nothing_of_the_import(tmp_path: pathlib.Path,
                                                       env: dict[str, str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    out = _export(tmp_path, env, "claude", "codex", "qwen")
    home = pathlib.Path(env["HOME"])
    for tool in ("claude", "codex", "qwen"):
        for path in ASSISTANTS[tool].conversation_files(ASSISTANTS[tool].root(env), SID):
            path.unlink()
    before = sorted(p for p in home.rglob("*") if p.is_file())
    calls = []
    original = bundle._publish

    def full_disk(*args: t.Any) -> None:
        calls.append(args)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        original(*args)

    monkeypatch.setattr(bundle, "_publish", full_disk)
    with pytest.raises(AssistantResurrectError, match="No space left"):
        bundle.import_bundle(out, env)
    assert sorted(p for p in home.rglob("*") if p.is_file()) == before


def test_a_gemini_chat_comes_back_where_gemini_will_look_for_it(
        tmp_path: pathlib.Path, env: dict[str, str]) -> None:
    """Without ``projects.json`` the chat goes back into its folder, marked as the
    directory's (Gemini adopts such a folder itself); where ``projects.json`` maps the
    directory elsewhere it goes there; a folder another directory owns is refused."""
    out = _export(tmp_path, env, "gemini")
    gemini, sid = ASSISTANTS["gemini"], _sid("gemini")
    root = gemini.root(env)
    (chat,) = gemini.conversation_files(root, sid)
    chat.unlink()
    (root / "projects.json").unlink()
    assert [r.action for r in bundle.import_bundle(out, env, dry_run=True)] == ["would-restore"]
    assert not (root / "tmp/w/.project_root").exists()
    assert [r.action for r in bundle.import_bundle(out, env)] == ["restored"]
    assert (root / "tmp/w/.project_root").read_text() == "/work/p" and chat.is_file()
    assert [s.session_id for s in gemini.sessions(env, "/work/p")] == [sid]

    chat.unlink()
    (root / "projects.json").write_text(json.dumps({"projects": {"/work/p": "moved"}}))
    (root / "tmp/w/.project_root").unlink()
    assert [r.action for r in bundle.import_bundle(out, env)] == ["restored"]
    assert (root / "tmp/moved/chats" / chat.name).is_file() and not chat.exists()

    (root / "projects.json").unlink()
    (root / "tmp/moved").rename(root / "elsewhere")
    (root / "tmp/w/.project_root").write_text("/another/dir")
    (result,) = bundle.import_bundle(out, env)
    assert result.action == "refused" and "/another/dir" in result.detail
    assert not (root / "tmp/w/chats" / chat.name).exists()
