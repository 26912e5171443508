"""What each command prints for a person, as lines (``cli.py`` makes each one safe for the
terminal and prints it; ``--json`` prints the same results as data instead)."""

from __future__ import annotations

import pathlib
import time
import typing as t

from assistant_resurrect import ages, bundle, doctor
from assistant_resurrect.conversations import Conversation
from assistant_resurrect.restore import PlanRow
from assistant_resurrect.snapshot import PaneSession, Snapshot


def saved(panes: list[PaneSession], save_file: pathlib.Path, dry_run: bool) -> list[str]:
    """``save``: one tab-separated line per saved pane, then the count."""
    return [f"{p.label}\t{p.tool}\t{p.session_id or '-'}\t{p.session_source}" for p in panes] + [
        f"{len(panes)} assistant pane(s)" + (" (not written)" if dry_run
                                             else f" saved with {save_file.name}")]


def plan(rows: list[PlanRow], snap: Snapshot) -> list[str]:
    """``restore``: the snapshot, then per pane its state and outcome (or why not) and the
    line typed (or to be typed)."""
    lines = [f"snapshot: {snap.path}"]
    for row in rows:
        rec = row.record
        lines.append(f"{rec.label:<16} {rec.tool:<9} {row.state:<16} "
                     f"{row.outcome or row.reason}".rstrip())
        if row.command:
            lines.append(f"    {row.command}")
    if not any(r.outcome for r in rows):
        lines.append("(plan only: nothing was typed; add --execute to run it)")
    return lines


def status(rows: list[dict[str, t.Any]]) -> list[str]:
    """``status``: per live assistant pane its id and where it came from, cwd, resume line."""
    lines = [] if rows else ["no assistant panes"]
    for r in rows:
        source = r["session_source"] or "searched: " + "; ".join(r["searched"])
        lines.append(f"{r['pane']:<16} {r['tool']:<9} {r['session_id'] or '(unknown)'}  "
                     f"[{source}{', ' + r['confidence'] if r['confidence'] else ''}]")
        lines.append(f"    cwd: {r['cwd']}")
        if r["command"]:
            lines.append(f"    resume: {r['command']}")
        if r["refused"]:
            lines.append(f"    will not relaunch: {r['refused']}")
    return lines


def history(items: list[dict[str, t.Any]]) -> list[str]:
    """``history``: per snapshot its local time, name and assistants (``*``: paired with
    resurrect's ``last``)."""
    lines = []
    for it in items:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ages.from_iso(it["created_at"])))
        shown = ", ".join(f"{k} {v}" for k, v in sorted(it["tools"].items())) or "no assistants"
        lines.append(f"{'*' if it['last'] else ' '} {when}  {it['snapshot']}  {shown}")
    return lines


MARKS = {doctor.Level.OK: "ok  ", doctor.Level.WARN: "WARN", doctor.Level.ERROR: "FAIL"}


def checks(found: list[doctor.Check]) -> list[str]:
    """``doctor``: per check its mark, name, detail and next step."""
    lines = []
    for c in found:
        lines.append(f"{MARKS[c.level]} {c.check}: {c.detail}")
        if c.next_step:
            lines.append(f"     next: {c.next_step}")
    return lines


def resumed(row: PlanRow, found: Conversation) -> list[str]:
    """``sessions resume``: the pane, the conversation and its outcome (or why not)."""
    why = f" ({row.reason})" if row.reason and not row.outcome else ""
    return [f"{row.pane.pane_id if row.pane else '-'} {found.tool} {found.session_id}: "
            f"{row.outcome or row.state}{why}"]


def exported(manifest: dict[str, t.Any], skipped: list[str], output: str) -> list[str]:
    """``export``: per conversation its file count, then the bundle's totals."""
    convs, members = manifest["conversations"], manifest["members"]
    left = f"; {len(skipped)} left out (see above)" if skipped else ""
    return [f"{c['tool']:<9} {c['session_id']}  {len(c['members'])} file(s)" for c in convs] + [
        f"wrote {output}: {len(convs)} conversation(s), {len(members)} file(s){left}"]


def verified(checked: bundle.Verified, name: str) -> list[str]:
    """``verify``: each problem, or that every checksum matches."""
    if checked.problems:
        return [f"FAIL {problem}" for problem in checked.problems]
    convs = checked.manifest["conversations"] if checked.manifest else []
    return [f"ok {name}: {len(convs)} conversation(s), {len(checked.members)} file(s), every "
            f"checksum matches"]


def results(done: list[bundle.Result]) -> list[str]:
    """``import``, ``keep``: per file what was done to it."""
    return [f"{r.action.value:<13} {r.member}" + (f"  ({r.detail})" if r.detail else "")
            for r in done]
