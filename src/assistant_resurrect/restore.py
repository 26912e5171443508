"""Restore: plan which saved panes can be resumed, then type each resume command and verify.

A plan never changes anything. Execution types only into idle shells whose prompt line is
proven empty (:mod:`prompt`), claims each session so no two restores resume it, starts at
most ``max-parallel`` assistants at a time, verifies them all concurrently and reports every
pane's outcome. One pane's failure, whatever it is, never stops the others.
"""

from __future__ import annotations

import dataclasses
import enum
import logging
import os
import pathlib
import threading
import time
import typing as t

from assistant_resurrect import _fs, detect, prompt, shells
from assistant_resurrect.assistants import ASSISTANTS, Assistant
from assistant_resurrect.exc import UnquotableError
from assistant_resurrect.options import MissingSession, Options, RestoreMode
from assistant_resurrect.procs import ProcessTable
from assistant_resurrect.redact import REDACTED
from assistant_resurrect.snapshot import PaneSession
from assistant_resurrect.tmux import PaneRecord, PaneView, Tmux

log = logging.getLogger(__name__)

CLAIM_TTL = 120.0
RESUMED_OPTION = "@assistant-resurrect-resumed"
START_TIMEOUT = 30.0


class State(str, enum.Enum):
    """A saved pane's state in a restore plan (``ready`` or why not)."""

    READY = "ready"
    ALREADY_RUNNING = "already-running"
    DUPLICATE = "duplicate"
    PANE_BUSY = "pane-busy"
    CWD_MISSING = "cwd-missing"
    SESSION_GONE = "session-gone"
    UNSAFE_FLAGS = "unsafe-flags"
    UNQUOTABLE = "unquotable"
    NO_SESSION_ID = "no-session-id"
    NO_SUCH_PANE = "no-such-pane"
    UNKNOWN_TOOL = "unknown-tool"
    LIVE = "live"  # status: a running assistant, not a plan row
    SAVED = "saved"  # save: a snapshotted pane, not a plan row

    def __str__(self) -> str:
        return self.value


READY = State.READY


class Kind(enum.Enum):
    """What execution did with one pane."""

    RESUMED = "resumed"  # started on its conversation and stayed up
    TYPED = "typed"  # left at the prompt, unsubmitted (prompt mode, an unmeasurable line)
    SKIPPED = "skipped"  # nothing typed: the plan or the pane said no
    FAILED = "failed"  # typed, and the assistant did not come back


class Outcome(t.NamedTuple):
    """What execution did with one pane (``kind``) and why (``detail``); serialised as
    ``"kind: detail"`` (``last-restore.json``, ``--json``), read back by :meth:`parse`.

    >>> str(Outcome(Kind.SKIPPED, "pane-busy (vim runs)")), str(Outcome(Kind.RESUMED))
    ('skipped: pane-busy (vim runs)', 'resumed')
    >>> Outcome.parse("failed: claude exited within 3s")
    Outcome(kind=<Kind.FAILED: 'failed'>, detail='claude exited within 3s')
    """

    kind: Kind
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.kind.value}: {self.detail}" if self.detail else self.kind.value

    @classmethod
    def parse(cls, text: str) -> Outcome | None:
        """The outcome ``str`` wrote, or None for anything else (an older or foreign file)."""
        kind, _, detail = text.partition(": ")
        try:
            return cls(Kind(kind), detail)
        except ValueError:
            return None


@dataclasses.dataclass
class PlanRow:
    """One saved pane's fate: ``state`` is ``ready`` or why not; ``command`` what we would type;
    ``outcome`` (after execution) what happened; ``session_id`` the conversation a ready row
    resumes ("" on the others)."""

    record: PaneSession
    state: State
    reason: str = ""
    pane: PaneRecord | None = None
    command: str | None = None
    fresh: bool = False
    outcome: Outcome | None = None
    session_id: str = ""

    def to_json(self) -> dict[str, t.Any]:
        rec = self.record
        return {"pane": rec.label, "session_name": rec.session_name,
                "window_index": rec.window_index, "pane_index": rec.pane_index,
                "pane_id": self.pane.pane_id if self.pane else None, "tool": rec.tool,
                "session_id": rec.session_id, "session_source": rec.session_source,
                "confidence": rec.confidence, "cwd": rec.cwd, "state": self.state.value,
                "reason": self.reason, "command": self.command, "fresh": self.fresh,
                "outcome": str(self.outcome) if self.outcome else ""}


def live_sessions(panes: list[PaneRecord], table: ProcessTable, state_dir: pathlib.Path
                  ) -> dict[tuple[str, str], str]:
    """Sessions running now: {(tool, session id): where}, ``where`` being a pane label of
    this server, or ``pid N`` for an assistant elsewhere (another tmux server of the user, a
    plain terminal), whose id comes from pid-specific evidence or its argv only."""
    return {key: pane.label if isinstance(pane, PaneRecord) else f"pid {pane}"
            for key, pane in running_sessions(panes, table, state_dir).items()}


def running_sessions(panes: list[PaneRecord], table: ProcessTable, state_dir: pathlib.Path
                     ) -> dict[tuple[str, str], PaneRecord | int]:
    """Like :func:`live_sessions`, with the pane (or, outside these panes, the pid)."""
    detections = detect.detect(panes, table)
    resolved = detect.resolve(detections, state_dir)
    live: dict[tuple[str, str], PaneRecord | int] = {}
    for det in detections:
        evidence, _ = resolved[det.pane.pane_id]
        if evidence is not None:
            live[(det.tool.name, evidence.session_id)] = det.pane
    in_panes = {p.pid for pane in panes for p in table.tree(pane.pane_pid)}
    for tool, found in detect.detect_elsewhere(table, in_panes):
        evidence = next(tool.exact_evidence(found, state_dir), None)
        sid = evidence.session_id if evidence else tool.argv_session(tool.split(found.args))
        if sid:
            live.setdefault((tool.name, sid), found.proc.pid)
    return live


def pane_is_idle_shell(pane: PaneRecord, table: ProcessTable) -> str | None:
    """None when the pane's foreground is a shell with no child; else why it is busy."""
    return _busy(pane.pane_current_command, table.tree(pane.pane_pid))


def _busy(command: str, tree: list[t.Any]) -> str | None:
    if shells.shell_of(command) is None:
        return f"pane runs {command!r}, not a shell"
    if detect.find_assistant(tree) is not None:
        return "an assistant already runs in this pane"
    if len(tree) > 1:
        return f"the shell has a running child ({tree[1].name})"
    return None


def resume_command(rec: PaneSession, shell: shells.Shell, fresh: bool = False,
                   masked: bool = False) -> str:
    """The line to type into a pane running ``shell``: cd, env, launcher, options, session.

    ``fresh`` starts a new session with the same options; ``masked`` shows env values as
    ``***`` (for logs). The launcher is the saved one only when it is this tool's executable
    and still runs; else the tool's name. Raises :class:`UnquotableError` when a
    value cannot be typed, ValueError when ``rec`` has no session id to resume.
    """
    tool, session_id = ASSISTANTS[rec.tool], rec.session_id
    if fresh:
        args = tool.fresh_args(rec.replay_args, rec.cwd)
    elif session_id:
        args = tool.resume_args(rec.replay_args, session_id, rec.cwd)
    else:
        raise ValueError(f"{rec.label}: no session id to resume")
    env = {k: "***" if masked else v for k, v in replayable_env(rec).items()}
    return shells.command_line([_launcher(tool, rec.launcher), *args], shell, env, rec.cwd)


def _launcher(tool: Assistant, saved: str) -> str:
    if not saved or not tool.is_executable(saved):
        return tool.name
    if "/" in saved and not os.access(saved, os.X_OK):
        return tool.name
    return saved


def plan_row(rec: PaneSession, by_address: dict[tuple[str, int, int], PaneRecord],
             table: ProcessTable, live: dict[tuple[str, str], str], opts: Options,
             state_dir: pathlib.Path) -> PlanRow:
    """Decide one saved pane's state (see :class:`State`), without side effects
    (``state_dir``: where kept copies are looked for)."""
    tool = ASSISTANTS.get(rec.tool)
    if tool is None:
        return PlanRow(rec, State.UNKNOWN_TOOL, f"no assistant module named {rec.tool!r}")
    pane = by_address.get(rec.address)
    if pane is None:
        return PlanRow(rec, State.NO_SUCH_PANE, f"no pane {rec.label} in this tmux server")
    if not rec.session_id:
        return PlanRow(rec, State.NO_SESSION_ID, "the save found no session id", pane)
    if not tool.id_pattern.match(rec.session_id):
        return PlanRow(rec, State.NO_SESSION_ID,
                       f"the saved id {rec.session_id!r} is not a {tool.name} session id", pane)
    where = live.get((rec.tool, rec.session_id))
    if where is not None:
        state = State.ALREADY_RUNNING if where == pane.label else State.DUPLICATE
        return PlanRow(rec, state, f"session is live in {where}", pane)
    busy = pane_is_idle_shell(pane, table)
    if busy:
        return PlanRow(rec, State.PANE_BUSY, busy, pane)
    if rec.refused:
        return PlanRow(rec, State.UNSAFE_FLAGS, rec.refused, pane)
    if not rec.cwd or not os.path.isdir(rec.cwd):
        return PlanRow(rec, State.CWD_MISSING, f"directory {rec.cwd!r} does not exist", pane)
    fresh = False
    store_env = dict(tool.store_env(rec.replay_args, rec.cwd, env_for(rec)))
    if tool.session_exists(rec.session_id, rec.cwd, store_env) is False:
        if opts.missing_session is not MissingSession.FRESH:
            return PlanRow(rec, State.SESSION_GONE, _gone(tool, rec.session_id, state_dir),
                           pane)
        fresh = True
    if any(REDACTED in arg for arg in rec.replay_args):
        return PlanRow(rec, State.UNSAFE_FLAGS, "an option's saved value lost a secret; "
                                                "replaying it would change what it does", pane)
    shell = t.cast(shells.Shell, shells.shell_of(pane.pane_current_command))
    try:
        command = resume_command(rec, shell, fresh)
    except UnquotableError as err:
        return PlanRow(rec, State.UNQUOTABLE, str(err), pane)
    reasons = ["session gone; will start fresh with the same options" if fresh else "",
               lost_env(rec)]
    return PlanRow(rec, READY, "; ".join(r for r in reasons if r), pane, command, fresh,
                   session_id=rec.session_id)


def _gone(tool: Assistant, session_id: str, state_dir: pathlib.Path) -> str:
    from assistant_resurrect import kept

    reason = f"{tool.name} no longer has this session"
    if kept.has_copy(state_dir, tool, session_id):
        reason += f" (a kept copy exists: assistant-resurrect import --kept {session_id})"
    return reason


def replayable_env(rec: PaneSession) -> dict[str, str]:
    """The saved env values that are the values: one that lost a secret to redaction
    (``https://<redacted>@proxy``) is never replayed as if it were, the shell's own value
    applies (:func:`lost_env`)."""
    return {k: v for k, v in rec.env.items() if REDACTED not in v}


def lost_env(rec: PaneSession) -> str:
    """Why some saved env values are not replayed, or ''."""
    names = sorted(k for k, v in rec.env.items() if REDACTED in v)
    return (f"{', '.join(names)} left to the shell's environment (the saved value lost a "
            f"secret)") if names else ""


def env_for(rec: PaneSession) -> dict[str, str]:
    """The environment a resumed assistant would see: ours, with its replayable saved
    values."""
    return {**os.environ, **replayable_env(rec)}


def make_plan(records: list[PaneSession], tmux: Tmux, state_dir: pathlib.Path,
              opts: Options) -> list[PlanRow]:
    """Plan every record against the live server (one list-panes, one process snapshot).

    A record whose planning raises is a row of its own (``unknown-tool`` state is never
    used for it: it says ``pane-busy`` with the error), never the end of the plan.
    """
    panes = tmux.list_panes()
    table = ProcessTable.snapshot()
    by_address = {p.address: p for p in panes}
    live = live_sessions(panes, table, state_dir)
    rows, planned = [], set()
    for rec in records:
        try:
            row = plan_row(rec, by_address, table, live, opts, state_dir)
        except Exception as err:  # noqa: BLE001 - one bad entry must not end the plan
            log.exception("planning %s failed", rec.label)
            row = PlanRow(rec, State.PANE_BUSY, f"planning failed: {err!r}")
        key = (rec.tool, rec.session_id)
        if row.state is READY and key in planned:
            row = PlanRow(rec, State.DUPLICATE, "the snapshot lists this session twice",
                          row.pane)
        if row.state is READY:
            planned.add(key)
        rows.append(row)
    return rows


# -- execution -----------------------------------------------------------------------------
def claim(claims_dir: pathlib.Path, tool: str, session_id: str) -> bool:
    """Take the per-session claim (expires after :data:`CLAIM_TTL` s); False if held."""
    _fs.ensure_private_dir(claims_dir)
    path = claims_dir / f"{tool}-{session_id.replace('/', '_')}"
    try:
        if time.time() - path.lstat().st_mtime < CLAIM_TTL:
            return False
        path.unlink()
    except FileNotFoundError:
        pass
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def release_claim(claims_dir: pathlib.Path, tool: str, session_id: str) -> None:
    """Give a claim back (nothing was typed for it)."""
    (claims_dir / f"{tool}-{session_id.replace('/', '_')}").unlink(missing_ok=True)


def wait_for_client(tmux: Tmux, deadline: float) -> bool:
    """Poll (until ``deadline``, monotonic s) for an attached client: TUIs query the terminal
    when they start."""
    while True:
        if tmux.client_count() > 0:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)


def guard_for(pane: PaneRecord) -> prompt.Guard:
    """The check run before every key sent to ``pane``: its foreground is still an idle shell
    with no child and nothing of ours resumed there (one process-table pass per check)."""
    def guard(view: PaneView) -> str:
        busy = _busy(view.command, ProcessTable.snapshot().tree(pane.pane_pid))
        return busy or ""
    return guard


class _Launcher:
    """Admission for starting assistants: at most ``max_parallel`` starting at once (CPU:
    a slot is held from the typing until the assistant's process is up), ``stagger`` seconds
    between two launches, and none before a client attached or ``client_wait`` passed."""

    def __init__(self, tmux: Tmux, opts: Options) -> None:
        self.slots = threading.BoundedSemaphore(max(1, opts.max_parallel))
        self.stagger = opts.stagger
        self.client_deadline = time.monotonic() + opts.client_wait
        self.tmux = tmux
        self._lock = threading.Lock()
        self._client_checked = False
        self._next = 0.0

    def admit(self) -> None:
        """Block until this launch may type (the caller holds a slot)."""
        with self._lock:
            if not self._client_checked:
                self._client_checked = True
                if not wait_for_client(self.tmux, self.client_deadline):
                    log.info("no client attached; starting assistants anyway")
            delay = self._next - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self._next = time.monotonic() + self.stagger


def execute(rows: list[PlanRow], tmux: Tmux, opts: Options, claims_dir: pathlib.Path
            ) -> list[PlanRow]:
    """Type each ready row's command into its pane and verify it; fills ``row.outcome``.

    Every ready pane runs in its own thread: the shells are probed at once, launches are
    admitted by :class:`_Launcher`, and verification runs concurrently.
    """
    for row in rows:
        if row.state is not READY:
            row.outcome = Outcome(Kind.SKIPPED, f"{row.state}" + (f" ({row.reason})"
                                                                if row.reason else ""))
    launcher = _Launcher(tmux, opts)
    threads = [threading.Thread(target=_run_pane, args=(row, tmux, opts, claims_dir, launcher),
                                name=f"restore {row.record.label}", daemon=True)
               for row in rows if row.state is READY]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return rows


def _run_pane(row: PlanRow, tmux: Tmux, opts: Options, claims_dir: pathlib.Path,
              launcher: _Launcher) -> None:
    rec = row.record
    try:
        row.outcome = _resume_pane(row, tmux, opts, claims_dir, launcher)
    except Exception as err:  # noqa: BLE001 - one pane's failure never stops the others
        log.exception("resuming %s failed", rec.label)
        row.outcome = Outcome(Kind.FAILED, f"internal error: {err!r}")
    if row.reason and row.outcome.kind in (Kind.RESUMED, Kind.TYPED):  # what the plan said of it
        row.outcome = Outcome(row.outcome.kind, "; ".join(
            d for d in (row.outcome.detail, row.reason) if d))
    if row.outcome.kind in (Kind.RESUMED, Kind.FAILED):  # live now, or free to try again
        release_claim(claims_dir, rec.tool, row.session_id)
    log.info("%s %s %s: %s", rec.label, rec.tool, rec.session_id, row.outcome)


def _resume_pane(row: PlanRow, tmux: Tmux, opts: Options, claims_dir: pathlib.Path,
                 launcher: _Launcher) -> Outcome:
    assert row.pane is not None and row.command is not None
    rec, pane = row.record, row.pane
    session_id = row.session_id
    if not claim(claims_dir, rec.tool, session_id):
        return Outcome(Kind.SKIPPED, "duplicate (another restore holds this session)")
    if tmux.pane_option(pane.pane_id, RESUMED_OPTION):
        release_claim(claims_dir, rec.tool, session_id)
        return Outcome(Kind.SKIPPED, "pane-busy (already resumed by us)")
    holding = False

    def settle() -> None:  # the probe ran; now wait for a start slot and the client
        nonlocal holding
        launcher.slots.acquire()
        holding = True
        launcher.admit()

    try:
        submit = opts.restore_mode is RestoreMode.AUTO
        typed = prompt.type_line(tmux, pane.pane_id, row.command, submit, guard_for(pane), settle)
        if not typed.typed:
            release_claim(claims_dir, rec.tool, session_id)
            return Outcome(Kind.SKIPPED, f"pane-busy ({typed.problem})")
        tmux.set_pane_option(pane.pane_id, RESUMED_OPTION, f"{rec.tool} {session_id}")
        shell = t.cast(shells.Shell, shells.shell_of(pane.pane_current_command))
        log.info("typed into %s (%s)%s: %s", rec.label, pane.pane_id,
                 "" if typed.submitted else " without Enter",
                 resume_command(rec, shell, row.fresh, masked=True))
        if not typed.submitted:
            return Outcome(Kind.TYPED, typed.problem)
        tool = ASSISTANTS[rec.tool]
        started = _wait_started(tmux, pane, tool)
        if isinstance(started, Outcome):
            return started
        log.info("%s %s: started (pid %d)", rec.label, rec.tool, started.pid)
    finally:
        if holding:
            launcher.slots.release()
    return _watch(tmux, pane.pane_id, tool, started, opts.verify_seconds)


def _wait_started(tmux: Tmux, pane: PaneRecord, tool: Assistant,
                  timeout: float = START_TIMEOUT) -> t.Any:
    """The assistant's process once it is up in the pane, or the failure :class:`Outcome`.

    A known failure screen counts at once, even when the assistant already exited; when it
    never starts, the outcome quotes the pane's last line.
    """
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        hit = detect.find_assistant(ProcessTable.snapshot().tree(pane.pane_pid), [tool])
        if hit is not None:
            return hit[1].proc
        screen = tmux.capture(pane.pane_id)
        failure = _failure_shown(tool, screen)
        if failure:
            return failure
        time.sleep(0.1)
    last = next((line.strip() for line in reversed(screen.splitlines()) if line.strip()), "")
    return Outcome(Kind.FAILED, f"{tool.name} did not start within {timeout:g}s "
                             f"(pane shows {last[:120]!r})")


def _watch(tmux: Tmux, pane_id: str, tool: Assistant, proc: t.Any, seconds: float) -> Outcome:
    """Watch a started assistant for ``seconds``: it must stay alive and show no known
    failure screen (unknown session, a trust dialog waiting for an answer)."""
    deadline = time.monotonic() + seconds
    while True:
        failure = _failure_shown(tool, tmux.capture(pane_id))
        if failure:
            return failure
        if not proc.is_alive():
            return Outcome(Kind.FAILED, f"{tool.name} exited within {seconds:g}s")
        if time.monotonic() >= deadline:
            return Outcome(Kind.RESUMED)
        time.sleep(0.25)


def _failure_shown(tool: Assistant, screen: str) -> Outcome | None:
    """``failed: <tool> shows '<text>'`` when ``screen`` holds one of the tool's known failure
    texts, else None."""
    failure = next((s for s in tool.failure_screens if s in screen), None)
    return Outcome(Kind.FAILED, f"{tool.name} shows {failure!r}") if failure else None


def summary(rows: list[PlanRow]) -> str:
    """One line: 'resumed N, typed N, skipped N, failed N' (typed only in prompt mode)."""
    kinds = [r.outcome.kind if r.outcome else Kind.SKIPPED for r in rows]
    shown = [k for k in Kind if k is not Kind.TYPED or k in kinds]
    return "assistant-resurrect: " + ", ".join(f"{k.value} {kinds.count(k)}" for k in shown)


def write_outcomes(path: pathlib.Path, rows: list[PlanRow]) -> None:
    """Record the last restore's per-pane outcomes (read by ``status``)."""
    _fs.ensure_private_dir(path.parent)
    _fs.atomic_write_json(path, {"finished_at": time.time(),
                                 "panes": [r.to_json() for r in rows]})


def load_outcomes(path: pathlib.Path) -> dict[str, t.Any]:
    """The last restore's outcomes file, or {} when missing or malformed."""
    data = _fs.read_json_or_none(path)
    return data if isinstance(data, dict) and isinstance(data.get("panes"), list) else {}


__all__ = ["Kind", "Outcome", "PlanRow", "State", "execute", "make_plan", "summary"]
