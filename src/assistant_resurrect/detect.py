"""Detection: which assistant runs in each pane, and which conversation it holds.

Both the save (every pane, into a snapshot) and the restore (is this pane already running an
assistant? which conversation does a pane outside the snapshot hold?) ask it. Cost: a walk of
one :class:`~assistant_resurrect.procs.ProcessTable` per call, then per-assistant reads only
(argv, cwd, environ, its state files); no subprocess.
"""

from __future__ import annotations

import collections
import pathlib
import typing as t

from assistant_resurrect import shells
from assistant_resurrect.assistants import ASSISTANTS, Assistant, Confidence, Evidence, Found
from assistant_resurrect.procs import ProcessTable
from assistant_resurrect.tmux import PaneRecord


class Detection(t.NamedTuple):
    """An assistant found in a pane, before its session id is known."""

    pane: PaneRecord
    tool: Assistant
    found: Found
    cwd: str


def _interactive_index(tool: Assistant, proc: t.Any) -> int | None:
    """Index of ``tool``'s token in ``proc``'s argv when ``proc`` is that tool in an
    interactive mode (not one of its helper subcommands), else None."""
    index = tool.tool_index(proc)
    if index is None or not tool.is_interactive(proc.cmdline[index + 1:]):
        return None
    return index


def find_assistant(tree: list[t.Any], assistants: t.Iterable[Assistant] = ()) -> tuple[
        Assistant, Found] | None:
    """The first interactive assistant in a process tree (breadth first, pane pid first).

    Its ``family`` is the process plus its descendants that are the same tool and interactive
    (a native child the launcher starts, a child it relaunches itself as); helper modes
    (daemons, servers) never join it.
    """
    tools = list(assistants) or list(ASSISTANTS.values())
    for position, proc in enumerate(tree):
        if proc.name in shells.SHELLS:
            continue  # every pane root; never an assistant, and skipping saves two reads
        for tool in tools:
            index = _interactive_index(tool, proc)
            if index is None:
                continue
            family, pids = [proc], {proc.pid}
            for other in tree[position + 1:]:
                if other.ppid in pids and _interactive_index(tool, other) is not None:
                    family.append(other)
                    pids.add(other.pid)
            return tool, _found(tool, proc, family, index)
    return None


def _found(tool: Assistant, proc: t.Any, family: list[t.Any], index: int) -> Found:
    argv, env = proc.cmdline, proc.environ()
    return Found(proc, family, argv[index + 1:], tool.launcher(argv, index, env), env)


def detect(panes: list[PaneRecord], table: ProcessTable) -> list[Detection]:
    """One :class:`Detection` per pane that runs an assistant."""
    detections = []
    for pane in panes:
        if pane.pane_pid not in table.children and shells.shell_of(pane.pane_current_command):
            continue  # an idle shell: tmux already told us its only process is a shell
        hit = find_assistant(table.tree(pane.pane_pid))
        if hit is not None:
            tool, found = hit
            cwd = tool.effective_cwd(found, pane.pane_current_path)
            detections.append(Detection(pane, tool, found, cwd))
    return detections


def _could_be_assistant(name: str) -> bool:
    """Cheap pre-filter on ``comm`` before reading a process's argv: some registered tool's
    :meth:`Assistant.may_be`."""
    return any(tool.may_be(name) for tool in ASSISTANTS.values())


def detect_elsewhere(table: ProcessTable, exclude: set[int]) -> list[tuple[Assistant, Found]]:
    """Assistants running outside the given pids (other tmux servers, plain terminals): the
    outermost process of each, with its family. Linear in the number of processes: each is
    classified once, and ancestry is walked with memoisation."""
    tools: dict[int, tuple[Assistant, int]] = {}
    for pid, proc in table.by_pid.items():
        if pid not in exclude and _could_be_assistant(proc.name):
            hit = _interactive_tool(proc)
            if hit is not None:
                tools[pid] = hit
    under: dict[int, bool] = {}
    found = []
    for pid in sorted(tools):
        if _under_assistant(table, pid, tools, under):
            continue
        tool, index = tools[pid]
        proc = table.by_pid[pid]
        family, queue = [proc], [pid]
        while queue:
            for child in table.children.get(queue.pop(), ()):
                if tools.get(child, (None,))[0] is tool:
                    family.append(table.by_pid[child])
                    queue.append(child)
        found.append((tool, _found(tool, proc, family, index)))
    return found


def _interactive_tool(proc: t.Any) -> tuple[Assistant, int] | None:
    for tool in ASSISTANTS.values():
        index = _interactive_index(tool, proc)
        if index is not None:
            return tool, index
    return None


def _under_assistant(table: ProcessTable, pid: int, tools: dict[int, t.Any],
                     memo: dict[int, bool]) -> bool:
    """True when an ancestor of ``pid`` is an assistant (then ``pid`` is part of its tree)."""
    path, answer = [], False
    parent = table.by_pid[pid].ppid
    while parent in table.by_pid and parent not in path and parent != pid:
        if parent in memo:
            answer = memo[parent] or parent in tools
            break
        if parent in tools:
            answer = True
            break
        path.append(parent)
        parent = table.by_pid[parent].ppid
    for step in path:
        memo[step] = answer
    return answer


def resolve(detections: list[Detection], state_dir: pathlib.Path) -> dict[str, tuple[
        Evidence | None, list[str]]]:
    """Decide each pane's session id; returns {pane_id: (evidence or None, searched)}.

    Pass 1 takes pid-specific evidence and launch argv; pass 2 consults the tools' stores
    (by directory and process start time), never handing one id to two panes, and marking
    the answer ambiguous when other live processes of the tool share the directory.
    """
    result: dict[str, tuple[Evidence | None, list[str]]] = {}
    argv_ids: dict[str, str | None] = {}
    claimed: set[tuple[str, str]] = set()
    for det in detections:
        exact = next(det.tool.exact_evidence(det.found, state_dir), None)
        sid = argv_ids[det.pane.pane_id] = det.tool.argv_session(det.tool.split(det.found.args))
        if exact:
            result[det.pane.pane_id] = (exact, [])
            claimed.add((det.tool.name, exact.session_id))
        elif sid:
            claimed.add((det.tool.name, sid))
    peers = collections.Counter((d.tool.name, d.cwd) for d in detections)
    pending = [d for d in detections if d.pane.pane_id not in result]
    for det in sorted(pending, key=lambda d: -d.found.proc.create_time):
        result[det.pane.pane_id] = _from_store(det, argv_ids[det.pane.pane_id], claimed,
                                               peers[(det.tool.name, det.cwd)])
    return result


def _from_store(det: Detection, argv_id: str | None, claimed: set[tuple[str, str]],
                peers: int) -> tuple[Evidence | None, list[str]]:
    """The store's answer for one pane: a session updated since the process started, else,
    for a launch that resumed the directory's newest conversation (``-c``, ``--last``), the
    newest one that existed when it started. A tool that hides its argv behind its title
    (nothing after the name is readable) may have been started either way: its guess is
    ``ambiguous``."""
    tool = det.tool
    candidates = [c for c in tool.store_candidates(det.found, det.cwd)
                  if c.session_id == argv_id or (tool.name, c.session_id) not in claimed]
    hidden = tool.argv_is_title and not det.found.args
    guessed = False
    if not candidates and not argv_id and (hidden or tool.is_continue(tool.split(
            det.found.args))):
        resumed = tool.continued(det.found, det.cwd)
        if resumed is not None and (tool.name, resumed.session_id) not in claimed:
            candidates, guessed = [resumed], hidden
    newest = max(candidates, key=lambda c: c.updated_at, default=None)
    if argv_id and (newest is None or newest.session_id == argv_id or peers > 1):
        return Evidence(argv_id, f"{tool.name}:argv", Confidence.ARGV), []
    if newest is not None:
        confidence = Confidence.INFERRED if peers == 1 and not guessed else Confidence.AMBIGUOUS
        claimed.add((tool.name, newest.session_id))
        return Evidence(newest.session_id, newest.source, confidence), []
    searched = [f"{tool.name} pid-specific state for pids {det.found.pids}",
                f"{tool.name} launch argv", f"{tool.name} store entries for {det.cwd}"]
    return None, searched
