"""``python -m assistant_resurrect``: the CLI, and the hook entry resurrect calls.

When run by a hook (``hook …`` or ``restore --hook``), even a failure to import our
dependencies (a venv still being built, a missing libtmux) ends in the log and a
``display-message``, never on the terminal and never as a non-zero exit.
"""

from __future__ import annotations

import sys


def _hook_failed(argv: list[str]) -> int:
    import logging

    from assistant_resurrect import _log, paths

    name = argv[1] if argv[:1] == ["hook"] and len(argv) > 1 else "restore"
    logfile = paths.state_dir() / ("restore.log" if "restore" in name else "save.log")
    try:
        _log.log_to_file(logfile)
        logging.getLogger("assistant_resurrect").exception("%s could not start", name)
        if "save" in name:
            from assistant_resurrect import _fs

            _fs.touch_private(paths.state_dir() / "save-missed")
    except OSError:
        pass
    import subprocess

    from assistant_resurrect import terminal, tmux_quote

    message = terminal.safe(f"assistant-resurrect: {name} could not start (see {logfile})")
    subprocess.run(["tmux", "display-message", "--", tmux_quote.message_argument(message)],
                   capture_output=True, check=False)
    return 0


def run(argv: list[str]) -> int:
    """Dispatch ``argv`` (without the program name)."""
    from_hook = argv[:1] == ["hook"] or "--hook" in argv
    try:
        if argv[:1] == ["hook"]:  # resurrect's hot path: skip the CLI's imports
            from assistant_resurrect.hooks import run_hook

            return run_hook(argv[1] if len(argv) > 1 else "", argv[2:])
        from assistant_resurrect.cli import main

        return main(argv)
    except Exception:
        if from_hook:
            return _hook_failed(argv)
        raise


sys.exit(run(sys.argv[1:]))
