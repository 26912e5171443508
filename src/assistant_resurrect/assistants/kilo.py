"""Kilo Code CLI (``@kilocode/cli`` with ``@kilocode/cli-linux-x64``, checked against 7.7.7;
an OpenCode fork).

``node …/bin/kilo`` starts the native ``.kilo``; its store is OpenCode's schema in
``$XDG_DATA_HOME/kilo/kilo.db`` (table ``session``), checked on the installed binary. No
tracker (its plugin loader is not OpenCode 1.x's): evidence is argv ``-s/--session <id>``, then
``kilo.db`` sessions for the directory (updated since the process started, or for
``-c/--continue`` the newest at its start).
"""

from __future__ import annotations

import typing as t

from assistant_resurrect.assistants.argv import FlagSpec
from assistant_resurrect.assistants.opencode import OpenCode


class Kilo(OpenCode):
    name = "kilo"
    executables = frozenset({"kilo", "kilocode", ".kilo"})
    comm_prefixes = (".kilo",)
    scripts = frozenset({"kilo", "kilocode"})
    data_name = "kilo"
    tracker_script: t.ClassVar[str | None] = None
    not_interactive = OpenCode.not_interactive | frozenset({
        "plugin", "plug", "console", "cloud", "roll-call", "profile", "remote", "daemon",
        "config", "worktree", "help", "providers"})
    flags = FlagSpec(
        takes_value=frozenset({
            "--log-level", "--port", "--hostname", "--mdns-domain", "-m", "--model", "-s",
            "--session", "--prompt", "--agent", "--replay-limit", "--cors", "--worktree",
        }),
        selectors=frozenset({"-s", "--session", "-c", "--continue", "--fork", "--cloud-fork"}),
        dropped=frozenset({"--prompt", "--worktree", "-h", "--help", "-v", "--version"}),
        restrictions=frozenset({"--agent", "--pure"}),
    )
