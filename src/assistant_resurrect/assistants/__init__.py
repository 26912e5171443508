"""The registry of assistant modules. Adding an assistant means adding one module here."""

from __future__ import annotations

from assistant_resurrect.assistants.base import Assistant, Confidence, Evidence, Found
from assistant_resurrect.assistants.claude import Claude
from assistant_resurrect.assistants.codex import Codex
from assistant_resurrect.assistants.copilot import Copilot
from assistant_resurrect.assistants.gemini import Gemini
from assistant_resurrect.assistants.opencode import OpenCode

ASSISTANTS: dict[str, Assistant] = {
    a.name: a for a in (Claude(), Codex(), OpenCode(), Gemini(), Copilot())
}

__all__ = ["ASSISTANTS", "Assistant", "Confidence", "Evidence", "Found"]
