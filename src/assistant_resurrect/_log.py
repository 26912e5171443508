"""Log-file setup for entry points only: hooks must never write to stdout or stderr."""

from __future__ import annotations

import contextlib
import logging
import os
import pathlib

from assistant_resurrect import _fs, redact

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MAX_LOG_BYTES = 512 * 1024


class _SafeFormatter(logging.Formatter):
    """Escape control characters in messages so a hostile name cannot forge log lines or
    drive the terminal that shows the log, and redact credential-shaped text (the last
    line of defence: records are redacted before they are logged)."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        head, sep, tail = text.partition("\nTraceback")
        head = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" if ord(c) < 256
                       else f"\\u{ord(c):04x}" for c in redact.redact_shapes(head))
        return head + sep + redact.redact_shapes(tail)


def log_to_file(path: pathlib.Path, level: int = logging.INFO) -> None:
    """Send this package's logs to ``path`` (mode 0600) and nowhere else.

    Bounded: a file over 512 KiB is moved to ``<path>.1`` (replacing the older one) first.
    """
    _fs.ensure_private_dir(path.parent)
    if path.is_symlink():
        path.unlink()  # a planted link would send our log into someone else's file
    with contextlib.suppress(OSError):
        if path.stat().st_size > MAX_LOG_BYTES:
            os.replace(path, path.with_name(path.name + ".1"))
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o600))
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(_SafeFormatter(LOG_FORMAT))
    path.chmod(_fs.PRIVATE_FILE_MODE)
    root = logging.getLogger("assistant_resurrect")
    for old in list(root.handlers):
        if not isinstance(old, logging.NullHandler):
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False


def log_to_stderr(level: int = logging.WARNING) -> None:
    """Send this package's logs to stderr (the interactive CLI)."""
    handler = logging.StreamHandler()
    handler.setFormatter(_SafeFormatter("%(levelname)s: %(message)s"))
    root = logging.getLogger("assistant_resurrect")
    root.addHandler(handler)
    root.setLevel(level)


def start_failed(name: str, saving: bool, missed: bool = False) -> int:
    """An entry point (hook or worker ``name``) could not start: log the traceback of the
    exception being handled to ``save.log`` (``saving``) or ``restore.log``, leave the
    ``save_missed`` flag when ``missed`` (a save to take again) and say so in one
    ``display-message``. Returns 0, the exit code a hook must have."""
    from assistant_resurrect import paths

    try:
        state = paths.StateDir.here()
        logfile = state.save_log if saving else state.restore_log
        flag = state.save_missed if missed else None
    except Exception:  # noqa: BLE001 - the state-file names may be what failed to load
        logfile, flag = paths.state_dir() / ("save.log" if saving else "restore.log"), None
    try:
        log_to_file(logfile)
        logging.getLogger("assistant_resurrect").exception("%s could not start", name)
        if flag is not None:
            _fs.touch_private(flag)
    except OSError:
        pass
    import subprocess

    from assistant_resurrect import terminal, tmux_quote

    message = terminal.safe(f"assistant-resurrect: {name} could not start (see {logfile})")
    subprocess.run(["tmux", "display-message", "--", tmux_quote.message_argument(message)],
                   capture_output=True, check=False)
    return 0
