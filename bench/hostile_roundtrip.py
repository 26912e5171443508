"""Benchmark and soak: hostile values through save → restore → ``sessions`` → ``sessions
resume`` → ``export`` → ``import`` on a real tmux server with bash, zsh and fish panes and the
real OpenCode (``test/support/hostile.py``, the round ``test/faults/test_hostile_roundtrip.py``
runs a few of), until ``count`` values have gone through; each round in a fresh HOME.

Every pane must come back exact (directory, environment, conversation), every listing must
show the values exactly and no control byte, no payload may run. A failed round is printed
with its seed and counted; the exit status is the number of failed rounds (0: all exact).
Usage: ``.venv/bin/python bench/hostile_roundtrip.py [count] [panes per round]``
(defaults 10000 and 12: about 170 values a round, 60 rounds).
"""

from __future__ import annotations

import pathlib
import random
import shutil
import subprocess
import sys
import time
import traceback

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "test"))


def main(count: int, panes: int) -> int:
    cli_bin = pathlib.Path(subprocess.run(["bash", str(REPO / "test/install-clis.sh")],
                                          check=True, capture_output=True, text=True
                                          ).stdout.strip())
    from support import hostile
    from support.lab import Lab

    done = failed = rounds = 0
    started = time.monotonic()
    while done < count:
        seed = 20261207 + rounds
        rounds += 1
        lab = Lab.fresh(cli_bin, "ar-bench-hostile-")
        try:
            lab.start_server()
            done += hostile.run_round(lab, random.Random(seed), panes)
        except Exception:  # noqa: BLE001 - a soak reports every failed round and goes on
            failed += 1
            print(f"round {rounds} (seed {seed}) failed:\n{traceback.format_exc()}")
        finally:
            lab.teardown()
            shutil.rmtree(lab.root, ignore_errors=True)
        print(f"round {rounds}: {done} values, {failed} failed rounds, "
              f"{time.monotonic() - started:.0f} s", flush=True)
    print(f"hostile round trip: {done} values in {rounds} rounds, {failed} failed, "
          f"{time.monotonic() - started:.0f} s")
    return failed


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000,
                  int(sys.argv[2]) if len(sys.argv) > 2 else 12))
