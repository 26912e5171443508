"""Install or remove every registered tool's tracker (:mod:`assistants.trackers` holds the
two kinds), one failing tracker not stopping the others."""

from __future__ import annotations

import logging
import typing as t

from assistant_resurrect.assistants import ASSISTANTS
from assistant_resurrect.exc import AssistantResurrectError

log = logging.getLogger(__name__)


class Step(t.NamedTuple):
    """One tracker's install or removal: the tool, what was done (or the error), success."""

    tool: str
    text: str
    ok: bool


def install_all(off: t.Collection[str] = ()) -> list[Step]:
    """Install every registered tool's tracker, removing those of the tools in ``off``; one
    failing tracker (a settings file that is not JSON) does not stop the others."""
    steps = []
    for tool in ASSISTANTS.values():
        tracker = tool.tracker()
        if tracker is None:
            continue
        try:
            steps.append(Step(tool.name, tracker.uninstall() if tool.name in off
                              else tracker.install(), True))
        except AssistantResurrectError as err:
            log.error("%s tracker: %s", tool.name, err)
            steps.append(Step(tool.name, f"error: {err}", False))
    return steps


def uninstall_all() -> list[Step]:
    """Remove every registered tool's tracker (see :func:`install_all`)."""
    return install_all(off=set(ASSISTANTS))
