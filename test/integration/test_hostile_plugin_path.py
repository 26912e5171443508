"""The plugin installed under a hostile directory name, loaded by a real tmux with a real client
attached: what plugin.tmux binds and interpolates (the popup key, the status line) works, and
nothing in the name runs (tmux formats, sh, bash 5.2's ``&`` in ``${a//b/c}``)."""

from __future__ import annotations

import pathlib
import shlex
import shutil

import pytest
from support.lab import REPO, Lab, wait_for

from assistant_resurrect.tmux_quote import argument, format_escape

pytestmark = [pytest.mark.clis]


def install_plugin(lab: Lab, name: str) -> pathlib.Path:
    """A copy of the plugin in ``~/plugins/<name>``, loaded as TPM loads it."""
    target = lab.home / "plugins" / name
    shutil.copytree(REPO, target, ignore=shutil.ignore_patterns(
        ".venv", ".git", "test-results", "__pycache__", ".mypy_cache", ".ruff_cache"))
    lab.tmux("set-option", "-g", "status-right", "[#{assistant_resurrect_status}]")
    lab.tmux("run-shell", argument(format_escape(shlex.quote(str(target / "plugin.tmux")))))
    return target


def no_canary(lab: Lab) -> bool:
    """No file named CANARY under HOME, or where tmux or the test runs."""
    return not any(lab.home.rglob("CANARY")) and not any(
        p.exists() for p in (REPO / "CANARY", pathlib.Path("/tmp/CANARY"),
                             pathlib.Path.cwd() / "CANARY"))


@pytest.mark.parametrize("name", ["plug #x ##[fg=red] a\\&b 'q' $HOME; & x"])
def test_status_line_and_popup_key_under_a_hostile_plugin_path(lab: Lab, name: str) -> None:
    (lab.home / "work").mkdir()
    install_plugin(lab, name)
    client, outer = lab.attach_client()
    wait_for(lambda: "[AR -]" in lab.outer_screen(outer), 20, what="the status text")
    lab.outer_keys(outer, "C-b", "A")
    wait_for(lambda: "filter>" in lab.outer_screen(outer), 30, what="the popup's picker")
    lab.outer_keys(outer, "Escape")
    wait_for(lambda: "filter>" not in lab.outer_screen(outer), 10, what="the popup to close")
    assert no_canary(lab)


def test_a_format_in_the_plugin_path_never_runs(lab: Lab) -> None:
    """``#(touch …)`` in the path: the popup key still opens the picker; the status line is
    refused (tmux ends ``#(`` at the first ``)``, quoted or not) and says so in the log."""
    (lab.home / "work").mkdir()
    install_plugin(lab, "p#(touch CANARY)q")
    client, outer = lab.attach_client()
    lab.outer_keys(outer, "C-b", "A")
    wait_for(lambda: "filter>" in lab.outer_screen(outer), 30, what="the popup's picker")
    lab.outer_keys(outer, "Escape")
    right = lab.tmux("show-option", "-gv", "status-right").strip()
    assert right == "[#{assistant_resurrect_status}]"
    assert "a parenthesis in the path" in (lab.state_dir / "plugin.log").read_text()
    assert no_canary(lab)


def test_a_message_shows_its_text_as_it_is(lab: Lab) -> None:
    """``display-message`` text is strftime'd, expanded and drawn: each depth escaped, the
    status line shows the text itself (control characters as visible escapes)."""
    from assistant_resurrect.tmux import Tmux

    _, outer = lab.attach_client()
    text = "x %a #(touch CANARY) ##[fg=red] #[bg=blue]y \x1b[2Kz"
    Tmux(socket_name=lab.socket).display_message(text)
    wait_for(lambda: "x %a #(touch CANARY) ##[fg=red] #[bg=blue]y \\x1b[2Kz"
             in lab.outer_screen(outer), 10, what="the message, as it is")
    assert no_canary(lab)
