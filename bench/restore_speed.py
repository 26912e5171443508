"""Benchmark: how soon every assistant of an 8-assistant restore is back and verified.

A private tmux server with eight assistant panes running the real CLIs (Claude, Codex,
OpenCode twice each, Gemini, Copilot), each in its own offline session; saved through the real
hooks; tmux killed as in a crash; the layout recreated; then post-restore-all fired exactly as
resurrect fires it. Measured, in seconds from that moment: when each pane's assistant was
typed and started (the restore log), and when the worker had verified them all (it writes
``last-restore.json`` after the last verification). Every pane must end ``resumed``.

Scenarios: a client attached (the restore key is pressed in one) and none (continuum's
restore at boot, which waits up to ``client-wait`` for one), each on an idle machine and with
three busy loops running. Usage: ``.venv/bin/python bench/restore_speed.py [runs]``.
"""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import pty
import shutil
import statistics
import subprocess
import sys
import threading
import time
import typing as t

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "test"))
TOOLS = ("claude", "codex", "opencode", "claude", "codex", "opencode", "gemini", "copilot")


@contextlib.contextmanager
def attached_client(socket: str, env: dict[str, str]) -> t.Iterator[None]:
    """A real client on a pseudo-terminal, its output drained (as a terminal would)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(["tmux", "-L", socket, "attach"], stdin=slave, stdout=slave,
                            stderr=slave, env={**env, "TERM": "xterm-256color"},
                            start_new_session=True)
    os.close(slave)

    def drain() -> None:
        with contextlib.suppress(OSError):
            while os.read(master, 65536):
                pass

    threading.Thread(target=drain, daemon=True).start()
    try:
        yield
    finally:
        proc.terminate()
        proc.wait(10)
        os.close(master)


@contextlib.contextmanager
def busy_loops(count: int) -> t.Iterator[None]:
    procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]
    try:
        yield
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


def start_assistants(lab: t.Any) -> None:
    from support import fixtures
    from support.lab import wait_for

    makers = {"claude": lambda d: f"claude --resume {fixtures.claude_session(lab, d)}",
              "codex": lambda d: f"codex resume {fixtures.codex_session(lab, d)}",
              "opencode": lambda d: f"opencode -s {fixtures.opencode_session(lab, d)}",
              "gemini": lambda d: f"gemini -r {fixtures.gemini_session(lab, d)}",
              "copilot": lambda d: f"copilot --resume={fixtures.copilot_session(lab, d)}"}
    for i, tool in enumerate(TOOLS):
        cwd = lab.home / f"{tool}-{i}"
        cwd.mkdir()
        pane = lab.start("work", cwd, makers[tool](cwd))
        wait_for(lambda p=pane, t=tool: lab.argv_in_pane(p, t), 60, what=tool)


def restore_once(lab: t.Any, client: bool, load: int) -> tuple[float, float, list[str]]:
    """(seconds until the last assistant started, seconds until all were verified, outcomes)."""
    from support.lab import wait_for

    lab.restart_with_layout()
    lab.load_plugin()
    lab.tmux("set-option", "-g", "@assistant-resurrect-client-wait", "5")
    lab.tmux("set-option", "-g", "@assistant-resurrect-verify-seconds", "3")
    outcomes_file = lab.state_dir / "last-restore.json"
    outcomes_file.unlink(missing_ok=True)
    log = lab.state_dir / "restore.log"
    log.unlink(missing_ok=True)
    with contextlib.ExitStack() as stack:
        if client:
            stack.enter_context(attached_client(lab.socket, lab.env))
            wait_for(lambda: lab.tmux("list-clients").strip(), 10, what="the client")
        stack.enter_context(busy_loops(load))
        fired = time.time()
        lab.hook("post-restore-all")
        wait_for(outcomes_file.exists, 180, 0.05, "the restore worker")
    data = json.loads(outcomes_file.read_text())
    started = [time.mktime(time.strptime(line[:19], "%Y-%m-%d %H:%M:%S")) + float(
        "0." + line[20:23]) for line in log.read_text().splitlines() if ": started (pid" in line]
    return (max(started) - fired if started else float("nan"), data["finished_at"] - fired,
            [p["outcome"] for p in data["panes"]])


def main(runs: int) -> int:
    cli_bin = pathlib.Path(subprocess.run(["bash", str(REPO / "test/install-clis.sh")],
                                          check=True, capture_output=True, text=True
                                          ).stdout.strip())
    from support.lab import Lab

    lab = Lab.fresh(cli_bin, "ar-bench-restore-")
    root = lab.root
    failures = 0
    try:
        lab.start_server()
        lab.load_plugin()
        start_assistants(lab)
        lab.resurrect_save()
        print(f"8 assistants ({', '.join(TOOLS)}); seconds from post-restore-all, "
              f"median (max) of {runs} runs")
        print(f"{'scenario':<28} {'last started':>14} {'all verified':>14}")
        for client in (True, False):
            for load in (0, 3):
                started, verified = [], []
                for _ in range(runs):
                    s, v, outcomes = restore_once(lab, client, load)
                    if outcomes != ["resumed"] * len(TOOLS):
                        failures += 1
                        print(f"    not all resumed: {outcomes}")
                    started.append(s)
                    verified.append(v)
                name = f"{'client' if client else 'no client'}, {load} busy loops"
                print(f"{name:<28} {statistics.median(started):>7.1f} ({max(started):4.1f})"
                      f" {statistics.median(verified):>7.1f} ({max(verified):4.1f})")
    finally:
        lab.teardown()
        shutil.rmtree(root, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 3))
