"""10,000 hostile values (directories, tmux session and window names, titles, env values, argv
words, first prompts, bundle member names: :func:`support.hostile.hostile`, seeded) through
every function that quotes, frames, redacts or escapes, each checked by the thing that reads
its output: the real shells, a real tmux server, a JSON reader, the terminal rule. The test
prints its count and time; ``test/faults/test_hostile_roundtrip.py`` takes a few hundred such
values through a whole save → restore → resume → export → import on real panes."""

from __future__ import annotations

import json
import os
import pathlib
import random
import string
import tempfile
import time
import typing as t

import pytest
from support import hostile
from support.shell_echo import echo_through
from support.tmux_server import RealTmux

from assistant_resurrect import bundle, redact, shells, terminal, tmux_quote
from assistant_resurrect.assistants import ASSISTANTS
from assistant_resurrect.exc import UnquotableError
from assistant_resurrect.tmux import Framing

COUNT = 10_000
CHUNK = 500  # values per shell script (one argv element stays under 128 KiB)
TMUX_CHUNK = 100  # values per tmux call (a client sends its command in one 16 KiB message)
SHELLS = {"bash": shells.Shell.BASH, "zsh": shells.Shell.BASH, "fish": shells.Shell.FISH,
          "dash": shells.Shell.POSIX, "tcsh": shells.Shell.CSH}


def _secrets(rng: random.Random) -> tuple[str, str]:
    """(text holding a credential, the part that must not survive), one shape of many."""
    def word(n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
        return "".join(rng.choice(alphabet) for _ in range(n))
    upper = string.ascii_uppercase + string.digits
    body = rng.choice([
        ("sk-", word(32)), ("sk-ant-api03-", word(40)), ("ghp_", word(36)),
        ("github_pat_", word(40)), ("AKIA", word(16, upper)), ("ASIA", word(16, upper)),
        ("hf_", word(34)), ("npm_", word(36)), ("xai-", word(48)), ("gsk_", word(52)),
        ("sk_live_", word(24)), ("glpat-", word(20)), ("xoxb-", word(24)),
        ("ya29.", word(40)), ("AIza", word(35))])
    secret = body[0] + body[1]
    return rng.choice([
        (secret, body[1]),
        (f"https://user:{body[1]}@proxy.example:3128", body[1]),
        (f"--token {body[1]}", body[1]),
        (f"--api-key={body[1]}", body[1]),
        (json.dumps({"args": ["--auth-token", body[1]]}), body[1]),
    ])


@pytest.fixture(scope="module")
def values() -> list[str]:
    rng = random.Random(20261207)
    return [hostile.hostile(rng) for _ in range(COUNT)]


@pytest.fixture(scope="module")
def real_tmux() -> t.Iterator[RealTmux]:
    server = RealTmux()
    yield server
    server.kill()


def _report(figure: t.Callable[[str], None], what: str, count: int, started: float) -> None:
    figure(f"{what}: {count} hostile values in {time.monotonic() - started:.1f} s")


def _chunks(items: list[t.Any], size: int = CHUNK) -> t.Iterator[list[t.Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


@pytest.mark.parametrize("shell", list(SHELLS))
def test_every_value_is_typed_back_exactly_by_each_real_shell_or_refused(
        shell: str, values: list[str], figure: t.Callable[[str], None]) -> None:
    """``shells.quote`` through bash, zsh, fish, dash and tcsh themselves; a refusal only
    where that shell has no inert way to type a character, and every line typable."""
    started, family = time.monotonic(), SHELLS[shell]
    typable = []
    for value in values:
        try:
            line = shells.command_line(["tool", value], family, {"V": value}, value)
        except UnquotableError:
            assert family in (shells.Shell.POSIX, shells.Shell.CSH), repr(value)
            assert not all(shells.is_typable(c) for c in value), repr(value)
            continue
        assert all(shells.is_typable(c) for c in line), repr(line)
        typable.append(value)
    back = [word for chunk in _chunks(typable) for word in echo_through(shell, chunk) or []]
    assert back == typable
    refusing = family in (shells.Shell.POSIX, shells.Shell.CSH)
    assert len(typable) >= (COUNT // 5 if refusing else COUNT)
    _report(figure, f"{shell} quoting", len(values), started)


def test_every_value_reaches_tmux_as_itself_through_formats_and_framing(
        values: list[str], real_tmux: RealTmux, figure: t.Callable[[str], None]) -> None:
    """A format-escaped value (``-c``, display-message) printed by a real tmux inside our
    record framing reads back exactly, newlines and all, and framing alone is exact too."""
    started = time.monotonic()
    back = [v for chunk in _chunks(values, TMUX_CHUNK) for v in real_tmux.display_framed(
        chunk, TMUX_CHUNK)]
    assert back == values
    frame = Framing()
    text = "".join(frame.start + frame.sep.join(values[i:i + 4]) + frame.end + "\n"
                   for i in range(0, COUNT, 4))
    assert [v for r in frame.records(text, 4) for v in r] == values
    _report(figure, "tmux formats and framing", len(values), started)


def test_every_value_is_one_tmux_command_word_or_refused(
        values: list[str], real_tmux: RealTmux, figure: t.Callable[[str], None]) -> None:
    """``command_word`` (a word of a command string: option values, bindings) read back by
    ``source-file`` and ``show-options``; a value with a control character is refused."""
    started, words = time.monotonic(), []
    for value in values:
        try:
            words.append((value, tmux_quote.command_word(value)))
        except UnquotableError:
            assert not value.isprintable()
    with tempfile.TemporaryDirectory() as tmp:
        for n, part in enumerate(_chunks(words)):
            conf = pathlib.Path(tmp, f"{n}.conf")
            conf.write_text("".join(f"set -g @q{i} {word}\n" for i, (_, word) in
                                    enumerate(part)), encoding="utf-8")
            assert real_tmux.run("source-file", str(conf)).stderr == ""
            argv = [a for i in range(len(part)) for a in ("show-options", "-gv", f"@q{i}", ";")]
            shown = real_tmux.run(*argv).stdout.split("\n")[:-1]
            assert shown == [value for value, _ in part]
    assert len(words) > COUNT // 4
    _report(figure, "tmux command words", len(values), started)


def test_no_secret_survives_redaction_wherever_it_stands(
        values: list[str], figure: t.Callable[[str], None]) -> None:
    started, rng = time.monotonic(), random.Random(7)
    for value in values:
        text, secret = _secrets(rng)
        cleaned = redact.redact_text(f"{value} {text} {value}")
        assert secret not in cleaned, (value, text)
        assert redact.redact_text(cleaned) == cleaned
        env = redact.redact_env({"OPENAI_API_KEY": value, "HOSTILE": f"{value} {text}"})
        assert env["OPENAI_API_KEY"] == redact.REDACTED
        assert secret not in env["HOSTILE"]
    _report(figure, "redaction", len(values), started)


def test_no_value_reaches_a_terminal_with_a_character_it_acts_on(
        values: list[str], figure: t.Callable[[str], None]) -> None:
    """``terminal.safe`` (human lines) and ``terminal.json_text`` (``--json``): printable
    text only, and the JSON reads back as the value."""
    started = time.monotonic()
    for value in values:
        shown = terminal.safe(value)
        assert shown.isprintable(), repr(shown)
        assert shown == value or not value.isprintable()
        text = terminal.json_text({"v": value, "list": [value]})
        assert all(c.isprintable() or c == "\n" for c in text), repr(text)
        assert json.loads(text) == {"v": value, "list": [value]}
    _report(figure, "terminal escaping", len(values), started)


def test_a_bundle_member_named_by_any_value_stays_inside_its_store(
        values: list[str], figure: t.Callable[[str], None]) -> None:
    """A member a bundle may put back (``bundle.belongs``) is a path under the tool's own
    store whatever the value holds: never absolute, never climbing out with ``..``."""
    started, inside = time.monotonic(), 0
    tools = list(ASSISTANTS.values())
    for n, value in enumerate(values):
        for tool in (tools[n % len(tools)], tools[(n + 1) % len(tools)]):
            for name in (f"projects/{value}/{value}.jsonl", f"{value}/../x", value):
                if bundle.belongs(tool, name, value):
                    inside += 1
                    joined = os.path.normpath(os.path.join("/store", name))
                    assert joined.startswith("/store/") and ".." not in name.split("/"), name
    assert inside > COUNT // 10
    _report(figure, "bundle member names", len(values), started)
