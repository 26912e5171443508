"""Bundles as a forger writes them: a manifest that matches whatever members it is given, so
the bundle checks out by its own sums and only our limits and rules can refuse it."""

from __future__ import annotations

import hashlib
import io
import json
import pathlib
import tarfile
import typing as t


def bundle(path: pathlib.Path, members: dict[str, bytes], session_id: str,
           tool: str = "claude", kind: bytes = tarfile.REGTYPE,
           pax_mtime: str | None = None, manifest: bytes | None = None) -> pathlib.Path:
    """Write a tar.gz at ``path``: ``members`` (of tar type ``kind``, with ``pax_mtime`` as
    their PAX mtime when given) and ``manifest.json`` listing them for one conversation of
    ``tool`` (or the raw ``manifest`` bytes). Returns ``path``."""
    entries = [{"name": n, "sha256": hashlib.sha256(d).hexdigest(), "size": len(d)}
               for n, d in members.items()]
    raw = manifest if manifest is not None else json.dumps({
        "version": 1, "members": entries, "conversations": [
            {"tool": tool, "session_id": session_id, "cwd": "/w",
             "members": list(members)}]}).encode()
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as tar:
        for name, data in members.items():
            _add(tar, name, data, kind, {"mtime": pax_mtime} if pax_mtime else {})
        _add(tar, "manifest.json", raw, tarfile.REGTYPE, {})
    return path


def _add(tar: tarfile.TarFile, name: str, data: bytes, kind: bytes,
         pax: t.Mapping[str, str]) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.type, info.pax_headers = len(data), kind, dict(pax)
    tar.addfile(info, io.BytesIO(data))
