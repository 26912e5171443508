"""Properties over large input spaces (hypothesis): the save-file edit changes field 11 of the
chosen pane lines and no other byte; every loader of a file we read either returns or raises
its one documented error, whatever the bytes or JSON."""

from __future__ import annotations

import contextlib
import json
import pathlib
import tempfile
import typing as t

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from assistant_resurrect import _fs, ages, restore, resurrect, snapshot
from assistant_resurrect.assistants import gemini, trackers
from assistant_resurrect.exc import StateFileError
from assistant_resurrect.options import MissingSession, Options, RestoreMode

NUMBERS = ("client-wait", "stagger", "verify-seconds", "max-parallel", "keep-days")
FIELD = st.binary(max_size=12).map(lambda b: b.replace(b"\t", b"").replace(b"\n", b""))
NAME = st.text(min_size=1, max_size=8).map(lambda s: s.replace("\t", "").replace("\n", "") or "s")


@st.composite
def save_file_lines(draw: t.Any) -> tuple[list[bytes], set[tuple[str, int, int]]]:
    lines, targets = [], set()
    for _ in range(draw(st.integers(0, 8))):
        if draw(st.booleans()):
            name, win, idx = draw(NAME), draw(st.integers(0, 99)), draw(st.integers(0, 9))
            fields = [b"pane", name.encode("utf-8", "surrogateescape"), str(win).encode(),
                      draw(FIELD), b":" + draw(FIELD), str(idx).encode(), draw(FIELD),
                      b":" + draw(FIELD), draw(FIELD), draw(FIELD), b":" + draw(FIELD)]
            if draw(st.booleans()):
                targets.add((name, win, idx))
            lines.append(b"\t".join(fields))
        else:
            lines.append(draw(st.binary(max_size=40)).replace(b"\n", b"\r"))
    return lines, targets


@settings(max_examples=300, deadline=None)
@given(save_file_lines(), st.booleans())
def test_blanking_changes_field_11_of_chosen_panes_and_no_other_byte(
        case: tuple[list[bytes], set[tuple[str, int, int]]], final_newline: bool) -> None:
    lines, targets = case
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp, "tmux_resurrect_20260101T000000.txt")
        data = b"\n".join(lines) + (b"\n" if final_newline and lines else b"")
        path.write_bytes(data)
        resurrect.blank_commands(path, targets)
        after = path.read_bytes()
    before_lines, after_lines = data.split(b"\n"), after.split(b"\n")
    assert len(before_lines) == len(after_lines)
    for old, new in zip(before_lines, after_lines, strict=True):
        pane = resurrect.parse_pane_line(old.decode("utf-8", "surrogateescape"))
        if pane is not None and pane.address in targets and pane.full_command:
            assert new.split(b"\t")[:10] == old.split(b"\t")[:10]
            assert new.split(b"\t")[10] == b":"
        else:
            assert new == old


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["format", "version", "panes", "created_at", "session_id", "tool", "env",
                         "window_index", "pane_index", "session_name", "cwd", "argv", "hooks",
                         "sessions", "projects", "x"]) | st.text(max_size=5), children,
        max_size=6), max_leaves=30)
SNAPSHOT_LIKE = st.fixed_dictionaries({
    "format": st.just("tmux-assistant-resurrect"), "version": st.just(1),
    "panes": st.lists(st.dictionaries(st.sampled_from(list(snapshot.PaneSession._fields)),
                                      JSON, max_size=10), max_size=4) | JSON,
    "created_at": JSON})


def _file(content: bytes) -> pathlib.Path:
    tmp = pathlib.Path(tempfile.mkdtemp())
    path = tmp / "f.json"
    path.write_bytes(content)
    return path


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200) | JSON.map(lambda v: json.dumps(v).encode())
       | SNAPSHOT_LIKE.map(lambda v: json.dumps(v).encode()))
def test_every_loader_returns_or_raises_its_documented_error(content: bytes) -> None:
    path = _file(content)
    try:
        snap = snapshot.load(path)
        assert all(isinstance(p, snapshot.PaneSession) for p in snap.panes)
    except StateFileError:
        pass
    with contextlib.suppress(StateFileError):
        _fs.read_json(path)
    assert isinstance(restore.load_outcomes(path), dict)
    with contextlib.suppress(StateFileError):
        assert isinstance(trackers.load_json_object(path, ['hooks']), dict)
    gemini.chat_session_id(path)


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_a_sidecar_entry_is_built_or_refused_with_value_error(entry: t.Any) -> None:
    try:
        rec = snapshot.PaneSession.from_dict(entry)
    except ValueError:
        return
    assert isinstance(rec.session_name, str) and isinstance(rec.window_index, int)


@example({f"@assistant-resurrect-{n}": "inf" for n in NUMBERS})
@example({f"@assistant-resurrect-{n}": "nan" for n in NUMBERS})
@example({f"@assistant-resurrect-{n}": "-1" for n in NUMBERS})
@example({f"@assistant-resurrect-{n}": "1e400" for n in NUMBERS})
@given(st.dictionaries(st.text(max_size=40).map(lambda s: "@assistant-resurrect-" + s),
                       st.text(max_size=20), max_size=12))
def test_options_never_raise_and_stay_in_bounds(raw: dict[str, str]) -> None:
    opts = Options.parse(raw)
    assert 0 <= opts.client_wait <= 120 and 1 <= opts.max_parallel <= 64
    assert 0 <= opts.keep_days <= 36500 and 0 <= opts.verify_seconds <= 120
    assert isinstance(opts.restore_mode, RestoreMode)
    assert isinstance(opts.missing_session, MissingSession)


@pytest.mark.parametrize(("value", "mode", "missing"), [
    ("prompt", RestoreMode.PROMPT, MissingSession.SKIP), ("fresh", RestoreMode.AUTO,
                                                         MissingSession.FRESH),
    ("PROMPT", RestoreMode.AUTO, MissingSession.SKIP), ("", RestoreMode.AUTO, MissingSession.SKIP)])
def test_the_two_choice_options_read_their_words_and_fall_back_on_others(
        value: str, mode: RestoreMode, missing: MissingSession) -> None:
    opts = Options.parse({"@assistant-resurrect-restore-mode": value,
                          "@assistant-resurrect-missing-session": value})
    assert (opts.restore_mode, opts.missing_session) == (mode, missing)


@given(st.floats(-1e3, 1e9, allow_nan=False))
def test_a_short_age_is_the_largest_whole_unit_and_parses_back_below_it(seconds: float) -> None:
    text = ages.short(seconds)
    size = dict(ages.UNITS)[text[-1]]
    assert ages.parse(text) <= max(seconds, 0) < ages.parse(text) + size
    assert text[-1] == "s" or seconds >= size


@given(st.text(max_size=6))
@example("nand")
@example("-2d")
@example("infw")
def test_parse_age_is_finite_and_non_negative_or_raises_value_error(text: str) -> None:
    with contextlib.suppress(ValueError):
        assert 0 <= ages.parse(text) < float("inf")
