"""Save: every assistant pane (:mod:`~assistant_resurrect.detect`) into a snapshot entry.

Cost per save: one ``list-panes -a``, one process-table pass, then per-assistant reads only
(argv, cwd, environ, its state files). Nothing here runs a subprocess per pane.
"""

from __future__ import annotations

import logging
import pathlib
import typing as t

from assistant_resurrect import paths, redact
from assistant_resurrect.assistants import ASSISTANTS, Evidence
from assistant_resurrect.assistants.argv import FlagSpec
from assistant_resurrect.assistants.base import RUNTIMES
from assistant_resurrect.detect import Detection, detect, resolve
from assistant_resurrect.options import Options
from assistant_resurrect.procs import ProcessTable
from assistant_resurrect.snapshot import PaneSession, Snapshot
from assistant_resurrect.tmux import PaneRecord

log = logging.getLogger(__name__)


def build_record(det: Detection, evidence: Evidence | None, searched: list[str],
                 capture_env: t.Collection[str], env_allow: t.Collection[str]) -> PaneSession:
    """The sidecar entry for one pane: argv split, secrets redacted, env captured."""
    split = det.tool.split(det.found.args)
    notes = list(split.notes)
    refused = split.refused
    groups = []
    for group in split.groups:
        clean = [redact.redact_text(tok) for tok in group]
        if clean == group:
            groups.append(group)
        elif group[0].split("=", 1)[0] in det.tool.flags.restrictions:
            refused = f"{group[0].split('=', 1)[0]} holds a credential that is not saved"
        else:
            notes.append(f"dropped {group[0].split('=', 1)[0]}: its value holds a credential")
    kept = [tok for g in groups for tok in g]
    wanted = [*capture_env, *det.tool.required_env(kept)]
    env = {name: det.found.env[name] for name in wanted if name in det.found.env}
    pane = det.pane
    return PaneSession(
        session_name=pane.session_name, window_index=pane.window_index,
        pane_index=pane.pane_index, pane_id=pane.pane_id, tool=det.tool.name, cwd=det.cwd,
        session_id=evidence.session_id if evidence else None,
        session_source=evidence.source if evidence else "",
        confidence=evidence.confidence.value if evidence else "",
        launcher=det.found.launcher,
        argv=[redact.redact_text(a) if not det.tool.flags.is_credential(a) else a.split("=")[0]
              for a in _mask_credential_values(det.found.proc.cmdline, det.tool.flags)],
        replay_args=kept, env=redact.redact_env(env, env_allow), pid=det.found.proc.pid,
        notes=notes, refused=refused, searched=searched,
    )


def _mask_credential_values(argv: list[str], flags: FlagSpec) -> list[str]:
    """Replace the value after a credential flag (``--api-key X``) with the redaction mark."""
    out = list(argv)
    for i, tok in enumerate(argv[:-1]):
        if flags.is_credential(tok) and "=" not in tok:
            out[i + 1] = redact.REDACTED
    return out


def snapshot_now(panes_query: t.Callable[[], tuple[list[str], list[PaneRecord]]]
                 ) -> tuple[Options, Snapshot]:
    """Our options and a snapshot of every assistant pane: one tmux call, ``panes_query``
    (:meth:`Tmux.options_and_panes`, or the answer of one started earlier with
    :meth:`Tmux.start_options_and_panes`), then one process-table pass."""
    option_lines, panes = panes_query()
    opts = Options.from_lines(option_lines)
    snap = take_snapshot(panes, ProcessTable.snapshot(), paths.state_dir(), opts.capture_env,
                         opts.env_allow)
    return opts, snap


def take_snapshot(panes: list[PaneRecord], table: ProcessTable, state_dir: pathlib.Path,
                  capture_env: t.Collection[str] = (), env_allow: t.Collection[str] = ()
                  ) -> Snapshot:
    """Detect and resolve every assistant pane into a :class:`Snapshot` (not yet written)."""
    detections = detect(panes, table)
    resolved = resolve(detections, state_dir)
    records = []
    for det in detections:
        evidence, searched = resolved[det.pane.pane_id]
        rec = build_record(det, evidence, searched, capture_env, env_allow)
        if evidence is None:
            log.warning("no session id for %s in %s (pid %s); searched: %s", rec.tool,
                        rec.label, rec.pid, "; ".join(searched))
        else:
            log.info("found %s in %s: session %s from %s (%s)", rec.tool, rec.label,
                     rec.session_id, rec.session_source, rec.confidence)
        records.append(rec)
    return Snapshot(records)


def relaunching_processes(value: str) -> list[str]:
    """Why an ``@resurrect-processes`` value makes resurrect start bare assistants itself (it
    lists ``:all:``, a registered tool or a runtime), one line each; [] when it does not."""
    words = value.replace('"', " ").replace("'", " ").split()
    names = {n for tool in ASSISTANTS.values() for n in (tool.name, *tool.executables)}
    hits = [w for w in words if w == ":all:" or w.lstrip("~").split("->")[0] in names | RUNTIMES]
    return [f"@resurrect-processes lists {hit!r}: resurrect relaunches assistants itself; our "
            f"save blanks those panes' commands, but remove it to be sure" for hit in hits]
