"""Our tmux options (``@assistant-resurrect-*``), their defaults, and one place to read them."""

from __future__ import annotations

import enum
import logging
import math
import re
import typing as t

from assistant_resurrect.tmux import Tmux

log = logging.getLogger(__name__)


class RestoreMode(str, enum.Enum):
    """``restore-mode``: ``auto`` types the resume line and submits it; ``prompt`` leaves it
    typed at the prompt, unsubmitted, for the user's Enter."""

    AUTO = "auto"
    PROMPT = "prompt"


class MissingSession(str, enum.Enum):
    """``missing-session``: what a restore does when the saved conversation is gone from its
    tool's store: ``skip`` the pane, or start the tool ``fresh`` with the saved options."""

    SKIP = "skip"
    FRESH = "fresh"


E = t.TypeVar("E", RestoreMode, MissingSession)
PREFIX = "@assistant-resurrect-"
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Options(t.NamedTuple):
    """Values of our options (defaults apply when unset).

    Attributes
    ----------
    capture_env
        Env names to record and replay (``capture-env``, space-separated); invalid names dropped.
    env_allow
        Secret-looking names the user allows to be saved in clear (``env-allow``).
    blank_commands
        Empty assistant panes' commands in resurrect's save file (``blank-commands``, on).
    missing_session
        What to do when the saved session no longer exists (``missing-session``: skip|fresh).
    restore_mode
        ``auto`` types and runs the resume; ``prompt`` types it without Enter (``restore-mode``).
    client_wait
        Seconds to wait for a client before starting TUIs (``client-wait``, 5).
    stagger
        Seconds between two launches (``stagger``, 0.25).
    verify_seconds
        How long a resumed assistant must stay alive to count (``verify-seconds``, 3).
    max_parallel
        Assistants started before waiting for them to come up (``max-parallel``, 4).
    keep_days
        Also drop snapshots older than this many days after each save (``keep-days``; 0, the
        default, keeps them as long as resurrect keeps their save files).
    keep_transcripts
        Keep a copy of each snapshotted conversation in the state dir (``keep-transcripts``,
        off): see :mod:`assistant_resurrect.kept`.
    resurrect_dir
        The raw ``@resurrect-dir`` value.
    resurrect_processes
        The raw ``@resurrect-processes`` value (checked for entries that relaunch assistants).
    trackers_off
        Tools whose tracker is switched off (``@assistant-resurrect-<tool> off``).
    """

    capture_env: tuple[str, ...] = ()
    env_allow: tuple[str, ...] = ()
    blank_commands: bool = True
    missing_session: MissingSession = MissingSession.SKIP
    restore_mode: RestoreMode = RestoreMode.AUTO
    client_wait: float = 5.0
    stagger: float = 0.25
    verify_seconds: float = 3.0
    max_parallel: int = 4
    keep_days: float = 0.0
    keep_transcripts: bool = False
    resurrect_dir: str = ""
    resurrect_processes: str = ""
    trackers_off: frozenset[str] = frozenset()

    @classmethod
    def read(cls, tmux: Tmux) -> Options:
        """Read every option with one ``show-options -g`` call."""
        return cls.from_lines(tmux.show_options())

    @classmethod
    def from_lines(cls, lines: list[str]) -> Options:
        """Parse ``show-options -g`` output lines (``name value``)."""
        raw: dict[str, str] = {}
        for line in lines:
            name, _, value = line.partition(" ")
            if name.startswith(PREFIX) or name in ("@resurrect-dir", "@resurrect-processes"):
                raw[name] = _unquote(value)
        return cls.parse(raw)

    @classmethod
    def parse(cls, raw: dict[str, str]) -> Options:
        """Build from {option name: value}; bad values fall back to defaults."""
        def get(name: str, default: str) -> str:
            return raw.get(PREFIX + name, "") or default

        def number(name: str, default: float, limit: float) -> float:
            text = get(name, "")
            try:
                value = float(text) if text else default
            except ValueError:
                value = math.nan
            if not 0 <= value <= limit:  # also nan; inf is over any limit
                log.warning("%s%s is %r, not a number from 0 to %g; using %g", PREFIX, name,
                            text, limit, default)
                return default
            return value

        def choice(name: str, default: E) -> E:
            text = get(name, default.value)
            try:
                return type(default)(text)
            except ValueError:
                log.warning("%s%s is %r, not %s; using %s", PREFIX, name, text,
                            "|".join(m.value for m in type(default)), default.value)
                return default

        return cls(
            capture_env=tuple(n for n in get("capture-env", "").split() if _ENV_NAME.match(n)),
            env_allow=tuple(get("env-allow", "").split()),
            blank_commands=get("blank-commands", "on") != "off",
            missing_session=choice("missing-session", MissingSession.SKIP),
            restore_mode=choice("restore-mode", RestoreMode.AUTO),
            client_wait=number("client-wait", 5.0, 120),
            stagger=number("stagger", 0.25, 10),
            verify_seconds=number("verify-seconds", 3.0, 120),
            max_parallel=max(1, int(number("max-parallel", 4, 64))),
            keep_days=number("keep-days", 0.0, 36500),
            keep_transcripts=get("keep-transcripts", "off") == "on",
            resurrect_dir=raw.get("@resurrect-dir", ""),
            resurrect_processes=raw.get("@resurrect-processes", ""),
            trackers_off=frozenset(name.removeprefix(PREFIX) for name, value in raw.items()
                                   if name.startswith(PREFIX) and value == "off"
                                   and name.removeprefix(PREFIX) not in _OPTIONS),
        )


_OPTIONS = frozenset({"capture-env", "env-allow", "blank-commands", "missing-session",
                      "restore-mode", "client-wait", "stagger", "verify-seconds", "max-parallel",
                      "keep-days", "keep-transcripts", "python", "menu-key"})


def _unquote(raw: str) -> str:
    """Undo tmux's quoting in ``show-options`` output.

    >>> _unquote('"A B"'), _unquote("x")
    ('A B', 'x')
    """
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        return raw[1:-1].replace('\\"', '"').replace("\\$", "$").replace("\\\\", "\\")
    return raw
