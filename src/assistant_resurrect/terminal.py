"""Text for a terminal: untrusted text (titles, first prompts, directories, ids, names, paths,
log lines) never reaches one with a character it could act on.

C0 and C1 controls (ESC starts a sequence that can move the cursor, clear lines, set the
title or, on some terminals, answer back; U+009B is a one-byte CSI), DEL, bidi overrides and
isolates (U+202A-U+202E, U+2066-U+2069: text shown in another order than it runs), other
format characters, line and paragraph separators and lone surrogates (bytes that were not
UTF-8) are shown as visible escapes: ``\\x1b``, ``\\u202e``.
"""

from __future__ import annotations

import json
import typing as t


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe(text: str) -> str:
    r"""``text`` with every character :meth:`str.isprintable` rejects (space excepted)
    written as a visible escape; printable text, wide characters included, as it is.

    >>> safe("ok\x07\x1b[2K\u202eevil\u65e5")
    'ok\\x07\\x1b[2K\\u202eevil日'
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else _escape(c) for c in text)


def json_text(data: t.Any) -> str:
    r"""``data`` as indented JSON whose strings hold no character a terminal acts on: those
    :func:`safe` escapes are written as JSON ``\uXXXX`` escapes (the value is unchanged for a
    JSON reader).

    >>> json_text({"t": "a\x9b\u202e"})
    '{\n  "t": "a\\u009b\\u202e"\n}'
    >>> json.loads(json_text({"t": "a\x9b\u202e\udcff"}))["t"] == "a\x9b\u202e\udcff"
    True
    """
    text = json.dumps(data, indent=2, ensure_ascii=False)
    return "".join(c if c.isprintable() or c == "\n" else f"\\u{ord(c):04x}" for c in text)
