"""One file per supported tool (``<tool>.py``): its npm pin (``PINS``), its offline
conversation writer in the tool's own format (``session``), the least store entry its module
reads (``store_entry``) and its row in the test table (``CASE``). ``pins.py`` assembles the
CLIs' npm manifest from them; a new tool is its module in ``assistants/``, its file here and
its name in ``ORDER``."""

from __future__ import annotations

import importlib

from support.toolcase import ToolCase

ORDER = ["claude", "codex", "opencode", "gemini", "copilot", "qwen", "kilo", "pi", "omp",
         "droid", "cline"]


def _cases() -> dict[str, ToolCase]:
    cases = {}
    for name in ORDER:
        case = importlib.import_module(f"tools.{name}").CASE
        assert case.name == name, (name, case.name)
        cases[name] = case
    return cases


TOOLS = _cases()
