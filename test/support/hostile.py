"""Hostile values through the whole life of a conversation, on a real tmux server with real
shells and the real OpenCode: save → restore → ``sessions`` → ``sessions resume`` → ``export``
→ ``import``. Shared by ``test/faults/test_hostile_roundtrip.py`` (a few hundred values in
CI) and ``bench/hostile_roundtrip.py`` (10,000).

Each round starts a few OpenCode panes. A pane carries hostile values in its tmux session
name, its directory, its conversation's title and :data:`ENV_NAMES` captured variables; after
the round every restored process must run in exactly that directory with exactly those
values, every listed row must show them exactly (and the human listing no control byte), and
no payload may have run (no ``CANARY`` anywhere).
"""

from __future__ import annotations

import json
import pathlib
import random
import subprocess
import typing as t
import unicodedata

import psutil

from assistant_resurrect import redact
from assistant_resurrect.tmux_quote import argument, format_argument
from support import fixtures
from support.lab import REPO, Lab, wait_for

ENV_NAMES = tuple(f"AR_HOSTILE_{i}" for i in range(22))
SHELLS = ("exec bash --norc -i", "exec zsh -f", "exec fish --no-config")
PAYLOADS = ("$(touch CANARY)", "`touch CANARY`", "#(touch CANARY)", "; touch CANARY", "'; touch"
            " CANARY; '", '"; touch CANARY; "', "\\", "%a %%", "#[fg=red]##[", "#{pane_id}",
            "&& touch CANARY &", "|touch CANARY", "\n touch CANARY\n", "!!", "~root", "-c",
            "--", "=ls", "*?[a]", "{a,b}", "\u241e", "\x1b[2K\x1b]0;owned\x07", "\x9b31m",
            "\u202egnp.exe", "\u2066x\u2069", "\x15\x17\x03\x04", "日本語", "e\u0301")
ALPHABET = ("abcXYZ019 _-.,:;'\"`$#%&|<>(){}[]!~*?=+@^\\\t\n\x01\x07\x1b\x7f\x85\x9b"
            "\u00a0\u200b\u202e\u2066\u2028日é")


def hostile(rng: random.Random, refused: t.Callable[[str], bool] = lambda c: False) -> str:
    """A hostile string of payloads and random characters, without those ``refused``
    rejects (what a name cannot hold)."""
    parts = [rng.choice(PAYLOADS) if rng.random() < 0.4 else "".join(
        rng.choice(ALPHABET) for _ in range(rng.randint(1, 12))) for _ in range(rng.randint(1, 3))]
    return "".join(c for c in "".join(parts) if not refused(c)) or "x"


def not_in_session_names(char: str) -> bool:
    """tmux makes : and . in a session name _, writes a backslash, control characters (C0,
    DEL, C1) and characters the C library gives no width (U+2028, U+2029) as octal escapes
    and a $ before a letter as \\$ (session_check_name, utf8_stravis with VIS_DQ): such a
    name is another name after a restore, by tmux's doing."""
    return char in ":.\\$" or unicodedata.category(char) in ("Cc", "Zl", "Zp")


def not_in_paths(char: str) -> bool:
    """A path holds no / inside a name and no NUL; resurrect's save file is tab-separated
    lines."""
    return char in "/\0\t\n"


class Pane(t.NamedTuple):
    session: str  # as tmux shows it (it escapes control characters in names)
    cwd: pathlib.Path
    title: str
    env: dict[str, str]
    sid: str


def make_pane(lab: Lab, rng: random.Random, index: int) -> Pane:
    session = f"{index}{hostile(rng, not_in_session_names)}"
    # OpenCode cannot start in a directory whose name ends with a backslash
    cwd = lab.home / "work" / f"{index}{hostile(rng, not_in_paths).rstrip(chr(92))}x"
    cwd.mkdir(parents=True)
    env = {}
    for name in ENV_NAMES:
        value = hostile(rng, "\0".__eq__)
        while redact.redact_text(value) != value:  # a secret-shaped value is not replayed
            value = hostile(rng, "\0".__eq__)
        env[name] = value
    title = hostile(rng)
    return Pane(session, cwd, title, env, fixtures.opencode_session(lab, cwd, title=title))


def start(lab: Lab, pane: Pane) -> Pane:
    """The pane's OpenCode, started by tmux itself with the hostile environment (typing
    values into a shell is what is under test, not how the test starts); the pane with its
    session name as tmux made it."""
    shown = lab.tmux("new-session", "-d", "-P", "-F", "#{session_name}", "-s",
                     format_argument(pane.session), "-c", format_argument(str(pane.cwd)),
                     *(a for name, value in pane.env.items()
                       for a in ("-e", argument(f"{name}={value}"))),
                     "--", argument(f"opencode -s {pane.sid}; exec sleep 3600"))
    return pane._replace(session=shown.removesuffix("\n"))


def check_process(lab: Lab, pane_id: str, pane: Pane) -> None:
    """The OpenCode in ``pane_id`` runs ``pane``'s conversation, in its directory, with its
    values."""
    argv = wait_for(lambda: lab.argv_in_pane(pane_id, "opencode"), 60, what="opencode back")
    assert argv[-2:] == ["-s", pane.sid], argv
    proc = psutil.Process(lab.argv_pid(pane_id, "opencode"))
    assert proc.cwd() == str(pane.cwd)
    environ = proc.environ()
    assert {name: environ.get(name) for name in ENV_NAMES} == pane.env


def canaries(lab: Lab) -> list[pathlib.Path]:
    """Files a payload's ``touch CANARY`` made: under HOME, or where tmux or a test runs."""
    return [*lab.home.rglob("CANARY"), *(p for p in (REPO / "CANARY", pathlib.Path(
        "/tmp/CANARY"), pathlib.Path.cwd() / "CANARY", pathlib.Path("/CANARY")) if p.exists())]


def run_round(lab: Lab, rng: random.Random, panes: int = 6) -> int:
    """One round; returns how many hostile values went through it: of ``panes`` restored
    panes, each one's directory, session name, title and :data:`ENV_NAMES` values (typed into
    bash, zsh or fish); of those and one conversation never in a pane, each directory and
    title through ``sessions``; three through ``sessions resume``, ``export`` and ``import``."""
    lab.tmux("set-option", "-g", "@assistant-resurrect-capture-env", " ".join(ENV_NAMES))
    lab.load_plugin()
    saved = [start(lab, make_pane(lab, rng, i)) for i in range(panes)]
    for pane in saved:
        wait_for(lambda p=pane: _pane_of(lab, p.session) and lab.argv_in_pane(
            _pane_of(lab, p.session), "opencode"), 60, what="opencode")
    lab.resurrect_save()
    assert sorted(p["session_id"] for p in lab.sidecar()["panes"]) == sorted(
        p.sid for p in saved)

    lab.kill_server()
    lab.start_server()
    lab.tmux("set-option", "-g", "@assistant-resurrect-capture-env", " ".join(ENV_NAMES))
    lab.resurrect_restore(wait=False)  # the layout, in bash, zsh and fish panes
    for i, pane in enumerate(saved):
        pane_id = _pane_of(lab, pane.session)
        lab.tmux("respawn-pane", "-k", "-t", pane_id, "-c", format_argument(str(pane.cwd)),
                 SHELLS[i % len(SHELLS)])
    for pane in saved:
        wait_for(lambda p=pane: lab.tmux("display-message", "-p", "-t", _pane_of(lab, p.session),
                                         "#{pane_current_command}").strip() in (
            "bash", "zsh", "fish"), 30, what="a shell")
    plan = json.loads(lab.cli("restore", "--execute", "--json").stdout)["panes"]
    failed = [p for p in plan if p["outcome"] != "resumed"]
    assert failed == [], json.dumps(failed, indent=1)
    for pane in saved:
        check_process(lab, _pane_of(lab, pane.session), pane)

    orphan = make_pane(lab, rng, panes)
    listing = lab.cli("sessions").stdout
    assert not [c for c in listing if not c.isprintable() and c != "\n"]
    rows = {r["session_id"]: r for r in json.loads(lab.cli("sessions", "--json").stdout)[
        "sessions"]}
    for pane in [*saved, orphan]:
        row = rows[pane.sid]
        assert (row["cwd"], row["title"]) == (str(pane.cwd), _listed(pane.title)), (row, pane)

    before = set(lab.tmux("list-panes", "-a", "-F", "#{pane_id}").split())
    done = json.loads(lab.cli("sessions", "resume", orphan.sid, "--json").stdout)["resume"]
    assert done["outcome"] == "resumed", done
    (new,) = set(lab.tmux("list-panes", "-a", "-F", "#{pane_id}").split()) - before
    assert lab.argv_in_pane(new, "opencode")[-2:] == ["-s", orphan.sid]
    assert psutil.Process(lab.argv_pid(new, "opencode")).cwd() == str(orphan.cwd)

    bundle = lab.root / f"round-{rng.random()}.tar.gz"
    lab.cli("export", orphan.sid, *(p.sid for p in saved[:2]), "-o", str(bundle))
    lab.kill_server()
    for sid in [orphan.sid, *(p.sid for p in saved[:2])]:  # OpenCode deletes them
        subprocess.run([str(lab.cli_bin / "opencode"), "session", "delete", sid],
                       env=lab.env, capture_output=True, check=True, timeout=120)
    lab.start_server()
    lab.cli("import", str(bundle))
    rows = {r["session_id"]: r for r in json.loads(lab.cli("sessions", "--json").stdout)[
        "sessions"]}
    for pane in [orphan, *saved[:2]]:
        row = rows[pane.sid]
        assert (row["cwd"], row["title"]) == (str(pane.cwd), _listed(pane.title)), (row, pane)
    assert canaries(lab) == []
    lab.kill_server()
    lab.start_server()
    return panes * (3 + len(ENV_NAMES)) + 2  # the orphan: its directory and title


def _listed(title: str) -> str:
    """The title as ``sessions`` lists it (docs/json.md): one line, whitespace runs as one
    space; :func:`hostile` makes titles short and secret-free."""
    return " ".join(title.split())


def _pane_of(lab: Lab, session: str) -> str:
    panes = lab.panes()
    return next((v["pane_id"] for (s, _, _), v in panes.items() if s == session), "")
