"""``assistant-resurrect``: the command line (hooks, save, restore plan, status, install)."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import pathlib
import subprocess
import sys
import time
import typing as t

from assistant_resurrect import (
    __version__,
    _fs,
    _log,
    ages,
    bundle,
    conversations,
    doctor,
    hooks,
    install,
    kept,
    paths,
    popup,
    restore,
    resurrect,
    save,
    shells,
    snapshot,
    terminal,
)
from assistant_resurrect.assistants import ASSISTANTS
from assistant_resurrect.exc import (
    AssistantResurrectError,
    SnapshotNotFoundError,
    TmuxNotRunningError,
    UnquotableError,
)
from assistant_resurrect.options import Options
from assistant_resurrect.procs import ProcessTable
from assistant_resurrect.tmux import Command, MenuItem, PaneRecord, Tmux, menu
from assistant_resurrect.tmux import popup as tmux_popup

OK, FAILED, USAGE = 0, 1, 2
log = logging.getLogger(__name__)
OUTCOMES = "last-restore.json"
RESTORE_FAILED = "restore-failed"


def _tmux(args: argparse.Namespace) -> Tmux:
    return Tmux(socket_name=args.socket_name) if args.socket_name else Tmux()


def _context(args: argparse.Namespace) -> tuple[Tmux, Options, pathlib.Path]:
    """The tmux server, our options, and resurrect's directory as resurrect resolves it."""
    tmux = _tmux(args)
    opts = Options.read(tmux)
    return tmux, opts, resurrect.resolve_dir(opts.resurrect_dir)


def cmd_hook(args: argparse.Namespace) -> int:
    return hooks.run_hook(args.name, args.args)


JSON_VERSION = 1


def _print_json(**payload: t.Any) -> None:
    """Every ``--json`` output: one object, ``{"version": 1, ...}`` (docs/cli-json.md), whose
    strings hold no character a terminal acts on (:func:`terminal.json_text`)."""
    print(terminal.json_text({"version": JSON_VERSION, **payload}))


def _out(text: str = "", flush: bool = False) -> None:
    """One line for a person: untrusted text (titles, directories, ids, paths) never drives
    the terminal (:func:`terminal.safe`)."""
    print(terminal.safe(text), flush=flush)


def cmd_save(args: argparse.Namespace) -> int:
    """Take a snapshot now and pair it with the save file ``last`` points to, exactly as the
    hooks do (:func:`hooks.save_into`: blanking, archive, prune); ``--dry-run`` writes
    nothing."""
    tmux = _tmux(args)
    rdir = resurrect.resolve_dir(Options.read(tmux).resurrect_dir)
    last = resurrect.last_save_file(rdir)
    if last is None:
        raise AssistantResurrectError(f"no resurrect save file behind {rdir}/last: save with "
                                      f"resurrect first (prefix + Ctrl-s)")
    result = hooks.save_into(last, tmux, dry_run=args.dry_run)
    panes = result.snapshot.panes
    if args.json:
        _print_json(save_file=str(last), written=result.written, dry_run=args.dry_run,
                    panes=[p._asdict() for p in panes])
        return OK
    for p in panes:
        _out(f"{p.label}\t{p.tool}\t{p.session_id or '-'}\t{p.session_source}")
    _out(f"{len(panes)} assistant pane(s)" + (" (not written)" if args.dry_run else
                                                f" saved with {last.name}"))
    return OK


def _select(records: list[snapshot.PaneSession], args: argparse.Namespace, tmux: Tmux
            ) -> list[snapshot.PaneSession]:
    """The records the targets name. ``--pane %id`` is a live pane (its address is looked
    up); ``--pane s:w.p`` and ``--window s:w`` are split from the right, so session names
    may hold ``:`` and ``.``."""
    address = None
    if args.pane and args.pane.startswith("%"):
        live = tmux.pane(args.pane)
        if live is None:
            raise AssistantResurrectError(f"no pane {args.pane} in this tmux server")
        address = live.address
    elif args.pane:
        name, _, rest = args.pane.rpartition(":")
        win, _, idx = rest.partition(".")
        address = (name, _int(win), _int(idx))
    window = None
    if args.window:
        name, _, win = args.window.rpartition(":")
        window = (name, _int(win))
    return [r for r in records
            if (not args.session or r.session_name == args.session)
            and (window is None or (r.session_name, r.window_index) == window)
            and (address is None or r.address == address)]


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise AssistantResurrectError(f"not a window or pane index: {text!r}") from None


def cmd_restore(args: argparse.Namespace) -> int:
    """Plan a restore; with --execute (or from the hook), carry it out."""
    if args.hook:
        return _restore_worker(args)
    tmux, opts, rdir = _context(args)
    rows, snap = _plan(args, tmux, opts, rdir)
    if args.execute:
        _execute(rows, tmux, opts)
    _print_rows(rows, args.json, snap)
    return FAILED if any(r.outcome and r.outcome.kind is restore.Kind.FAILED for r in rows) else OK


def _plan(args: argparse.Namespace, tmux: Tmux, opts: Options, rdir: pathlib.Path
          ) -> tuple[list[restore.PlanRow], snapshot.Snapshot]:
    """The snapshot to restore and its plan. Restores take no lock: snapshots are replaced
    atomically, claims keep two restores apart, and a save must never wait on a restore.

    Raises :class:`UntrustedDirError` for a directory others could have planted files in."""
    _fs.require_trusted(snapshot.store_dir(rdir), rdir)  # snapshot.load checks each file
    _fs.require_trusted_dir(paths.state_dir())  # claims, trackers
    if args.from_snapshot:
        path = pathlib.Path(args.from_snapshot)
        snap = snapshot.load(path if path.is_file() else snapshot.store_dir(rdir) / path.name)
    else:
        snap = snapshot.for_save_file(rdir, resurrect.last_save_file(rdir))
    records = _select(snap.panes, args, tmux)
    if args.entry is not None:
        records = snap.panes[args.entry : args.entry + 1]
    rows = restore.make_plan(records, tmux, paths.state_dir(), opts)
    if args.into:
        rows = _retarget(rows, args.into, tmux, opts)
    return rows, snap


def _execute(rows: list[restore.PlanRow], tmux: Tmux, opts: Options) -> None:
    restore.execute(rows, tmux, opts, paths.state_dir() / "claims")
    restore.write_outcomes(paths.state_dir() / OUTCOMES, rows)
    failed = paths.state_dir() / RESTORE_FAILED  # the status line's warning mark
    if any(r.outcome and r.outcome.kind is restore.Kind.FAILED for r in rows):
        _fs.touch_private(failed)
    else:
        failed.unlink(missing_ok=True)
    tmux.display_message(restore.summary(rows))
    log.info(restore.summary(rows))


def _restore_worker(args: argparse.Namespace) -> int:
    """The detached worker behind post-restore-all: everything it does or fails to do goes to
    ``restore.log`` (with tracebacks) and one ``display-message``; it always returns 0."""
    with contextlib.suppress(OSError):
        os.setsid()  # detach from resurrect's run-shell job (the hook line backgrounds us)
    logfile = paths.state_dir() / "restore.log"
    _log.log_to_file(logfile)
    tmux = _tmux(args)
    try:
        opts = Options.read(tmux)
        rdir = resurrect.resolve_dir(opts.resurrect_dir)
        rows, snap = _plan(args, tmux, opts, rdir)
        log.info("restoring %d saved pane(s) from %s", len(rows), snap.path)
        _execute(rows, tmux, opts)
    except SnapshotNotFoundError as err:
        log.info("nothing to restore: %s", err)
    except Exception as err:  # noqa: BLE001 - the worker's last word must reach the log
        log.exception("restore failed")
        tmux.display_message(f"assistant-resurrect: restore failed ({err}); see {logfile}")
    return OK


def cmd_menu(args: argparse.Namespace) -> int:
    """``display-menu`` of the snapshot ``restore`` would use: one item per saved pane with
    its state; ready ones restore that pane when chosen, the others are shown disabled."""
    tmux, opts, rdir = _context(args)
    snap = snapshot.for_save_file(rdir, resurrect.last_save_file(rdir))
    rows = restore.make_plan(snap.panes, tmux, paths.state_dir(), opts)
    items = [tmux_menu_item(args, i, row, t.cast(pathlib.Path, snap.path))
             for i, row in enumerate(rows)]
    return _show(tmux, args, menu(" saved assistants ", items, args.client))


def tmux_menu_item(args: argparse.Namespace, index: int, row: restore.PlanRow,
                   path: pathlib.Path) -> MenuItem:
    """The menu item of one plan row: a ready one runs ``restore --execute`` for it."""
    label = terminal.safe(f"{row.record.tool:<9} {row.record.label}  {row.state}")
    command = _self_argv(args, "restore", "--execute", "--from", str(path), "--entry",
                         str(index)) if row.state is restore.READY else None
    return MenuItem(label, str(index + 1) if index < 9 else "", command)


def _self_argv(args: argparse.Namespace, *argv: str) -> list[str]:
    """The argv that runs this CLI with ``argv`` on the same server and interpreter, for tmux
    to run (``run-shell`` from a menu, ``display-popup``)."""
    return ["env", f"PYTHONPATH={paths.plugin_dir() / 'src'}", sys.executable, "-m",
            "assistant_resurrect", *(["-L", args.socket_name] if args.socket_name else []),
            *argv]


def _show(tmux: Tmux, args: argparse.Namespace, command: Command) -> int:
    """Run a built tmux command (a menu or popup), or with ``--print`` print it as JSON."""
    if args.print:
        print(terminal.json_text(command))
    else:
        tmux.run(command)
    return OK


def cmd_popup(args: argparse.Namespace) -> int:
    """``prefix + A``: open the conversations popup (:mod:`popup`) in a ``display-popup``, or
    the ``display-menu`` where popups are unavailable; ``--tui`` is what runs inside it."""
    if args.tui:
        return _popup_tui(args)
    tmux = _tmux(args)
    try:
        version = tmux.version()[1]
    except (OSError, subprocess.SubprocessError):
        version = None
    if not version or not popup.available(version):
        return cmd_menu(args)
    inner = _self_argv(args, "popup", "--tui", *(["--client", args.client] if args.client
                                                  else []))
    return _show(tmux, args, tmux_popup(inner, " assistant conversations ", args.client,
                                        version))


def _popup_tui(args: argparse.Namespace) -> int:
    """The TUI, then the chosen action: go to a live one's pane, resume into a new window, or
    restore a saved one in place; the outcome is shown with ``display-message``."""
    now = time.time()
    rows, saved = _conversations(args, now)
    picked = popup.pick(rows, now)
    if picked is None:
        return OK
    action, row = picked
    tmux, opts, _ = _context(args)
    try:
        if row.pane:
            tmux.switch_client(row.pane, args.client)
            message = f"{row.tool} {row.session_id} runs in {row.where}"
        elif action == popup.RESTORE:  # _execute shows and logs its own summary
            _execute(restore.make_plan([saved[(row.tool, row.session_id)]], tmux,
                                       paths.state_dir(), opts), tmux, opts)
            return OK
        else:
            _out(f"resuming {row.tool} {row.session_id} in {row.cwd} …", flush=True)
            done = conversations.resume(row, saved, tmux, opts, paths.state_dir())
            message = f"{row.tool} {row.session_id}: {done.outcome or done.state} {done.reason}"
    except AssistantResurrectError as err:
        message = str(err)
    log.info("popup %s: %s", action, message)
    tmux.display_message(f"assistant-resurrect: {message}".strip())
    return OK


def _retarget(rows: list[restore.PlanRow], pane_id: str, tmux: Tmux, opts: Options
              ) -> list[restore.PlanRow]:
    """--into: plan the one selected record against another pane."""
    if len(rows) != 1:
        raise AssistantResurrectError("--into needs exactly one selected pane (use --pane)")
    target = tmux.pane(pane_id)
    if target is None:
        raise AssistantResurrectError(f"no pane {pane_id}")
    rec = rows[0].record
    moved = rec._replace(session_name=target.session_name, window_index=target.window_index,
                         pane_index=target.pane_index)
    return restore.make_plan([moved], tmux, paths.state_dir(), opts)


def _print_rows(rows: list[restore.PlanRow], as_json: bool, snap: snapshot.Snapshot) -> None:
    if as_json:
        _print_json(snapshot=str(snap.path), panes=[r.to_json() for r in rows])
        return
    _out(f"snapshot: {snap.path}")
    for row in rows:
        rec = row.record
        line = f"{rec.label:<16} {rec.tool:<9} {row.state:<16} {row.outcome or row.reason}"
        _out(line.rstrip())
        if row.command:
            _out(f"    {row.command}")
    if not any(r.outcome for r in rows):
        _out("(plan only: nothing was typed; add --execute to run it)")


def cmd_status(args: argparse.Namespace) -> int:
    """Each live assistant pane: tool, session id and its source, cwd, resume command."""
    _, snap = save.snapshot_now(_tmux(args).options_and_panes)
    outcomes = restore.load_outcomes(paths.state_dir() / OUTCOMES)
    last = {p.get("pane"): p.get("outcome", "") for p in outcomes.get("panes", [])
            if isinstance(p, dict)}
    shell = shells.shell_of(os.environ.get("SHELL", "")) or shells.Shell.BASH
    rows = []
    for rec in snap.panes:
        row = restore.PlanRow(rec, restore.State.LIVE)
        if rec.session_id:
            with contextlib.suppress(UnquotableError):
                row.command = restore.resume_command(rec, shell)
        rows.append({**row.to_json(), "refused": rec.refused, "notes": rec.notes,
                     "searched": rec.searched, "last_restore": last.get(rec.label, "")})
    if args.json:
        _print_json(panes=rows)
        return OK
    if not rows:
        _out("no assistant panes")
    for r in rows:
        _out(f"{r['pane']:<16} {r['tool']:<9} {r['session_id'] or '(unknown)'}  "
              f"[{r['session_source'] or 'searched: ' + '; '.join(r['searched'])}"
              f"{', ' + r['confidence'] if r['confidence'] else ''}]")
        _out(f"    cwd: {r['cwd']}")
        if r["command"]:
            _out(f"    resume: {r['command']}")
        if r["refused"]:
            _out(f"    will not relaunch: {r['refused']}")
    return OK


def cmd_history(args: argparse.Namespace) -> int:
    """List snapshots, newest last, with assistants per tool."""
    _, _, rdir = _context(args)
    last = resurrect.last_save_file(rdir)
    items: list[dict[str, t.Any]] = []
    for path in snapshot.list_snapshots(rdir):
        try:
            snap = snapshot.load(path)
        except (OSError, AssistantResurrectError):
            continue
        tools: dict[str, int] = {}
        for p in snap.resumable:
            tools[p.tool] = tools.get(p.tool, 0) + 1
        items.append({"snapshot": path.name, "created_at": snap.created_at,
                      "resurrect_file": snap.resurrect_file, "tools": tools,
                      "last": bool(last and last.name == snap.resurrect_file
                                   and path.stem == last.stem),
                      "save_file_exists": (rdir / (snapshot.save_file_stem(path.name) + ".txt")
                                           ).exists()})
    if args.json:
        _print_json(resurrect_dir=str(rdir), snapshots=items)
        return OK
    for it in items:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(float(it["created_at"])))
        counts = t.cast(dict[str, int], it["tools"])
        shown = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "no assistants"
        _out(f"{'*' if it['last'] else ' '} {when}  {it['snapshot']}  {shown}")
    return OK


def cmd_doctor(args: argparse.Namespace) -> int:
    """Read-only checks of the plugin's state (:func:`doctor.run`); exit 1 on any error."""
    checks = doctor.run(_tmux(args))
    if args.json:
        _print_json(checks=[c.to_json() for c in checks])
        return doctor.exit_code(checks)
    marks = {doctor.Level.OK: "ok  ", doctor.Level.WARN: "WARN", doctor.Level.ERROR: "FAIL"}
    for c in checks:
        _out(f"{marks[c.level]} {c.check}: {c.detail}")
        if c.next_step:
            _out(f"     next: {c.next_step}")
    return doctor.exit_code(checks)


def cmd_sessions(args: argparse.Namespace) -> int:
    """Every conversation in the tools' stores with its state, newest first
    (:func:`conversations.list_conversations`); ``sessions resume ID`` resumes one."""
    if args.sessions_command == "resume":
        return _resume_conversation(args)
    now = time.time()
    rows, _ = _conversations(args, now, args.tool, os.getcwd() if args.here else args.cwd,
                             args.since, [conversations.ConversationState(s) for s in args.state],
                             args.limit)
    if args.json:
        _print_json(sessions=[row.to_json() for row in rows])
        return OK
    for line in conversations.table(rows, now):
        _out(line)
    return OK


def _conversations(args: argparse.Namespace, now: float, *filters: t.Any) -> tuple[
        list[conversations.Conversation], dict[tuple[str, str], snapshot.PaneSession]]:
    """The conversations (``filters``: those of :func:`conversations.list_conversations`)
    and the newest snapshot's entries they were joined with."""
    try:
        option_lines, panes = _tmux(args).options_and_panes()
    except TmuxNotRunningError:
        option_lines, panes = [], []
    rdir = resurrect.resolve_dir(Options.from_lines(option_lines).resurrect_dir)
    running = {key: conversations.Running(where.pane_id, where.label)
               if isinstance(where, PaneRecord) else conversations.Running(None, f"pid {where}")
               for key, where in restore.running_sessions(panes, ProcessTable.snapshot(),
                                                          paths.state_dir()).items()}
    me = os.environ.get("TMUX_PANE")
    current = next((key for key, where in running.items() if me and where.pane_id == me), None)
    saved = _newest_saved(rdir)
    return conversations.list_conversations(
        running, saved, os.environ,
        shells.shell_of(os.environ.get("SHELL", "")) or shells.Shell.BASH, now, current,
        *filters), saved


def _resume_conversation(args: argparse.Namespace) -> int:
    """``sessions resume ID``: :func:`conversations.resume` into a new window in its
    directory, a split of the caller's pane, or ``--pane``."""
    rows, saved_entries = _conversations(args, time.time())
    found = conversations.find(rows, args.id)
    tmux, opts, _ = _context(args)
    row = conversations.resume(found, saved_entries, tmux, opts, paths.state_dir(),
                               args.pane, args.split, os.environ.get("TMUX_PANE"))
    if args.json:
        _print_json(resume=row.to_json())
    else:
        _out(f"{row.pane.pane_id if row.pane else '-'} {found.tool} {found.session_id}: "
              f"{row.outcome or row.state}"
              f"{' (' + row.reason + ')' if row.reason and not row.outcome else ''}")
    done = row.outcome and row.outcome.kind in (restore.Kind.RESUMED, restore.Kind.TYPED)
    return OK if done else FAILED


def _newest_saved(rdir: pathlib.Path) -> dict[tuple[str, str], snapshot.PaneSession]:
    """{(tool, session id): entry} of the newest snapshot that has resumable panes."""
    try:
        path = snapshot.newest_non_empty(rdir)
        snap = snapshot.load(path) if path else None
    except (OSError, AssistantResurrectError) as err:
        log.warning("no saved snapshot used: %s", err)
        snap = None
    return {(p.tool, t.cast(str, p.session_id)): p for p in snap.resumable} if snap else {}


def parse_age(text: str) -> float:
    """:func:`ages.parse` for argparse."""
    try:
        return ages.parse(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def cmd_export(args: argparse.Namespace) -> int:
    """Bundle conversations (:func:`bundle.export`): by id or unique prefix, the one live in
    ``--pane``, or every live one."""
    rows, _ = _conversations(args, time.time())
    if args.pane:
        chosen = [r for r in rows if r.pane == args.pane]
        if not chosen:
            raise AssistantResurrectError(f"no conversation runs in pane {args.pane}")
    elif args.all_live:
        chosen = [r for r in rows if r.state in conversations.LIVE_STATES]
        if not chosen:
            raise AssistantResurrectError("no conversation is live")
    else:
        chosen = [conversations.find(rows, wanted) for wanted in args.ids]
    sources = [bundle.Source(r.tool, r.session_id, r.cwd, r.title, r.resume_command)
               for r in chosen]
    manifest, skipped = bundle.export(sources, pathlib.Path(args.output), os.environ)
    for why in skipped:
        log.warning("not exported: %s", why)
    if args.json:
        _print_json(bundle=args.output, conversations=manifest["conversations"],
                    members=manifest["members"], skipped=skipped)
        return OK
    for conv in manifest["conversations"]:
        _out(f"{conv['tool']:<9} {conv['session_id']}  {len(conv['members'])} file(s)")
    _out(f"wrote {args.output}: {len(manifest['conversations'])} conversation(s), "
          f"{len(manifest['members'])} file(s)" + (f"; {len(skipped)} left out (see above)"
                                                   if skipped else ""))
    return OK


def cmd_verify(args: argparse.Namespace) -> int:
    """Recompute every checksum of a bundle (:func:`bundle.verify`); exit 1 on a problem."""
    checked = bundle.verify(pathlib.Path(args.file))
    convs = checked.manifest["conversations"] if checked.manifest else []
    if args.json:
        _print_json(bundle=args.file, ok=not checked.problems, conversations=convs,
                    members=len(checked.members), problems=checked.problems)
    else:
        for problem in checked.problems:
            _out(f"FAIL {problem}")
        if not checked.problems:
            _out(f"ok {args.file}: {len(convs)} conversation(s), {len(checked.members)} "
                  f"file(s), every checksum matches")
    return FAILED if checked.problems else OK


def cmd_import(args: argparse.Namespace) -> int:
    """Put conversations back where their tool's store lacks them (:func:`bundle.import_bundle`,
    or a kept copy with ``--kept ID``); exit 1 when something conflicted or was refused."""
    if args.kept:
        results = _import_kept(args.file, args.dry_run, args.older)
    else:
        results = bundle.import_bundle(pathlib.Path(args.file), os.environ, args.dry_run)
    for r in results:
        log.info("import %s %s %s: %s %s", r.tool, r.session_id, r.member, r.action, r.detail)
    if args.json:
        _print_json(bundle=None if args.kept else args.file, dry_run=args.dry_run,
                    results=[r.to_json() for r in results])
    else:
        for r in results:
            _out(f"{r.action:<13} {r.member}" + (f"  ({r.detail})" if r.detail else ""))
    return FAILED if any(r.action in ("conflict", "refused") for r in results) else OK


def _import_kept(session_id: str, dry_run: bool, back: int) -> list[bundle.Result]:
    state = paths.state_dir()
    tools = [name for name, tool in ASSISTANTS.items() if kept.has_copy(state, tool, session_id)]
    if not tools:
        raise AssistantResurrectError(f"no kept copy of {session_id!r} in {kept.kept_dir(state)}")
    saved = {sid: rec for (_, sid), rec in _newest_saved(_resurrect_dir()).items()}
    cwd = saved[session_id].cwd if session_id in saved else ""
    return kept.import_kept(state, tools[0], session_id, cwd, os.environ, dry_run, back)


def _resurrect_dir() -> pathlib.Path:
    """resurrect's directory, also without a tmux server (then the defaults apply)."""
    try:
        return resurrect.resolve_dir(Options.read(Tmux()).resurrect_dir)
    except AssistantResurrectError:
        return resurrect.resolve_dir("")


def cmd_keep(args: argparse.Namespace) -> int:
    """Keep copies of the newest snapshot's conversations (:func:`kept.keep`); the save hook
    starts this detached (``--hook``: log to ``save.log``, always exit 0)."""
    if args.hook:
        with contextlib.suppress(OSError):
            _log.log_to_file(paths.state_dir() / "save.log")
    try:
        path = snapshot.newest_non_empty(resurrect.resolve_dir(
            Options.read(_tmux(args)).resurrect_dir))
        records = snapshot.load(path).resumable if path else []
        results = kept.keep(records, paths.state_dir(), restore.env_for)
    except Exception:
        if not args.hook:
            raise
        log.exception("keeping transcripts failed")
        return OK
    log.info("kept %d file(s) of %d conversation(s)", len(results), len(records))
    if args.json:
        _print_json(results=[r.to_json() for r in results])
    elif not args.hook:
        for r in results:
            _out(f"{r.action:<8} {r.member}" + (f"  ({r.detail})" if r.detail else ""))
    return OK


def cmd_purge(args: argparse.Namespace) -> int:
    """Remove orphaned (and, with --older-than, old) snapshots; never the newest non-empty."""
    _, _, rdir = _context(args)
    with snapshot.locked(rdir):
        removed = snapshot.purge(rdir, args.older_than, args.dry_run)
    verb = "would remove" if args.dry_run else "removed"
    for path in removed:
        _out(f"{verb} {path.name}")
    _out(f"{verb} {len(removed)} snapshot(s); kept {snapshot.newest_non_empty(rdir) or 'none'}")
    return OK


def cmd_install(args: argparse.Namespace) -> int:
    """Install every tool's tracker but those switched off (``--off TOOL`` or
    ``@assistant-resurrect-<tool> off``); warn about ``@resurrect-processes`` entries that
    relaunch assistants."""
    off = set(args.off)
    opts = _options_if_reachable(args)
    if opts is not None:
        off |= opts.trackers_off
        for warning in save.relaunching_processes(opts.resurrect_processes):
            log.warning(warning)
            _out(f"warning: {warning}")
    return _print_steps(install.install_all(off))


def _options_if_reachable(args: argparse.Namespace) -> Options | None:
    """Our options when a tmux server answers (``install-hooks`` also runs outside tmux)."""
    try:
        return Options.read(_tmux(args))
    except AssistantResurrectError:
        return None


def cmd_uninstall(args: argparse.Namespace) -> int:
    return _print_steps(install.uninstall_all())


def _print_steps(steps: list[install.Step]) -> int:
    for step in steps:
        _out(step.text)
    return OK if all(step.ok for step in steps) else FAILED


def create_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assistant-resurrect",
        description="Save and resume AI coding assistants in tmux panes (tmux-resurrect hooks).")
    parser.add_argument("--version", action="version", version=__version__)
    parser.add_argument("-L", dest="socket_name", help="tmux socket name (default: $TMUX)")
    parser.add_argument("--log-level", default="WARNING")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("hook", help="entry point for tmux-resurrect hooks (prints nothing)")
    p.add_argument("name", help="post-save-layout | post-save-all | post-restore-all")
    p.add_argument("args", nargs="*")
    p.set_defaults(func=cmd_hook)

    p = sub.add_parser("save", help="snapshot assistant panes now, paired with resurrect's last")
    p.add_argument("--json", action="store_true")
    p.add_argument("--dry-run", action="store_true", help="show, do not write")
    p.set_defaults(func=cmd_save)

    p = sub.add_parser("restore", help="show the restore plan; --execute carries it out",
                       description="Without --execute this only prints the plan.")
    p.add_argument("--execute", action="store_true", help="type the resume commands")
    p.add_argument("--json", action="store_true")
    p.add_argument("--pane", help="%%id or session:window.pane")
    p.add_argument("--window", help="session:window")
    p.add_argument("--session", help="tmux session name")
    p.add_argument("--from", dest="from_snapshot", help="a snapshot file from `history`")
    p.add_argument("--into", help="resume the selected saved pane's session in this %%pane")
    p.add_argument("--hook", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--entry", type=int, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("menu", help="open a tmux menu of saved assistants; choose one to resume")
    p.add_argument("--client", help="tmux client to show the menu on (#{client_name})")
    p.add_argument("--print", action="store_true", help="print the menu command, do not open it")
    p.set_defaults(func=cmd_menu)

    p = sub.add_parser("popup", help="open the conversations popup (prefix + A)")
    p.add_argument("--client", help="tmux client to show it on (#{client_name})")
    p.add_argument("--print", action="store_true", help="print the tmux command, do not run it")
    p.add_argument("--tui", action="store_true", help="run the picker here (inside the popup)")
    p.set_defaults(func=cmd_popup)

    p = sub.add_parser("status", help="live assistant panes, their session ids and sources")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("sessions", help="every conversation on disk, live, saved or orphaned")
    p.add_argument("--json", action="store_true")
    p.add_argument("--tool", action="append", default=[], choices=sorted(ASSISTANTS),
                   help="only this tool's (repeatable)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--cwd", help="only conversations of this directory")
    where.add_argument("--here", action="store_true", help="only those of the current directory")
    p.add_argument("--since", type=parse_age, help="updated within this age (2d, 12h)")
    p.add_argument("--state", action="append", default=[],
                   choices=[s.value for s in conversations.ConversationState],
                   help="only rows in this state (repeatable)")
    p.add_argument("--limit", type=_int, help="at most N rows, newest first")
    p.set_defaults(func=cmd_sessions, sessions_command=None)
    resume_p = p.add_subparsers(dest="sessions_command").add_parser(
        "resume", help="resume one conversation (a new window in its directory by default)")
    resume_p.add_argument("id", help="its session id, or a unique prefix of it")
    into = resume_p.add_mutually_exclusive_group()
    into.add_argument("--window", action="store_true", help="a new window (the default)")
    into.add_argument("--pane", help="this idle shell pane (%%id)")
    into.add_argument("--split", action="store_true", help="split the caller's pane")
    resume_p.add_argument("--json", action="store_true")

    p = sub.add_parser("doctor", help="check the plugin's state, read-only, with next steps")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_doctor)

    p = sub.add_parser("export", help="bundle conversations with checksums (tar.gz)")
    chosen = p.add_mutually_exclusive_group(required=True)
    chosen.add_argument("ids", nargs="*", default=[], metavar="ID",
                        help="session ids (or unique prefixes)")
    chosen.add_argument("--pane", help="the conversation live in this pane (%%id)")
    chosen.add_argument("--all-live", action="store_true", help="every live conversation")
    p.add_argument("--output", "-o", required=True, help="the bundle to write (FILE.tar.gz)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("verify", help="recompute a bundle's checksums; exit 1 on a mismatch")
    p.add_argument("file")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("import", help="put a bundle's conversations back where missing")
    p.add_argument("file", help="a bundle (or, with --kept, a session id)")
    p.add_argument("--kept", action="store_true",
                   help="FILE is a session id: import its kept copy (keep-transcripts)")
    p.add_argument("--older", type=_int, default=0, metavar="N",
                   help="with --kept: the version N before the newest (a file the tool "
                        "truncated or rewrote keeps its earlier versions)")
    p.add_argument("--dry-run", action="store_true", help="say what would be written")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("keep", help="keep copies of the newest snapshot's conversations now")
    p.add_argument("--json", action="store_true")
    p.add_argument("--hook", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_keep)

    p = sub.add_parser("history", help="list snapshots")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("purge", help="remove old snapshots (never the newest non-empty one)")
    p.add_argument("--older-than", type=parse_age, help="age such as 7d or 12h")
    p.add_argument("--dry-run", action="store_true")
    p.set_defaults(func=cmd_purge)

    p = sub.add_parser("install-hooks", help="install the assistants' trackers (hooks, plugins)")
    p.add_argument("--off", action="append", default=[], metavar="TOOL",
                   help="remove this tool's tracker instead (repeatable)")
    p.set_defaults(func=cmd_install)

    p = sub.add_parser("uninstall", help="remove every tracker we installed")
    p.set_defaults(func=cmd_uninstall)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` (default ``sys.argv[1:]``), run the command, return its exit code."""
    args = create_parser().parse_args(argv)
    if args.command != "hook":
        _log.log_to_stderr(getattr(logging, str(args.log_level).upper(), logging.WARNING))
    try:
        return t.cast(int, args.func(args))
    except AssistantResurrectError as err:
        print(terminal.safe(f"assistant-resurrect: {err}"), file=sys.stderr)
        return FAILED
