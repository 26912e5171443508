"""Typing into real shells' line editors (bash, zsh, fish, tcsh, dash) on a private tmux server:
nothing is ever submitted that we did not type and prove, nothing is typed into a pane that is
not an idle shell, and hostile values survive the trip byte for byte."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import time
import typing as t
import uuid

import pytest
from support.lab import wait_for

from assistant_resurrect import prompt, restore, shells
from assistant_resurrect.exc import UnquotableError
from assistant_resurrect.tmux import PaneRecord, Tmux
from assistant_resurrect.tmux_quote import format_argument

SHELLS = {
    "bash": "exec bash --norc --noprofile -i",
    "zsh": "exec zsh -f -i",
    "fish": "exec fish --no-config -i",
    "tcsh": "exec tcsh -f -i",
    "dash": "exec dash -i",
}
EDITING = ("bash", "zsh", "fish", "tcsh")


class ShellPane(t.NamedTuple):
    tmux: Tmux
    pane: PaneRecord
    family: shells.Shell

    def send(self, *keys: str, literal: bool = False) -> None:
        self.tmux.cmd("send-keys", "-t", self.pane.pane_id, *(["-l"] if literal else []), *keys)

    def screen(self) -> str:
        return self.tmux.capture(self.pane.pane_id)

    def type_line(self, line: str, submit: bool = True, settle: t.Callable[[], None] = lambda:
                  None) -> prompt.Typed:
        return prompt.type_line(self.tmux, self.pane.pane_id, line, submit,
                                restore.guard_for(self.pane), settle)


@pytest.fixture
def shell_pane(tmp_path: pathlib.Path, request: pytest.FixtureRequest) -> t.Iterator[
        t.Callable[..., ShellPane]]:
    sockets: list[str] = []

    def start(shell: str, setup: str = "", cwd: pathlib.Path | None = None) -> ShellPane:
        socket = f"ar-typing-{uuid.uuid4().hex[:8]}"
        sockets.append(socket)
        env = {**os.environ, "PS1": "$ ", "HOME": str(tmp_path), "TERM": "xterm-256color"}
        env.pop("TMUX", None)
        subprocess.run(["tmux", "-L", socket, "-f", "/dev/null", "new-session", "-d", "-x",
                        "120", "-y", "30", "-c", format_argument(str(cwd or tmp_path)),
                        SHELLS[shell]], env=env,
                       check=True)
        tmux = Tmux(socket_name=socket)
        pane = tmux.list_panes()[0]
        wait_for(lambda: (v := tmux.view(pane.pane_id)) and shells.shell_of(v.command)
                 and prompt.tty_is_raw(v.tty) is not False or shell == "dash", 20,
                 what=f"{shell}'s prompt")
        time.sleep(0.3)
        here = ShellPane(tmux, tmux.list_panes()[0], t.cast(shells.Shell, shells.shell_of(
            shell)))
        if setup:
            here.send(setup, literal=True)
            here.send("Enter")
            time.sleep(0.5)
        return here

    yield start
    for socket in sockets:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True, check=False)


def assert_never_runs(marker: pathlib.Path, seconds: float = 1.0) -> None:
    time.sleep(seconds)
    assert not marker.exists(), "a line we did not type was submitted"


@pytest.mark.parametrize("shell", EDITING)
def test_half_typed_command_is_left_alone(shell_pane: t.Any, shell: str,
                                          tmp_path: pathlib.Path) -> None:
    pane = shell_pane(shell)
    pane.send("touch PWNED", literal=True)
    wait_for(lambda: "touch PWNED" in pane.screen(), 5)
    result = pane.type_line("echo resumed")
    assert result == prompt.Typed(False, False, "text is waiting at the prompt")
    assert_never_runs(tmp_path / "PWNED")
    assert pane.screen().splitlines()[0].rstrip().endswith("touch PWNED")  # as they left it


@pytest.mark.parametrize("shell", EDITING)
def test_text_right_of_the_cursor_is_left_alone(shell_pane: t.Any, shell: str,
                                                tmp_path: pathlib.Path) -> None:
    pane = shell_pane(shell)
    pane.send("touch PWNED", literal=True)
    wait_for(lambda: "touch PWNED" in pane.screen(), 5)
    pane.send("C-a")  # the person moved to the start of their line
    time.sleep(0.3)
    result = pane.type_line("echo resumed")
    assert not result.typed and result.problem == "text is waiting at the prompt"
    assert_never_runs(tmp_path / "PWNED")
    assert "touch PWNED" in pane.screen() and "echo resumed" not in pane.screen()


HOSTILE_VALUES = ["it's", '"dq" $HOME `id` !!', "repo\x15touch PWNED #", "a\nb\rc", "\x1b[2J",
                  "del\x7f", "csi\u009b31m", "rtl\u202eexe", "tab\tx", "nb\u00a0sp", "日本",
                  "bytes-\udcff\udcfe"]


@pytest.mark.parametrize("shell", EDITING)
def test_hostile_argv_and_directory_round_trip_through_the_line_editor(
        shell_pane: t.Any, shell: str, tmp_path: pathlib.Path) -> None:
    pane = shell_pane(shell)
    family = pane.family
    typable = family in (shells.Shell.BASH, shells.Shell.FISH)
    values = HOSTILE_VALUES if typable else [v for v in HOSTILE_VALUES
                                             if all(shells.is_typable(c) for c in v)]
    cwd = tmp_path / ("repo\x15touch PWNED #" if typable else "it's [1m] !x")
    cwd.mkdir()
    out = tmp_path / "argv.out"
    code = ("import os, sys; open(sys.argv[1], 'wb').write(b'\\0'.join(map(os.fsencode, "
            "[os.getcwd(), *sys.argv[2:]])))")
    line = shells.command_line([sys.executable, "-c", code, str(out), *values], family, {},
                               os.fsdecode(bytes(cwd)))
    assert all(shells.is_typable(c) for c in line)
    assert pane.type_line(line) == prompt.Typed(True, True)
    wait_for(out.exists, 10, what="the typed command's output")
    got = [os.fsdecode(part) for part in out.read_bytes().split(b"\0")]
    assert got == [str(cwd), *values]
    assert not (tmp_path / "PWNED").exists()
    if not typable:
        with pytest.raises(UnquotableError):
            shells.command_line(["x", "repo\x15touch PWNED #"], family, {}, None)


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_a_long_line_of_wide_characters_wraps_as_the_terminal_wraps_it(
        shell_pane: t.Any, shell: str, tmp_path: pathlib.Path) -> None:
    """A wide character that does not fit in a row's last cell starts the next row: one of
    the two runs (their parities differ by the 3 cells of ``' '``) meets a row's end so."""
    pane = shell_pane(shell)
    out = tmp_path / "argv.out"
    code = "import sys; open(sys.argv[1], 'w').write(sys.argv[2] + sys.argv[3])"
    line = shells.command_line([sys.executable, "-c", code, str(out), "日" * 150, "本" * 150],
                               pane.family, {}, None)
    assert pane.type_line(line) == prompt.Typed(True, True)
    wait_for(out.exists, 10, what="the typed command's output")
    assert out.read_text() == "日" * 150 + "本" * 150


# what tmux keeps in no cell of its own (U+202E, U+200B, U+FE0F: in the cell before; U+2028,
# U+0085: not at all), in a prompt that shows the directory
@pytest.mark.parametrize(("shell", "setup"), [("bash", r"PS1='\w $ '"), ("zsh", "PS1='%~ $ '"),
                                              ("fish", "")])
def test_a_prompt_showing_a_hostile_directory_still_gets_its_line(
        shell_pane: t.Any, shell: str, setup: str, tmp_path: pathlib.Path) -> None:
    cwd = tmp_path / "rtl\u202e zw\u200b vs\ufe0f ls\u2028 nel\x85 日本 x"
    cwd.mkdir()
    pane = shell_pane(shell, setup, cwd=cwd)
    assert "日本" in pane.screen()
    line = shells.command_line(["touch", str(tmp_path / "typed")], pane.family, {}, None)
    assert pane.type_line(line) == prompt.Typed(True, True)
    wait_for((tmp_path / "typed").exists, 10, what="the typed command's file")


@pytest.mark.parametrize(("shell", "setup"), [("bash", "set -o vi"), ("zsh", "bindkey -v")])
def test_vi_insert_mode_gets_the_line_typed_but_never_submitted(
        shell_pane: t.Any, shell: str, setup: str, tmp_path: pathlib.Path) -> None:
    pane = shell_pane(shell, setup)
    result = pane.type_line("touch RAN")
    assert result.typed and not result.submitted and "vi mode" in result.problem
    assert_never_runs(tmp_path / "RAN")
    assert "touch RAN" in pane.screen() and "^A" not in pane.screen()


def test_fish_vi_command_mode_gets_nothing_typed(shell_pane: t.Any,
                                                 tmp_path: pathlib.Path) -> None:
    pane = shell_pane("fish", "fish_vi_key_bindings")
    wait_for(lambda: "[N]" in pane.screen(), 5)
    result = pane.type_line("touch RAN")
    assert not result.typed and "did not show" in result.problem
    assert_never_runs(tmp_path / "RAN")


def test_sh_without_a_line_editor_gets_nothing_typed(shell_pane: t.Any,
                                                     tmp_path: pathlib.Path) -> None:
    pane = shell_pane("dash")
    result = pane.type_line("touch RAN")
    assert not result.typed and "no line editor" in result.problem
    assert_never_runs(tmp_path / "RAN")
    assert "touch RAN" not in pane.screen()


@pytest.mark.parametrize("shell", ["bash", "fish"])
def test_prompt_mode_never_presses_enter(shell_pane: t.Any, shell: str,
                                         tmp_path: pathlib.Path) -> None:
    pane = shell_pane(shell)
    assert pane.type_line("touch RAN", submit=False) == prompt.Typed(True, False)
    assert_never_runs(tmp_path / "RAN")
    assert "touch RAN" in pane.screen()


@pytest.mark.parametrize("state", ["copy-mode", "synchronize-panes", "input-off"])
def test_a_pane_whose_keys_would_go_elsewhere_gets_nothing(
        shell_pane: t.Any, state: str, tmp_path: pathlib.Path) -> None:
    pane = shell_pane("bash")
    target = pane.pane.pane_id
    if state == "copy-mode":
        pane.tmux.cmd("copy-mode", "-t", target)
    elif state == "synchronize-panes":
        pane.tmux.cmd("split-window", "-d", "-t", target, SHELLS["bash"])
        pane.tmux.cmd("set-option", "-w", "-t", target, "synchronize-panes", "on")
    else:
        pane.tmux.cmd("select-pane", "-d", "-t", target)
    result = pane.type_line("touch RAN")
    assert not result.typed and result.problem.startswith("pane changed: ")
    assert_never_runs(tmp_path / "RAN")


def test_a_program_started_after_the_plan_gets_nothing(shell_pane: t.Any,
                                                       tmp_path: pathlib.Path) -> None:
    pane = shell_pane("bash")
    pane.send("cat", literal=True)
    pane.send("Enter")
    wait_for(lambda: pane.tmux.view(pane.pane.pane_id).command == "cat", 5)  # type: ignore[union-attr]
    result = pane.type_line("touch RAN")
    assert not result.typed and "cat" in result.problem
    pane.send("C-d")
    assert_never_runs(tmp_path / "RAN")
    assert "touch RAN" not in pane.screen()


def test_typing_while_we_wait_for_a_slot_cancels_the_launch(shell_pane: t.Any,
                                                            tmp_path: pathlib.Path) -> None:
    pane = shell_pane("zsh")

    def person_types() -> None:  # between the probe and our typing
        pane.send("touch PWNED", literal=True)
        time.sleep(0.3)

    result = pane.type_line("echo resumed", settle=person_types)
    assert result == prompt.Typed(False, False, "the prompt changed while we waited")
    assert_never_runs(tmp_path / "PWNED")
    assert "echo resumed" not in pane.screen()
