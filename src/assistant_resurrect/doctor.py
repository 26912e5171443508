"""``assistant-resurrect doctor``: the plugin's real state, read-only, each finding with the
next step that fixes it. Nothing here writes, repairs or starts an assistant."""

from __future__ import annotations

import enum
import pathlib
import re
import subprocess
import time
import typing as t

from assistant_resurrect import _fs, ages, hooks, paths, restore, resurrect, save, snapshot
from assistant_resurrect.assistants import ASSISTANTS
from assistant_resurrect.exc import AssistantResurrectError, TmuxNotRunningError
from assistant_resurrect.options import Options
from assistant_resurrect.tmux import Tmux

MARKER = "# tmux-assistant-resurrect"  # scripts/variables.sh hook_marker
MIN_TMUX = (3, 2)


class Level(str, enum.Enum):
    OK = "ok"
    WARN = "warn"
    ERROR = "error"


class Check(t.NamedTuple):
    """One finding: ``check`` names it, ``next_step`` is the exact command or option that
    fixes it (None when nothing is to be done)."""

    check: str
    level: Level
    detail: str
    next_step: str | None = None

    def to_json(self) -> dict[str, t.Any]:
        return {**self._asdict(), "level": self.level.value}


def run(tmux: Tmux) -> list[Check]:
    """Every check, in a fixed order; a check that cannot run says so as its own finding."""
    checks = [_tmux_version(tmux)]
    try:
        lines = tmux.show_options()
    except TmuxNotRunningError:
        checks.append(Check("tmux-server", Level.ERROR, f"no tmux server on {tmux.socket}",
                            "start tmux (or pass -L SOCKET for another server)"))
        return checks + _directories(resurrect.resolve_dir(""))
    except AssistantResurrectError as err:
        return [*checks, Check("tmux-server", Level.ERROR, str(err), None)]
    raw = dict(line.partition(" ")[::2] for line in lines)
    opts = Options.from_lines(lines)
    rdir = resurrect.resolve_dir(opts.resurrect_dir)
    return [*checks, *_plugins(tmux, raw), *_hook_lines(raw), _interpreter(raw),
            *_trackers(opts), *_directories(rdir), *_last_save(rdir, names := snapshot
                .list_snapshots(rdir)), _restore_source(rdir), *_last_restore(),
            _snapshots(names, opts), *_processes(opts)]


def _tmux_version(tmux: Tmux) -> Check:
    try:
        out, version = tmux.version()
    except (OSError, subprocess.TimeoutExpired) as err:
        return Check("tmux", Level.ERROR, f"cannot run tmux: {err}", "install tmux 3.2 or newer")
    if version and version >= MIN_TMUX:
        return Check("tmux", Level.OK, out)
    return Check("tmux", Level.ERROR, f"{out or 'unknown version'}: 3.2 or newer is needed",
                 "install tmux 3.2 or newer")


def _plugins(tmux: Tmux, raw: dict[str, str]) -> list[Check]:
    """tmux-resurrect through its save binding, continuum through its status interpolation;
    each with the version its CHANGELOG names."""
    try:
        keys = "\n".join(tmux.list_keys())
    except AssistantResurrectError:
        keys = ""
    found = []
    for name, text, pattern, step in (
            ("tmux-resurrect", keys, r"(\S*tmux-resurrect)/scripts/save\.sh",
             "set -g @plugin 'tmux-plugins/tmux-resurrect' (then prefix + I)"),
            ("tmux-continuum", raw.get("status-right", "") + raw.get("status-left", ""),
             r"(\S*tmux-continuum)/scripts/continuum_save\.sh",
             "set -g @plugin 'tmux-plugins/tmux-continuum' (optional: automatic saves)")):
        match = re.search(pattern, text)
        if match is None:
            level = Level.ERROR if name == "tmux-resurrect" else Level.WARN
            found.append(Check(name, level, f"{name} is not loaded in this server", step))
        else:
            found.append(Check(name, Level.OK, f"{match[1]} ({_changelog_version(match[1])})"))
    return found


def _changelog_version(directory: str) -> str:
    try:
        text = (pathlib.Path(directory) / "CHANGELOG.md").read_text(errors="replace")[:4000]
    except OSError:
        return "version unknown"
    match = re.search(r"^#+\s*(v?\d+\.\d+\.\d+)", text, re.MULTILINE)
    return match[1] if match else "version unknown"


def _hook_lines(raw: dict[str, str]) -> list[Check]:
    out = []
    for hook in (h.value for h in hooks.RESURRECT_HOOKS):
        value = raw.get(f"@resurrect-hook-{hook}", "").strip().strip("'\"")
        if MARKER not in value:
            out.append(Check(f"hook {hook}", Level.ERROR, f"our line is not in "
                             f"@resurrect-hook-{hook} (another plugin or a line after TPM's "
                             "run may have replaced it)", "tmux source-file ~/.tmux.conf"))
            continue
        others = value.split(MARKER, 1)[1].strip(" ;")
        out.append(Check(f"hook {hook}", Level.OK, "our line" + (
            f", then chained: {others[:120]}" if others else "")))
    return out


def _interpreter(raw: dict[str, str]) -> Check:
    python = raw.get("@assistant-resurrect-python", "").strip("'\"") or str(
        paths.plugin_dir() / ".venv" / "bin" / "python")
    try:
        proc = subprocess.run([python, "-c", "import psutil, libtmux; "
                               "print(psutil.__version__, libtmux.__version__)"],
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as err:
        return Check("interpreter", Level.ERROR, f"{python}: {err}",
                     f"bash {paths.plugin_dir() / 'scripts' / 'bootstrap.sh'}")
    if proc.returncode:
        return Check("interpreter", Level.ERROR,
                     f"{python} cannot import psutil and libtmux: "
                     f"{proc.stderr.strip().splitlines()[-1:]}",
                     f"bash {paths.plugin_dir() / 'scripts' / 'bootstrap.sh'}")
    psutil_version, libtmux_version = proc.stdout.split()
    return Check("interpreter", Level.OK,
                 f"{python} (psutil {psutil_version}, libtmux {libtmux_version})")


def _trackers(opts: Options) -> list[Check]:
    out = []
    for tool in ASSISTANTS.values():
        tracker = tool.tracker()
        if tracker is None:
            continue
        name = f"tracker {tool.name}"
        if tool.name in opts.trackers_off:
            out.append(Check(name, Level.OK, f"off ({tool.option} off)"))
            continue
        try:
            ok, detail = tracker.status()
        except AssistantResurrectError as err:
            out.append(Check(name, Level.ERROR, str(err), "fix or move the file, then: "
                             "assistant-resurrect install-hooks"))
            continue
        out.append(Check(name, Level.OK if ok else Level.WARN, detail,
                         None if ok else "assistant-resurrect install-hooks"))
    return out


def _directories(rdir: pathlib.Path) -> list[Check]:
    out = []
    for name, path in (("state directory", paths.state_dir()), ("resurrect directory", rdir)):
        if not path.is_dir():
            out.append(Check(name, Level.WARN, f"{path} does not exist yet (no save so far)",
                             "prefix + Ctrl-s"))
            continue
        try:
            _fs.require_trusted_dir(path)
        except AssistantResurrectError as err:
            out.append(Check(name, Level.ERROR, str(err), f"chmod go-w {path}"))
            continue
        out.append(Check(name, Level.OK, f"{path} (mode {path.stat().st_mode & 0o777:o})"))
    return out


def _last_save(rdir: pathlib.Path, names: list[pathlib.Path]) -> list[Check]:
    out = []
    if paths.StateDir.here().save_missed.exists():
        out.append(Check("missed save", Level.WARN, "a save ran while the plugin's Python "
                         "could not start; it is caught up once the environment is ready",
                         "prefix + Ctrl-s"))
    if not names:
        return [*out, Check("last save", Level.WARN, "no snapshot yet", "prefix + Ctrl-s")]
    try:
        snap = snapshot.load(names[-1])
    except (OSError, AssistantResurrectError) as err:
        return [*out, Check("last save", Level.ERROR, f"{names[-1].name}: {err}",
                            "prefix + Ctrl-s (a new save writes a new snapshot)")]
    tools: dict[str, int] = {}
    for pane in snap.panes:
        tools[pane.tool] = tools.get(pane.tool, 0) + 1
    shown = ", ".join(f"{k} {v}" for k, v in sorted(tools.items())) or "no assistants"
    paired = (rdir / snap.resurrect_file).exists() if snap.resurrect_file else False
    out.append(Check("last save", Level.OK if paired else Level.WARN,
                     f"{_ago(snap.created_at)} ({names[-1].name}): {shown}; save file "
                     f"{snap.resurrect_file or '?'} {'present' if paired else 'missing'}",
                     None if paired else "prefix + Ctrl-s"))
    for pane in snap.panes:
        if pane.confidence != "exact":
            why = (f"{pane.confidence} ({pane.session_source})" if pane.session_id
                   else "no id; searched: " + "; ".join(pane.searched))
            out.append(Check(f"saved pane {pane.label}", Level.WARN if not pane.session_id
                             else Level.OK, f"{pane.tool}: {why}", None))
    return out


def _restore_source(rdir: pathlib.Path) -> Check:
    """What a restore would read: the snapshot paired with resurrect's ``last`` save file."""
    last = resurrect.last_save_file(rdir)
    if last is None:
        return Check("restore source", Level.WARN, f"{rdir}/last is missing or dangling: "
                     "resurrect has nothing to restore", "prefix + Ctrl-s")
    paired = snapshot.sidecar_path(rdir, last.name).exists()
    try:
        snap = snapshot.for_save_file(rdir, last)
        used = (f"a restore uses {snap.path.name if snap.path else '?'} "
                f"({len(snap.resumable)} resumable pane(s))")
    except (OSError, AssistantResurrectError) as err:
        used = str(err)
    if paired:
        return Check("restore source", Level.OK, f"last -> {last.name}; {used}", None)
    return Check("restore source", Level.WARN, f"last -> {last.name} has no snapshot (our "
                 f"post-save-layout line did not run for that save); {used}",
                 "tmux source-file ~/.tmux.conf, then prefix + Ctrl-s")


def _last_restore() -> list[Check]:
    data = restore.load_outcomes(paths.StateDir.here().outcomes)
    panes = [p for p in data.get("panes", []) if isinstance(p, dict)]
    if not panes:
        return [Check("last restore", Level.OK, "no restore recorded")]
    kinds = [_kind(p) for p in panes]
    failed = kinds.count(restore.Kind.FAILED)
    out = [Check("last restore", Level.WARN if failed else Level.OK,
                 f"{len(panes)} pane(s), {failed} failed", None)]
    for p, kind in zip(panes, kinds, strict=True):
        if kind is restore.Kind.RESUMED:
            continue
        shown = str(p.get("outcome") or p.get("state") or "")
        bad = kind is restore.Kind.FAILED
        out.append(Check(f"restored pane {p.get('pane')}", Level.WARN if bad else Level.OK,
                         f"{p.get('tool')}: {shown} {p.get('reason') or ''}".strip(),
                         "assistant-resurrect restore" if bad else None))
    return out


def _kind(pane: dict[str, t.Any]) -> restore.Kind | None:
    """A pane's outcome kind in ``last-restore.json``; None where it has none."""
    outcome = restore.Outcome.parse(str(pane.get("outcome") or ""))
    return outcome.kind if outcome else None


def _snapshots(names: list[pathlib.Path], opts: Options) -> Check:
    keep = (f"kept {opts.keep_days:g} days" if opts.keep_days
            else "kept as long as resurrect keeps their save files")
    if not names:
        return Check("snapshots", Level.OK, f"none; {keep}")
    ages = [p.stat().st_mtime for p in names if p.exists()]
    return Check("snapshots", Level.OK, f"{len(names)}: oldest {_ago(min(ages))}, newest "
                 f"{_ago(max(ages))}; {keep}")


def _processes(opts: Options) -> list[Check]:
    return [Check("@resurrect-processes", Level.WARN, why,
                  "tmux set -g @resurrect-processes '<the same list without assistants>'")
            for why in save.relaunching_processes(opts.resurrect_processes)]


def _ago(epoch: float) -> str:
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(epoch))
    return f"{when} ({ages.short(time.time() - epoch)} ago)"


def exit_code(checks: list[Check]) -> int:
    """0 when no check is an error, else 1."""
    return int(any(c.level is Level.ERROR for c in checks))
