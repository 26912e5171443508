"""Save and resume AI coding assistants in tmux panes through tmux-resurrect."""

from __future__ import annotations

import logging

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())
