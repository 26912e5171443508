"""Every conversation on this machine: each tool's own store (through
:meth:`Assistant.sessions`), joined with what runs now and what the newest snapshot holds.

One row per conversation, newest first. ``state`` is ``current`` (the caller's own pane),
``live`` (a process runs it now), ``idle`` (live, its store untouched for
:data:`IDLE_AFTER` seconds), ``saved`` (in the newest snapshot, not running) or ``orphaned``
(on disk only).
"""

from __future__ import annotations

import enum
import logging
import os
import pathlib
import typing as t

from assistant_resurrect import ages, paths, redact, restore, shells, terminal
from assistant_resurrect.assistants import ASSISTANTS
from assistant_resurrect.assistants.base import StoredSession
from assistant_resurrect.exc import AssistantResurrectError, UnquotableError
from assistant_resurrect.options import Options
from assistant_resurrect.snapshot import PaneSession
from assistant_resurrect.tmux import Tmux

log = logging.getLogger(__name__)
IDLE_AFTER = 600.0
TITLE_CHARS = 80


class ConversationState(str, enum.Enum):
    CURRENT = "current"
    LIVE = "live"
    IDLE = "idle"
    SAVED = "saved"
    ORPHANED = "orphaned"


LIVE_STATES = frozenset({ConversationState.CURRENT, ConversationState.LIVE,
                         ConversationState.IDLE})


class Conversation(t.NamedTuple):
    """One row of ``sessions`` (docs/json.md): times are ISO 8601 UTC or None, ``pane``
    a ``%id`` or None, ``where`` a pane label or ``pid N`` for a live one (human output)."""

    tool: str
    session_id: str
    cwd: str
    title: str
    model: str | None
    created_at: str | None
    updated_at: str | None
    messages: int | None
    state: ConversationState
    pane: str | None
    resume_command: str | None
    where: str = ""

    def to_json(self) -> dict[str, t.Any]:
        data = self._asdict()
        data.pop("where")
        data["state"] = self.state.value
        return data


class Running(t.NamedTuple):
    """A live conversation: the pane running it (None outside this tmux server) and a label."""

    pane_id: str | None
    where: str


def list_conversations(running: t.Mapping[tuple[str, str], Running],
                       saved: t.Mapping[tuple[str, str], PaneSession],
                       env: t.Mapping[str, str], shell: shells.Shell, now: float,
                       current: tuple[str, str] | None = None,
                       tools: t.Collection[str] = (), cwd: str | None = None,
                       since: float | None = None,
                       states: t.Collection[ConversationState] = (),
                       limit: int | None = None) -> list[Conversation]:
    """The conversations in every tool's store (``tools``: only these), filtered, newest
    first. ``running`` and ``saved`` are keyed by (tool, session id); ``since`` is an age in
    seconds; ``cwd`` keeps one directory's conversations."""
    rows = []
    for name, tool in ASSISTANTS.items():
        if tools and name not in tools:
            continue
        for stored in tool.sessions(env, cwd):
            if since is not None and stored.updated_at < now - since:
                continue
            key = (name, stored.session_id)
            row = _row(name, stored, running.get(key), saved.get(key), key == current, shell,
                       now)
            if not states or row.state in states:
                rows.append((stored.updated_at, row))
    rows.sort(key=lambda pair: -pair[0])
    return [row for _, row in rows[:limit]]


def find(rows: list[Conversation], wanted: str) -> Conversation:
    """The row whose id is ``wanted``, or the one whose id starts with it.

    Raises :class:`AssistantResurrectError` when none matches, or several do.
    """
    exact = [r for r in rows if r.session_id == wanted]
    matches = exact or [r for r in rows if r.session_id.startswith(wanted)] if wanted else []
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise AssistantResurrectError(f"no conversation {wanted!r} in any tool's store")
    raise AssistantResurrectError(f"{wanted!r} names {len(matches)} conversations: " + ", ".join(
        f"{r.tool} {r.session_id}" for r in matches[:5]))


def resume(found: Conversation, saved: t.Mapping[tuple[str, str], PaneSession], tmux: Tmux,
           opts: Options, state_dir: pathlib.Path, pane_id: str | None = None,
           split: bool = False, caller: str | None = None) -> restore.PlanRow:
    """Resume one conversation through a restore's guards (never a live one, never into a
    busy pane, the pane's shell's quoting, verification): into ``pane_id``, else a new
    window in its directory (``split``: a split of the ``caller`` pane). A pane made for it
    is closed again when the plan refuses it; the outcome is logged.

    Raises :class:`AssistantResurrectError` for a live conversation, a missing directory or
    pane.
    """
    if found.state in LIVE_STATES:
        raise AssistantResurrectError(f"{found.tool} {found.session_id} is {found.state.value}"
                                      f" in {found.where}: nothing to resume")
    if not os.path.isdir(found.cwd):
        raise AssistantResurrectError(f"directory {found.cwd!r} does not exist")
    target = pane_id or tmux.new_pane(found.cwd, caller, split)
    pane = tmux.pane(target)
    if pane is None:
        raise AssistantResurrectError(f"no pane {target}")
    record = (saved.get((found.tool, found.session_id)) or PaneSession(
        "", 0, 0, found.tool, found.cwd, found.session_id, launcher=found.tool))._replace(
        session_name=pane.session_name, window_index=pane.window_index,
        pane_index=pane.pane_index, cwd=found.cwd)
    (row,) = restore.make_plan([record], tmux, state_dir, opts)
    if row.state is restore.READY:
        restore.execute([row], tmux, opts, paths.StateDir(state_dir).claims)
    elif not pane_id:  # the pane we just made, nothing typed into it
        tmux.kill_pane(target)
    log.info("resume %s %s into %s: %s", found.tool, found.session_id, target,
             row.outcome or f"{row.state}: {row.reason}")
    return row


def _row(tool: str, stored: StoredSession, running: Running | None, saved: PaneSession | None,
         current: bool, shell: shells.Shell, now: float) -> Conversation:
    if current:
        state = ConversationState.CURRENT
    elif running is not None:
        state = (ConversationState.IDLE if now - stored.updated_at >= IDLE_AFTER
                 else ConversationState.LIVE)
    else:
        state = ConversationState.SAVED if saved is not None else ConversationState.ORPHANED
    record = saved or PaneSession(session_name="", window_index=0, pane_index=0, tool=tool,
                                  cwd=stored.cwd, session_id=stored.session_id,
                                  launcher=tool)
    try:
        command = restore.resume_command(record._replace(session_id=stored.session_id), shell)
    except UnquotableError:
        command = None
    title = redact.redact_text(" ".join(stored.title.split()))
    return Conversation(
        tool, stored.session_id, stored.cwd, title[:TITLE_CHARS - 1] + "…"
        if len(title) > TITLE_CHARS else title, stored.model or None,
        _iso(stored.created_at), _iso(stored.updated_at), stored.messages, state,
        running.pane_id if running else None, command, running.where if running else "")


def _iso(epoch: float) -> str | None:
    """:func:`ages.iso` of epoch seconds; None for 0 (not recorded)."""
    return ages.iso(epoch) if epoch else None


def table(rows: list[Conversation], now: float, width: int = 100) -> list[str]:
    """Human lines for ``rows``, none wider than ``width``: state, tool, age, id, directory,
    title; what the tools' stores hold is shown escaped (:func:`terminal.safe`)."""
    lines = [f"{'STATE':<8} {'TOOL':<8} {'AGE':>4} {'ID':<14} {'DIRECTORY':<24} TITLE"]
    for row in rows:
        age = ages.short(now - ages.from_iso(row.updated_at)) if row.updated_at else "?"
        sid, cwd = terminal.safe(row.session_id), terminal.safe(row.cwd)
        line = (f"{row.state.value:<8} {row.tool:<8} {age:>4} {_clip(sid, 14):<14} "
                f"{_clip(cwd, 24, left=True):<24} {terminal.safe(row.title)}")
        lines.append(line if len(line) <= width else line[:width - 1] + "…")
    return lines


def _clip(text: str, width: int, left: bool = False) -> str:
    if len(text) <= width:
        return text
    return "…" + text[-(width - 1):] if left else text[:width - 1] + "…"
