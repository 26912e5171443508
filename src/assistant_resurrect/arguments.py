"""The command line's grammar: every command, its arguments and help (README: Commands).
:func:`create_parser` sets ``command`` (and ``sessions_command``); ``cli.py`` runs it."""

from __future__ import annotations

import argparse
import typing as t

from assistant_resurrect import __version__, ages
from assistant_resurrect.assistants import ASSISTANTS
from assistant_resurrect.conversations import ConversationState


def parse_age(text: str) -> float:
    """:func:`ages.parse` for argparse."""
    try:
        return ages.parse(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _count(text: str) -> int:
    """A count for argparse (a usage error, not a traceback, for anything else)."""
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"not a count: {text!r}")
    return int(text)


def _command(sub: t.Any, name: str, text: str, json: bool = True, **kw: t.Any
             ) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(name, help=text, **kw)
    if json:
        p.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                       help="print one JSON object")  # a subcommand's default keeps the parent's
    return p


def _flags(p: argparse.ArgumentParser, *names: str) -> None:
    for spec in names:
        flag, _, text = spec.partition(": ")
        p.add_argument(flag, action="store_true", help=text)


def create_parser() -> argparse.ArgumentParser:
    """Every command and its arguments; ``command`` names the one given."""
    parser = argparse.ArgumentParser(
        prog="assistant-resurrect",
        description="Save and resume AI coding assistants in tmux panes (tmux-resurrect hooks).")
    parser.add_argument("--version", action="version", version=__version__)
    parser.add_argument("-L", dest="socket_name", help="tmux socket name (default: $TMUX)")
    parser.add_argument("--log-level", default="WARNING")
    sub = parser.add_subparsers(dest="command", required=True)

    p = _command(sub, "hook", "entry point for tmux-resurrect hooks (prints nothing)",
                 json=False)
    p.add_argument("name", help="post-save-layout | post-save-all | post-restore-all | catch-up")
    p.add_argument("args", nargs="*")

    p = _command(sub, "save", "snapshot assistant panes now, paired with resurrect's "
                 "last")
    _flags(p, "--dry-run: show, do not write")

    p = _command(sub, "restore", "show the restore plan; --execute carries it out",
                 description="Without --execute this only prints the plan.")
    _flags(p, "--execute: type the resume commands")
    p.add_argument("--pane", help="%%id or session:window.pane")
    p.add_argument("--window", help="session:window")
    p.add_argument("--session", help="tmux session name")
    p.add_argument("--from", dest="from_snapshot", help="a snapshot file from `history`")
    p.add_argument("--into", help="resume the selected saved pane's session in this %%pane")
    p.add_argument("--entry", type=int, help=argparse.SUPPRESS)  # the menu's item

    for name, text in (("menu", "open a tmux menu of saved assistants; choose one to resume"),
                       ("popup", "open the conversations popup (prefix + A)")):
        p = _command(sub, name, text, json=False)
        p.add_argument("--client", help="tmux client to show it on (#{client_name})")
        _flags(p, "--print: print the tmux command, do not run it")
    _flags(p, "--tui: run the picker here (inside the popup)")

    _command(sub, "status", "live assistant panes, their session ids and sources")

    p = _command(sub, "sessions", "every conversation on disk, live, saved or "
                 "orphaned")
    p.add_argument("--tool", action="append", default=[], choices=sorted(ASSISTANTS),
                   help="only this tool's (repeatable)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--cwd", help="only conversations of this directory")
    where.add_argument("--here", action="store_true", help="only those of the current directory")
    p.add_argument("--since", type=parse_age, help="updated within this age (2d, 12h)")
    p.add_argument("--state", action="append", default=[],
                   choices=[s.value for s in ConversationState],
                   help="only rows in this state (repeatable)")
    p.add_argument("--limit", type=_count, help="at most N rows, newest first")
    p.set_defaults(sessions_command=None)
    resume_p = _command(p.add_subparsers(dest="sessions_command"), "resume",
                        "resume one conversation (a new window in its directory by default)")
    resume_p.add_argument("id", help="its session id, or a unique prefix of it")
    into = resume_p.add_mutually_exclusive_group()
    into.add_argument("--window", action="store_true", help="a new window (the default)")
    into.add_argument("--pane", help="this idle shell pane (%%id)")
    into.add_argument("--split", action="store_true", help="split the caller's pane")

    _command(sub, "doctor", "check the plugin's state, read-only, with next steps")

    p = _command(sub, "export", "bundle conversations with checksums (tar.gz)")
    chosen = p.add_mutually_exclusive_group(required=True)
    chosen.add_argument("ids", nargs="*", default=[], metavar="ID",
                        help="session ids (or unique prefixes)")
    chosen.add_argument("--pane", help="the conversation live in this pane (%%id)")
    chosen.add_argument("--all-live", action="store_true", help="every live conversation")
    p.add_argument("--output", "-o", required=True, help="the bundle to write (FILE.tar.gz)")

    p = _command(sub, "verify", "recompute a bundle's checksums; exit 1 on a "
                 "mismatch")
    p.add_argument("file")

    p = _command(sub, "import", "put a bundle's conversations back where missing")
    p.add_argument("file", help="a bundle (or, with --kept, a session id)")
    _flags(p, "--kept: FILE is a session id: import its kept copy (keep-transcripts)",
           "--dry-run: say what would be written")
    p.add_argument("--older", type=_count, default=0, metavar="N",
                   help="with --kept: the version N before the newest (a file the tool "
                        "truncated or rewrote keeps its earlier versions)")

    _command(sub, "keep", "keep copies of the newest snapshot's conversations now")
    _command(sub, "history", "list snapshots")

    p = _command(sub, "purge", "remove old snapshots (never the newest non-empty "
                 "one)")
    p.add_argument("--older-than", type=parse_age, help="age such as 7d or 12h")
    _flags(p, "--dry-run: say what would be removed")

    p = _command(sub, "install-hooks", "install the assistants' trackers (hooks, "
                 "plugins)")
    p.add_argument("--off", action="append", default=[], metavar="TOOL",
                   help="remove this tool's tracker instead (repeatable)")
    _command(sub, "uninstall", "remove every tracker we installed")
    return parser


