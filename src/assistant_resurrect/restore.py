"""Restore: plan which saved panes can be resumed, then type each resume command and verify.

A plan never changes anything. Execution types only into idle shells, claims each session so
no two restores resume it, and reports every pane's outcome.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import pathlib
import time
import typing as t

from assistant_resurrect import _fs, save, shells
from assistant_resurrect.assistants import ASSISTANTS
from assistant_resurrect.options import Options
from assistant_resurrect.procs import ProcessTable
from assistant_resurrect.redact import REDACTED
from assistant_resurrect.snapshot import PaneSession
from assistant_resurrect.tmux import PaneRecord, Tmux

log = logging.getLogger(__name__)

READY = "ready"
CLAIM_TTL = 120.0
RESUMED_OPTION = "@assistant-resurrect-resumed"


@dataclasses.dataclass
class PlanRow:
    """One saved pane's fate: ``state`` is ``ready`` or why not; ``command`` what we would type."""

    record: PaneSession
    state: str
    reason: str = ""
    pane: PaneRecord | None = None
    command: str | None = None
    fresh: bool = False
    outcome: str = ""

    def to_json(self) -> dict[str, t.Any]:
        rec = self.record
        return {"pane": rec.label, "session_name": rec.session_name,
                "window_index": rec.window_index, "pane_index": rec.pane_index,
                "pane_id": self.pane.pane_id if self.pane else None, "tool": rec.tool,
                "session_id": rec.session_id, "session_source": rec.session_source,
                "confidence": rec.confidence, "cwd": rec.cwd, "state": self.state,
                "reason": self.reason, "command": self.command, "fresh": self.fresh,
                "outcome": self.outcome}


def live_sessions(panes: list[PaneRecord], table: ProcessTable, state_dir: pathlib.Path
                  ) -> dict[tuple[str, str], str]:
    """Sessions running now: {(tool, session id): where}, ``where`` being a pane label of
    this server, or ``pid N`` for an assistant elsewhere (another tmux server of the user, a
    plain terminal), whose id comes from pid-specific evidence or its argv only."""
    detections = save.detect(panes, table)
    resolved = save.resolve(detections, state_dir)
    live = {}
    for det in detections:
        evidence, _ = resolved[det.pane.pane_id]
        if evidence is not None:
            live[(det.tool.name, evidence.session_id)] = det.pane.label
    in_panes = {p.pid for pane in panes for p in table.tree(pane.pane_pid)}
    for tool, found in save.detect_elsewhere(table, in_panes):
        evidence = next(tool.exact_evidence(found, state_dir), None)
        sid = evidence.session_id if evidence else tool.argv_session(tool.split(found.args))
        if sid:
            live.setdefault((tool.name, sid), f"pid {found.proc.pid}")
    return live


def pane_is_idle_shell(pane: PaneRecord, table: ProcessTable) -> str | None:
    """None when the pane's foreground is a shell with no child; else why it is busy."""
    if shells.shell_of(pane.pane_current_command) is None:
        return f"pane runs {pane.pane_current_command!r}, not a shell"
    tree = table.tree(pane.pane_pid)
    if save.find_assistant(tree) is not None:
        return "an assistant already runs in this pane"
    if len(tree) > 1:
        return f"the shell has a running child ({tree[1].name})"
    return None


def resume_command(rec: PaneSession, shell: shells.Shell, fresh: bool = False,
                   masked: bool = False) -> str:
    """The line to type into a pane running ``shell``: cd, env, launcher, options, session.

    ``fresh`` starts a new session with the same options; ``masked`` shows env values as
    ``***`` (for logs). Raises :class:`shells.UnquotableError` when a value cannot be typed.
    """
    tool = ASSISTANTS[rec.tool]
    args = (tool.fresh_args(rec.replay_args, rec.cwd) if fresh
            else tool.resume_args(rec.replay_args, t.cast(str, rec.session_id), rec.cwd))
    env = {k: "***" if masked else v for k, v in rec.env.items() if v != REDACTED}
    launcher = rec.launcher or rec.tool
    if "/" in launcher and not os.access(launcher, os.X_OK):
        launcher = rec.tool
    return shells.command_line([launcher, *args], shell, env, rec.cwd)


def plan_row(rec: PaneSession, by_address: dict[tuple[str, int, int], PaneRecord],
             table: ProcessTable, live: dict[tuple[str, str], str], opts: Options) -> PlanRow:
    """Decide one saved pane's state (see :data:`PlanRow`), without side effects."""
    if rec.tool not in ASSISTANTS:
        return PlanRow(rec, "unknown-tool", f"no assistant module named {rec.tool!r}")
    pane = by_address.get(rec.address)
    if pane is None:
        return PlanRow(rec, "no-such-pane", f"no pane {rec.label} in this tmux server")
    if not rec.session_id:
        return PlanRow(rec, "no-session-id", "the save found no session id", pane)
    where = live.get((rec.tool, rec.session_id))
    if where is not None:
        state = "already-running" if where == pane.label else "duplicate"
        return PlanRow(rec, state, f"session is live in {where}", pane)
    busy = pane_is_idle_shell(pane, table)
    if busy:
        return PlanRow(rec, "pane-busy", busy, pane)
    if rec.refused:
        return PlanRow(rec, "unsafe-flags", rec.refused, pane)
    if not rec.cwd or not os.path.isdir(rec.cwd):
        return PlanRow(rec, "cwd-missing", f"directory {rec.cwd!r} does not exist", pane)
    fresh = False
    exists = ASSISTANTS[rec.tool].session_exists(rec.session_id, rec.cwd, _env_for(rec))
    if exists is False:
        if opts.missing_session != "fresh":
            return PlanRow(rec, "session-gone", f"{rec.tool} no longer has this session", pane)
        fresh = True
    shell = t.cast(shells.Shell, shells.shell_of(pane.pane_current_command))
    try:
        command = resume_command(rec, shell, fresh)
    except shells.UnquotableError as err:
        return PlanRow(rec, "unquotable", str(err), pane)
    reason = "session gone; will start fresh with the same options" if fresh else ""
    return PlanRow(rec, READY, reason, pane, command, fresh)


def _env_for(rec: PaneSession) -> dict[str, str]:
    env = dict(os.environ)
    env.update({k: v for k, v in rec.env.items() if v != REDACTED})
    return env


def make_plan(records: list[PaneSession], tmux: Tmux, state_dir: pathlib.Path,
              opts: Options) -> list[PlanRow]:
    """Plan every record against the live server (one list-panes, one process snapshot)."""
    panes = tmux.list_panes()
    table = ProcessTable.snapshot()
    by_address = {p.address: p for p in panes}
    live = live_sessions(panes, table, state_dir)
    rows, planned = [], set()
    for rec in records:
        row = plan_row(rec, by_address, table, live, opts)
        key = (rec.tool, rec.session_id)
        if row.state == READY and key in planned:
            row = PlanRow(rec, "duplicate", "the snapshot lists this session twice", row.pane)
        if row.state == READY:
            planned.add(key)
        rows.append(row)
    return rows


# -- execution -----------------------------------------------------------------------------
def claim(claims_dir: pathlib.Path, tool: str, session_id: str) -> bool:
    """Take the per-session claim (expires after :data:`CLAIM_TTL` s); False if held."""
    _fs.ensure_private_dir(claims_dir)
    path = claims_dir / f"{tool}-{session_id.replace('/', '_')}"
    try:
        if time.time() - path.stat().st_mtime < CLAIM_TTL:
            return False
        path.unlink()
    except FileNotFoundError:
        pass
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def wait_for_client(tmux: Tmux, timeout: float) -> bool:
    """Poll (bounded) for an attached client: TUIs query the terminal when they start."""
    deadline = time.monotonic() + timeout
    while True:
        if tmux.client_count() > 0:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)


def wait_shell_ready(tmux: Tmux, pane_id: str, timeout: float = 10.0) -> bool:
    """Type an echo marker and wait until the shell prints it (keys typed while zsh or fish
    still loads its rc files are lost, so probing beats sleeping)."""
    marker = f"ar-ready-{os.urandom(4).hex()}"
    deadline = time.monotonic() + timeout
    next_send = 0.0
    while time.monotonic() < deadline:
        if time.monotonic() >= next_send:
            tmux.send_line(pane_id, f" echo {marker}")
            next_send = time.monotonic() + 3.0
        time.sleep(0.15)
        if any(line.strip() == marker for line in tmux.capture(pane_id).splitlines()):
            tmux.send_line(pane_id, " clear")
            time.sleep(0.2)
            return True
    return False


def verify(tmux: Tmux, row: PlanRow, opts: Options, timeout: float = 30.0) -> str:
    """'resumed', or 'failed: <why>': the assistant must appear in the pane and stay alive.

    A known failure screen counts at once, even when the assistant already exited; when it
    never starts, the outcome quotes the pane's last line.
    """
    assert row.pane is not None
    tool = ASSISTANTS[row.record.tool]
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        table = ProcessTable.snapshot()
        hit = save.find_assistant(table.tree(row.pane.pane_pid), [tool])
        if hit is not None:
            return _watch(tmux, row.pane.pane_id, tool, hit[1].proc, opts.verify_seconds)
        screen = tmux.capture(row.pane.pane_id)
        failure = _failure_shown(tool, screen)
        if failure:
            return failure
        time.sleep(0.25)
    last = next((line.strip() for line in reversed(screen.splitlines()) if line.strip()), "")
    return f"failed: {tool.name} did not start within {timeout:g}s (pane shows {last[:120]!r})"


def _watch(tmux: Tmux, pane_id: str, tool: t.Any, proc: t.Any, seconds: float) -> str:
    """Watch a started assistant for ``seconds``: it must stay alive and show no known
    failure screen (unknown session, a trust dialog waiting for an answer)."""
    deadline = time.monotonic() + seconds
    while True:
        failure = _failure_shown(tool, tmux.capture(pane_id))
        if failure:
            return failure
        if not proc.is_alive():
            return f"failed: {tool.name} exited within {seconds:g}s"
        if time.monotonic() >= deadline:
            return "resumed"
        time.sleep(0.5)


def _failure_shown(tool: t.Any, screen: str) -> str | None:
    """The outcome ``failed: <tool> shows '<text>'`` when ``screen`` holds one of the tool's
    known failure texts, else None."""
    failure = next((s for s in tool.failure_screens if s in screen), None)
    return f"failed: {tool.name} shows {failure!r}" if failure else None


def execute(rows: list[PlanRow], tmux: Tmux, opts: Options, claims_dir: pathlib.Path
            ) -> list[PlanRow]:
    """Type each ready row's command into its pane and verify it; fills ``row.outcome``."""
    ready = [r for r in rows if r.state == READY]
    for row in rows:
        if row.state != READY:
            row.outcome = f"skipped: {row.state}" + (f" ({row.reason})" if row.reason else "")
    if ready and not wait_for_client(tmux, opts.client_wait):
        log.info("no client attached after %.1fs; starting assistants anyway", opts.client_wait)
    launched: list[PlanRow] = []
    for row in ready:
        if len(launched) >= max(1, opts.max_parallel):
            _verify_all(tmux, launched, opts)
            launched = []
        assert row.pane is not None and row.command is not None
        rec = row.record
        if not claim(claims_dir, rec.tool, t.cast(str, rec.session_id)):
            row.outcome = "skipped: duplicate (another restore holds this session)"
            continue
        fresh_panes = {p.pane_id: p for p in tmux.list_panes()}
        pane = fresh_panes.get(row.pane.pane_id)
        busy = "pane closed" if pane is None else pane_is_idle_shell(pane, ProcessTable.snapshot())
        if busy or tmux.pane_option(row.pane.pane_id, RESUMED_OPTION):
            row.outcome = f"skipped: pane-busy ({busy or 'already resumed by us'})"
            continue
        if not wait_shell_ready(tmux, row.pane.pane_id):
            row.outcome = "failed: the shell never answered"
            continue
        tmux.send_line(row.pane.pane_id, row.command, enter=opts.restore_mode == "auto")
        tmux.set_pane_option(row.pane.pane_id, RESUMED_OPTION, f"{rec.tool} {rec.session_id}")
        shell = t.cast(shells.Shell, shells.shell_of(row.pane.pane_current_command))
        log.info("typed into %s (%s): %s", rec.label, row.pane.pane_id,
                 resume_command(rec, shell, row.fresh, masked=True))
        launched.append(row)
        time.sleep(opts.stagger)
    _verify_all(tmux, launched, opts)
    return rows


def _verify_all(tmux: Tmux, launched: list[PlanRow], opts: Options) -> None:
    for row in launched:
        row.outcome = verify(tmux, row, opts) if opts.restore_mode == "auto" else "typed"
        log.info("%s %s %s: %s", row.record.label, row.record.tool, row.record.session_id,
                 row.outcome)


def summary(rows: list[PlanRow]) -> str:
    """One line: 'resumed N, skipped N, failed N'."""
    resumed = sum(r.outcome in ("resumed", "typed") for r in rows)
    failed = sum(r.outcome.startswith("failed") for r in rows)
    return f"assistant-resurrect: resumed {resumed}, skipped {len(rows) - resumed - failed}, " \
           f"failed {failed}"


def write_outcomes(path: pathlib.Path, rows: list[PlanRow]) -> None:
    """Record the last restore's per-pane outcomes (read by ``status``)."""
    _fs.ensure_private_dir(path.parent)
    _fs.atomic_write_json(path, {"finished_at": time.time(),
                                 "panes": [r.to_json() for r in rows]})


def load_outcomes(path: pathlib.Path) -> dict[str, t.Any]:
    data = _fs.read_json_or_none(path)
    return data if isinstance(data, dict) else {}


__all__ = ["PlanRow", "execute", "make_plan", "summary"]
