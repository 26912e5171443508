"""Kilo Code CLI (an OpenCode fork): its npm pin, its offline conversation in its own format,
the least store entry its module reads, and how the tests drive its real CLI."""

from __future__ import annotations

import pathlib

from support.lab import Lab
from support.toolcase import ToolCase

from tools import opencode

PINS = {"@kilocode/cli": "7.7.7"}


def session(lab: Lab, cwd: pathlib.Path) -> str:
    """A session imported with Kilo's own importer (OpenCode's export format)."""
    return opencode.session(lab, cwd, tool="kilo", version="7.7.7")


def store_entry(home: pathlib.Path, sid: str, cwd: str) -> None:
    opencode.store_entry(home, sid, cwd, "kilo")


CASE = ToolCase("kilo", session,
                lambda sid: f"kilo --log-level INFO -s {sid}",
                lambda sid, cwd: ["--log-level", "INFO", "-s", sid],
                "kilo --continue", ("kilo:argv",),
                store_entry)
