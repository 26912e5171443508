"""``assistant-resurrect``: the command line, a thin layer over :mod:`recovery` (and hooks,
doctor, bundles, install). Each ``cmd_*`` turns its arguments into one call and returns a
:class:`Reply`: its data (printed as one ``--json`` object, docs/json.md), the lines a
person reads (:mod:`report`), its exit code."""

from __future__ import annotations

import argparse
import logging
import os
import pathlib
import subprocess
import sys
import time
import typing as t

from assistant_resurrect import (
    _log,
    arguments,
    bundle,
    conversations,
    doctor,
    hooks,
    install,
    paths,
    popup,
    recovery,
    report,
    restore,
    resurrect,
    save,
    snapshot,
    terminal,
)
from assistant_resurrect.exc import AssistantResurrectError, kind_of
from assistant_resurrect.recovery import Context, Target
from assistant_resurrect.tmux import Command, MenuItem, Tmux, menu
from assistant_resurrect.tmux import popup as tmux_popup

OK, FAILED = 0, 1
SCHEMA_VERSION = 2
log = logging.getLogger(__name__)


class Reply(t.NamedTuple):
    """A command's result: ``data`` (the ``--json`` object's keys after ``version``),
    ``lines`` (for a person, made safe for the terminal when printed), the exit ``code``."""

    data: dict[str, t.Any]
    lines: list[str]
    code: int = OK


def _print_json(command: str, ok: bool = True, **payload: t.Any) -> None:
    """Every ``--json`` (and ``--print``) output: one object, ``{"schema_version": 2,
    "command": …, "ok": …, ...}`` (docs/json.md), whose strings hold no character a terminal
    acts on (:func:`terminal.json_text`)."""
    print(terminal.json_text({"schema_version": SCHEMA_VERSION, "command": command, "ok": ok,
                              **payload}))


def _out(*lines: str, flush: bool = False) -> None:
    """Lines for a person: untrusted text (titles, directories, ids, paths) never drives the
    terminal (:func:`terminal.safe`)."""
    for line in lines:
        print(terminal.safe(line), flush=flush)


def _tmux(args: argparse.Namespace) -> Tmux:
    return Tmux(socket_name=args.socket_name or None)


def cmd_hook(args: argparse.Namespace) -> int:
    return hooks.run_hook(args.name, args.args)


def cmd_save(args: argparse.Namespace) -> Reply:
    """Take a snapshot now and pair it with the save file ``last`` points to, exactly as the
    hooks do (:func:`hooks.save_into`); ``--dry-run`` writes nothing."""
    ctx = Context.open(args.socket_name)
    last = resurrect.last_save_file(ctx.resurrect_dir)
    if last is None:
        raise AssistantResurrectError(f"no resurrect save file behind {ctx.resurrect_dir}/last:"
                                      f" save with resurrect first (prefix + Ctrl-s)")
    result = hooks.save_into(last, ctx.tmux, dry_run=args.dry_run)
    panes = result.snapshot.panes
    return Reply({"save_file": str(last), "written": result.written, "dry_run": args.dry_run,
                  "panes": [recovery.pane_json(p, restore.State.SAVED) for p in panes]},
                 report.saved(panes, last, args.dry_run))


def cmd_restore(args: argparse.Namespace) -> Reply:
    """The restore plan (:func:`recovery.plan`); with ``--execute``, carried out."""
    ctx = Context.open(args.socket_name)
    rows, snap = recovery.plan(ctx, Target(args.pane, args.window, args.session),
                               args.from_snapshot, args.entry, args.into)
    if args.execute:
        recovery.execute(ctx, rows)
    return Reply({"snapshot": str(snap.path), "panes": [r.to_json() for r in rows]},
                 report.plan(rows, snap), FAILED if recovery.failed(rows) else OK)


def cmd_menu(args: argparse.Namespace) -> int:
    """``display-menu`` of the snapshot ``restore`` would use: one item per saved pane with
    its state; a ready one restores that pane when chosen, the others are shown disabled."""
    ctx = Context.open(args.socket_name)
    rows, snap = recovery.menu_plan(ctx)
    items = [MenuItem(terminal.safe(f"{row.record.tool:<9} {row.record.label}  {row.state}"),
                      str(i + 1) if i < 9 else "",
                      paths.cli_argv(args.socket_name, "restore", "--execute", "--from",
                                     str(snap.path), "--entry", str(i))
                      if row.state is restore.READY else None)
             for i, row in enumerate(rows)]
    return _show(ctx.tmux, args, menu(" saved assistants ", items, args.client))


def _show(tmux: Tmux, args: argparse.Namespace, command: Command) -> int:
    """Run a built tmux command (a menu or popup), or with ``--print`` print it as JSON."""
    if args.print:
        _print_json(args.command, tmux_command=command)
    else:
        tmux.run(command)
    return OK


def cmd_popup(args: argparse.Namespace) -> int:
    """``prefix + A``: the conversations popup (:mod:`popup`) in a ``display-popup``, or the
    ``display-menu`` where popups are unavailable; ``--tui`` is what runs inside it."""
    if args.tui:
        return popup.run(Context.survey(args.socket_name), args.client)
    tmux = _tmux(args)
    try:
        version = tmux.version()[1]
    except (OSError, subprocess.SubprocessError):
        version = None
    if not version or not popup.available(version):
        return cmd_menu(args)
    inner = paths.cli_argv(args.socket_name, "popup", "--tui",
                           *(["--client", args.client] if args.client else []))
    return _show(tmux, args, tmux_popup(inner, " assistant conversations ", args.client,
                                        version))


def cmd_status(args: argparse.Namespace) -> Reply:
    """Each live assistant pane: tool, session id and its source, cwd, resume command."""
    rows = recovery.status(_tmux(args))
    return Reply({"panes": rows}, report.status(rows))


def cmd_history(args: argparse.Namespace) -> Reply:
    """Every snapshot, newest last, with its assistants per tool."""
    rdir = Context.open(args.socket_name).resurrect_dir
    items = recovery.history(rdir)
    return Reply({"resurrect_dir": str(rdir), "snapshots": items}, report.history(items))


def cmd_doctor(args: argparse.Namespace) -> Reply:
    """Read-only checks of the plugin's state (:func:`doctor.run`); exit 1 on any error."""
    checks = doctor.run(_tmux(args))
    return Reply({"checks": [c.to_json() for c in checks]}, report.checks(checks),
                 doctor.exit_code(checks))


def cmd_sessions(args: argparse.Namespace) -> Reply:
    """Every conversation in the tools' stores with its state, newest first
    (:func:`recovery.conversation_rows`); ``sessions resume ID`` resumes one
    (:func:`conversations.resume`: a new window, a split of the caller's pane, or ``--pane``)."""
    now, ctx = time.time(), Context.survey(args.socket_name)
    if args.sessions_command == "resume":
        rows, saved = recovery.conversation_rows(ctx, now)
        found = conversations.find(rows, args.id)
        row = conversations.resume(found, saved, ctx.tmux, ctx.options, ctx.state.root,
                                   args.pane, args.split, os.environ.get("TMUX_PANE"))
        return Reply({"resume": row.to_json()}, report.resumed(row, found),
                     OK if recovery.resumed(row) else FAILED)
    rows, _ = recovery.conversation_rows(
        ctx, now, args.tool, os.getcwd() if args.here else args.cwd, args.since,
        [conversations.ConversationState(s) for s in args.state], args.limit)
    return Reply({"sessions": [row.to_json() for row in rows]}, conversations.table(rows, now))


def cmd_export(args: argparse.Namespace) -> Reply:
    """Bundle conversations (:func:`bundle.export`): by id or unique prefix, the one live in
    ``--pane``, or every live one."""
    rows, _ = recovery.conversation_rows(Context.survey(args.socket_name), time.time())
    sources = recovery.to_export(rows, args.ids, args.pane, args.all_live)
    manifest, skipped = bundle.export(sources, pathlib.Path(args.output), os.environ)
    for why in skipped:
        log.warning("not exported: %s", why)
    return Reply({"bundle": args.output, "conversations": manifest["conversations"],
                  "members": manifest["members"], "skipped": skipped},
                 report.exported(manifest, skipped, args.output))


def cmd_verify(args: argparse.Namespace) -> Reply:
    """Recompute every checksum of a bundle (:func:`bundle.verify`); exit 1 on a problem."""
    checked = bundle.verify(pathlib.Path(args.file))
    convs = checked.manifest["conversations"] if checked.manifest else []
    return Reply({"bundle": args.file, "verified": not checked.problems, "conversations": convs,
                  "members": [{"name": name, "sha256": sha, "size": size}
                              for name, (sha, size, _) in checked.members.items()],
                  "problems": checked.problems},
                 report.verified(checked, args.file), FAILED if checked.problems else OK)


def cmd_import(args: argparse.Namespace) -> Reply:
    """Put conversations back where their tool's store lacks them (:func:`bundle.import_bundle`,
    or a kept copy with ``--kept ID``); exit 1 when something conflicted or was refused."""
    if args.kept:
        results = recovery.import_kept(Context.survey(args.socket_name), args.file,
                                       args.dry_run, args.older)
    else:
        results = bundle.import_bundle(pathlib.Path(args.file), os.environ, args.dry_run)
    for r in results:
        log.info("import %s %s %s: %s %s", r.tool, r.session_id, r.member, r.action.value,
                 r.detail)
    refused = any(r.action.failed for r in results)
    return Reply({"bundle": None if args.kept else args.file, "dry_run": args.dry_run,
                  "results": [r.to_json() for r in results]}, report.results(results),
                 FAILED if refused else OK)


def cmd_keep(args: argparse.Namespace) -> Reply:
    """Keep copies of the newest snapshot's conversations now (:func:`recovery.keep_newest`;
    after each save the keep worker does the same, :mod:`worker`)."""
    results = recovery.keep_newest(Context.survey(args.socket_name))
    return Reply({"results": [r.to_json() for r in results]}, report.results(results))


def cmd_purge(args: argparse.Namespace) -> Reply:
    """Remove orphaned (and, with --older-than, old) snapshots; never the newest non-empty."""
    rdir = Context.open(args.socket_name).resurrect_dir
    with snapshot.locked(rdir):
        removed = snapshot.purge(rdir, args.older_than, args.dry_run)
    verb = "would remove" if args.dry_run else "removed"
    kept = snapshot.newest_non_empty(rdir)
    return Reply({"removed": [p.name for p in removed], "dry_run": args.dry_run,
                  "kept": kept.name if kept else None},
                 [f"{verb} {p.name}" for p in removed]
                 + [f"{verb} {len(removed)} snapshot(s); kept {kept or 'none'}"])


def cmd_install(args: argparse.Namespace) -> Reply:
    """Install every tool's tracker but those switched off (``--off TOOL`` or
    ``@assistant-resurrect-<tool> off``); warn about ``@resurrect-processes`` entries that
    relaunch assistants. Runs outside tmux too (then only ``--off`` applies)."""
    opts = Context.survey(args.socket_name).options
    warnings = save.relaunching_processes(opts.resurrect_processes)
    for warning in warnings:
        log.warning(warning)
    return _steps(install.install_all(set(args.off) | opts.trackers_off),
                  [f"warning: {w}" for w in warnings])


def cmd_uninstall(args: argparse.Namespace) -> Reply:
    return _steps(install.uninstall_all())


def _steps(steps: list[install.Step], before: t.Sequence[str] = ()) -> Reply:
    return Reply({"steps": [{"ok": s.ok, "text": s.text} for s in steps]},
                 [*before, *(s.text for s in steps)], OK if all(s.ok for s in steps) else FAILED)


COMMANDS: dict[str, t.Callable[[argparse.Namespace], Reply | int]] = {
    "hook": cmd_hook, "save": cmd_save, "restore": cmd_restore, "menu": cmd_menu,
    "popup": cmd_popup, "status": cmd_status, "sessions": cmd_sessions, "doctor": cmd_doctor,
    "export": cmd_export, "verify": cmd_verify, "import": cmd_import, "keep": cmd_keep,
    "history": cmd_history, "purge": cmd_purge, "install-hooks": cmd_install,
    "uninstall": cmd_uninstall}


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` (default ``sys.argv[1:]``), run the command, print its :class:`Reply`
    and return its exit code. A refusal (:class:`AssistantResurrectError`) or a file error is
    one line on stderr, exit 1; with ``--json``/``--print`` every error is the envelope's
    ``error`` instead (an unexpected one with its traceback in the log on stderr)."""
    args = arguments.create_parser().parse_args(argv)
    if args.command != "hook":
        _log.log_to_stderr(getattr(logging, str(args.log_level).upper(), logging.WARNING))
    as_json = getattr(args, "json", False) or getattr(args, "print", False)
    try:
        reply = COMMANDS[args.command](args)
    except Exception as err:
        if not (as_json or isinstance(err, (AssistantResurrectError, OSError))):
            raise
        if as_json:
            if not isinstance(err, (AssistantResurrectError, OSError)):
                log.exception("%s failed", args.command)
            _print_json(args.command, False, error={"kind": kind_of(err), "message": str(err)})
        else:
            print(terminal.safe(f"assistant-resurrect: {err}"), file=sys.stderr)
        return FAILED
    if not isinstance(reply, Reply):
        return reply
    if getattr(args, "json", False):
        _print_json(args.command, **reply.data)
    else:
        _out(*reply.lines)
    return reply.code
