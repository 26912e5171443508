#!/usr/bin/env python3
"""Claude Code SessionStart/SessionEnd hook of tmux-assistant-resurrect (stdlib only).

Claude runs it with the hook JSON on stdin (``session_id``, ``source`` or ``reason``, ``cwd``,
``transcript_path``, ``hook_event_name``) and ``$CLAUDE_PID`` set to the claude process. It
keeps ``<state-dir>/claude-<CLAUDE_PID>.json`` current and never prints: Claude adds a
SessionStart hook's stdout to the model's context. It always exits 0.
"""

import contextlib
import json
import os
import sys
import time


def main(argv):
    state_dir = argv[argv.index("--state-dir") + 1] if "--state-dir" in argv else os.path.join(
        os.path.expanduser("~"), ".local", "state", "tmux-assistant-resurrect")
    pid = os.environ.get("CLAUDE_PID", "")
    if not pid.isdigit() or int(pid) <= 1:
        return
    payload = json.loads(sys.stdin.read(1024 * 1024) or "{}")
    if not isinstance(payload, dict):
        return
    path = os.path.join(state_dir, f"claude-{pid}.json")
    event = payload.get("hook_event_name", "")
    if event == "SessionEnd":
        if payload.get("reason") not in ("clear", "resume", "compact"):
            with contextlib.suppress(OSError):
                os.unlink(path)
        return
    session_id = payload.get("session_id")
    if not isinstance(session_id, str) or not session_id:
        return
    record = {
        "tool": "claude",
        "pid": int(pid),
        "session_id": session_id,
        "source": payload.get("source", ""),
        "cwd": payload.get("cwd", ""),
        "transcript_path": payload.get("transcript_path", ""),
        "tmux_pane": os.environ.get("TMUX_PANE", ""),
        "written_at": time.time(),
    }
    os.makedirs(state_dir, mode=0o700, exist_ok=True)
    # named as the plugin names its temp files, so a save cleans it up if we are killed
    tmp = os.path.join(state_dir, f".claude-{pid}.json.{os.urandom(6).hex()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            json.dump(record, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


if __name__ == "__main__":
    with contextlib.suppress(Exception):  # a hook must never disturb Claude
        main(sys.argv[1:])
    sys.exit(0)
