"""Benchmark the plugin's own cost in a resurrect save, at 10, 50 and 200 panes.

For each size: a private tmux server with that many panes (three of them running the real
OpenCode, Claude and Codex CLIs), then the hooks run exactly as resurrect runs them (through
``test/support/execute_hook.sh`` inside ``tmux run-shell``). Cost = the median, over
alternating runs, of (post-save-layout + post-save-all with our hooks) minus (the same with
the hook options emptied: what resurrect itself pays to call an empty hook), measured once
the machine is quiet again after starting the assistants. Also the time post-restore-all
takes to hand control back. Usage: ``.venv/bin/python bench/save_cost.py [runs [claudes]]``
(``claudes``: how many of the assistant panes run Claude, 1 by default).
"""

from __future__ import annotations

import pathlib
import shutil
import statistics
import subprocess
import sys
import time

import psutil

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "test"))
HOOKS = ("post-save-layout", "post-save-all", "post-restore-all")


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def settle(timeout: float = 60.0) -> None:
    """Wait until the machine is quiet (the assistants just started spin for a while, offline
    Claude most): a save normally runs against settled assistants."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and psutil.cpu_percent(interval=1.0) > 15:
        pass


def measure(lab, runs: int) -> tuple[float, float, float, float]:
    """(median with our hooks, median with them emptied, median of the paired differences,
    post-restore-all time), in seconds. Runs alternate between the two settings, so a burst
    of work by an assistant (offline Claude retries every few seconds) weighs on both."""
    save_file = lab.resurrect_save()
    (lab.resurrect_dir / "last").unlink()
    (lab.resurrect_dir / "last").symlink_to(save_file.name)

    def save_hooks() -> None:
        lab.hook("post-save-layout", str(save_file))
        lab.hook("post-save-all")

    def set_hooks(values: dict[str, str]) -> None:
        for h, v in values.items():
            lab.tmux("set-option", "-g", f"@resurrect-hook-{h}", v)

    ours = {h: lab.tmux("show-option", "-gqv", f"@resurrect-hook-{h}").rstrip("\n")
            for h in HOOKS}
    empty = dict.fromkeys(HOOKS, "")
    with_ours, without = [], []
    for _ in range(runs):
        set_hooks(ours)
        with_ours.append(timed(save_hooks))
        set_hooks(empty)
        without.append(timed(save_hooks))
    set_hooks(ours)
    restore = timed(lambda: lab.hook("post-restore-all"))
    cost = statistics.median(a - b for a, b in zip(with_ours, without, strict=True))
    return statistics.median(with_ours), statistics.median(without), cost, restore


def main(runs: int, claudes: int = 1) -> int:
    cli_bin = pathlib.Path(subprocess.run(["bash", str(REPO / "test/install-clis.sh")],
                                          check=True, capture_output=True, text=True
                                          ).stdout.strip())
    print(f"{'panes':>5} {'with hooks':>11} {'empty hooks':>12} {'our cost':>9} "
          f"{'restore hook':>13}   (medians of {runs} runs, seconds)")
    for size in (10, 50, 200):
        from support import fixtures
        from support.lab import Lab, wait_for

        lab = Lab.fresh(cli_bin, "ar-bench-")
        root = lab.root
        try:
            lab.start_server()
            lab.load_plugin()
            lab.tmux("set-option", "-g", "@assistant-resurrect-client-wait", "0")
            work = lab.home / "w"
            work.mkdir()
            sid = fixtures.opencode_session(lab, work)
            claude_id = fixtures.claude_session(lab, work)
            codex_id = fixtures.codex_session(lab, work)
            for i in range(size - 1):
                lab.new_pane(f"s{i // 10}", work)
            starts = [("opencode", f"opencode -s {sid}"), ("codex", f"codex resume {codex_id}")]
            starts += [("claude", f"claude --resume {claude_id}")] + [
                ("claude", f"claude --resume {fixtures.claude_session(lab, work)}")
                for _ in range(claudes - 1)]
            mine = [p for k, p in sorted(lab.panes().items()) if k[0] != "lab-init"]
            for (tool, command), pane in zip(starts, mine, strict=False):
                lab.wait_shell(pane["pane_id"])
                lab.type(pane["pane_id"], command)
                wait_for(lambda p=pane, t=tool, lab=lab: lab.argv_in_pane(p["pane_id"], t), 60)
            settle()
            ours, empty, cost, restore = measure(lab, runs)
            print(f"{size:>5} {ours:>11.3f} {empty:>12.3f} {cost:>9.3f} {restore:>13.3f}")
        finally:
            lab.teardown()
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 15,
                  int(sys.argv[2]) if len(sys.argv) > 2 else 1))
