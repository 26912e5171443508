"""Conversation bundles (``export``, ``verify``, ``import``) and kept copies.

A bundle is a gzipped tar: each conversation's own files as its tool keeps them, named
``<tool>/<path under the tool's root>`` (``claude/projects/-work/<id>.jsonl``), or for a store
that is a database the tool's own export (``opencode/export/<id>.json``, from
``opencode export``), then ``manifest.json``::

    {"version": 1, "created_at": "2026-12-03T09:00:00Z", "plugin_version": "…",
     "conversations": [{"tool", "session_id", "cwd", "title", "resume_command",
                        "members": [names]}],
     "members": [{"name", "sha256", "size"}]}

Kept copies (``@assistant-resurrect-keep-transcripts on``) use the same names under
``<state>/kept/``, hard-linked to the tool's files where the filesystem allows. Putting a
conversation back never overwrites a file: a different file already there is a conflict.
"""

from __future__ import annotations

import contextlib
import enum
import hashlib
import io
import json
import os
import pathlib
import re
import stat
import tarfile
import tempfile
import time
import typing as t

from assistant_resurrect import __version__, _fs, ages
from assistant_resurrect.assistants import ASSISTANTS
from assistant_resurrect.assistants.base import Assistant, is_session_id
from assistant_resurrect.exc import AssistantResurrectError

MANIFEST = "manifest.json"
DOCUMENTS = "export"
MAX_MANIFEST = 16 * 1024 * 1024
# never bundled, wherever a conversation's folder holds them
CREDENTIAL_NAMES = frozenset({
    "auth.json", ".credentials.json", "credentials.json", "oauth_creds.json", "providers.json",
    "mcp-oauth.json", "google_accounts.json", ".env", "secrets.json"})
CREDENTIAL_SUFFIXES = (".pem", ".key", ".p12")


class Source(t.NamedTuple):
    """One conversation to bundle: its tool and id, and what the manifest says of it."""

    tool: str
    session_id: str
    cwd: str
    title: str = ""
    resume_command: str | None = None


class Action(str, enum.Enum):
    """What became of one member on import or keep."""

    RESTORED = "restored"  # put back where its tool reads it
    WOULD_RESTORE = "would-restore"  # --dry-run: would be put back
    PRESENT = "present"  # already there, the same content
    CONFLICT = "conflict"  # there with other content; left as it is
    KEPT = "kept"  # keep: a new version of its kept copy
    REFUSED = "refused"  # not a member of its conversation, or its path leads out

    @property
    def failed(self) -> bool:
        """Whether ``import`` exits 1 for it."""
        return self in (Action.CONFLICT, Action.REFUSED)


class Result(t.NamedTuple):
    """What became of one member on import or keep (``action``, and ``detail`` on why or
    where)."""

    tool: str
    session_id: str
    member: str
    action: Action
    detail: str = ""

    def to_json(self) -> dict[str, str]:
        return {**self._asdict(), "action": self.action.value}


# -- a conversation's files -----------------------------------------------------------------
def collect(tool: Assistant, root: pathlib.Path, session_id: str
            ) -> tuple[list[tuple[str, pathlib.Path]], list[str]]:
    """The regular files of one conversation under ``root``, as (name relative to
    ``root``, path), and why others were left out: symlinks that lead out of ``root``,
    credentials files, anything not a regular file."""
    files, skipped = [], []
    try:
        top = root.resolve()
    except OSError:
        return [], []
    for found in tool.conversation_files(root, session_id):
        walk = [found] if not found.is_dir() or found.is_symlink() else sorted(
            pathlib.Path(d) / name for d, _, names in os.walk(found) for name in names)
        for path in walk:
            reason = _unsafe(path, top)
            if reason:
                skipped.append(f"{path}: {reason}")
            else:
                files.append((path.relative_to(root).as_posix(), path))
    return files, skipped


def _unsafe(path: pathlib.Path, top: pathlib.Path) -> str:
    if path.name in CREDENTIAL_NAMES or path.name.endswith(CREDENTIAL_SUFFIXES):
        return "a credentials file"
    try:
        real = path.resolve()
        mode = real.stat().st_mode
    except OSError as err:
        return f"unreadable ({err.strerror})"
    if not real.is_relative_to(top):
        return f"a symlink out of the store (to {real})"
    return "" if stat.S_ISREG(mode) else "not a regular file"


def belongs(tool: Assistant, relative: str, session_id: str) -> bool:
    """True when ``relative`` (a path under the tool's root) is one of ``session_id``'s own
    files by :attr:`Assistant.conversation_globs` (inside one of its folders counts): a
    bundle can put back transcripts, never a settings file."""
    parts = relative.split("/")
    if not relative or ".." in parts or "" in parts or relative.startswith("/"):
        return False
    for pattern in tool.conversation_globs:
        regex = "/".join(re.escape(part).replace(r"\*", "[^/]*") for part in
                         pattern.replace("{id}", "\0").split("/")).replace(
            "\0", re.escape(session_id))
        if re.fullmatch(f"{regex}(/.+)?", relative):
            return True
    return False


# -- export ---------------------------------------------------------------------------------
def export(sources: t.Sequence[Source], output: pathlib.Path, env: t.Mapping[str, str]
           ) -> tuple[dict[str, t.Any], list[str]]:
    """Write a bundle of ``sources`` to ``output`` (atomic, 0600); return its manifest and
    what was left out (with the reason).

    Raises :class:`AssistantResurrectError` when ``output`` exists, when nothing could be
    bundled, or when a tool's export fails; nothing is left at ``output`` then.
    """
    if output.exists() or output.is_symlink():
        raise AssistantResurrectError(f"{output} exists: will not overwrite it")
    members: list[dict[str, t.Any]] = []
    listed: list[dict[str, t.Any]] = []
    skipped: list[str] = []
    tmp = output.parent / f".{output.name}.{os.urandom(6).hex()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
                for source in sources:
                    names = _add_conversation(tar, source, env, members, skipped)
                    if names:
                        listed.append({**source._asdict(), "members": names})
                if not listed:
                    raise AssistantResurrectError("nothing to export: " + (
                        "; ".join(skipped) or "no conversation named"))
                manifest = {"version": 1, "created_at": _now_iso(),
                            "plugin_version": __version__, "conversations": listed,
                            "members": members}
                _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2).encode())
            raw.flush()
            os.fsync(raw.fileno())
        os.chmod(tmp, 0o600)
        os.link(tmp, output)  # never replaces a file that appeared meanwhile
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    return manifest, skipped


def _add_conversation(tar: tarfile.TarFile, source: Source, env: t.Mapping[str, str],
                      members: list[dict[str, t.Any]], skipped: list[str]) -> list[str]:
    tool = ASSISTANTS.get(source.tool)
    if tool is None:
        skipped.append(f"{source.tool} {source.session_id}: no such tool")
        return []
    document = tool.export_document(env, source.session_id)
    if document is not None:
        name = f"{tool.name}/{DOCUMENTS}/{source.session_id}.json"
        members.append(_add_bytes(tar, name, document))
        return [name]
    files, left_out = collect(tool, tool.root(env), source.session_id)
    skipped += [f"{tool.name} {source.session_id}: {why}" for why in left_out]
    if not files:
        skipped.append(f"{tool.name} {source.session_id}: no files in {tool.root(env)}")
    names = []
    for relative, path in files:
        name = f"{tool.name}/{relative}"
        members.append(_add_file(tar, name, path))
        names.append(name)
    return names


class _Hashing(io.RawIOBase):
    """Reads a file while hashing what was read (a transcript may grow meanwhile: the tar
    holds the first ``size`` bytes, and the hash is of exactly those)."""

    def __init__(self, fh: t.BinaryIO) -> None:
        self.fh, self.digest = fh, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.fh.read(size)
        self.digest.update(data)
        return data


def _add_file(tar: tarfile.TarFile, name: str, path: pathlib.Path) -> dict[str, t.Any]:
    with open(path, "rb") as fh:
        st = os.fstat(fh.fileno())
        info = _info(name, st.st_size, st.st_mtime)
        reader = _Hashing(fh)
        tar.addfile(info, t.cast(t.BinaryIO, reader))
    return {"name": name, "sha256": reader.digest.hexdigest(), "size": st.st_size}


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> dict[str, t.Any]:
    tar.addfile(_info(name, len(data), time.time()), io.BytesIO(data))
    return {"name": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def _info(name: str, size: int, mtime: float) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode, info.type = size, mtime, 0o600, tarfile.REGTYPE
    return info


def _now_iso() -> str:
    return ages.iso()


# -- verify ----------------------------------------------------------------------------------
MAX_MEMBER_BYTES = 256 * 1024 * 1024  # one transcript
MAX_BUNDLE_BYTES = 1024 * 1024 * 1024  # everything, unpacked
MAX_MEMBERS = 20_000
MAX_RATIO = 200  # unpacked bytes per packed byte (JSONL packs 5 to 20 times)
MAX_MTIME = 2.0 ** 33  # the year 2242


class Verified(t.NamedTuple):
    """A bundle read through: its manifest (None when missing or unreadable), the sha256,
    size and mtime of each member read, and every problem found (empty: it verifies)."""

    manifest: dict[str, t.Any] | None
    members: dict[str, tuple[str, int, float]]
    problems: list[str]


def verify(path: pathlib.Path) -> Verified:
    """Recompute every member's checksum against ``manifest.json``: a member missing,
    changed, added or unsafe (absolute, ``..``, not a regular file, larger than
    :data:`MAX_MEMBER_BYTES`, an mtime that is no time) is a problem, as is a bundle that
    unpacks to more than :data:`MAX_BUNDLE_BYTES` or :data:`MAX_RATIO` times its size."""
    try:
        with open(path, "rb") as fh:
            return verify_file(fh, path)
    except OSError as err:
        return Verified(None, {}, [f"{path}: unreadable ({err.strerror or err})"])


def verify_file(fh: t.BinaryIO, path: pathlib.Path) -> Verified:
    """:func:`verify` on an open bundle (left at its end)."""
    manifest, members, problems = None, {}, []
    packed, unpacked = max(1, os.fstat(fh.fileno()).st_size), 0
    try:
        with tarfile.open(fileobj=fh, mode="r:gz") as tar:
            for count, member in enumerate(tar, 1):
                reason = _unsafe_member(member, count)
                unpacked += max(0, member.size)
                if not reason and (unpacked > MAX_BUNDLE_BYTES or (
                        unpacked > 16 * 1024 * 1024 and unpacked > MAX_RATIO * packed)):
                    reason = (f"the bundle unpacks to more than {unpacked} bytes from {packed} "
                              f"(a decompression bomb?)")
                if reason:
                    problems.append(f"{member.name}: {reason}")
                    if count > MAX_MEMBERS or unpacked > MAX_BUNDLE_BYTES:
                        break
                    continue
                data = tar.extractfile(member)
                if member.name == MANIFEST:
                    manifest = _manifest(data.read(MAX_MANIFEST) if data else b"", problems)
                    continue
                members[member.name] = (_digest(data), member.size, float(member.mtime))
    except (OSError, tarfile.TarError, EOFError, ValueError, OverflowError) as err:
        problems.append(f"{path}: unreadable ({err})")
    if manifest is None:
        problems.append(f"{MANIFEST}: missing or unreadable")
        return Verified(None, members, problems)
    listed = {}
    for entry in manifest["members"]:
        listed[entry["name"]] = entry
        got = members.get(entry["name"])
        if got is None:
            problems.append(f"{entry['name']}: missing")
        elif (got[0], got[1]) != (entry["sha256"], entry["size"]):
            problems.append(f"{entry['name']}: checksum mismatch (sha256 {got[0]}, "
                            f"{got[1]} bytes; manifest says {entry['sha256']}, {entry['size']})")
    problems += [f"{name}: not in the manifest" for name in members if name not in listed]
    return Verified(manifest, members, problems)


def _unsafe_member(member: tarfile.TarInfo, count: int) -> str:
    if count > MAX_MEMBERS:
        return f"more than {MAX_MEMBERS} members"
    if not member.isfile() or not _safe_name(member.name):
        return "unsafe member (not a regular file with a relative name)"
    if member.size > (MAX_MANIFEST if member.name == MANIFEST else MAX_MEMBER_BYTES):
        return f"{member.size} bytes, more than a member may hold"
    mtime = member.mtime
    if not isinstance(mtime, (int, float)) or not 0 <= mtime < MAX_MTIME:  # also NaN
        return f"its mtime {mtime!r} is not a time"
    return ""


def _digest(data: t.IO[bytes] | None) -> str:
    digest = hashlib.sha256()
    while data and (chunk := data.read(1 << 20)):
        digest.update(chunk)
    return digest.hexdigest()


def _safe_name(name: str) -> bool:
    parts = name.split("/")
    return bool(name) and not name.startswith("/") and ".." not in parts and "" not in parts


def _manifest(data: bytes, problems: list[str]) -> dict[str, t.Any] | None:
    try:
        manifest = json.loads(data)
        ok = (manifest.get("version") == 1 and all(
            isinstance(m.get("name"), str) and isinstance(m.get("sha256"), str)
            and isinstance(m.get("size"), int) for m in manifest["members"]) and all(
            isinstance(c.get("tool"), str) and isinstance(c.get("session_id"), str)
            and isinstance(c.get("members"), list)
            and all(isinstance(n, str) for n in c["members"])
            and isinstance(c.get("cwd", ""), str) for c in manifest["conversations"]))
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        ok = False
    if not ok:
        problems.append(f"{MANIFEST}: not a version 1 manifest")
        return None
    return t.cast(dict[str, t.Any], manifest)


# -- import ---------------------------------------------------------------------------------
def import_bundle(path: pathlib.Path, env: t.Mapping[str, str], dry_run: bool = False
                  ) -> list[Result]:
    """Put each conversation of the bundle at ``path`` back into its tool's store where it
    is missing (``dry_run``: say what would be done). Only a conversation's own files are
    written (:func:`belongs`), each atomically, 0600, with its saved mtime; a different file
    already there is a ``conflict`` and stays as it is.

    The bundle is opened once: what is verified is what is imported (a file swapped in
    between is never read), and each file written is hashed as it is written.

    Raises :class:`AssistantResurrectError` when the bundle does not verify, or when writing
    fails; nothing of this import is left behind then.
    """
    try:
        fh = open(path, "rb")  # noqa: SIM115 - one open file for both passes
    except OSError as err:
        raise AssistantResurrectError(f"{path}: unreadable ({err.strerror or err})") from None
    with fh:
        checked = verify_file(fh, path)
        if checked.problems or checked.manifest is None:
            raise AssistantResurrectError(f"{path} does not verify: "
                                          + "; ".join(checked.problems))
        fh.seek(0)
        with tarfile.open(fileobj=fh, mode="r:gz") as tar, Transaction() as written:
            def opener(name: str) -> t.BinaryIO:
                return t.cast(t.BinaryIO, tar.extractfile(name))

            results = []
            # files first: a tool's own importer (a database) cannot be undone
            for conv in sorted(checked.manifest["conversations"], key=_imported_by_its_tool):
                results += put_back(conv, {n: checked.members[n] for n in conv["members"]
                                            if n in checked.members}, opener, env, dry_run,
                                    written)
            return results


def _imported_by_its_tool(conv: dict[str, t.Any]) -> bool:
    return any(f"/{DOCUMENTS}/" in name for name in conv["members"])


class Transaction:
    """The files one import wrote (``paths``); on any failure they are removed again, and an
    OSError or a checksum mismatch is raised as one
    :class:`~assistant_resurrect.exc.AssistantResurrectError`."""

    def __init__(self) -> None:
        self.paths: list[pathlib.Path] = []

    def __enter__(self) -> Transaction:
        return self

    def __exit__(self, kind: type[BaseException] | None, err: BaseException | None,
                 _tb: t.Any) -> None:
        if kind is None:
            return
        for path in reversed(self.paths):
            with contextlib.suppress(OSError):
                path.unlink()
        if isinstance(err, (OSError, ValueError, tarfile.TarError)):
            raise AssistantResurrectError(f"import failed, nothing written: {err}") from err


def put_back(conv: dict[str, t.Any], members: dict[str, tuple[str, int, float]],
             opener: t.Callable[[str], t.BinaryIO], env: t.Mapping[str, str],
             dry_run: bool, written: Transaction | None = None) -> list[Result]:
    """One conversation (``tool``, ``session_id``, ``cwd``) into its tool's store: its
    ``members`` (name: (sha256, size, mtime)), each read with ``opener(name)`` and checked
    against its sha256 as it is written (``written`` collects the files made)."""
    name, sid, cwd = conv["tool"], conv["session_id"], str(conv.get("cwd") or "")
    tool = ASSISTANTS.get(name)
    if tool is None or not is_session_id(sid) or not tool.id_pattern.match(sid):
        return [Result(name, sid, "", Action.REFUSED, "not a supported tool and session id")]
    root = tool.root(env)
    out = []
    for member, (digest, _size, mtime) in members.items():
        relative = member.removeprefix(f"{name}/")
        if relative == f"{DOCUMENTS}/{sid}.json" and member.startswith(f"{name}/"):
            out.append(_put_document(tool, sid, cwd, member, digest, opener, env, dry_run))
        elif not member.startswith(f"{name}/") or not belongs(tool, relative, sid):
            out.append(Result(name, sid, member, Action.REFUSED, "not one of this conversation's "
                                                            "files"))
        else:
            try:
                placed = tool.place(root, relative, cwd, dry_run)
            except AssistantResurrectError as err:
                out.append(Result(name, sid, member, Action.REFUSED, str(err)))
                continue
            out.append(_put_file(tool, sid, member, root, placed, digest, mtime, opener,
                                 dry_run, written or Transaction()))
    return out


def _put_file(tool: Assistant, sid: str, member: str, root: pathlib.Path, relative: str,
              digest: str, mtime: float, opener: t.Callable[[str], t.BinaryIO], dry_run: bool,
              written: Transaction) -> Result:
    def result(action: Action, detail: str = "") -> Result:
        return Result(tool.name, sid, member, action, detail)

    dest = root / relative
    if not _fs.resolves_inside(dest, root):
        return result(Action.REFUSED, f"{dest.parent} leads out of {root}")
    if dest.exists() or dest.is_symlink():
        same = dest.is_file() and not dest.is_symlink() and sha256(dest) == digest
        return result(Action.PRESENT) if same else result(
            Action.CONFLICT, f"{dest} exists with other content; left as it is")
    if dry_run:
        return result(Action.WOULD_RESTORE, str(dest))
    _fs.ensure_private_dir(dest.parent)
    with opener(member) as source:
        _publish(source, dest, mtime, digest)
    written.paths.append(dest)
    return result(Action.RESTORED, str(dest))


def _put_document(tool: Assistant, sid: str, cwd: str, member: str, digest: str,
                  opener: t.Callable[[str], t.BinaryIO], env: t.Mapping[str, str],
                  dry_run: bool) -> Result:
    if tool.session_exists(sid, cwd, dict(env)):
        return Result(tool.name, sid, member, Action.PRESENT)
    if dry_run:
        return Result(tool.name, sid, member, Action.WOULD_RESTORE, f"{tool.name} import")
    with tempfile.TemporaryDirectory(prefix="assistant-resurrect-") as tmp:
        path = pathlib.Path(tmp) / f"{sid}.json"
        with opener(member) as source:
            _publish(source, path, None, digest)
        tool.import_document(env, path, cwd)
    return Result(tool.name, sid, member, Action.RESTORED, f"{tool.name} import")


def _publish(source: t.BinaryIO, dest: pathlib.Path, mtime: float | None,
             digest: str) -> None:
    """Copy ``source`` to a temp file beside ``dest`` (fsync, 0600, ``mtime``), hashing what
    is written, then link it into place: an existing ``dest`` is never replaced
    (FileExistsError); bytes whose sha256 is not ``digest`` never land (ValueError)."""
    tmp = dest.parent / f".{dest.name}.{os.urandom(6).hex()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        hashed = hashlib.sha256()
        with os.fdopen(fd, "wb") as fh:
            while chunk := source.read(1 << 20):
                hashed.update(chunk)
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        if hashed.hexdigest() != digest:
            raise ValueError(f"{dest.name}: what was read is not what was verified "
                             f"(sha256 {hashed.hexdigest()})")
        if mtime is not None:
            os.utime(tmp, (mtime, mtime))
        os.link(tmp, dest)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def sha256(path: pathlib.Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
