"""Entry points for tmux-resurrect's hooks. Each logs to a file, prints nothing, returns 0.

resurrect ``eval``s the hook option in its own bash process (``scripts/helpers.sh``
``execute_hook``); anything we print lands in the user's pane, so a broken hook must fail
into the log (and one ``display-message``), never into resurrect.
"""

from __future__ import annotations

import contextlib
import enum
import filecmp
import logging
import os
import pathlib
import subprocess
import sys
import time
import typing as t

from assistant_resurrect import _fs, _log, paths, resurrect, snapshot
from assistant_resurrect.exc import AssistantResurrectError, LockTimeoutError
from assistant_resurrect.options import Options
from assistant_resurrect.tmux import Tmux

log = logging.getLogger(__name__)


class Hook(str, enum.Enum):
    """A hook our lines name (``python -m assistant_resurrect hook NAME``): resurrect's three
    hook options (``@resurrect-hook-<name>``), and ``catch-up``, run by ``plugin.tmux`` once
    its first-load setup is done."""

    POST_SAVE_LAYOUT = "post-save-layout"
    POST_SAVE_ALL = "post-save-all"
    POST_RESTORE_ALL = "post-restore-all"
    CATCH_UP = "catch-up"

    @property
    def saving(self) -> bool:
        """Whether it takes a save (a failure leaves ``save_missed``; it logs to save.log)."""
        return self is not Hook.POST_RESTORE_ALL


RESURRECT_HOOKS = (Hook.POST_SAVE_LAYOUT, Hook.POST_SAVE_ALL, Hook.POST_RESTORE_ALL)


class SaveResult(t.NamedTuple):
    """A save's result: the snapshot, the save file it is paired with (None: not written),
    and whether the sidecar changed on disk."""

    snapshot: snapshot.Snapshot
    save_file: pathlib.Path | None
    written: bool


def _snapshot_now(tmux: Tmux) -> tuple[Options, snapshot.Snapshot]:
    answer = tmux.start_options_and_panes()  # tmux lists the panes while we import psutil
    from assistant_resurrect import save  # psutil: only the paths that take a snapshot

    return save.snapshot_now(answer)


def post_save_layout(save_file: pathlib.Path, tmux: Tmux) -> SaveResult | None:
    """Detect assistants, blank their commands in ``save_file`` and write the snapshot.

    resurrect deletes ``save_file`` right after this hook when it equals the save ``last``
    points to (``cmp -s``, scripts/save.sh @ cff343c); we make the same comparison after
    blanking, and pair the snapshot with whichever file will survive. Then we leave
    ``save_bound`` (:class:`paths.StateDir`): the post-save-all hook line then has nothing to
    do.
    Returns None (and changes nothing) when ``save_file`` is not a resurrect save file.
    """
    if not (resurrect.SAVE_FILE_RE.match(save_file.name) and save_file.is_file()):
        log.warning("not a resurrect save file: %r; nothing saved", str(save_file))
        return None
    result = save_into(save_file, tmux, pair_with_last_if_same=True)
    _fs.touch_private(bound_flag())
    return result


def save_into(save_file: pathlib.Path, tmux: Tmux, pair_with_last_if_same: bool = False,
              dry_run: bool = False) -> SaveResult:
    """The one way a snapshot is taken and paired: detect (no lock held), then under the
    snapshot lock blank the assistant panes' commands in ``save_file``, archive a better
    older snapshot, write, and prune. ``dry_run`` takes the snapshot and writes nothing.

    Raises
    ------
    UntrustedDirError
        When the resurrect or state directory is another user's or writable by others.
    """
    resurrect_dir = save_file.parent
    for directory in (resurrect_dir, snapshot.store_dir(resurrect_dir), paths.state_dir()):
        _fs.require_trusted_dir(directory)
    opts, snap = _snapshot_now(tmux)
    layout = {p.address for p in resurrect.read_panes(save_file)}
    snap.panes = [p for p in snap.panes if p.address in layout]
    if dry_run:
        return SaveResult(snap, None, False)
    try:
        with snapshot.locked(resurrect_dir):
            return _blank_and_bind(save_file, snap, opts, pair_with_last_if_same)
    except LockTimeoutError:
        log.error("the snapshot lock stayed busy; saving %s without it", save_file.name)
        return _blank_and_bind(save_file, snap, opts, pair_with_last_if_same, prune=False)


def _blank_and_bind(save_file: pathlib.Path, snap: snapshot.Snapshot, opts: Options,
                    pair_with_last_if_same: bool, prune: bool = True) -> SaveResult:
    resurrect_dir = save_file.parent
    if opts.blank_commands:
        blanked = resurrect.blank_commands(save_file, {p.address for p in snap.panes})
        log.info("blanked %d assistant command(s) in %s", blanked, save_file.name)
    target = save_file
    if pair_with_last_if_same:
        last = resurrect.last_save_file(resurrect_dir)
        if last is not None and last != save_file and filecmp.cmp(save_file, last, False):
            target = last
    return SaveResult(snap, target, _bind(resurrect_dir, snap, target, opts, prune))


def bound_flag() -> pathlib.Path:
    """Left by post-save-layout; the post-save-all hook line removes it instead of running us."""
    state = paths.StateDir.here()
    _fs.ensure_private_dir(state.root)
    return state.save_bound


def _bind(resurrect_dir: pathlib.Path, snap: snapshot.Snapshot, save_file: pathlib.Path,
          opts: Options, prune: bool = True) -> bool:
    snap.resurrect_file = save_file.name
    target = snapshot.sidecar_path(resurrect_dir, save_file.name)
    archived = snapshot.archive_if_better(target, snap)
    if archived is not None:
        log.warning("kept the previous snapshot as %s: it resumes more panes than this save",
                    archived.name)
    written = snapshot.write(target, snap)
    removed = snapshot.purge(resurrect_dir, opts.keep_days * 86400 or None) if prune else []
    stale = (_fs.remove_stale_temps(target.parent) + _fs.remove_stale_temps(paths.state_dir())
             + _fs.remove_stale_temps(resurrect_dir, set(resurrect.save_file_names(
                 resurrect_dir))))
    state = paths.StateDir.here()
    _fs.ensure_private_dir(state.root)  # `save` may run in a fresh HOME
    state.save_missed.unlink(missing_ok=True)
    _fs.atomic_write_text(state.status, f"{int(snap.created_at)} {len(snap.resumable)}\n")
    if opts.keep_transcripts and snap.resumable:
        _detached("keep")  # links and copies never lengthen the save
    log.info("%s %d assistant pane(s) in %s (pruned %d, %d stale temp file(s) removed)",
             "saved" if written else "unchanged:", len(snap.panes), target.name, len(removed),
             len(stale))
    return written


def post_save_all(tmux: Tmux) -> SaveResult | None:
    """Fallback when post-save-layout did not run: snapshot now, pair with ``last``."""
    last = _last_save_file(tmux)
    if last is None:
        return None
    return save_into(last, tmux)


def _last_save_file(tmux: Tmux) -> pathlib.Path | None:
    resurrect_dir = resurrect.resolve_dir(Options.read(tmux).resurrect_dir)
    last = resurrect.last_save_file(resurrect_dir)
    if last is None:
        log.warning("no resurrect save file behind %s/last; nothing to pair", resurrect_dir)
    return last


def catch_up(tmux: Tmux, since: float) -> SaveResult | None:
    """After the plugin's environment became ready: take the save a hook missed meanwhile.

    When resurrect's ``last`` save file has no snapshot and was written after ``since``
    (epoch s, when setup began) or a save hook failed since (``save_missed``), snapshot
    now and pair it with ``last``; say so in the log and a ``display-message``.
    """
    missed = paths.StateDir.here().save_missed
    last = _last_save_file(tmux)
    if last is None:
        return None
    paired = snapshot.sidecar_path(last.parent, last.name)
    recent = last.stat().st_mtime >= since - 1
    if paired.exists() or not (recent or missed.exists()):
        missed.unlink(missing_ok=True)
        return None
    result = save_into(last, tmux)
    missed.unlink(missing_ok=True)
    message = (f"assistant-resurrect: setup finished; the save taken during setup now has its "
               f"{len(result.snapshot.panes)} assistant pane(s)")
    log.warning(message)
    tmux.display_message(message)
    return result


def post_restore_all() -> None:
    """Start the restore worker detached, so resurrect's spinner ends at once."""
    _detached("restore")


def _detached(worker: str) -> None:
    """``python -m assistant_resurrect.worker WORKER`` in a session of its own, its output
    discarded (it logs to its own file)."""
    subprocess.Popen(
        [sys.executable, "-m", "assistant_resurrect.worker", worker],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True, close_fds=True, env=dict(os.environ),
    )


def run_hook(name: str, args: list[str]) -> int:
    """Run one hook by resurrect's name for it; always returns 0.

    A failure is logged with its traceback, leaves ``save_missed`` for a save (the next
    catch-up takes that save again) and is shown once with ``display-message``.
    """
    state = paths.StateDir.here()
    hook = next((h for h in Hook if h.value == name), None)
    logfile = state.save_log if hook is None or hook.saving else state.restore_log
    with contextlib.suppress(OSError, AssistantResurrectError):
        _log.log_to_file(logfile)
    if hook is None or (hook is Hook.POST_SAVE_LAYOUT and not args):
        log.warning("unknown hook %r with %d argument(s)", name, len(args))
        return 0
    tmux = Tmux()
    try:
        if hook is Hook.POST_SAVE_LAYOUT:
            post_save_layout(pathlib.Path(args[0]), tmux)
        elif hook is Hook.POST_SAVE_ALL:
            post_save_all(tmux)
        elif hook is Hook.POST_RESTORE_ALL:
            post_restore_all()
        else:
            catch_up(tmux, float(args[0]) if args else time.time() - 900)
    except Exception as err:  # noqa: BLE001 - a hook must never fail resurrect
        log.exception("hook %s failed", name)
        if hook.saving:
            with contextlib.suppress(OSError):
                _fs.ensure_private_dir(state.root)
                _fs.touch_private(state.save_missed)
        with contextlib.suppress(Exception):
            tmux.display_message(f"assistant-resurrect: {name} failed ({err}); see {logfile}")
    return 0
