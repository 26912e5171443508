"""Kept copies of snapshotted conversations (``@assistant-resurrect-keep-transcripts on``): a
safety net against the tools' own cleanup (Claude deletes transcripts older than
``cleanupPeriodDays``).

``<state>/kept/<tool>/<path under the tool's root>`` mirrors each conversation's own files
(:attr:`Assistant.conversation_globs`), hard-linked where the filesystem allows (free, and an
appended JSONL stays current), else copied; a database store keeps the tool's export
(``kept/opencode/export/<id>.json``). The save hook only starts :func:`keep` detached: links
and copies never lengthen a save. A restore never brings a deleted conversation back by
itself; ``assistant-resurrect import --kept ID`` does.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pathlib
import shutil
import typing as t

from assistant_resurrect import _fs, bundle
from assistant_resurrect.assistants import ASSISTANTS
from assistant_resurrect.assistants.base import Assistant
from assistant_resurrect.exc import AssistantResurrectError
from assistant_resurrect.snapshot import PaneSession

log = logging.getLogger(__name__)
KEPT = "kept"


def kept_root(state_dir: pathlib.Path, tool: str) -> pathlib.Path:
    """Where one tool's kept files are (the tool's root, mirrored)."""
    return state_dir / KEPT / tool


def keep(records: t.Iterable[PaneSession], state_dir: pathlib.Path,
         env_for: t.Callable[[PaneSession], dict[str, str]]) -> list[bundle.Result]:
    """Keep a copy of each record's conversation; one that fails is logged and skipped."""
    results = []
    for rec in records:
        tool = ASSISTANTS.get(rec.tool)
        if tool is None or not rec.session_id:
            continue
        try:
            results += _keep_one(tool, rec.session_id, rec.cwd, env_for(rec), state_dir)
        except (OSError, AssistantResurrectError) as err:
            log.warning("could not keep %s %s: %s", rec.tool, rec.session_id, err)
            results.append(bundle.Result(rec.tool, rec.session_id, "", "refused", str(err)))
    return results


def _keep_one(tool: Assistant, sid: str, cwd: str, env: dict[str, str],
              state_dir: pathlib.Path) -> list[bundle.Result]:
    base = kept_root(state_dir, tool.name)
    document = _document(base, sid)
    if _current(tool, sid, cwd, env, document):
        return [bundle.Result(tool.name, sid, document.name, "present")]
    data = tool.export_document(env, sid)
    if data is not None:
        _fs.atomic_write_bytes(_fs.ensure_private_dir(document.parent) / document.name, data)
        return [bundle.Result(tool.name, sid, f"{tool.name}/{bundle.DOCUMENTS}/{document.name}",
                              "copied")]
    files, skipped = bundle.collect(tool, tool.root(env), sid)
    for why in skipped:
        log.info("not kept: %s", why)
    return [bundle.Result(tool.name, sid, f"{tool.name}/{relative}",
                          _link_or_copy(path, base / relative)) for relative, path in files]


def _document(base: pathlib.Path, sid: str) -> pathlib.Path:
    return base / bundle.DOCUMENTS / f"{sid}.json"


def _current(tool: Assistant, sid: str, cwd: str, env: dict[str, str],
             document: pathlib.Path) -> bool:
    """A kept export newer than the conversation's last update needs no new export."""
    try:
        kept_at = document.stat().st_mtime
    except OSError:
        return False
    return any(s.session_id == sid and s.updated_at <= kept_at
               for s in tool.sessions(env, cwd or None))


def _link_or_copy(source: pathlib.Path, dest: pathlib.Path) -> str:
    """``kept`` (hard link, or already linked) or ``copied``; replaces an older copy."""
    with contextlib.suppress(OSError):
        if os.path.samefile(source, dest):
            return "kept"
    _fs.ensure_private_dir(dest.parent)
    tmp = dest.parent / f".{dest.name}.{os.urandom(6).hex()}.tmp"
    try:
        try:
            os.link(source, tmp, follow_symlinks=False)
            action = "kept"
        except OSError:  # another filesystem, or one without hard links
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
                shutil.copyfileobj(src, out, 1 << 20)
                out.flush()
                os.fsync(out.fileno())
            shutil.copystat(source, tmp)
            os.chmod(tmp, 0o600)
            action = "copied"
        os.replace(tmp, dest)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    return action


def has_copy(state_dir: pathlib.Path, tool: Assistant, sid: str) -> bool:
    """True when a kept copy of the conversation exists."""
    base = kept_root(state_dir, tool.name)
    return _document(base, sid).is_file() or bool(bundle.collect(tool, base, sid)[0])


def import_kept(state_dir: pathlib.Path, tool_name: str, sid: str, cwd: str,
                env: t.Mapping[str, str], dry_run: bool = False) -> list[bundle.Result]:
    """Put a kept conversation back into its tool's store where it is missing (the rules of
    :func:`bundle.put_back`). Raises :class:`AssistantResurrectError` when none is kept."""
    tool = ASSISTANTS.get(tool_name)
    if tool is None:
        raise AssistantResurrectError(f"no assistant module named {tool_name!r}")
    base = kept_root(state_dir, tool.name)
    files = dict(bundle.collect(tool, base, sid)[0])
    if _document(base, sid).is_file():
        files[f"{bundle.DOCUMENTS}/{sid}.json"] = _document(base, sid)
    if not files:
        raise AssistantResurrectError(f"no kept copy of {tool_name} {sid} in {base}")
    members = {f"{tool.name}/{rel}": (bundle.sha256(path), path.stat().st_size,
                                      path.stat().st_mtime) for rel, path in files.items()}
    by_member = {f"{tool.name}/{rel}": path for rel, path in files.items()}

    def opener(member: str) -> t.BinaryIO:
        return open(by_member[member], "rb")

    conv = {"tool": tool.name, "session_id": sid, "cwd": cwd}
    return bundle.put_back(conv, members, opener, env, dry_run)

