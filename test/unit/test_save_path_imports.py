"""The save hook starts a Python process every few minutes: its imports are its cost.

These modules once cost every save 4-20 ms of start-up each; the save path must not bring
them back (the benchmark, bench/save_cost.py, measures the whole).
"""

from __future__ import annotations

import json
import subprocess
import sys

from support.lab import REPO

HEAVY = ("dataclasses", "inspect", "shutil", "libtmux", "argparse", "sqlite3", "asyncio",
         "assistant_resurrect.cli", "assistant_resurrect.restore", "assistant_resurrect.install")


def test_the_save_hook_path_imports_none_of_the_heavy_modules() -> None:
    code = ("import json, sys\n"
            "from assistant_resurrect import hooks, save\n"
            "print(json.dumps(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"PYTHONPATH": str(REPO / "src")}, check=True)
    loaded = set(json.loads(out.stdout))
    assert {"psutil", "assistant_resurrect.save", "assistant_resurrect.assistants.claude"} <= loaded
    assert sorted(loaded & set(HEAVY)) == []
