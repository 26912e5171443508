"""``python -m assistant_resurrect``: the CLI, and the hook entry resurrect calls.

When run by a hook (``hook …``), even a failure to import our dependencies (a venv still
being built, a missing libtmux) ends in the log and a ``display-message``, never on the
terminal and never as a non-zero exit. The detached workers have their own entry point
(:mod:`assistant_resurrect.worker`).
"""

from __future__ import annotations

import sys


def run(argv: list[str]) -> int:
    """Dispatch ``argv`` (without the program name)."""
    if "--hook" in argv and ("restore" in argv or "keep" in argv):
        # a hook line written before the workers had their own entry point, still set in a
        # tmux server that has not reloaded the plugin since the upgrade
        from assistant_resurrect import worker

        return worker.main(["restore" if "restore" in argv else "keep"])
    try:
        if argv[:1] == ["hook"]:  # resurrect's hot path: skip the CLI's imports
            from assistant_resurrect.hooks import run_hook

            return run_hook(argv[1] if len(argv) > 1 else "", argv[2:])
        from assistant_resurrect.cli import main

        return main(argv)
    except Exception:
        if argv[:1] != ["hook"]:
            raise
        from assistant_resurrect import _log

        name = argv[1] if len(argv) > 1 else "hook"
        return _log.start_failed(name, saving="save" in name, missed="save" in name)


sys.exit(run(sys.argv[1:]))
