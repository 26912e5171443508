"""A bare private tmux server for the unit tier: no HOME, no plugin, just tmux reading values
back (``display-message -p``, ``show-options``) so a quoter is checked by tmux itself."""

from __future__ import annotations

import subprocess
import uuid

from assistant_resurrect import tmux_quote
from assistant_resurrect.tmux import Framing


class RealTmux:
    """A tmux server on its own socket (``tmux -L q<random>``) holding one session."""

    def __init__(self) -> None:
        self.socket = f"q{uuid.uuid4().hex[:10]}"
        self.run("-f", "/dev/null", "new-session", "-d", "-s", "q")

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """tmux's output decoded as it is (no newline translation: a value may hold \r)."""
        proc = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True,
                              check=False, timeout=60)
        return subprocess.CompletedProcess(
            proc.args, proc.returncode, proc.stdout.decode("utf-8", "surrogateescape"),
            proc.stderr.decode("utf-8", "surrogateescape"))

    def display_each(self, values: list[str]) -> list[str]:
        """``display-message -p`` of each value, all in one tmux call; the lines shown."""
        argv: list[str] = []
        for value in values:
            printed = tmux_quote.time_escape(tmux_quote.format_escape(value))  # -p: not drawn
            argv += ["display-message", "-p", "--", tmux_quote.argument(printed), ";"]
        out = self.run(*argv)
        assert out.stderr == "", out.stderr
        return out.stdout.split("\n")[:-1]

    def kill(self) -> None:
        self.run("kill-server")

    def display_framed(self, values: list[str], per_message: int = 100) -> list[str]:
        """Each value (newlines and all) printed by ``display-message -p`` inside our record
        framing, ``per_message`` values a message (``len(values)`` a multiple of it), in one
        tmux call; the values as :class:`Framing` reads them back from tmux's output."""
        assert len(values) % per_message == 0
        frame, argv = Framing(), []
        for i in range(0, len(values), per_message):
            fields = (tmux_quote.time_escape(tmux_quote.format_escape(v))
                      for v in values[i:i + per_message])
            argv += ["display-message", "-p", "--",
                     tmux_quote.argument(frame.start + frame.sep.join(fields) + frame.end), ";"]
        out = self.run(*argv)
        assert out.stderr == "", out.stderr
        return [v for record in frame.records(out.stdout, per_message) for v in record]
