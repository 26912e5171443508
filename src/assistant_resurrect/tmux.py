"""The tmux adapter: the only module that talks to tmux (queries run ``tmux`` itself; keys are
sent through libtmux's command runner, never through its object lookup, which lists every pane
and fails for all of them on one hostile name: libtmux PR #752).

Everything here addresses panes by ``%pane_id``: ``session:window.pane`` targets use prefix
and fnmatch matching, and ``:`` and ``.`` may appear in session names.

Pane fields are hostile (a directory, a title or a command name may hold any character,
newlines included), so every query frames its records with a random token made for that one
call: no byte in a field can forge another field, another pane or an option line. Every value
passed to tmux goes through :mod:`tmux_quote`, by the depth at which tmux reads it
(``test/unit/test_tmux_quoting.py`` walks this module's calls to prove it).
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import typing as t

from assistant_resurrect import terminal
from assistant_resurrect.exc import AssistantResurrectError, TmuxCommandError, TmuxNotRunningError
from assistant_resurrect.tmux_quote import (
    argument,
    client_flag,
    client_target,
    drawn_argument,
    format_argument,
    menu_command,
    message_argument,
    next_window_of,
    own_format,
    pane_target,
    run_shell,
)

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
# where Homebrew and MacPorts put tmux, for a server started with launchd's thin PATH
FALLBACK_BINARIES = ("/opt/homebrew/bin/tmux", "/usr/local/bin/tmux", "/opt/local/bin/tmux")


class PaneRecord(t.NamedTuple):
    """One pane from ``list-panes -a``, typed once.

    ``address`` (session_name, window_index, pane_index) is the only identity that a pane keeps
    across a tmux-resurrect save and restore; ``pane_id`` and ``pane_pid`` are new after restore.
    ``tmux_session_id`` is tmux's own ``$N``, not an assistant's conversation id.
    """

    pane_id: str
    pane_pid: int
    pane_tty: str
    session_name: str
    window_index: int
    pane_index: int
    tmux_session_id: str
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


class Framing:
    """Record framing for one tmux call: ``<tok><`` field ``<tok>|`` field … ``<tok>>``.

    The token is 128 random bits made when the call is built, so no value tmux prints can
    hold it.

    >>> f = Framing("T")
    >>> f.format(["a", "b"])
    'T<#{a}T|#{b}T>'
    >>> f.records("opts\\nT<x\\nyT|zT>\\nT<1T|2T>\\n", 2)
    [['x\\ny', 'z'], ['1', '2']]
    >>> f.head("opts\\nT<x\\nyT|zT>\\n")
    'opts\\n'
    """

    def __init__(self, token: str | None = None) -> None:
        self.token = token or os.urandom(16).hex()
        self.start, self.sep, self.end = self.token + "<", self.token + "|", self.token + ">"

    def format(self, names: t.Sequence[str]) -> str:
        """A tmux ``-F`` format printing ``names`` as one framed record."""
        return self.start + self.sep.join(f"#{{{n}}}" for n in names) + self.end

    def head(self, text: str) -> str:
        """What precedes the first record (the output of commands run before the query)."""
        return text.split(self.start, 1)[0]

    def records(self, text: str, fields: int) -> list[list[str]]:
        """Every complete record of ``fields`` fields in ``text``; malformed ones are skipped."""
        out = []
        for chunk in text.split(self.start)[1:]:
            body, closed, _ = chunk.partition(self.end)
            parts = body.split(self.sep)
            if closed and len(parts) == fields:
                out.append(parts)
        return out


def parse_pane_fields(parts: list[str]) -> PaneRecord | None:
    """A :class:`PaneRecord` from the :data:`PANE_FIELDS` values, or None if malformed.

    >>> rec = parse_pane_fields(["%3", "42", "/dev/pts/1", "1", "0", "$1", "bash", "t",
    ...                          "we:ird.name", "/tmp"])
    >>> rec.address, rec.pane_id
    (('we:ird.name', 1, 0), '%3')
    """
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
            tmux_session_id=row["session_id"],
            pane_current_command=row["pane_current_command"],
            pane_current_path=row["pane_current_path"],
            pane_title=row["pane_title"],
        )
    except ValueError:
        return None


class PaneView(t.NamedTuple):
    """What a pane shows now: its foreground command, cursor and visible lines.

    ``cursor_x``/``cursor_y`` are cell coordinates on the visible screen; ``history_size``
    lines have scrolled off above it (so ``history_size + cursor_y`` is stable while the
    screen scrolls). ``lines`` are ``capture-pane -p -N`` rows (trailing spaces kept).
    ``blocked`` says why keys sent now would not reach the shell's line editor (copy mode,
    synchronized panes, input disabled, a dead pane), or is ''.
    """

    command: str
    tty: str
    cursor_x: int
    cursor_y: int
    history_size: int
    width: int
    blocked: str
    lines: list[str]

    @property
    def row(self) -> int:
        """The cursor's absolute row (scrolling does not change it)."""
        return self.history_size + self.cursor_y


VIEW_FIELDS = ("pane_current_command", "pane_tty", "cursor_x", "cursor_y", "history_size",
               "pane_width", "pane_in_mode", "pane_synchronized", "pane_input_off",
               "pane_dead")


def _blocked(in_mode: str, synchronized: str, input_off: str, dead: str) -> str:
    reasons = [why for flag, why in ((in_mode, "the pane is in copy mode"),
                                     (synchronized, "the window has synchronize-panes on"),
                                     (input_off, "the pane's input is disabled"),
                                     (dead, "the pane is dead")) if flag not in ("", "0")]
    return "; ".join(reasons)


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
        self.binary = "tmux"

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
        AssistantResurrectError
            When no tmux binary is found.
        """
        return self.start(*args)().splitlines()

    def _popen(self, args: t.Sequence[str]) -> subprocess.Popen[bytes]:
        for binary in (self.binary, *FALLBACK_BINARIES):
            try:
                proc = subprocess.Popen([binary, *self._socket_args(), *args],
                                        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE)
            except FileNotFoundError:
                continue
            self.binary = binary
            return proc
        raise AssistantResurrectError("tmux is not on PATH")

    def start(self, *args: str) -> t.Callable[..., str]:
        """Start a tmux command and return at once; calling the result waits (30 s at most,
        or ``timeout`` s, then raising subprocess.TimeoutExpired with tmux left running)
        and gives its whole output (bytes that are not UTF-8 kept as surrogate escapes),
        raising as :meth:`cmd` does."""
        proc = self._popen(args)

        def output(timeout: float | None = None) -> str:
            try:
                out, err_bytes = proc.communicate(timeout=timeout or 30)
            except subprocess.TimeoutExpired:
                if timeout:
                    raise  # the caller leaves it running
                proc.kill()
                proc.communicate()
                raise TmuxCommandError(f"tmux {args[0]}: no answer within 30 s") from None
            err = err_bytes.decode("utf-8", "backslashreplace").strip()
            if err:
                if "no server running" in err or "error connecting" in err:
                    raise TmuxNotRunningError(self.socket)
                raise TmuxCommandError(f"tmux {args[0]}: {err}")
            return out.decode("utf-8", "surrogateescape")

        return output

    def version(self) -> tuple[str, tuple[int, int] | None]:
        """``tmux -V`` (``tmux 3.3a``) and its (major, minor), None when unreadable; raises
        OSError or subprocess.TimeoutExpired when tmux cannot run."""
        out = subprocess.run([self.binary, "-V"], capture_output=True, text=True, timeout=10,
                             check=False).stdout.strip()
        match = re.search(r"(\d+)\.(\d+)", out)
        return out, (int(match[1]), int(match[2])) if match else None

    def list_panes(self) -> list[PaneRecord]:
        """Every pane of the server, from exactly one ``list-panes -a`` call."""
        frame = Framing()
        text = self.start("list-panes", "-a", "-F", own_format(frame.format(PANE_FIELDS)))()
        return _pane_records(frame, text)

    def pane(self, pane_id: str) -> PaneRecord | None:
        """The pane ``pane_id`` (``%N``) as :meth:`list_panes` sees it, or None."""
        return next((p for p in self.list_panes() if p.pane_id == pane_id), None)

    def options_and_panes(self) -> tuple[list[str], list[PaneRecord]]:
        """``show-options -g`` lines and every pane, in one tmux invocation (the save path)."""
        return self.start_options_and_panes()()

    def start_options_and_panes(self) -> t.Callable[[], tuple[list[str], list[PaneRecord]]]:
        """:meth:`options_and_panes`, started now and answered when called (the save hook
        imports the process table while tmux lists the panes).

        Option lines are what precedes the first framed pane record: a pane field can never
        be read as an option.
        """
        frame = Framing()
        pending = self.start("show-options", "-g", ";", "list-panes", "-a", "-F",
                             own_format(frame.format(PANE_FIELDS)))

        def answer() -> tuple[list[str], list[PaneRecord]]:
            text = pending()
            return frame.head(text).splitlines(), _pane_records(frame, text)

        return answer

    def show_options(self) -> list[str]:
        """``show-options -g``: one ``name value`` line per global option."""
        return self.cmd("show-options", "-g")

    def list_keys(self) -> list[str]:
        """``list-keys``: every key binding, one per line."""
        return self.cmd("list-keys")

    def view(self, pane_id: str) -> PaneView | None:
        """What ``pane_id`` shows now (one tmux call), or None when the pane is gone."""
        frame = Framing()
        try:
            text = self.start("display-message", "-p", "-t", pane_target(pane_id),
                              own_format(frame.format(VIEW_FIELDS)), ";", "capture-pane",
                              "-p", "-N", "-t", pane_target(pane_id))()
        except TmuxCommandError:
            return None
        records = frame.records(text, len(VIEW_FIELDS))
        if len(records) != 1:
            return None
        command, tty, x, y, hist, width, *flags = records[0]
        screen = text.split(frame.end, 1)[1].removeprefix("\n")
        try:
            return PaneView(command, tty, int(x), int(y), int(hist), int(width),
                            _blocked(*flags), screen.split("\n"))
        except ValueError:
            return None

    def pane_option(self, pane_id: str, name: str) -> str:
        """A pane-level user option, '' when unset."""
        try:
            return "\n".join(self.cmd("show-options", "-pqv", "-t", pane_target(pane_id),
                                       "--", argument(name)))
        except TmuxCommandError:
            return ""

    def set_pane_option(self, pane_id: str, name: str, value: str) -> None:
        """Set a pane-level user option (a marker that outlives our process)."""
        self.cmd("set-option", "-pq", "-t", pane_target(pane_id), "--", argument(name),
                 argument(value))

    def send_text(self, pane_id: str, text: str) -> None:
        """Type ``text`` literally into a pane (``send-keys -l``), pressing nothing else.

        The caller guarantees ``text`` holds no control character (:mod:`shells` quoting).
        """
        self._send("send-keys", "-t", pane_target(pane_id), "-l", "--", argument(text))

    def send_keys(self, pane_id: str, *keys: str) -> None:
        """Press named keys (``C-a``, ``BSpace``, ``Enter``) in a pane, in one tmux call."""
        self._send("send-keys", "-t", pane_target(pane_id), "--", *map(argument, keys))

    def _send(self, *args: str) -> None:
        """Keys through libtmux's command runner (by ``%id``: no pane listing)."""
        import libtmux  # typing only: the save path never pays for it

        server = libtmux.Server(socket_name=self.socket_name, socket_path=self.socket_path)
        result = server.cmd(*args)
        if result.stderr:
            raise TmuxCommandError(f"tmux {args[0]}: {' '.join(result.stderr)}")

    def capture(self, pane_id: str) -> str:
        """The visible text of a pane (no escape sequences)."""
        return "\n".join(self.cmd("capture-pane", "-p", "-J", "-t", pane_target(pane_id)))

    def new_pane(self, cwd: str, near: str | None = None, split: bool = False) -> str:
        """A new window in directory ``cwd`` (in the session of pane ``near``), or with
        ``split`` a split of ``near``; its ``%id``. The directory is a format to tmux: it is
        escaped, never expanded. Raises :class:`TmuxCommandError` when ``near`` is gone."""
        if split and near:
            out = self.cmd("split-window", "-t", pane_target(near), "-P", "-F",
                           own_format("#{pane_id}"), "-c", format_argument(cwd))
            return out[0].strip()
        where = self.pane(near) if near else None
        if near and where is None:
            raise TmuxCommandError(f"no pane {near}")
        out = self.cmd("new-window", *(["-t", next_window_of(where.tmux_session_id)] if where
                                       else []), "-P", "-F", own_format("#{pane_id}"), "-c",
                       format_argument(cwd))
        return out[0].strip()

    def kill_pane(self, pane_id: str) -> None:
        """Close a pane we made (nothing was typed into it)."""
        self.cmd("kill-pane", "-t", pane_target(pane_id))

    def switch_client(self, pane_id: str, client: str | None = None) -> None:
        """Show the pane ``pane_id`` on ``client`` (default: the current one)."""
        self.cmd("switch-client", *client_flag(client), "-t", pane_target(pane_id))

    def client_count(self) -> int:
        """Number of attached clients."""
        return len(self.clients())

    def clients(self) -> list[str]:
        """Names of the attached clients (``#{client_name}``)."""
        return self.cmd("list-clients", "-F", own_format("#{client_name}"))

    def display_message(self, text: str) -> None:
        """Show ``text`` in the status line of attached clients (no-op without any); it is
        made safe for the terminal and escaped, never expanded as a format."""
        shown = terminal.safe(text)
        try:
            for client in self.clients():
                self.cmd("display-message", "-c", client_target(client), "-d", "5000", "--",
                         message_argument(shown))
        except (TmuxNotRunningError, TmuxCommandError):
            pass

    def run(self, command: Command, settle: float = 1.0) -> None:
        """Open what :func:`menu` or :func:`popup` built, without waiting for it to close
        (tmux answers a menu or popup only then): an error within ``settle`` seconds is
        raised as :meth:`cmd` raises it."""
        output = self.start(*command)
        with contextlib.suppress(subprocess.TimeoutExpired):
            output(timeout=settle)


Command = t.NewType("Command", list[str])


class MenuItem(t.NamedTuple):
    """One ``display-menu`` item: its label (shown disabled without a command), its key, and
    the argv ``run-shell`` runs when it is chosen (None: disabled)."""

    label: str
    key: str
    command: list[str] | None


def menu(title: str, items: t.Sequence[MenuItem], client: str | None = None) -> Command:
    """A ``display-menu`` command: labels and item commands are formats to the menu, and
    each item's command a command string running a ``/bin/sh`` line (one escape per depth,
    :mod:`tmux_quote`)."""
    argv = ["display-menu", *client_flag(client), "-T", drawn_argument(title), "--"]
    for item in items or [MenuItem("no saved assistants", "", None)]:
        argv += [drawn_argument(item.label if item.command else "-" + item.label),
                 argument(item.key),
                 menu_command(run_shell(item.command)) if item.command else ""]
    return Command(argv)


def popup(command: t.Sequence[str], title: str, client: str | None = None,
          version: tuple[int, int] = (3, 3)) -> Command:
    """A ``display-popup -E`` running ``command`` as an argv (tmux 3.2+ execs two or more
    arguments directly: no shell and no format expansion, whatever the user's
    default-shell); ``-T`` from tmux 3.3."""
    return Command(["display-popup", *client_flag(client), "-E", "-w", "90%", "-h", "70%",
                    *(["-T", drawn_argument(title)] if version >= (3, 3) else []), "--",
                    *map(argument, command)])


def _pane_records(frame: Framing, text: str) -> list[PaneRecord]:
    records = (parse_pane_fields(parts) for parts in frame.records(text, len(PANE_FIELDS)))
    return [rec for rec in records if rec is not None]
