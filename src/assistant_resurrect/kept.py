"""Kept copies of snapshotted conversations (``@assistant-resurrect-keep-transcripts on``): a
safety net against the tools' own cleanup (Claude deletes transcripts older than
``cleanupPeriodDays``), a file a tool truncated or rewrote (Gemini rewrites its chat JSON in
place; a crash can empty it) and a store on another disk.

A kept copy is the content at the time it was kept, never a link to the live file::

    <state>/kept/
        objects/<sha256>                    one file's content, 0400, written once
        <tool>/<session id>/<ns>.json       a version: {"tool", "session_id", "cwd",
                                            "kept_at", "members": {name: {"sha256", "size",
                                            "mtime"}}}

Members are named as in a bundle (:mod:`bundle`): a conversation's own files under the
tool's root (:attr:`Assistant.conversation_globs`), or the tool's export of a database store
(``export/<id>.json``). Objects are content-addressed (an unchanged file costs nothing; one
whose size and mtime did not change is not even read) and made by a reflink where the
filesystem has one, else a copy.

Retention: a version is dropped only when the next one holds all of it (each file the same,
or grown from it: an appended JSONL), or when a conversation has more than
:data:`MAX_VERSIONS`, oldest first. An object no version names is removed. The save hook
only starts :func:`keep` detached: copies never lengthen a save. A restore never brings a
deleted conversation back by itself; ``assistant-resurrect import --kept ID`` does.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import logging
import os
import pathlib
import sys
import time
import typing as t

from assistant_resurrect import _fs, bundle, paths
from assistant_resurrect.assistants import ASSISTANTS
from assistant_resurrect.assistants.base import Assistant, is_session_id
from assistant_resurrect.exc import AssistantResurrectError
from assistant_resurrect.snapshot import PaneSession

log = logging.getLogger(__name__)
OBJECTS = "objects"
MAX_VERSIONS = 20
FICLONE = 0x40049409  # linux/fs.h: share the source's extents (btrfs, XFS, bcachefs)


class Member(t.NamedTuple):
    """One kept file of a version: its content's sha256, size (bytes) and mtime (epoch s)."""

    sha256: str
    size: int
    mtime: float


class Version(t.NamedTuple):
    """One kept version of a conversation; ``path`` is its version file."""

    path: pathlib.Path
    cwd: str
    kept_at: str
    members: dict[str, Member]


def kept_dir(state_dir: pathlib.Path) -> pathlib.Path:
    return paths.StateDir(state_dir).kept


def keep(records: t.Iterable[PaneSession], state_dir: pathlib.Path,
         env_for: t.Callable[[PaneSession], dict[str, str]]) -> list[bundle.Result]:
    """Keep a version of each record's conversation (``kept`` for a member whose content is
    new, ``present`` for one kept before), drop what retention allows and unreferenced
    objects; one conversation that fails is logged and skipped.

    Raises :class:`~assistant_resurrect.exc.UntrustedDirError` when the kept directory is
    refused by the trust rule.
    """
    top = _fs.ensure_private_dir(kept_dir(state_dir))
    _fs.require_trusted(top, state_dir)
    results = []
    for rec in records:
        tool = ASSISTANTS.get(rec.tool)
        if tool is None or not rec.session_id:
            continue
        try:
            results += _keep_one(tool, rec.session_id, rec.cwd, env_for(rec), top)
        except (OSError, AssistantResurrectError) as err:
            log.warning("could not keep %s %s: %s", rec.tool, rec.session_id, err)
            results.append(bundle.Result(rec.tool, rec.session_id, "", bundle.Action.REFUSED,
                                         str(err)))
    _collect_garbage(top)
    return results


def _keep_one(tool: Assistant, sid: str, cwd: str, env: dict[str, str], top: pathlib.Path
              ) -> list[bundle.Result]:
    older = versions(top, tool.name, sid)
    last = older[-1] if older else None
    members: dict[str, Member] = {}
    grown_from: dict[str, str] = {}  # name: sha256 of the new content's first len(old) bytes
    document = f"{bundle.DOCUMENTS}/{sid}.json"
    if _exports(tool):  # a database store: the tool's own export is the conversation
        if last and document in last.members and _current(tool, sid, cwd, env, last):
            members[document] = last.members[document]
        elif (data := tool.export_document(env, sid)) is not None:
            members[document] = _store_bytes(top, data)
    else:
        files, skipped = bundle.collect(tool, tool.root(env), sid)
        for why in skipped:
            log.info("not kept: %s", why)
        for name, path in files:
            known = last.members.get(name) if last else None
            members[name], grown_from[name] = _store_file(top, path, known)
    if not members:
        return []
    if last is not None and members == last.members:
        return [bundle.Result(tool.name, sid, name, bundle.Action.PRESENT) for name in members]
    new = _write_version(top, tool.name, sid, cwd, members)
    if last is not None and _holds(new, last, grown_from):
        last.path.unlink(missing_ok=True)  # the new version holds all of it
    for stale in [*older, new][:-MAX_VERSIONS]:
        stale.path.unlink(missing_ok=True)
    before = last.members if last else {}
    return [bundle.Result(tool.name, sid, name, bundle.Action.PRESENT
                          if before.get(name) == member else bundle.Action.KEPT)
            for name, member in members.items()]


def _exports(tool: Assistant) -> bool:
    """True for a tool whose conversations are kept as its own export (a database store)."""
    return type(tool).export_document is not Assistant.export_document


def _current(tool: Assistant, sid: str, cwd: str, env: dict[str, str], last: Version) -> bool:
    """A kept export at least as new as the conversation's last update needs no new one."""
    kept_at = datetime.datetime.strptime(last.kept_at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()
    return any(s.session_id == sid and s.updated_at <= kept_at
               for s in tool.sessions(env, cwd or None))


def _holds(new: Version, old: Version, grown_from: dict[str, str]) -> bool:
    """True when every file of ``old`` is in ``new`` unchanged, or grown from it."""
    return all(name in new.members and (new.members[name].sha256 == member.sha256 or
                                        grown_from.get(name) == member.sha256)
               for name, member in old.members.items())


def _store_file(top: pathlib.Path, path: pathlib.Path, known: Member | None
                ) -> tuple[Member, str]:
    """The file's content as an object (not read when its size and mtime are those of
    ``known`` and that object exists), and the sha256 of its first ``known.size`` bytes."""
    st = path.stat()
    if known and (known.size, known.mtime) == (st.st_size, st.st_mtime) and (
            top / OBJECTS / known.sha256).is_file():
        return known, known.sha256
    with open(path, "rb") as source:
        st = os.fstat(source.fileno())
        digest, prefix, tmp = _copy_object(top, source, known.size if known else -1)
    return Member(_publish_object(top, tmp, digest), st.st_size, st.st_mtime), prefix


def _store_bytes(top: pathlib.Path, data: bytes) -> Member:
    objects = _fs.ensure_private_dir(top / OBJECTS)
    digest = hashlib.sha256(data).hexdigest()
    if not (objects / digest).is_file():
        _fs.atomic_write_bytes(objects / digest, data, 0o400)
    return Member(digest, len(data), time.time())


def _copy_object(top: pathlib.Path, source: t.BinaryIO, checkpoint: int
                 ) -> tuple[str, str, pathlib.Path]:
    """Copy ``source`` into a temp file of the object store (a reflink where the filesystem
    has one), hashing what the copy holds: (sha256, sha256 of its first ``checkpoint``
    bytes, or '', temp path)."""
    objects = _fs.ensure_private_dir(top / OBJECTS)
    tmp = objects / f".{os.urandom(6).hex()}.tmp"
    fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "w+b") as out:
            if not _reflink(source.fileno(), out.fileno()):
                while chunk := source.read(1 << 20):
                    out.write(chunk)
                out.flush()
            os.fsync(out.fileno())
            out.seek(0)
            digest, prefix, done = hashlib.sha256(), "", 0
            while chunk := out.read(1 << 20):
                if 0 <= checkpoint - done < len(chunk):
                    at = digest.copy()
                    at.update(chunk[:checkpoint - done])
                    prefix = at.hexdigest()
                digest.update(chunk)
                done += len(chunk)
            if checkpoint == done:
                prefix = digest.hexdigest()
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return digest.hexdigest(), prefix, tmp


def _reflink(source_fd: int, dest_fd: int) -> bool:
    """Clone the source's extents into the empty destination (Linux FICLONE); False where
    the filesystem or platform has no reflinks (then the caller copies)."""
    if not sys.platform.startswith("linux"):
        return False
    import fcntl

    try:
        fcntl.ioctl(dest_fd, FICLONE, source_fd)
    except OSError:
        return False
    return True


def _publish_object(top: pathlib.Path, tmp: pathlib.Path, digest: str) -> str:
    """Make the temp copy the object ``digest`` (0400); an object already there stays."""
    dest = top / OBJECTS / digest
    try:
        if dest.is_file():
            return digest
        os.chmod(tmp, 0o400)
        os.link(tmp, dest)  # never replaces an object
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return digest


def _write_version(top: pathlib.Path, tool: str, sid: str, cwd: str,
                   members: dict[str, Member]) -> Version:
    folder = _fs.ensure_private_dir(top / tool / sid)
    now = datetime.datetime.now(datetime.timezone.utc)
    name = f"{time.time_ns()}.json"
    kept_at = now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    _fs.atomic_write_json(folder / name, {
        "tool": tool, "session_id": sid, "cwd": cwd, "kept_at": kept_at,
        "members": {n: m._asdict() for n, m in members.items()}})
    return Version(folder / name, cwd, kept_at, members)


def versions(top: pathlib.Path, tool: str, sid: str) -> list[Version]:
    """The kept versions of one conversation, oldest first; unreadable ones are skipped."""
    if not is_session_id(sid):
        return []
    folder = top / tool / sid
    try:
        names = sorted((n for n in os.listdir(folder) if n.endswith(".json")),
                       key=lambda n: (len(n), n))
    except OSError:
        return []
    out = []
    for name in names:
        version = _read_version(folder / name)
        if version is not None:
            out.append(version)
    return out


def _read_version(path: pathlib.Path) -> Version | None:
    data = _fs.read_json_or_none(path)
    try:
        members = {str(n): Member(str(m["sha256"]), int(m["size"]), float(m["mtime"]))
                   for n, m in data["members"].items()}
        return Version(path, str(data.get("cwd") or ""), str(data["kept_at"]), members)
    except (TypeError, KeyError, ValueError, AttributeError):
        log.warning("skipped an unreadable kept version: %s", path)
        return None


def _collect_garbage(top: pathlib.Path) -> None:
    """Remove the objects no version names (and temp files a killed keep left)."""
    named = {m.sha256 for tool in ASSISTANTS for folder in _folders(top / tool)
             for version in versions(top, tool, folder.name) for m in version.members.values()}
    with contextlib.suppress(OSError), os.scandir(top / OBJECTS) as entries:
        for entry in entries:
            stale = entry.name.startswith(".") and time.time() - entry.stat(
                follow_symlinks=False).st_mtime > _fs.STALE_TEMP_SECONDS
            if stale or (not entry.name.startswith(".") and entry.name not in named):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _folders(path: pathlib.Path) -> list[pathlib.Path]:
    try:
        return [p for p in path.iterdir() if p.is_dir()]
    except OSError:
        return []


def has_copy(state_dir: pathlib.Path, tool: Assistant, sid: str) -> bool:
    """True when a kept version of the conversation exists (in a trusted kept directory)."""
    top = kept_dir(state_dir)
    try:
        _fs.require_trusted(top / tool.name / sid, state_dir)
    except AssistantResurrectError:
        return False
    return bool(versions(top, tool.name, sid))


def import_kept(state_dir: pathlib.Path, tool_name: str, sid: str, cwd: str,
                env: t.Mapping[str, str], dry_run: bool = False, back: int = 0
                ) -> list[bundle.Result]:
    """Put a kept version (the newest; ``back`` versions older) into its tool's store where
    its files are missing (the rules of :func:`bundle.put_back`: never over a file, each
    written file checked against its sha256).

    Raises :class:`AssistantResurrectError` when none is kept, when ``back`` names none, or
    when the kept directory is refused by the trust rule.
    """
    tool = ASSISTANTS.get(tool_name)
    if tool is None:
        raise AssistantResurrectError(f"no assistant module named {tool_name!r}")
    top = kept_dir(state_dir)
    _fs.require_trusted(top / tool.name / sid, state_dir)
    kept = versions(top, tool.name, sid)
    if not kept:
        raise AssistantResurrectError(f"no kept copy of {tool_name} {sid} in {top}")
    if not 0 <= back < len(kept):
        raise AssistantResurrectError(f"{len(kept)} kept version(s) of {sid}: "
                                      + ", ".join(f"{i}: {v.kept_at}" for i, v in
                                                  enumerate(reversed(kept))))
    version = kept[-1 - back]

    def opener(member: str) -> t.BinaryIO:
        return open(top / OBJECTS / version.members[member.split("/", 1)[1]].sha256, "rb")

    conv = {"tool": tool.name, "session_id": sid, "cwd": cwd or version.cwd}
    members = {f"{tool.name}/{name}": (m.sha256, m.size, m.mtime)
               for name, m in version.members.items()}
    with bundle.Transaction() as written:
        return bundle.put_back(conv, members, opener, env, dry_run, written)
