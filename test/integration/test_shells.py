"""Resume commands typed into fish, zsh and tcsh panes, with a hostile directory name and a
captured environment value, reach the assistant intact."""

from __future__ import annotations

import shlex

import psutil
import pytest
from support import fixtures
from support.lab import Lab, wait_for

pytestmark = [pytest.mark.clis]
HOSTILE = "it's a \"dir\" [1m] $x !y"
ENV_VALUE = "a b 'c' \"d\" $e !f"


@pytest.mark.parametrize("shell", ["fish", "zsh", "tcsh"])
def test_restore_into_each_shell(lab: Lab, shell: str) -> None:
    lab.load_plugin()
    lab.tmux("set-option", "-g", "@assistant-resurrect-capture-env", "MY_FLAVOUR")
    cwd = lab.home / HOSTILE
    cwd.mkdir()
    sid = fixtures.opencode_session(lab, cwd)
    pane = lab.start("s", cwd, f"MY_FLAVOUR={shlex.quote(ENV_VALUE)} opencode -s {sid}")
    wait_for(lambda: lab.argv_in_pane(pane, "opencode"), 30, what="opencode")
    lab.resurrect_save()
    assert lab.sidecar()["panes"][0]["env"] == {"MY_FLAVOUR": ENV_VALUE}

    lab.kill_server()
    lab.start_server()
    start = {"fish": "exec fish --no-config", "zsh": "exec zsh -f", "tcsh": "exec tcsh -f"}
    lab.tmux("set-option", "-g", "default-command", start[shell])  # the user's login shell
    lab.resurrect_restore(wait=False)  # layout only: the hook is not wired in this server
    restored = lab.panes()[("s", 0, 0)]["pane_id"]
    names = {"tcsh": ("tcsh", "csh")}.get(shell, (shell,))  # tcsh renames itself -csh
    wait_for(lambda: lab.tmux("display-message", "-p", "-t", restored,
                              "#{pane_current_command}").strip() in names, 30, what=shell)
    lab.cli("restore", "--execute")

    argv = wait_for(lambda: lab.argv_in_pane(restored, "opencode"), 30, what="opencode back")
    assert argv[-2:] == ["-s", sid]
    proc = next(p for p in lab.pane_tree(restored) if p.name() == "opencode")
    assert psutil.Process(proc.pid).cwd() == str(cwd)
    assert psutil.Process(proc.pid).environ()["MY_FLAVOUR"] == ENV_VALUE


def _restore_under_zshrc(lab: Lab, zshrc: str) -> tuple[int, str]:
    """Save an OpenCode pane, restart, make the restored pane a zsh with ``zshrc`` (which
    writes the number of keys it swallowed to ``$SWALLOWED``), restore; (swallowed, sid)."""
    lab.load_plugin()
    sid, _ = fixtures.start_opencode(lab, "s", "w")
    lab.resurrect_save()
    lab.restart_with_layout()
    restored = lab.panes()[("s", 0, 0)]["pane_id"]
    lab.wait_shell(restored)
    zdotdir, swallowed = lab.home / "zdot", lab.home / "swallowed"
    zdotdir.mkdir()
    (zdotdir / ".zshrc").write_text(f"SWALLOWED={shlex.quote(str(swallowed))}\n{zshrc}")
    lab.type(restored, f"exec env ZDOTDIR={shlex.quote(str(zdotdir))} zsh")
    wait_for(lambda: lab.tmux("display-message", "-p", "-t", restored,
                              "#{pane_current_command}").strip() == "zsh", 30, what="zsh")
    out = lab.cli("restore", "--execute")
    argv = wait_for(lambda: lab.argv_in_pane(restored, "opencode"), 30,
                    what=f"opencode back ({out.stdout.strip()})")
    assert argv[-2:] == ["-s", sid]
    return int(swallowed.read_text()), sid


def test_keys_a_slow_zshrc_swallows_are_typed_again(lab: Lab) -> None:
    """zsh plugins reset the terminal while the rc loads and drop what was typed meanwhile
    (oh-my-zsh, p10k instant prompt); the restore types nothing until zle reads the keys."""
    # builtins only, so the pane's foreground stays zsh: wait 3 s, then drain the typeahead
    swallowed, _ = _restore_under_zshrc(lab, (
        "zmodload zsh/zselect; zselect -t 300\n"
        "n=0; while read -t 0 -k 1 -s _c; do n=$((n+1)); done\n"
        "print $n > $SWALLOWED\n"))
    assert swallowed == 0  # nothing was typed while the rc was loading


def test_an_rc_file_reading_single_keys_is_not_taken_for_the_line_editor(lab: Lab) -> None:
    """``read -k`` sets the tty raw for an instant, again and again for 1.5 s here: a tty
    seen raw once is not yet zle waiting for keys (CI caught the restore typing then)."""
    swallowed, _ = _restore_under_zshrc(lab, (
        "zmodload zsh/zselect; n=0\n"
        "repeat 30 { read -t 0.01 -k 1 -s _c && n=$((n+1)); zselect -t 4 }\n"
        "while read -t 0 -k 1 -s _c; do n=$((n+1)); done\n"
        "print $n > $SWALLOWED\n"))
    assert swallowed == 0
