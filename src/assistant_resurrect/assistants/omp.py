"""Oh My Pi (``@oh-my-pi/pi-coding-agent``, checked against 18.2.0; a Pi fork on ``bun``).

Read from the installed package (``src/session/session-paths.ts``,
``pi-utils/src/dirs.ts``, ``src/cli/flag-tables.ts``): sessions are Pi's format under
``~/.omp/agent/sessions/<folder>/`` (``$PI_CONFIG_DIR`` renames ``.omp``; profiles and
the XDG layout that ``omp config migrate`` sets up are not followed), where ``<folder>`` is
``-<path below $HOME>`` or ``-tmp-<path below the temp dir>``, separators as ``-``, else Pi's
``--<absolute path>--``. bun keeps the argv readable, so ``--resume <id>`` is evidence;
an unknown id prints 'Session "…" not found.'.
"""

from __future__ import annotations

import os
import pathlib
import re
import typing as t

from assistant_resurrect.assistants.argv import FlagSpec
from assistant_resurrect.assistants.base import home_of
from assistant_resurrect.assistants.pi import Pi


def omp_folder(cwd: str, home: str, tmp: str) -> str:
    """Oh My Pi's session folder for ``cwd`` (``getDefaultSessionDirName``).

    >>> omp_folder("/home/u/src/app", "/home/u", "/tmp"), omp_folder("/tmp/x/y", "/h", "/tmp")
    ('-src-app', '-tmp-x-y')
    >>> omp_folder("/srv/a:b", "/home/u", "/tmp"), omp_folder("/home/u", "/home/u", "/tmp")
    ('--srv-a-b--', '-')
    """
    real = os.path.realpath(cwd)
    for prefix, base in (("-", home), ("-tmp", tmp)):
        rel = os.path.relpath(real, os.path.realpath(base))
        if rel == "." or not (rel.startswith("..") or os.path.isabs(rel)):
            encoded = "" if rel == "." else re.sub(r"[/\\:]", "-", rel)
            if not encoded:
                return prefix
            return f"{prefix}{encoded}" if prefix.endswith("-") else f"{prefix}-{encoded}"
    return "--" + re.sub(r"[/\\:]", "-", real.removeprefix("/")) + "--"


class OhMyPi(Pi):
    name = "omp"
    executables = frozenset({"omp"})
    package = "oh-my-pi"
    scripts = frozenset({"omp", "cli.js"})
    argv_is_title = False  # bun leaves /proc/<pid>/cmdline alone
    selector_keys = ("-r", "--resume")
    failure_screens = ("without an argument to pick from recent sessions",)
    not_interactive = frozenset({
        "acp", "agents", "auth-broker", "auth-gateway", "bench", "browser-relay", "cleanse",
        "collab", "commit", "completions", "config", "install", "update", "help"})
    flags = FlagSpec(
        takes_value=frozenset({
            "--model", "--smol", "--slow", "--plan", "--prewalk-into", "--plan-yolo-into",
            "--provider", "--api-key", "--system-prompt", "--append-system-prompt",
            "--profile", "--alias", "--cwd", "--mode", "--config", "--add-dir", "-r",
            "--resume", "--session-dir", "--models", "--tools", "--thinking", "--service-tier",
            "--hook", "-e", "--extension", "--skills", "--export", "--max-time",
            "--approval-mode",
        }),
        selectors=frozenset({"-r", "--resume", "-c", "--continue", "--from-claude",
                             "--from-codex", "--no-session"}),
        dropped=frozenset({"-p", "--print", "--print-thoughts", "--export", "--alias",
                           "--session-dir", "-h", "--help", "-v", "--version"}),
        restrictions=frozenset({"--no-tools", "--tools", "--no-extensions", "--no-skills",
                                "--skills", "--no-rules", "--approval-mode", "--max-time",
                                "--profile", "--config"}),
    )


    def root(self, env: t.Mapping[str, str]) -> pathlib.Path:
        """``~/<$PI_CONFIG_DIR or .omp>/agent``."""
        return home_of(env) / (env.get("PI_CONFIG_DIR") or ".omp") / "agent"

    def sessions_dir(self, env: t.Mapping[str, str]) -> pathlib.Path:
        return self.root(env) / "sessions"

    def folder(self, env: t.Mapping[str, str], cwd: str) -> pathlib.Path:
        return self.sessions_dir(env) / omp_folder(cwd, str(home_of(env)),
                                                   env.get("TMPDIR") or "/tmp")

    def resume_args(self, kept: list[str], session_id: str, cwd: str) -> list[str]:
        return [*kept, "--resume", session_id]
