"""Oh My Pi (a Pi fork): its npm pin, its offline conversation in its own format, the least
store entry its module reads, and how the tests drive its real CLI."""

from __future__ import annotations

import pathlib

from support.lab import Lab
from support.toolcase import ToolCase

from tools import pi

PINS = {"@oh-my-pi/pi-coding-agent": "18.2.0", "bun": "1.4.5"}


def session(lab: Lab, cwd: pathlib.Path) -> str:
    """An Oh My Pi session file (Pi's format, its own folder naming)."""
    return pi.session(lab, cwd, tool="omp")


def store_entry(home: pathlib.Path, sid: str, cwd: str) -> None:
    pi.store_entry(home, sid, cwd, "omp")


CASE = ToolCase("omp", session,
                lambda sid: f"omp --model opus --thinking high --resume {sid}",
                lambda sid, cwd: ["--model", "opus", "--thinking", "high", "--resume", sid],
                "omp -c", ("omp:argv",), store_entry,
                frozenset({"--help", "--version"}))
