"""The interface every assistant module implements, and the shapes they exchange.

An assistant module is a subclass of :class:`Assistant` that declares everything about its
tool: how to recognise its process (and the cheap ``comm`` pre-filter that implies), where its
store lives and what conversations it holds, where a process's session id can be learned
(ranked evidence), which options replay, its failure screens, how to build the resume argv,
and the tracker we install for it, if any. Save, restore, the CLI and ``plugin.tmux`` never
name a tool: they go through :data:`assistant_resurrect.assistants.ASSISTANTS`.
"""

from __future__ import annotations

import enum
import glob
import os
import pathlib
import re
import typing as t

from assistant_resurrect import _fs
from assistant_resurrect.assistants import _store
from assistant_resurrect.assistants.argv import ArgSplit, FlagSpec, split_args
from assistant_resurrect.procs import ProcInfo, basename

RUNTIMES = frozenset({"node", "nodejs", "bun", "deno"})
# script names many packages use: the path must name the tool's package (Assistant.package)
GENERIC_SCRIPTS = frozenset({"cli.js", "cli-entry.js", "index.js", "npm-loader.js", "main.js"})
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")

SESSION_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:+=/-]{3,127}$")


def is_session_id(value: str) -> bool:
    """Plausible session id: no leading dash, no spaces or control characters, bounded length.

    >>> is_session_id("ses_2a1b"), is_session_id("--model"), is_session_id("a b")
    (True, False, False)
    """
    return bool(SESSION_ID_RE.match(value))


class Confidence(str, enum.Enum):
    """How sure a session id is, best first.

    ``exact``: pid-specific state (the tool's registry, our hook, a held file or lock).
    ``argv``: the id the process was launched with (wrong if the conversation changed since).
    ``inferred``: the tool's store, by directory and time, with no other candidate.
    ``ambiguous``: the tool's store, while another live process of the tool shares the directory.
    """

    EXACT = "exact"
    ARGV = "argv"
    INFERRED = "inferred"
    AMBIGUOUS = "ambiguous"


class Evidence(t.NamedTuple):
    """A session id with where it came from (``source``, e.g. ``claude:sessions-registry``)."""

    session_id: str
    source: str
    confidence: Confidence


class StoredSession(t.NamedTuple):
    """A conversation in the tool's own store.

    Times are epoch seconds (``created_at`` 0.0 when the store does not record it); ``cwd``
    is '' when the store does not say; ``source`` names the store (``codex:state-threads``);
    ``model`` ('' when not recorded) and ``messages`` (None when not cheap to count) are for
    listings only.
    """

    session_id: str
    updated_at: float
    source: str
    cwd: str = ""
    created_at: float = 0.0
    title: str = ""
    model: str = ""
    messages: int | None = None


class Tracker:
    """A tracker we install on the assistant's side (a hook in its settings, a plugin link),
    so its process tells us its session id. ``@assistant-resurrect-<tool> off`` removes it.

    Subclasses implement :meth:`install` and :meth:`uninstall`; both return one line saying
    what was done and raise :class:`~assistant_resurrect.exc.StateFileError` (leaving the
    file untouched) when a file they must edit is not theirs to edit.
    """

    def install(self) -> str:
        raise NotImplementedError

    def uninstall(self) -> str:
        raise NotImplementedError

    def status(self) -> tuple[bool, str]:
        """Read-only: (installed and working, one line saying what is there); raises
        :class:`~assistant_resurrect.exc.StateFileError` when the file cannot be read."""
        raise NotImplementedError


class Found(t.NamedTuple):
    """An assistant found in a pane.

    Attributes
    ----------
    proc
        The outermost process of the tool in the pane (a wrapper such as ``node …/codex``).
    family
        ``proc`` and its descendants that are the same tool (Codex's native child), outer first.
    args
        argv after the tool's own token (runtime and script removed).
    launcher
        What to run on resume: the tool token as typed (``claude``, ``/opt/bin/codex``).
    env
        The process environment (for tool homes such as ``CLAUDE_CONFIG_DIR``); may be empty.
    """

    proc: ProcInfo
    family: list[ProcInfo]
    args: list[str]
    launcher: str
    env: dict[str, str]

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.family]

    def home(self) -> pathlib.Path:
        """The user's home as the assistant saw it."""
        return home_of(self.env)


class Assistant:
    """Base class of the assistant modules; subclasses fill in the class attributes.

    Attributes
    ----------
    name
        Tool id used in snapshots and options (``claude``).
    executables
        Basenames of argv[0]/exe that are this tool.
    scripts
        Basenames of a runtime's script argument that are this tool (``node …/bin/codex.js``).
    package
        For a script with a name many tools use (:data:`GENERIC_SCRIPTS`: ``cli.js``,
        ``index.js``), the text its path must hold to be this tool's (``claude-code``).
    not_interactive
        First arguments that make the process a helper, not an assistant TUI.
    flags
        The option table of the pinned CLI.
    selector_keys
        Keys of :attr:`ArgSplit.selector_values` that carry a session id, in preference order.
    continue_selectors
        Selectors (key, or ``key=value``) that resume the newest conversation of the
        directory (``-c``, ``--continue``, ``-r=latest``).
    comm_prefixes
        Kernel short names (``comm``, 15 bytes) this tool's processes may have beyond
        :attr:`executables` (``codex-x86_64-un``, ``.claude-wrapped``): the save reads the
        argv only of processes whose name passes :meth:`may_be`.
    failure_screens
        Texts the tool shows when a resume failed (unknown session, a trust dialog).
    id_pattern
        What a session id of this tool looks like.
    store_slack
        Seconds before the process start a store entry may have been updated and still be
        taken as the process's own.
    argv_is_title
        The tool overwrites its argv with its name (``process.title``): on Linux nothing
        after the name can be read, so neither its options nor its session are known from
        argv.
    conversation_globs
        Where one conversation's own files and folders are, relative to :meth:`root`, with
        ``{id}`` for its session id (``projects/*/{id}.jsonl``): what ``export`` copies,
        ``import`` puts back and ``keep-transcripts`` keeps.
    """

    name: t.ClassVar[str] = ""
    executables: t.ClassVar[frozenset[str]] = frozenset()
    scripts: t.ClassVar[frozenset[str]] = frozenset()
    package: t.ClassVar[str] = ""
    not_interactive: t.ClassVar[frozenset[str]] = frozenset()
    flags: t.ClassVar[FlagSpec] = FlagSpec()
    selector_keys: t.ClassVar[tuple[str, ...]] = ()
    continue_selectors: t.ClassVar[frozenset[str]] = frozenset()
    comm_prefixes: t.ClassVar[tuple[str, ...]] = ()
    failure_screens: t.ClassVar[tuple[str, ...]] = ()
    id_pattern: t.ClassVar[re.Pattern[str]] = UUID_RE
    store_slack: t.ClassVar[float] = 2.0
    argv_is_title: t.ClassVar[bool] = False
    conversation_globs: t.ClassVar[tuple[str, ...]] = ()

    @property
    def option(self) -> str:
        """The tmux option that turns this tool's tracker off (``@assistant-resurrect-claude``)."""
        return f"@assistant-resurrect-{self.name}"

    def tracker(self) -> Tracker | None:
        """The tracker we install for this tool, or None (most tools need none)."""
        return None

    # -- recognising the process -------------------------------------------------------------
    def may_be(self, comm: str) -> bool:
        """Cheap pre-filter on a process's kernel name before its argv is read."""
        return comm in self.executables or comm in RUNTIMES or comm.startswith(
            self.comm_prefixes or ("\0",))

    def tool_index(self, proc: ProcInfo) -> int | None:
        """Index in ``proc.cmdline`` of this tool's token, or None if ``proc`` is not the tool."""
        argv = proc.cmdline
        if not argv:
            return None
        if self.is_executable(argv[0]) or (
            basename(proc.exe) and self.is_executable(proc.exe) and basename(argv[0]) == proc.name
        ):
            return 0
        if basename(argv[0]) in RUNTIMES or basename(proc.exe) in RUNTIMES:
            for i, arg in enumerate(argv[1:], start=1):
                if not arg.startswith("-"):
                    script = basename(arg)
                    if script not in self.scripts:
                        return None
                    generic = script in GENERIC_SCRIPTS
                    return i if not generic or (self.package and self.package in arg) else None
        return None

    def is_executable(self, path: str) -> bool:
        """True when a path's basename is one of :attr:`executables`."""
        return basename(path) in self.executables

    def is_interactive(self, args: list[str]) -> bool:
        """False for helper modes (``codex app-server``, ``opencode run``, ``claude -p``)."""
        return not args or args[0] not in self.not_interactive

    def launcher(self, argv: list[str], index: int, env: t.Mapping[str, str]) -> str:
        """The command to type on resume: the tool token as launched, shortened to its bare
        name when that name resolves to the same file on the assistant's own ``PATH``
        (``node /usr/lib/node_modules/.bin/codex`` was typed as ``codex``)."""
        token = argv[index]
        name = basename(token)
        if "/" in token and env.get("PATH"):
            import shutil  # only here: shutil costs every save's start-up 4 ms

            found = shutil.which(name, path=env["PATH"])
            if found and os.path.realpath(found) == os.path.realpath(token):
                return name
        return token

    # -- session ids --------------------------------------------------------------------------
    def exact_evidence(self, found: Found, state_dir: pathlib.Path) -> t.Iterator[Evidence]:
        """Pid-specific evidence, best first (default: none)."""
        return iter(())

    def argv_session(self, split: ArgSplit) -> str | None:
        """The session id the process was launched with, from its selectors."""
        for key in self.selector_keys:
            value = split.selector_values.get(key)
            if value and self.id_pattern.match(value):
                return value
        return None

    def is_continue(self, split: ArgSplit) -> bool:
        """True when the process was launched to resume the directory's newest conversation."""
        return any(key in self.continue_selectors or f"{key}={value}" in self.continue_selectors
                   for key, value in split.selector_values.items())

    def root(self, env: t.Mapping[str, str]) -> pathlib.Path:
        """Where the tool keeps its state, as the process with environment ``env`` sees it."""
        raise NotImplementedError

    def sessions(self, env: t.Mapping[str, str], cwd: str | None = None) -> list[StoredSession]:
        """The conversations in the tool's store (those of ``cwd`` when given); [] when the
        store is missing or unreadable."""
        return []

    def store_candidates(self, found: Found, cwd: str) -> list[StoredSession]:
        """Sessions in the tool's store for ``cwd`` updated since the process started."""
        started = found.proc.create_time - self.store_slack
        return [s for s in self.sessions(self.found_env(found), cwd) if s.updated_at >= started]

    def continued(self, found: Found, cwd: str) -> StoredSession | None:
        """For a :meth:`is_continue` launch: the newest conversation of ``cwd`` that existed
        when the process started (the one it resumed)."""
        return newest_at_start(found, self.sessions(self.found_env(found), cwd))

    def store_env(self, args: list[str], cwd: str, env: t.Mapping[str, str]
                  ) -> t.Mapping[str, str]:
        """The environment to read the store of this tool started with ``args`` (the argv
        after its name) in ``cwd`` under ``env``: ``env``, unless an option moves the store
        (the tool then says where, as the variable that would)."""
        return env

    def found_env(self, found: Found) -> t.Mapping[str, str]:
        """:meth:`store_env` of a running process."""
        return self.store_env(found.args, found.proc.cwd or "", found.env)

    def session_exists(self, session_id: str, cwd: str, env: dict[str, str]) -> bool | None:
        """Whether the tool's store still holds the session (None when we cannot tell)."""
        return any(s.session_id == session_id for s in self.sessions(env, cwd))

    # -- a conversation's own files (export, import, kept copies) ----------------------------
    def conversation_files(self, root: pathlib.Path, session_id: str) -> list[pathlib.Path]:
        """The files and folders of one conversation under ``root`` (the tool's :meth:`root`,
        or a kept copy of it), from :attr:`conversation_globs`; [] for an id that is not
        one."""
        if not self.id_pattern.match(session_id) or not is_session_id(session_id):
            return []
        return sorted({path for pattern in self.conversation_globs
                       for path in root.glob(pattern.format(id=glob.escape(session_id)))})

    def place(self, root: pathlib.Path, relative: str, cwd: str, dry_run: bool) -> str:
        """Where a conversation file of a bundle goes under ``root`` (``relative``, its place
        when exported, by default), for a conversation of directory ``cwd``; a tool whose
        store files conversations by project makes sure it will find it there (unless
        ``dry_run``). Raises :class:`~assistant_resurrect.exc.AssistantResurrectError` when the
        tool would not."""
        return relative

    def export_document(self, env: t.Mapping[str, str], session_id: str) -> bytes | None:
        """For a store that is a database: the tool's own export of one conversation (raises
        :class:`~assistant_resurrect.exc.AssistantResurrectError` when it fails); None when
        :meth:`conversation_files` are the conversation."""
        return None

    def import_document(self, env: t.Mapping[str, str], path: pathlib.Path, cwd: str) -> None:
        """Load a document of :meth:`export_document` into the tool's store with the tool's
        own importer; raises :class:`~assistant_resurrect.exc.AssistantResurrectError`."""
        raise NotImplementedError

    # -- replay -------------------------------------------------------------------------------
    def split(self, args: list[str]) -> ArgSplit:
        """Apply :attr:`flags` to the argv after the tool token."""
        return split_args(args, self.flags)

    def required_env(self, kept: list[str]) -> tuple[str, ...]:
        """Environment names the replayed options cannot work without (always captured)."""
        return ()

    def resume_args(self, kept: list[str], session_id: str, cwd: str) -> list[str]:
        """Arguments after the launcher that resume ``session_id`` with ``kept`` options."""
        raise NotImplementedError

    def fresh_args(self, kept: list[str], cwd: str) -> list[str]:
        """Arguments that start a new session with the same options."""
        return list(kept)

    def effective_cwd(self, found: Found, fallback: str) -> str:
        """The directory the assistant works in (default: the process cwd)."""
        return found.proc.cwd or fallback


def home_of(env: t.Mapping[str, str]) -> pathlib.Path:
    """``$HOME`` from an environment (ours when it has none)."""
    return pathlib.Path(env.get("HOME") or os.path.expanduser("~"))


def newest_at_start(found: Found, sessions: t.Iterable[StoredSession]) -> StoredSession | None:
    """The newest of ``sessions`` updated before ``found``'s process started (2 s slack)."""
    started = found.proc.create_time + 2
    return max((s for s in sessions if s.updated_at <= started), key=lambda s: s.updated_at,
               default=None)


def tracker_evidence(found: Found, state_dir: pathlib.Path, tool: str, source: str
                     ) -> t.Iterator[Evidence]:
    """Our trackers' pid-keyed state files ``<state>/<tool>-<pid>.json`` (``session_id``),
    for any process of the family; a file older than its process belongs to a reused pid."""
    for proc in found.family:
        path = state_dir / f"{tool}-{proc.pid}.json"
        data = _fs.read_json_or_none(path)
        if (isinstance(data, dict) and is_session_id(str(data.get("session_id", "")))
                and newer_than(path, proc.create_time)):
            yield Evidence(data["session_id"], source, Confidence.EXACT)


def transcript_sessions(files: t.Iterable[pathlib.Path], source: str, cwd: str | None,
                        cwd_of: t.Callable[[pathlib.Path], str]) -> list[StoredSession]:
    """Non-empty ``<id>.jsonl`` transcripts as sessions, their mtime as the update time; the
    directory is ``cwd``, or ``cwd_of(file)`` when listing every project. Side files that
    share the id (``<id>.ledger.jsonl``) are not sessions."""
    out = []
    for path in files:
        try:
            st = path.stat()
        except OSError:
            continue
        if st.st_size and "." not in path.stem and is_session_id(path.stem):
            out.append(StoredSession(path.stem, st.st_mtime, source,
                                     cwd if cwd is not None else cwd_of(path)))
    return out


def session_rows(db: pathlib.Path, select: str, cwd_column: str, cwd: str | None,
                 source: str, counts: str = "") -> list[StoredSession]:
    """Sessions from a SQLite store: ``select`` (a ``SELECT … WHERE …`` of our own text) gives
    ``(id, directory, created ms, updated ms, title)`` rows; with ``cwd``, only those whose
    ``cwd_column`` equals it. ``counts``, a ``SELECT … WHERE …`` giving ``(id, messages)``
    rows (filtered by ``cwd`` the same way), fills ``messages`` (None where it gives none, as
    when it fails: a store without that table)."""
    def rows(sql: str) -> list[tuple[t.Any, ...]]:
        return _store.query(db, sql) if cwd is None else _store.query(
            db, f"{sql} AND {cwd_column} = ?", (cwd,))

    messages = {str(i): int(n) for i, n in rows(counts)} if counts else {}
    return [StoredSession(str(i), (u or 0) / 1000, source, str(d or ""), (c or 0) / 1000,
                          str(title or ""), messages=messages.get(str(i)))
            for i, d, c, u, title in rows(select) if is_session_id(str(i))]


def newer_than(path: pathlib.Path, started: float, slack: float = 2.0) -> bool:
    """True when ``path`` was modified after a process that started at ``started`` (epoch s).

    A pid-keyed state file older than the process now holding that pid belongs to a process
    that died and whose pid was reused.
    """
    try:
        return path.stat().st_mtime >= started - slack
    except OSError:
        return False
