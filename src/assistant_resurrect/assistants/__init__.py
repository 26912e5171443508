"""The registry of assistant modules. Adding an assistant means adding its module and one
line here (docs/architecture.md, "Adding an assistant")."""

from __future__ import annotations

from assistant_resurrect.assistants.base import Assistant, Confidence, Evidence, Found
from assistant_resurrect.assistants.claude import Claude
from assistant_resurrect.assistants.cline import Cline
from assistant_resurrect.assistants.codex import Codex
from assistant_resurrect.assistants.copilot import Copilot
from assistant_resurrect.assistants.droid import Droid
from assistant_resurrect.assistants.gemini import Gemini
from assistant_resurrect.assistants.kilo import Kilo
from assistant_resurrect.assistants.omp import OhMyPi
from assistant_resurrect.assistants.opencode import OpenCode
from assistant_resurrect.assistants.pi import Pi
from assistant_resurrect.assistants.qwen import Qwen

ASSISTANTS: dict[str, Assistant] = {
    a.name: a for a in (
        Claude(), Codex(), OpenCode(), Gemini(), Copilot(),
        Qwen(), Kilo(), Pi(), OhMyPi(), Droid(), Cline(),
    )
}

__all__ = ["ASSISTANTS", "Assistant", "Confidence", "Evidence", "Found"]
