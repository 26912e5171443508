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


def test_keys_a_slow_zshrc_swallows_are_typed_again(lab: Lab) -> None:
    """zsh plugins reset the terminal while the rc loads and drop what was typed meanwhile
    (oh-my-zsh, p10k instant prompt); the restore types nothing until zle reads the keys."""
    lab.load_plugin()
    sid, _ = fixtures.start_opencode(lab, "s", "w")
    lab.resurrect_save()
    lab.restart_with_layout()
    restored = lab.panes()[("s", 0, 0)]["pane_id"]
    lab.wait_shell(restored)
    zdotdir, swallowed = lab.home / "zdot", lab.home / "swallowed"
    zdotdir.mkdir()
    # builtins only, so the pane's foreground stays zsh: wait 3 s, then drain the typeahead
    (zdotdir / ".zshrc").write_text(
        "zmodload zsh/zselect; zselect -t 300\n"
        "n=0; while read -t 0 -k 1 -s _c; do n=$((n+1)); done\n"
        f"print $n > {shlex.quote(str(swallowed))}\n")
    lab.type(restored, f"exec env ZDOTDIR={shlex.quote(str(zdotdir))} zsh")
    wait_for(lambda: lab.tmux("display-message", "-p", "-t", restored,
                              "#{pane_current_command}").strip() == "zsh", 30, what="zsh")
    lab.cli("restore", "--execute")

    assert int(swallowed.read_text()) == 0  # nothing was typed while the rc was loading
    argv = wait_for(lambda: lab.argv_in_pane(restored, "opencode"), 30, what="opencode back")
    assert argv[-2:] == ["-s", sid]
