"""Show the lifecycle: three assistants in panes, a resurrect save, kill-server, restore."""

from __future__ import annotations

import os
import pathlib
import shutil
import sys
import tempfile

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "test"))


def main(cli_bin: str) -> int:
    root = pathlib.Path(tempfile.mkdtemp(prefix="assistant-resurrect-demo-"))
    os.environ["HOME"] = str(root / "home")
    os.environ["ASSISTANT_RESURRECT_STATE_DIR"] = str(root / "home/.local/state/tar")
    pathlib.Path(os.environ["HOME"]).mkdir(parents=True)
    from support import fixtures
    from support.lab import Lab, wait_for

    lab = Lab(root, pathlib.Path(cli_bin))
    try:
        lab.start_server()
        lab.load_plugin()
        dirs = {t: lab.home / "src" / f"{t} project" for t in ("claude", "codex", "opencode")}
        for d in dirs.values():
            d.mkdir(parents=True)
        ids = {"claude": fixtures.claude_session(lab, dirs["claude"]),
               "codex": fixtures.codex_session(lab, dirs["codex"]),
               "opencode": fixtures.opencode_session(lab, dirs["opencode"])}
        commands = {"claude": f"claude --model opus --resume {ids['claude']}",
                    "codex": f"codex -m gpt-5.1 resume {ids['codex']}",
                    "opencode": f"opencode -s {ids['opencode']}"}
        print(f"== private tmux server -L {lab.socket}, HOME={lab.home}")
        for tool, command in commands.items():
            pane = lab.new_pane("demo", dirs[tool])
            lab.wait_shell(pane)
            lab.type(pane, command)
            print(f"   {pane}: {command}")
        wait_for(lambda: list((lab.home / ".claude/sessions").glob("*.json")), 60,
                 what="claude to register")
        print("\n== assistant-resurrect status")
        print(lab.cli("status").stdout)
        save_file = lab.resurrect_save()
        print(f"== resurrect save: {save_file.name}; snapshot:")
        for pane in lab.sidecar()["panes"]:
            print(f"   {pane['session_name']}:{pane['window_index']}.{pane['pane_index']} "
                  f"{pane['tool']:<9} {pane['session_id']}  ({pane['session_source']})")
        print("\n== tmux kill-server, then a fresh server restores the layout")
        lab.kill_server()
        lab.start_server()
        lab.load_plugin()
        lab.resurrect_restore()
        print("== restore outcomes")
        for label, row in lab.restore_outcomes().items():
            print(f"   {label:<10} {row['tool']:<9} {row['outcome']}")
            print(f"              typed: {row['command']}")
        print("\n== what runs in the restored panes")
        for key, pane in sorted(lab.panes().items()):
            for tool in commands:
                argv = lab.argv_in_pane(pane["pane_id"], tool)
                if argv:
                    shown = argv[1:] if "node" in argv[0] else argv
                    print(f"   {key[0]}:{key[1]}.{key[2]} {' '.join(shown)}")
        ok = all(r["outcome"] == "resumed" for r in lab.restore_outcomes().values())
        print("\n" + ("all assistants resumed" if ok else "some assistants did not resume"))
        return 0 if ok else 1
    finally:
        lab.teardown()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
