"""Entry points for tmux-resurrect's hooks. Each logs to a file, prints nothing, returns 0.

resurrect ``eval``s the hook option in its own bash process (``scripts/helpers.sh``
``execute_hook``); anything we print lands in the user's pane, so a broken hook must fail
silently into the log, never into resurrect.
"""

from __future__ import annotations

import contextlib
import filecmp
import logging
import os
import pathlib
import subprocess
import sys
import typing as t

from assistant_resurrect import _fs, _log, paths, resurrect, snapshot
from assistant_resurrect.options import Options
from assistant_resurrect.tmux import Tmux

log = logging.getLogger(__name__)
BOUND_FLAG = "save-bound"


def _snapshot_now(tmux: Tmux) -> tuple[Options, snapshot.Snapshot]:
    answer = tmux.start_options_and_panes()  # tmux lists the panes while we import psutil
    from assistant_resurrect import save  # psutil: only the paths that take a snapshot

    return save.snapshot_now(answer)


def post_save_layout(save_file: pathlib.Path, tmux: Tmux) -> None:
    """Detect assistants, blank their commands in ``save_file`` and write the snapshot.

    resurrect deletes ``save_file`` right after this hook when it equals the save ``last``
    points to (``cmp -s``, scripts/save.sh @ cff343c); we make the same comparison after
    blanking, and pair the snapshot with whichever file will survive. Then we leave
    :data:`BOUND_FLAG`, which tells the post-save-all hook line it has nothing to do.
    """
    resurrect_dir = save_file.parent
    with snapshot.locked(resurrect_dir):
        opts, snap = _snapshot_now(tmux)
        layout = {p.address for p in resurrect.read_panes(save_file)}
        snap.panes = [p for p in snap.panes if p.address in layout]
        if opts.blank_commands:
            blanked = resurrect.blank_commands(save_file, {p.address for p in snap.panes})
            log.info("blanked %d assistant command(s) in %s", blanked, save_file.name)
        last = resurrect.last_save_file(resurrect_dir)
        same = last is not None and last != save_file and filecmp.cmp(save_file, last, False)
        _bind(resurrect_dir, snap, t.cast(pathlib.Path, last) if same else save_file, opts)
    bound_flag().touch()


def bound_flag() -> pathlib.Path:
    """Left by post-save-layout; the post-save-all hook line removes it instead of running us."""
    return _fs.ensure_private_dir(paths.state_dir()) / BOUND_FLAG


def _bind(resurrect_dir: pathlib.Path, snap: snapshot.Snapshot, save_file: pathlib.Path,
          opts: Options) -> None:
    snap.resurrect_file = save_file.name
    target = snapshot.sidecar_path(resurrect_dir, save_file.name)
    archived = snapshot.archive_if_better(target, snap)
    if archived is not None:
        log.warning("kept the previous snapshot as %s: it resumes more panes than this save",
                    archived.name)
    written = snapshot.write(target, snap)
    removed = snapshot.purge(resurrect_dir, opts.keep_days * 86400 or None)
    log.info("%s %d assistant pane(s) in %s (pruned %d)", "saved" if written else "unchanged:",
             len(snap.panes), target.name, len(removed))


def post_save_all(tmux: Tmux) -> None:
    """Fallback when post-save-layout did not run: snapshot now, pair with ``last``."""
    opts = Options.read(tmux)
    resurrect_dir = resurrect.resolve_dir(opts.resurrect_dir)
    last = resurrect.last_save_file(resurrect_dir)
    if last is None:
        log.warning("no resurrect save file behind %s/last; nothing to pair", resurrect_dir)
        return
    with snapshot.locked(resurrect_dir):
        _bind(resurrect_dir, _snapshot_now(tmux)[1], last, opts)


def post_restore_all() -> None:
    """Start the restore worker detached, so resurrect's spinner ends at once."""
    subprocess.Popen(
        [sys.executable, "-m", "assistant_resurrect", "restore", "--execute", "--hook"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True, close_fds=True, env=dict(os.environ),
    )


def run_hook(name: str, args: list[str]) -> int:
    """Run one hook by resurrect's name for it; always returns 0."""
    logfile = "restore.log" if "restore" in name else "save.log"
    with contextlib.suppress(OSError):
        _log.log_to_file(paths.state_dir() / logfile)
    try:
        if name == "post-save-layout" and args:
            post_save_layout(pathlib.Path(args[0]), Tmux())
        elif name == "post-save-all":
            post_save_all(Tmux())
        elif name == "post-restore-all":
            post_restore_all()
        else:
            log.warning("unknown hook %r with %d argument(s)", name, len(args))
    except Exception:
        log.exception("hook %s failed", name)
    return 0
