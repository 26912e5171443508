"""The tmux adapter: the only module that talks to tmux (queries run ``tmux`` itself; typing goes
through libtmux).

Everything here addresses panes by ``%pane_id``: ``session:window.pane`` targets use prefix
and fnmatch matching, and ``:`` and ``.`` may appear in session names.
"""

from __future__ import annotations

import os
import subprocess
import typing as t

from assistant_resurrect.exc import AssistantResurrectError, TmuxNotRunningError

SEP = "\u241e"  # libtmux's FORMAT_SEPARATOR: unlikely in names, survives tmux's escaping

PANE_FIELDS = (
    "pane_id",
    "pane_pid",
    "pane_tty",
    "window_index",
    "pane_index",
    "session_id",
    "pane_current_command",
    "pane_title",
    "session_name",
    "pane_current_path",
)


class PaneRecord(t.NamedTuple):
    """One pane from ``list-panes -a``, typed once.

    ``address`` (session_name, window_index, pane_index) is the only identity that a pane keeps
    across a tmux-resurrect save and restore; ``pane_id`` and ``pane_pid`` are new after restore.
    """

    pane_id: str
    pane_pid: int
    pane_tty: str
    session_name: str
    window_index: int
    pane_index: int
    session_id: str
    pane_current_command: str
    pane_current_path: str
    pane_title: str

    @property
    def address(self) -> tuple[str, int, int]:
        return (self.session_name, self.window_index, self.pane_index)

    @property
    def label(self) -> str:
        """Human label ``session:window.pane``, for messages only, never as a target."""
        return f"{self.session_name}:{self.window_index}.{self.pane_index}"


def parse_pane_line(line: str) -> PaneRecord | None:
    """Parse one ``list-panes`` line in the :data:`PANE_FIELDS` format, or None if malformed.

    >>> rec = parse_pane_line(SEP.join(["%3", "42", "/dev/pts/1", "1", "0", "$1", "bash", "t",
    ...                                  "we:ird.name", "/tmp"]))
    >>> rec.address, rec.pane_id
    (('we:ird.name', 1, 0), '%3')
    """
    parts = line.split(SEP)
    if len(parts) != len(PANE_FIELDS):
        return None
    row = dict(zip(PANE_FIELDS, parts, strict=True))
    try:
        return PaneRecord(
            pane_id=row["pane_id"],
            pane_pid=int(row["pane_pid"]),
            pane_tty=row["pane_tty"],
            session_name=row["session_name"],
            window_index=int(row["window_index"]),
            pane_index=int(row["pane_index"]),
            session_id=row["session_id"],
            pane_current_command=row["pane_current_command"],
            pane_current_path=row["pane_current_path"],
            pane_title=row["pane_title"],
        )
    except ValueError:
        return None


class TmuxCommandError(AssistantResurrectError):
    """A tmux command wrote to stderr."""


class Tmux:
    """A tmux server, found from ``$TMUX`` (hooks run inside it) or given by socket.

    Queries run ``tmux`` directly (the save hook's hot path: importing libtmux costs more than
    the query); typing into panes goes through libtmux.
    """

    def __init__(self, socket_name: str | None = None, socket_path: str | None = None) -> None:
        if socket_name is None and socket_path is None:
            socket_path = os.environ.get("TMUX", "").split(",")[0] or None
        self.socket_name, self.socket_path = socket_name, socket_path
        self.socket = socket_path or socket_name or "default"

    def _socket_args(self) -> list[str]:
        if self.socket_path:
            return ["-S", self.socket_path]
        return ["-L", self.socket_name] if self.socket_name else []

    def cmd(self, *args: str) -> list[str]:
        """Run a tmux command; return stdout lines, or raise on stderr output.

        Raises
        ------
        TmuxNotRunningError
            When no server answers on the socket.
        TmuxCommandError
            When tmux reports any other error.
        """
        return self.start(*args)()

    def start(self, *args: str) -> t.Callable[[], list[str]]:
        """Start a tmux command and return at once; calling the result waits (30 s at most)
        and gives what :meth:`cmd` gives, raising as it does."""
        try:
            proc = subprocess.Popen(["tmux", *self._socket_args(), *args],
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE)
        except FileNotFoundError:
            raise AssistantResurrectError("tmux is not on PATH") from None

        def lines() -> list[str]:
            try:
                out, err_bytes = proc.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
                raise
            err = err_bytes.decode("utf-8", "backslashreplace").strip()
            if err:
                if "no server running" in err or "error connecting" in err:
                    raise TmuxNotRunningError(self.socket)
                raise TmuxCommandError(f"tmux {args[0]}: {err}")
            return out.decode("utf-8", "backslashreplace").splitlines()

        return lines

    def is_alive(self) -> bool:
        """True when the server answers."""
        try:
            self.cmd("display-message", "-p", "ok")
        except (TmuxNotRunningError, TmuxCommandError):
            return False
        return True

    def list_panes(self) -> list[PaneRecord]:
        """Every pane of the server, from exactly one ``list-panes -a`` call."""
        return self.options_and_panes()[1]

    def options_and_panes(self) -> tuple[list[str], list[PaneRecord]]:
        """``show-options -g`` lines and every pane, in one tmux invocation (the save path).

        Pane lines are told apart by the separator and their field count.
        """
        return self.start_options_and_panes()()

    def start_options_and_panes(self) -> t.Callable[[], tuple[list[str], list[PaneRecord]]]:
        """:meth:`options_and_panes`, started now and answered when called (the save hook
        imports the process table while tmux lists the panes)."""
        fmt = SEP.join(f"#{{{name}}}" for name in PANE_FIELDS)
        pending = self.start("show-options", "-g", ";", "list-panes", "-a", "-F", fmt)

        def answer() -> tuple[list[str], list[PaneRecord]]:
            lines = pending()
            options = [line for line in lines if SEP not in line]
            records = (parse_pane_line(line) for line in lines if SEP in line)
            return options, [rec for rec in records if rec is not None]

        return answer

    def option(self, name: str, default: str = "") -> str:
        """A global option's value (``show-option -gqv``), or ``default`` when empty."""
        try:
            lines = self.cmd("show-option", "-gqv", name)
        except TmuxCommandError:
            return default
        value = "\n".join(lines)
        return value if value else default

    def pane_option(self, pane_id: str, name: str) -> str:
        """A pane-level user option, '' when unset."""
        try:
            return "\n".join(self.cmd("show-options", "-pqv", "-t", pane_id, name))
        except TmuxCommandError:
            return ""

    def set_pane_option(self, pane_id: str, name: str, value: str) -> None:
        """Set a pane-level user option (a marker that outlives our process)."""
        self.cmd("set-option", "-pq", "-t", pane_id, name, value)

    def send_line(self, pane_id: str, text: str, enter: bool = True) -> None:
        """Type ``text`` literally into a pane, then press Enter unless ``enter`` is False."""
        import libtmux

        server = libtmux.Server(socket_name=self.socket_name, socket_path=self.socket_path)
        pane = libtmux.Pane.from_pane_id(server=server, pane_id=pane_id)
        pane.send_keys(text, enter=enter, suppress_history=False, literal=True)

    def capture(self, pane_id: str) -> str:
        """The visible text of a pane (no escape sequences)."""
        return "\n".join(self.cmd("capture-pane", "-p", "-J", "-t", pane_id))

    def client_count(self) -> int:
        """Number of attached clients."""
        return len(self.cmd("list-clients", "-F", "#{client_name}"))

    def display_message(self, text: str) -> None:
        """Show ``text`` in the status line of attached clients (no-op without any)."""
        try:
            for client in self.cmd("list-clients", "-F", "#{client_name}"):
                self.cmd("display-message", "-c", client, "-d", "5000", text)
        except (TmuxNotRunningError, TmuxCommandError):
            pass
