"""The detached workers the hooks start, each a module entry point:
``python -m assistant_resurrect.worker restore`` (behind post-restore-all: the whole restore)
and ``python -m assistant_resurrect.worker keep`` (after a save, with keep-transcripts on).

Each leaves its own session, logs everything to its file in the state directory (with
tracebacks: ``restore.log``, ``save.log``), says a failure in one ``display-message`` and
exits 0. Even a failure to import our dependencies ends there (:func:`_log.start_failed`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys

from assistant_resurrect import _log, paths

log = logging.getLogger("assistant_resurrect.worker")  # also when run as __main__
WORKERS = ("restore", "keep")


def run(name: str) -> int:
    """Run the worker ``name`` (one of :data:`WORKERS`) to its end; always 0. Raises only
    what prevents logging at all (the caller reports that as a start failure)."""
    with contextlib.suppress(OSError):
        os.setsid()  # out of resurrect's run-shell job (the hook line backgrounds us too)
    state = paths.StateDir.here()
    logfile = state.restore_log if name == "restore" else state.save_log
    _log.log_to_file(logfile)
    from assistant_resurrect import recovery  # after the log: an import error lands in it
    from assistant_resurrect.exc import SnapshotNotFoundError
    from assistant_resurrect.tmux import Tmux

    try:
        ctx = recovery.Context.open()
        if name == "restore":
            recovery.restore_all(ctx)
        elif name == "keep":
            recovery.keep_newest(ctx)
        else:
            log.warning("unknown worker %r", name)
    except SnapshotNotFoundError as err:
        log.info("nothing to restore: %s", err)
    except Exception as err:  # noqa: BLE001 - the worker's last word must reach the log
        log.exception("%s failed", "restore" if name == "restore" else "keeping transcripts")
        with contextlib.suppress(Exception):
            Tmux().display_message(f"assistant-resurrect: {name} failed ({err}); see {logfile}")
    return 0


def main(argv: list[str]) -> int:
    """``worker NAME``: :func:`run`, and a start failure reported, not raised."""
    name = argv[0] if argv else ""
    try:
        return run(name)
    except Exception:  # noqa: BLE001 - a worker never fails its caller
        return _log.start_failed(name, saving=name != "restore")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
