"""Read-only access to the assistants' own stores (SQLite in WAL mode, JSON, JSONL)."""

from __future__ import annotations

import contextlib
import pathlib
import typing as t


def query(db: pathlib.Path, sql: str, params: t.Sequence[t.Any] = ()) -> list[tuple[t.Any, ...]]:
    """Run a read-only query; [] when the file is missing, locked, or of another schema.

    Opened ``?mode=ro`` (never ``immutable=1``: WAL databases keep recent rows in ``-wal``).
    """
    if not db.is_file():
        return []
    import sqlite3  # only assistants that have stores pay for it
    import urllib.parse

    uri = f"file:{urllib.parse.quote(str(db))}?mode=ro"
    try:
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=1.0)) as conn:
            return list(conn.execute(sql, params))
    except sqlite3.Error:
        return []
