"""The recovery console: what ``restore``, ``menu``, ``status``, ``history``, ``sessions``, the
popup, ``export``, ``import --kept`` and ``keep`` do, as functions over one :class:`Context`.

``cli.py`` parses arguments into these calls and prints what they return; the restore and keep
workers (:mod:`worker`) call the same functions.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import logging
import os
import pathlib
import time
import typing as t

from assistant_resurrect import (
    _fs,
    ages,
    bundle,
    conversations,
    kept,
    paths,
    restore,
    resurrect,
    shells,
)
from assistant_resurrect import snapshot as store
from assistant_resurrect.assistants import ASSISTANTS
from assistant_resurrect.conversations import Conversation
from assistant_resurrect.exc import AssistantResurrectError, UnquotableError
from assistant_resurrect.options import Options
from assistant_resurrect.procs import ProcessTable
from assistant_resurrect.restore import PlanRow
from assistant_resurrect.snapshot import PaneSession, Snapshot
from assistant_resurrect.tmux import PaneRecord, Tmux

log = logging.getLogger(__name__)
Saved = dict[tuple[str, str], PaneSession]  # (tool, session id) -> the newest snapshot's entry


@dataclasses.dataclass(frozen=True)
class Context:
    """The tmux server, our options, resurrect's directory (as resurrect resolves it) and our
    state directory, read once per command. ``panes`` is filled by :meth:`survey` only."""

    tmux: Tmux
    options: Options
    resurrect_dir: pathlib.Path
    state: paths.StateDir
    panes: tuple[PaneRecord, ...] = ()

    @classmethod
    def open(cls, socket_name: str | None = None) -> Context:
        """One ``show-options -g``. Raises :class:`TmuxNotRunningError` without a server."""
        tmux = Tmux(socket_name=socket_name or None)
        return cls._of(tmux, Options.read(tmux))

    @classmethod
    def survey(cls, socket_name: str | None = None) -> Context:
        """Options and every pane in one tmux call; without a server (or a tmux that fails),
        the default options and no panes: the stores can be read without tmux."""
        tmux = Tmux(socket_name=socket_name or None)
        try:
            option_lines, panes = tmux.options_and_panes()
        except AssistantResurrectError as err:
            log.info("no tmux options or panes used: %s", err)
            option_lines, panes = [], []
        return cls._of(tmux, Options.from_lines(option_lines), tuple(panes))

    @classmethod
    def _of(cls, tmux: Tmux, options: Options, panes: tuple[PaneRecord, ...] = ()) -> Context:
        return cls(tmux, options, resurrect.resolve_dir(options.resurrect_dir),
                   paths.StateDir.here(), panes)


class Target(t.NamedTuple):
    """Which saved panes a restore takes: ``pane`` (``%id`` of a live pane, or
    ``session:window.pane``), ``window`` (``session:window``), ``session`` (a tmux session
    name); None takes every one."""

    pane: str | None = None
    window: str | None = None
    session: str | None = None


def select(records: list[PaneSession], target: Target, tmux: Tmux) -> list[PaneSession]:
    """The records ``target`` names. Addresses are split from the right, so tmux session
    names may hold ``:`` and ``.``. Raises :class:`AssistantResurrectError` for a ``%id``
    this server lacks or an index that is not a number."""
    address = None
    if target.pane and target.pane.startswith("%"):
        live = tmux.pane(target.pane)
        if live is None:
            raise AssistantResurrectError(f"no pane {target.pane} in this tmux server")
        address = live.address
    elif target.pane:
        name, _, rest = target.pane.rpartition(":")
        win, _, idx = rest.partition(".")
        address = (name, index(win), index(idx))
    window = None
    if target.window:
        name, _, win = target.window.rpartition(":")
        window = (name, index(win))
    return [r for r in records
            if (not target.session or r.session_name == target.session)
            and (window is None or (r.session_name, r.window_index) == window)
            and (address is None or r.address == address)]


def index(text: str) -> int:
    """A window or pane index. Raises :class:`AssistantResurrectError`."""
    try:
        return int(text)
    except ValueError:
        raise AssistantResurrectError(f"not a window or pane index: {text!r}") from None


EVERY_PANE = Target()


def plan(ctx: Context, target: Target = EVERY_PANE, from_snapshot: str | None = None,
         entry: int | None = None, into: str | None = None) -> tuple[list[PlanRow], Snapshot]:
    """The snapshot to restore (``from_snapshot``: a file or a name in the store; default the
    one paired with resurrect's ``last``) and the plan of the panes ``target`` selects (or of
    its ``entry``-th pane), retargeted ``into`` one live pane. Restores take no lock:
    snapshots are replaced atomically, claims keep two restores apart, and a save must never
    wait on a restore.

    Raises :class:`UntrustedDirError` for a directory others could have planted files in,
    :class:`SnapshotNotFoundError`, :class:`AssistantResurrectError` for a bad target."""
    rdir = ctx.resurrect_dir
    _fs.require_trusted(store.store_dir(rdir), rdir)  # snapshot.load checks each file
    _fs.require_trusted_dir(ctx.state.root)  # claims, trackers
    if from_snapshot:
        path = pathlib.Path(from_snapshot)
        snap = store.load(path if path.is_file() else store.store_dir(rdir) / path.name)
    else:
        snap = store.for_save_file(rdir, resurrect.last_save_file(rdir))
    records = select(snap.panes, target, ctx.tmux)
    if entry is not None:
        records = snap.panes[entry: entry + 1]
    rows = restore.make_plan(records, ctx.tmux, ctx.state.root, ctx.options)
    if into:
        rows = retarget(ctx, rows, into)
    return rows, snap


def retarget(ctx: Context, rows: list[PlanRow], pane_id: str) -> list[PlanRow]:
    """The plan of the one selected record against the live pane ``pane_id``. Raises
    :class:`AssistantResurrectError` unless exactly one row was selected and the pane exists."""
    if len(rows) != 1:
        raise AssistantResurrectError("--into needs exactly one selected pane (use --pane)")
    target = ctx.tmux.pane(pane_id)
    if target is None:
        raise AssistantResurrectError(f"no pane {pane_id}")
    moved = rows[0].record._replace(session_name=target.session_name,
                                    window_index=target.window_index,
                                    pane_index=target.pane_index)
    return restore.make_plan([moved], ctx.tmux, ctx.state.root, ctx.options)


def failed(rows: t.Iterable[PlanRow]) -> bool:
    """True when any row's outcome is a failure."""
    return any(r.outcome and r.outcome.kind is restore.Kind.FAILED for r in rows)


def execute(ctx: Context, rows: list[PlanRow]) -> None:
    """Carry out a plan (:func:`restore.execute`), record each pane's outcome, set or clear
    the status line's failure mark, and say the summary in a ``display-message`` and the log."""
    restore.execute(rows, ctx.tmux, ctx.options, ctx.state.claims)
    restore.write_outcomes(ctx.state.outcomes, rows)
    if failed(rows):
        _fs.touch_private(ctx.state.restore_failed)
    else:
        ctx.state.restore_failed.unlink(missing_ok=True)
    ctx.tmux.display_message(restore.summary(rows))
    log.info(restore.summary(rows))


def menu_plan(ctx: Context) -> tuple[list[PlanRow], Snapshot]:
    """Every saved pane of the snapshot ``restore`` would use, with its plan state."""
    snap = store.for_save_file(ctx.resurrect_dir, resurrect.last_save_file(ctx.resurrect_dir))
    return restore.make_plan(snap.panes, ctx.tmux, ctx.state.root, ctx.options), snap


def status(tmux: Tmux) -> list[dict[str, t.Any]]:
    """Each live assistant pane as a plan row's JSON (state ``live``) plus ``refused``,
    ``notes``, ``searched`` and ``last_restore`` (its outcome in the last restore)."""
    from assistant_resurrect import save

    _, snap = save.snapshot_now(tmux.options_and_panes)
    outcomes = restore.load_outcomes(paths.StateDir.here().outcomes)
    last = {p.get("pane"): p.get("outcome", "") for p in outcomes.get("panes", [])
            if isinstance(p, dict)}
    return [{**pane_json(rec, restore.State.LIVE), "last_restore": last.get(rec.label, "")}
            for rec in snap.panes]


def pane_json(rec: PaneSession, state: restore.State) -> dict[str, t.Any]:
    """The pane object (docs/json.md) of a pane just detected (``live``) or saved (``saved``):
    a plan row's keys, its resume line for ``$SHELL`` (null when it cannot be typed there),
    and what detection found: ``pane_id`` and the assistant's ``pid``, ``launcher``,
    ``argv``, ``replay_args``, ``env`` (the captured, redacted names and values),
    ``refused``, ``notes``, ``searched``."""
    row = PlanRow(rec, state)
    if rec.session_id:
        with contextlib.suppress(UnquotableError):
            row.command = restore.resume_command(rec, user_shell())
    return {**row.to_json(), "pane_id": rec.pane_id or None, "pid": rec.pid or None,
            "launcher": rec.launcher, "argv": rec.argv,
            "replay_args": rec.replay_args, "env": rec.env, "refused": rec.refused,
            "notes": rec.notes, "searched": rec.searched}


def user_shell() -> shells.Shell:
    """The shell of ``$SHELL`` (bash when unknown): the quoting of a line we print."""
    return shells.shell_of(os.environ.get("SHELL", "")) or shells.Shell.BASH


def history(rdir: pathlib.Path) -> list[dict[str, t.Any]]:
    """Every snapshot that loads, oldest first: ``snapshot`` (its name), ``created_at`` (ISO
    8601 UTC), ``resurrect_file``, ``tools`` ({tool: resumable panes}), ``last`` (paired with
    resurrect's ``last``) and ``save_file_exists``."""
    last = resurrect.last_save_file(rdir)
    items = []
    for path in store.list_snapshots(rdir):
        try:
            snap = store.load(path)
            created = ages.iso(snap.created_at)
        except (OSError, AssistantResurrectError, ValueError, OverflowError) as err:
            log.warning("history leaves out %s: %s", path.name, err)
            continue
        tools: dict[str, int] = {}
        for p in snap.resumable:
            tools[p.tool] = tools.get(p.tool, 0) + 1
        items.append({"snapshot": path.name, "created_at": created,
                      "resurrect_file": snap.resurrect_file, "tools": tools,
                      "last": bool(last and last.name == snap.resurrect_file
                                   and path.stem == last.stem),
                      "save_file_exists": (rdir / (store.save_file_stem(path.name) + ".txt")
                                           ).exists()})
    return items


def newest_saved(rdir: pathlib.Path) -> Saved:
    """{(tool, session id): entry} of the newest snapshot that has resumable panes ({} when
    none loads; why is logged)."""
    try:
        path = store.newest_non_empty(rdir)
        snap = store.load(path) if path else None
    except (OSError, AssistantResurrectError) as err:
        log.warning("no saved snapshot used: %s", err)
        snap = None
    return {(p.tool, p.session_id): p for p in snap.resumable if p.session_id} if snap else {}


def conversation_rows(ctx: Context, now: float, *filters: t.Any
                      ) -> tuple[list[Conversation], Saved]:
    """Every conversation (``filters``: those of :func:`conversations.list_conversations`)
    joined with what runs in ``ctx.panes`` (:meth:`Context.survey`) now, and the newest
    snapshot's entries it was joined with."""
    running = {key: conversations.Running(where.pane_id, where.label)
               if isinstance(where, PaneRecord) else conversations.Running(None, f"pid {where}")
               for key, where in restore.running_sessions(list(ctx.panes),
                                                          ProcessTable.snapshot(),
                                                          ctx.state.root).items()}
    me = os.environ.get("TMUX_PANE")
    current = next((key for key, where in running.items() if me and where.pane_id == me), None)
    saved = newest_saved(ctx.resurrect_dir)
    return conversations.list_conversations(running, saved, os.environ, user_shell(), now,
                                            current, *filters), saved


class Action(str, enum.Enum):
    """What the popup does with the chosen conversation (:func:`act`)."""

    RESUME = "resume"  # into a new window in its directory
    RESTORE = "restore"  # into its saved pane


def act(ctx: Context, action: Action, row: Conversation, saved: Saved,
        client: str | None = None) -> str:
    """The popup's choice: go to a live conversation's pane, restore a saved one in its saved
    pane (:attr:`Action.RESTORE`), else resume it into a new window. Returns what happened, in words
    (a restore says its own summary and returns ``""``)."""
    if row.pane:
        ctx.tmux.switch_client(row.pane, client)
        return f"{row.tool} {row.session_id} runs in {row.where}"
    if action is Action.RESTORE:
        execute(ctx, restore.make_plan([saved[(row.tool, row.session_id)]], ctx.tmux,
                                       ctx.state.root, ctx.options))
        return ""
    done = conversations.resume(row, saved, ctx.tmux, ctx.options, ctx.state.root)
    return f"{row.tool} {row.session_id}: {done.outcome or done.state} {done.reason}"


def resumed(row: PlanRow) -> bool:
    """True when the row's assistant was typed and (where checked) came back."""
    return bool(row.outcome and row.outcome.kind in (restore.Kind.RESUMED, restore.Kind.TYPED))


def to_export(rows: list[Conversation], ids: t.Sequence[str], pane: str | None = None,
              all_live: bool = False) -> list[bundle.Source]:
    """The bundle sources of the conversation live in ``pane``, every live one, or those
    ``ids`` name (an id or a unique prefix). Raises :class:`AssistantResurrectError` when
    nothing matches."""
    if pane:
        chosen = [r for r in rows if r.pane == pane]
        if not chosen:
            raise AssistantResurrectError(f"no conversation runs in pane {pane}")
    elif all_live:
        chosen = [r for r in rows if r.state in conversations.LIVE_STATES]
        if not chosen:
            raise AssistantResurrectError("no conversation is live")
    else:
        chosen = [conversations.find(rows, wanted) for wanted in ids]
    return [bundle.Source(r.tool, r.session_id, r.cwd, r.title, r.resume_command)
            for r in chosen]


def import_kept(ctx: Context, session_id: str, dry_run: bool, back: int
                ) -> list[bundle.Result]:
    """Put the kept copy of ``session_id`` back (``back`` versions before the newest) into
    its tool's store, in the directory the newest snapshot saved it in. Raises
    :class:`AssistantResurrectError` when no tool kept a copy of it."""
    state = ctx.state.root
    tools = [name for name, tool in ASSISTANTS.items() if kept.has_copy(state, tool, session_id)]
    if not tools:
        raise AssistantResurrectError(f"no kept copy of {session_id!r} in {ctx.state.kept}")
    saved = {sid: rec for (_, sid), rec in newest_saved(ctx.resurrect_dir).items()}
    cwd = saved[session_id].cwd if session_id in saved else ""
    return kept.import_kept(state, tools[0], session_id, cwd, os.environ, dry_run, back)


def keep_newest(ctx: Context) -> list[bundle.Result]:
    """Keep copies of the newest non-empty snapshot's conversations (:func:`kept.keep`)."""
    path = store.newest_non_empty(ctx.resurrect_dir)
    records = store.load(path).resumable if path else []
    results = kept.keep(records, ctx.state.root, restore.env_for)
    log.info("kept %d file(s) of %d conversation(s)", len(results), len(records))
    return results


def restore_all(ctx: Context) -> list[PlanRow]:
    """The restore behind ``post-restore-all``: plan every pane of the snapshot paired with
    resurrect's ``last`` and carry it out. Raises as :func:`plan` does."""
    rows, snap = plan(ctx)
    log.info("restoring %d saved pane(s) from %s", len(rows), snap.path)
    started = time.monotonic()
    execute(ctx, rows)
    log.info("restore took %.1f s", time.monotonic() - started)
    return rows
