"""Ages as people type and read them: ``45s``, ``12m``, ``5h``, ``3d``, ``2w``."""

from __future__ import annotations

import datetime
import math

ISO = "%Y-%m-%dT%H:%M:%SZ"
UNITS = (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1))


def parse(text: str) -> float:
    """Seconds in ``30s``, ``15m``, ``12h``, ``7d`` or ``2w``.

    >>> parse("7d"), parse("90m")
    (604800.0, 5400.0)

    Raises
    ------
    ValueError
        When ``text`` is not a finite, non-negative number followed by one of those units.
    """
    sizes = dict(UNITS)
    try:
        seconds = float(text[:-1]) * sizes[text[-1]]
    except (IndexError, KeyError, ValueError):
        seconds = -1.0
    if not 0 <= seconds < math.inf:
        raise ValueError(f"not an age like 7d or 12h: {text!r}")
    return seconds


def short(seconds: float) -> str:
    """The largest whole unit: ``short(750)`` is ``12m``; negative ages read ``0s``."""
    for unit, size in UNITS:
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return "0s"


def iso(epoch: float | None = None) -> str:
    """ISO 8601 UTC to the second for epoch seconds (default now): every time in ``--json``.

    >>> iso(1_800_000_000)
    '2027-01-15T08:00:00Z'
    """
    moment = datetime.datetime.fromtimestamp(
        datetime.datetime.now().timestamp() if epoch is None else epoch, datetime.timezone.utc)
    return moment.strftime(ISO)


def from_iso(text: str) -> float:
    """Epoch seconds of an :func:`iso` time. Raises ValueError for any other text."""
    return datetime.datetime.strptime(text, ISO).replace(tzinfo=datetime.timezone.utc
                                                         ).timestamp()
