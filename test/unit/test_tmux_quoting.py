"""Every value reaches tmux through :mod:`assistant_resurrect.tmux_quote`, by the depth at which
tmux reads it: proven over the code (an AST walk of every tmux argument list in the package)
and against a real tmux server (each quoter's output read back as the value, for thousands
of hostile values in a few tmux calls)."""

from __future__ import annotations

import ast
import os
import pathlib
import subprocess
import tempfile
import typing as t
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.tmux_server import RealTmux

from assistant_resurrect import tmux_quote
from assistant_resurrect.exc import UnquotableError

SRC = pathlib.Path(__file__).resolve().parents[2] / "src/assistant_resurrect"
QUOTERS = {name for name in dir(tmux_quote) if not name.startswith("_")
           and callable(getattr(tmux_quote, name)) and getattr(tmux_quote, name).__module__
           == tmux_quote.__name__}
FORMAT_QUOTERS = {"format_argument", "drawn_argument", "own_format", "menu_command",
                  "message_argument"}
# options whose value tmux expands as a format, per command
FORMAT_OPTIONS = {"new-window": {"-c"}, "split-window": {"-c"}, "new-session": {"-c"},
                  "display-popup": {"-d", "-T"}, "display-menu": {"-T"},
                  "display-message": {"-F"}}
# commands whose positional arguments tmux expands as formats (or runs as commands)
FORMAT_POSITIONALS = {"display-message", "display-menu"}
# display-message's text is strftime'd first: only these quoters escape it
MESSAGE_QUOTERS = {"message_argument", "own_format"}
NEVER_OUTSIDE_BUILDERS = {"run-shell", "if-shell", "bind-key", "source-file", "command-prompt",
                          "confirm-before"}


def tmux_commands() -> set[str]:
    out = subprocess.run(["tmux", "-L", f"q{uuid.uuid4().hex[:8]}", "-f", "/dev/null",
                          "list-commands", "-F", "#{command_list_name}"],
                         capture_output=True, text=True, check=True).stdout
    return set(out.split())


COMMANDS = tmux_commands() | {"tmux"}


def _quoter(node: ast.expr) -> str | None:
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(
            func, ast.Attribute) else None
        if name in QUOTERS:
            return name
    return None


def _problems(elements: list[ast.expr], where: str) -> list[str]:
    """Why the elements of one tmux argument list break the rule ([] when they keep it)."""
    command = elements[0].value if isinstance(elements[0], ast.Constant) else None
    if command == "tmux":
        elements = elements[1:]
        command = elements[0].value if elements and isinstance(elements[0], ast.Constant) \
            else None
    problems, after_dashes, previous = [], False, None
    for node in elements[1:]:
        problems += _check(node, command, after_dashes, previous, where)
        if isinstance(node, ast.Constant):
            after_dashes = after_dashes or node.value == "--"
            previous = node.value
            if node.value == ";":
                break  # another command follows: checked from its own name
        else:
            previous = None
    return problems


def _check(node: ast.expr, command: t.Any, after_dashes: bool, previous: t.Any,
           where: str) -> list[str]:
    line = f"{where}:{node.lineno}"
    if isinstance(node, ast.Constant):
        return [] if isinstance(node.value, str) else [f"{line}: a non-string constant"]
    if isinstance(node, ast.Starred):
        inner = node.value
        if isinstance(inner, ast.IfExp):
            return [p for branch in (inner.body, inner.orelse) for p in
                    _check(ast.Starred(branch, lineno=node.lineno), command, after_dashes,
                           previous, where)]
        if isinstance(inner, (ast.List, ast.Tuple)):
            out, prev = [], previous
            for element in inner.elts:
                out += _check(element, command, after_dashes, prev, where)
                prev = element.value if isinstance(element, ast.Constant) else None
            return out
        if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and \
                inner.func.id == "map" and isinstance(inner.args[0], ast.Name) and \
                inner.args[0].id in QUOTERS:
            return [] if after_dashes else [f"{line}: positional data before '--'"]
        if _quoter(inner) == "client_flag":
            return []
        return [f"{line}: *{ast.unparse(inner)} is not built by tmux_quote"]
    if isinstance(node, ast.IfExp):
        return [p for branch in (node.body, node.orelse)
                for p in _check(branch, command, after_dashes, previous, where)]
    name = _quoter(node)
    if name is None:
        return [f"{line}: {ast.unparse(node)} reaches tmux unquoted"]
    expands = previous in FORMAT_OPTIONS.get(command, ()) or (
        previous in (None, "--") and after_dashes and command in FORMAT_POSITIONALS)
    if expands and command == "display-message" and previous != "-F" and \
            name not in MESSAGE_QUOTERS:
        return [f"{line}: {ast.unparse(node)} is a display-message text (strftime, then a "
                f"format), not escaped as one"]
    if expands and name not in FORMAT_QUOTERS:
        return [f"{line}: {ast.unparse(node)} is a format to tmux {command}, not escaped "
                f"as one"]
    if previous is None and not after_dashes and name != "own_format":
        return [f"{line}: positional {ast.unparse(node)} before '--' (a leading '-' would "
                f"be read as a flag)"]
    return []


def tmux_argument_lists() -> list[tuple[str, str, list[ast.expr]]]:
    """(module, kind, elements) of every argument list that starts with a tmux command name:
    calls (``x.cmd("new-window", …)``) and list displays (``["display-menu", …]``)."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                elements = list(node.args)
            elif isinstance(node, (ast.List, ast.Tuple)):
                elements = list(node.elts)
            else:
                continue
            kind = "call" if isinstance(node, ast.Call) else "list"
            names = COMMANDS if kind == "list" else COMMANDS - {"tmux"}  # Check("tmux", …)
            if elements and isinstance(elements[0], ast.Constant) and \
                    elements[0].value in names:
                found.append((path.name, kind, elements))
    return found


def test_every_tmux_argument_goes_through_the_quoter_for_its_depth() -> None:
    lists = tmux_argument_lists()
    assert len(lists) >= 18  # the walk finds the adapter's calls
    problems = [p for module, _, elements in lists for p in _problems(elements, module)]
    assert problems == []


def test_only_the_adapter_talks_to_tmux() -> None:
    """Outside ``tmux.py`` tmux is reached through the adapter's named methods (and the one
    start-failure message of ``_log``); run-shell, if-shell and bindings are built only
    by :func:`tmux_quote.run_shell` and ``plugin.tmux``."""
    outside = sorted({module for module, _, _ in tmux_argument_lists()
                      if module not in ("tmux.py", "_log.py")})
    assert outside == []
    builders = [elements[0].value for module, _, elements in tmux_argument_lists()
                if elements[0].value in NEVER_OUTSIDE_BUILDERS]
    assert builders == []


def test_the_walk_catches_what_it_must() -> None:
    """The rule fails on the defects it exists for (so the test above can fail)."""
    def problems(source: str) -> list[str]:
        call = ast.parse(source).body[0].value  # type: ignore[attr-defined]
        return _problems(list(call.args), "x")

    assert problems('tmux.cmd("new-window", "-c", cwd)')
    assert problems('tmux.cmd("new-window", "-c", argument(cwd))')
    assert problems('tmux.cmd("display-message", "--", argument(text))')
    assert problems('tmux.cmd("display-message", "--", format_argument(text))')
    assert problems('tmux.cmd("send-keys", "-t", pane_target(p), argument(text))')
    assert problems('tmux.cmd("send-keys", *keys)')
    assert not problems('tmux.cmd("new-window", "-c", format_argument(cwd))')
    assert not problems('tmux.cmd("send-keys", "-t", pane_target(p), "--", *map(argument, k))')


# -- against a real tmux ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def real_tmux() -> t.Iterator[RealTmux]:
    server = RealTmux()
    yield server
    server.kill()


HOSTILE = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\0"),
                  max_size=40) | st.sampled_from([
    "#(touch CANARY)", "a;", "a\\;", ";", "-x", "--", "##", "#{pane_id}", "#[fg=red]",
    "$HOME", "~", "'", '"', "\\", "}", "{", "%if 1", "p#(id)q;", "\u202e", "\x1b[2K"])


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture],
          deadline=None)
@given(st.lists(HOSTILE, min_size=50, max_size=50))
def test_format_arguments_read_back_as_the_value(real_tmux: RealTmux,
                                                 values: list[str]) -> None:
    """2,000 values: ``display-message -p`` (a format) shows each exactly as it was."""
    assert real_tmux.display_each(values) == values


def test_a_directory_named_like_a_format_is_a_directory(real_tmux: RealTmux,
                                                        tmp_path: pathlib.Path) -> None:
    for name in ("p#(touch CANARY)", "a;", "-c", "x#{pane_id}", "trail\\"):
        directory = tmp_path / name
        directory.mkdir()
        out = real_tmux.run("new-window", "-d", "-P", "-F", "#{pane_id}", "-c",
                            tmux_quote.format_argument(str(directory)))
        pane = out.stdout.strip()
        shown = real_tmux.run("display-message", "-p", "-t", pane, "#{pane_start_path}")
        assert shown.stdout.strip() in (str(directory), ""), out.stderr
    assert not (pathlib.Path.cwd() / "CANARY").exists()
    assert not list(tmp_path.rglob("CANARY"))


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(HOSTILE)
def test_command_words_and_shell_lines_read_back_as_the_value(real_tmux: RealTmux,
                                                              value: str) -> None:
    """A command-string word (through ``source-file``) and a run-shell line (``/bin/sh``)
    give back the value; one with a control character is refused, never passed."""
    if not value.isprintable():
        with pytest.raises(UnquotableError):
            tmux_quote.command_word(value)
        return
    with tempfile.TemporaryDirectory() as tmp:
        conf, out = os.path.join(tmp, "c.conf"), os.path.join(tmp, "out")
        pathlib.Path(conf).write_text(
            "set -g @q " + tmux_quote.command_word(value) + "\n" + tmux_quote.run_shell(
                ["sh", "-c", 'printf %s "$1" > "$2"', "sh", value, out], background=False)
            + "\n", encoding="utf-8", errors="surrogateescape")
        loaded = real_tmux.run("source-file", conf)
        assert loaded.stderr == ""
        shown = real_tmux.run("show-options", "-gv", "@q").stdout
        assert shown.removesuffix("\n") == value
        assert pathlib.Path(out).read_text(encoding="utf-8", errors="surrogateescape") == value

