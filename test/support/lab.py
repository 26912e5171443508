"""A private tmux server plus the assistants' offline fixtures, for integration tests."""

from __future__ import annotations

import contextlib
import filecmp
import json
import os
import pathlib
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import typing as t
import uuid

import psutil

from assistant_resurrect.tmux_quote import argument, format_argument, format_escape

REPO = pathlib.Path(__file__).resolve().parents[2]
EXECUTE_HOOK = REPO / "test/support/execute_hook.sh"
FAKE_ANTHROPIC_KEY = "sk-ant-api03-fake-test-key-0000000000000000000000"
PANE_FORMAT = "\t".join([
    "pane", "#{session_name}", "#{window_index}", "#{window_active}", ":#{window_flags}",
    "#{pane_index}", "#{pane_title}", ":#{pane_current_path}", "#{pane_active}",
    "#{pane_current_command}", "#{pane_pid}",
])
WINDOW_FORMAT = "\t".join([
    "window", "#{session_name}", "#{window_index}", ":#{window_name}", "#{window_active}",
    ":#{window_flags}", "#{window_layout}",
])


def wait_for(predicate: t.Callable[[], t.Any], timeout: float = 30.0, interval: float = 0.2,
             what: str = "condition") -> t.Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Lab:
    """One test's world: HOME, a tmux server on a private socket, and resurrect's directory."""

    @classmethod
    def fresh(cls, cli_bin: pathlib.Path, prefix: str) -> Lab:
        """A lab in a new temporary root (``prefix`` names it) with its own HOME and state
        directory, set in this process's environment too (the benches' way; tests use the
        ``lab`` fixture). Its server is not started."""
        root = pathlib.Path(tempfile.mkdtemp(prefix=prefix))
        (root / "home").mkdir()
        os.environ["HOME"] = str(root / "home")
        os.environ["ASSISTANT_RESURRECT_STATE_DIR"] = str(root / "home/.local/state/tar")
        return cls(root, cli_bin)

    def __init__(self, root: pathlib.Path, cli_bin: pathlib.Path,
                 home: pathlib.Path | None = None, state_dir: pathlib.Path | None = None
                 ) -> None:
        self.root = root
        self.home = home or pathlib.Path(os.environ["HOME"])
        self.state_dir = state_dir or pathlib.Path(os.environ["ASSISTANT_RESURRECT_STATE_DIR"])
        self.socket = f"ar-test-{uuid.uuid4().hex[:10]}"
        self.cli_bin = cli_bin
        self.resurrect_dir = self.home / ".local/share/tmux/resurrect"
        self.python = sys.executable
        self.env = {
            "HOME": str(self.home),
            "PATH": f"{cli_bin}:{pathlib.Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
            "SHELL": "/bin/bash",
            "TERM": "xterm-256color",
            "LANG": "C.UTF-8",
            "ASSISTANT_RESURRECT_STATE_DIR": str(self.state_dir),
            "ANTHROPIC_API_KEY": FAKE_ANTHROPIC_KEY,
            "IS_SANDBOX": "1",
            "GEMINI_API_KEY": "fake-gemini-key",
            "DISABLE_AUTOUPDATER": "1",
            "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
            "OPENCODE_DISABLE_AUTOUPDATE": "1",
            "NO_UPDATE_NOTIFIER": "1",
            "PI_OFFLINE": "1",
        }
        self.bashrc = self.home / ".bashrc"
        self.bashrc.write_text("PS1='$ '\n")
        self.started_codex_homes: set[pathlib.Path] = set()

    # -- tmux ----------------------------------------------------------------------------
    def tmux(self, *args: str, check: bool = True) -> str:
        proc = subprocess.run(["tmux", "-L", self.socket, *args], env=self.env,
                              capture_output=True, text=True, timeout=30)
        if check and proc.returncode != 0:
            raise AssertionError(f"tmux {args}: {proc.stderr}")
        return proc.stdout

    def start_server(self) -> None:
        for attempt in range(10):  # a server killed a moment ago may still be exiting
            try:
                self.tmux("-f", "/dev/null", "new-session", "-d", "-s", "lab-init", "-x", "200",
                          "-y", "50", "-c", str(self.home))
                break
            except AssertionError:
                if attempt == 9:
                    raise
                time.sleep(0.3)
        self.tmux("set-option", "-g", "default-command", "exec bash --rcfile ~/.bashrc -i")
        self.tmux("set-option", "-g", "@resurrect-dir", str(self.resurrect_dir))
        self.tmux("set-option", "-g", "@assistant-resurrect-python", self.python)
        self.tmux("set-option", "-g", "@assistant-resurrect-client-wait", "0")
        self.tmux("set-option", "-g", "@assistant-resurrect-verify-seconds", "2")

    def load_plugin(self) -> None:
        """Run plugin.tmux the way TPM does (a program, inside the server's environment)."""
        self.tmux("run-shell", str(REPO / "plugin.tmux"))

    def new_pane(self, session: str, cwd: pathlib.Path) -> str:
        """A new pane: a new session, or a new window in an existing ``session``; its %id."""
        sessions = self.tmux("list-sessions", "-F", "#{session_name}").split("\n")
        if session in sessions:
            return self.tmux("new-window", "-P", "-F", "#{pane_id}", "-t", f"={session}:",
                             "-c", str(cwd)).strip()
        return self.tmux("new-session", "-d", "-P", "-F", "#{pane_id}", "-s", session,
                         "-x", "200", "-y", "50", "-c", str(cwd)).strip()

    def start(self, session: str, cwd: pathlib.Path, command: str) -> str:
        """A new pane in ``cwd`` whose shell, once at its prompt, is given ``command``."""
        pane = self.new_pane(session, cwd)
        self.wait_shell(pane)
        self.type(pane, command)
        return pane

    def type(self, pane_id: str, text: str) -> None:
        self.tmux("send-keys", "-t", pane_id, "-l", text)
        self.tmux("send-keys", "-t", pane_id, "Enter")

    def wait_shell(self, pane_id: str) -> None:
        wait_for(lambda: "$" in self.capture(pane_id), 15, what=f"a prompt in {pane_id}")

    def capture(self, pane_id: str) -> str:
        return self.tmux("capture-pane", "-p", "-t", pane_id)

    def panes(self) -> dict[tuple[str, int, int], dict[str, str]]:
        fmt = "#{session_name}\x1f#{window_index}\x1f#{pane_index}\x1f#{pane_id}\x1f#{pane_pid}"
        out = {}
        for line in self.tmux("list-panes", "-a", "-F", fmt).split("\n")[:-1]:  # not \x85
            s, w, p, pid, ppid = line.split("\x1f")
            out[(s, int(w), int(p))] = {"pane_id": pid, "pane_pid": ppid}
        return out

    def pane_tree(self, pane_id: str) -> list[psutil.Process]:
        pid = int(self.tmux("display-message", "-p", "-t", pane_id, "#{pane_pid}").strip())
        try:
            root = psutil.Process(pid)
            return [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def argv_in_pane(self, pane_id: str, name: str) -> list[str] | None:
        """argv of the first process in the pane whose argv mentions ``name`` as a word."""
        for proc in self.pane_tree(pane_id)[1:]:
            try:
                argv = proc.cmdline()
            except psutil.Error:
                continue
            if any(pathlib.Path(a).name == name for a in argv[:2]):
                return argv
        return None

    def argv_pid(self, pane_id: str, name: str) -> int:
        """Pid of the process :meth:`argv_in_pane` finds."""
        for proc in self.pane_tree(pane_id)[1:]:
            try:
                if any(pathlib.Path(a).name == name for a in proc.cmdline()[:2]):
                    return proc.pid
            except psutil.Error:
                continue
        raise AssertionError(f"no {name} in {pane_id}")

    def attach_client(self) -> tuple[str, str]:
        """A real client attached to this server: another tmux server (torn down with this
        lab) whose one pane runs ``tmux attach``. Returns (the client's name here, the outer
        pane that shows it: send keys to it to drive a menu or popup)."""
        self.outer = f"{self.socket}-outer"
        inner = f"env -u TMUX tmux -L {self.socket} attach -t lab-init"
        subprocess.run(["tmux", "-L", self.outer, "-f", "/dev/null", "new-session", "-d",
                        "-x", "160", "-y", "40", inner], env=self.env, check=True)
        name = wait_for(lambda: self.tmux("list-clients", "-F", "#{client_name}").strip(), 15,
                        what="the client to attach")
        outer_pane = subprocess.run(["tmux", "-L", self.outer, "list-panes", "-F",
                                     "#{pane_id}"], env=self.env, capture_output=True,
                                    text=True, check=True).stdout.strip()
        return name, outer_pane

    def outer_keys(self, pane: str, *keys: str) -> None:
        """Press keys on the attached client of :meth:`attach_client`."""
        subprocess.run(["tmux", "-L", self.outer, "send-keys", "-t", pane, *keys],
                       env=self.env, check=True)

    def outer_screen(self, pane: str) -> str:
        """What the attached client shows (its terminal, as the outer server sees it)."""
        return subprocess.run(["tmux", "-L", self.outer, "capture-pane", "-p", "-t", pane],
                              env=self.env, capture_output=True, text=True,
                              check=True).stdout

    # -- resurrect stand-in --------------------------------------------------------------
    def hook(self, kind: str, *args: str) -> None:
        """Run our hook strings as resurrect's execute_hook does, inside a tmux job."""
        cmd = " ".join(shlex.quote(a) for a in ["bash", str(EXECUTE_HOOK), kind, *args])
        self.tmux("run-shell", argument(format_escape(cmd)))  # a path is not a format

    def resurrect_save(self, ts: str | None = None) -> pathlib.Path:
        """Write a save file in resurrect's v4 format, then fire post-save-layout/-all."""
        path = self.write_save_file(ts)
        self.hook("post-save-layout", str(path))
        last = self.resurrect_dir / "last"
        previous = self.resurrect_dir / os.readlink(last) if last.is_symlink() else None
        if previous and previous != path and filecmp.cmp(previous, path, shallow=False):
            path.unlink()  # resurrect keeps the older identical file (save.sh, cmp -s)
            path = previous
        else:
            last.unlink(missing_ok=True)
            last.symlink_to(path.name)
        self.hook("post-save-all")
        return path

    def write_save_file(self, ts: str | None = None) -> pathlib.Path:
        """Write a save file of the current layout in resurrect's v4 format (no hooks)."""
        self.resurrect_dir.mkdir(parents=True, exist_ok=True)
        ts = ts or time.strftime("%Y%m%dT%H%M%S")
        path = self.resurrect_dir / f"tmux_resurrect_{ts}.txt"
        lines = []
        spec = PANE_FORMAT.split("\t")[1:]  # after the literal "pane"
        token = uuid.uuid4().hex  # a field may hold a newline: resurrect writes it as it is
        fmt = token.join(f.lstrip(":") for f in spec) + token + "end"
        text = self.tmux("list-panes", "-a", "-F", fmt)
        for record in text.split(token + "end\n")[:-1]:
            values = record.split(token)
            fields = ["pane", *(":" + v if f.startswith(":") else v
                                for f, v in zip(spec, values, strict=True))]
            pane_pid = int(fields.pop())
            fields[7] = fields[7].replace(" ", "\\ ", 1)
            try:
                kids = psutil.Process(pane_pid).children()
                full = " ".join(kids[0].cmdline()) if kids else ""
            except psutil.Error:
                full = ""
            lines.append("\t".join([*fields, ":" + full]))
        lines += self.tmux("list-windows", "-a", "-F", WINDOW_FORMAT).split("\n")[:-1]
        lines.append("state\t\t")
        path.write_text("\n".join(lines) + "\n")
        return path

    def kill_server(self) -> None:
        """Kill the server and wait (10 s, then SIGKILL) for its panes' processes to exit, as
        after a crash; only processes of this lab's panes are touched."""
        procs = []
        for pane in self.panes().values() if self.tmux("list-sessions", check=False) else []:
            try:
                root = psutil.Process(int(pane["pane_pid"]))
                procs += [root, *root.children(recursive=True)]
            except psutil.Error:
                pass
        self.tmux("kill-server", check=False)
        procs = [p for p in procs if not _outlives_tmux_by_design(p)]
        _, alive = psutil.wait_procs(procs, timeout=10)
        for proc in alive:
            with contextlib.suppress(psutil.Error):
                proc.kill()
        psutil.wait_procs(alive, timeout=5)

    def restart_with_layout(self) -> None:
        """tmux dies and a fresh server gets back the layout of ``last``, without assistants;
        our plugin is not loaded yet, so no restore hook runs."""
        self.kill_server()
        self.start_server()
        self.resurrect_restore(wait=False)

    def resurrect_restore(self, wait: bool = True) -> float:
        """Recreate the layout of ``last`` (sessions, windows, panes, cwds), then fire
        post-restore-all; with ``wait``, block until our detached worker finished. Returns the
        seconds the hook itself took (what resurrect waits for)."""
        target = self.resurrect_dir / os.readlink(self.resurrect_dir / "last")
        for line in target.read_text(errors="surrogateescape").split("\n"):  # not \x85
            fields = line.split("\t")
            if fields[0] != "pane":
                continue
            session, window, pane = fields[1], fields[2], int(fields[5])
            cwd = fields[7][1:].replace("\\ ", " ", 1)
            cwd = cwd if os.path.isdir(cwd) else str(self.home)
            have = self.tmux("list-sessions", "-F", "#{session_name}", check=False).split("\n")
            # names and directories are escaped for tmux's formats (tmux-resurrect passes
            # them as they are: a directory named #(cmd) runs cmd when it restores)
            if session not in have:
                self.tmux("new-session", "-d", "-s", format_argument(session), "-x", "200",
                          "-y", "50", "-c", format_argument(cwd))
                if window != "0":
                    self.tmux("move-window", "-s", f"={session}:0", "-t", f"={session}:{window}")
            elif window not in self.tmux("list-windows", "-t", f"={session}:", "-F",
                                         "#{window_index}").split():
                self.tmux("new-window", "-d", "-t", f"={session}:{window}", "-c",
                          format_argument(cwd))
            else:
                self.tmux("split-window", "-d", "-t", f"={session}:{window}", "-c",
                          format_argument(cwd))
            assert (session, int(window), pane) in self.panes(), (session, sorted(self.panes()))
        outcomes = self.state_dir / "last-restore.json"
        outcomes.unlink(missing_ok=True)
        started = time.monotonic()
        self.hook("post-restore-all")
        took = time.monotonic() - started
        if wait:
            wait_for(outcomes.exists, 120, 0.5, "the restore worker to finish")
        return took

    def restore_outcomes(self) -> dict[str, dict[str, t.Any]]:
        data = json.loads((self.state_dir / "last-restore.json").read_text())
        return {p["pane"]: p for p in data["panes"]}

    def sidecar_path(self) -> pathlib.Path:
        """Our snapshot paired with the save file ``last`` points to."""
        target = os.readlink(self.resurrect_dir / "last")
        return self.resurrect_dir / "assistant-resurrect" / (pathlib.Path(target).stem + ".json")

    def sidecar(self) -> dict[str, t.Any]:
        return json.loads(self.sidecar_path().read_text())

    def cli(self, *args: str, check: bool = True, extra_env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
        env = {**self.env, "PYTHONPATH": str(REPO / "src"), **(extra_env or {})}
        proc = subprocess.run([self.python, "-m", "assistant_resurrect", "-L", self.socket,
                               *args], env=env, capture_output=True, text=True, timeout=300)
        if check and proc.returncode != 0:
            raise AssertionError(f"assistant-resurrect {args}: {proc.stdout}\n{proc.stderr}")
        from support import contract  # every JSON a test reads keeps to docs/schema

        contract.validate_cli_output(args, proc.stdout)
        return proc

    # -- cleanup -------------------------------------------------------------------------
    def teardown(self) -> None:
        if getattr(self, "outer", None):
            subprocess.run(["tmux", "-L", self.outer, "kill-server"], env=self.env,
                           capture_output=True, check=False)
        self.kill_server()
        hub = _read_json(self.home / ".cline/data/locks/hub/production.json")
        if isinstance(hub, dict) and isinstance(hub.get("pid"), int):
            _kill_if_ours(hub["pid"], self.home)  # Cline's hub daemon outlives its panes
        for codex_home in self.started_codex_homes:
            for name in ("daemon.pid", "daemon-updater.pid"):
                data = _read_json(codex_home / "app-server-daemon" / name)
                if isinstance(data, dict) and isinstance(data.get("pid"), int):
                    _kill_if_ours(data["pid"], self.home)


def _outlives_tmux_by_design(proc: psutil.Process) -> bool:
    """Codex's shared app-server daemon and Cline's hub survive tmux on purpose (teardown
    kills them)."""
    try:
        return proc.cmdline()[1:2] in (["app-server"], ["--cline-hub-daemon"])
    except psutil.Error:
        return False


def _read_json(path: pathlib.Path) -> t.Any:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _kill_if_ours(pid: int, home: pathlib.Path) -> None:
    """Kill a pid only if its environment shows it was started under this test's HOME."""
    try:
        proc = psutil.Process(pid)
        if proc.environ().get("HOME") == str(home):
            proc.send_signal(signal.SIGKILL)
    except psutil.Error:
        pass
