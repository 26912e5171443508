"""Install and remove the assistant-side trackers, touching others' files with care.

Claude Code: command hooks for SessionStart and SessionEnd in
``$CLAUDE_CONFIG_DIR/settings.json`` (default ``~/.claude/settings.json``), schema
``{"hooks": {"SessionStart": [{"matcher": "", "hooks": [{"type": "command",
"command": "…"}]}]}}``. OpenCode 1.x: a symlink in ``$XDG_CONFIG_HOME/opencode/plugins/``.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import pathlib
import re
import shlex
import shutil
import subprocess
import sys
import typing as t

from assistant_resurrect import _fs, paths
from assistant_resurrect.exc import StateFileError

log = logging.getLogger(__name__)
CLAUDE_HOOK = "claude_session.py"
CLAUDE_EVENTS = ("SessionStart", "SessionEnd")
OPENCODE_LINK = "tmux-assistant-resurrect.js"


def claude_settings_path(env: t.Mapping[str, str] | None = None) -> pathlib.Path:
    env = os.environ if env is None else env
    base = env.get("CLAUDE_CONFIG_DIR") or os.path.join(env.get("HOME", "~"), ".claude")
    return pathlib.Path(os.path.expanduser(base)) / "settings.json"


def claude_hook_command(python: str | None = None, state_dir: pathlib.Path | None = None) -> str:
    """The command Claude runs: absolute interpreter, hook path and state dir, all quoted."""
    script = paths.plugin_dir() / "hooks" / CLAUDE_HOOK
    return " ".join(shlex.quote(str(p)) for p in (
        python or sys.executable, script, "--state-dir", state_dir or paths.state_dir()))


def _is_ours(hook: t.Any) -> bool:
    return isinstance(hook, dict) and CLAUDE_HOOK in str(hook.get("command") or "")


def _without_ours(groups: t.Any) -> list[t.Any]:
    """Matcher groups with our hooks removed; groups left empty by that are dropped."""
    out = []
    for group in groups if isinstance(groups, list) else []:
        if not isinstance(group, dict) or not isinstance(group.get("hooks"), list):
            out.append(group)
            continue
        kept = [h for h in group["hooks"] if not _is_ours(h)]
        if kept or not group["hooks"]:
            out.append({**group, "hooks": kept})
    return out


def _load_settings(path: pathlib.Path) -> dict[str, t.Any]:
    try:
        data = _fs.read_json(path)
    except FileNotFoundError:
        return {}
    if not isinstance(data, dict):
        raise StateFileError(path, "not a JSON object; left untouched")
    if "hooks" in data and not isinstance(data["hooks"], dict):
        raise StateFileError(path, '"hooks" is not an object; left untouched')
    return data


def _write_settings(path: pathlib.Path, data: dict[str, t.Any]) -> pathlib.Path | None:
    """Back up the current file (timestamped, once per change), then write atomically,
    following a symlinked settings file to its target and keeping its mode."""
    target = path.resolve() if path.is_symlink() else path
    backup = None
    if target.exists():
        stamp = datetime.datetime.now().strftime("%Y%m%dT%H%M%S")
        backup = target.with_name(f"{target.name}.assistant-resurrect-{stamp}.bak")
        shutil.copy2(target, backup)
        mode = target.stat().st_mode & 0o777
    else:
        _fs.ensure_private_dir(target.parent)
        mode = _fs.PRIVATE_FILE_MODE
    _fs.atomic_write_json(target, data, mode)
    _fs.remove_stale_temps(target.parent, targets={target.name})
    return backup


def install_claude(command: str | None = None, path: pathlib.Path | None = None) -> str:
    """Add our SessionStart/SessionEnd hook; idempotent. Returns what was done.

    Raises
    ------
    StateFileError
        When settings.json is not valid JSON (it is left untouched).
    """
    path = path or claude_settings_path()
    command = command or claude_hook_command()
    data = _load_settings(path)
    hooks = dict(data.get("hooks") or {})
    entry = {"type": "command", "command": command}
    current = all(
        any(isinstance(g, dict) and entry in (g.get("hooks") or []) for g in hooks.get(e) or [])
        and sum(_is_ours(h) for g in hooks.get(e) or [] if isinstance(g, dict)
                for h in g.get("hooks") or []) == 1
        for e in CLAUDE_EVENTS)
    if current:
        return f"claude hooks already installed in {path}"
    for event in CLAUDE_EVENTS:
        hooks[event] = [*_without_ours(hooks.get(event)), {"matcher": "", "hooks": [entry]}]
    backup = _write_settings(path, {**data, "hooks": hooks})
    return f"installed claude hooks in {path}" + (f" (backup {backup.name})" if backup else "")


def uninstall_claude(path: pathlib.Path | None = None) -> str:
    """Remove our hooks, keeping every other hook and setting."""
    path = path or claude_settings_path()
    if not path.exists():
        return f"no {path}"
    data = _load_settings(path)
    hooks = dict(data.get("hooks") or {})
    if not any(_is_ours(h) for e in CLAUDE_EVENTS for g in hooks.get(e) or []
               if isinstance(g, dict) for h in g.get("hooks") or []):
        return f"no claude hooks of ours in {path}"
    for event in CLAUDE_EVENTS:
        remaining = _without_ours(hooks.get(event))
        if remaining:
            hooks[event] = remaining
        else:
            hooks.pop(event, None)
    new = {**data, "hooks": hooks} if hooks else {k: v for k, v in data.items() if k != "hooks"}
    _write_settings(path, new)
    return f"removed claude hooks from {path}"


def opencode_plugin_path(env: t.Mapping[str, str] | None = None) -> pathlib.Path:
    env = os.environ if env is None else env
    config = env.get("XDG_CONFIG_HOME") or os.path.join(env.get("HOME", "~"), ".config")
    return pathlib.Path(os.path.expanduser(config)) / "opencode" / "plugins" / OPENCODE_LINK


OPENCODE_VERSION_CACHE = "opencode.version.json"  # apart from the trackers' <tool>-<pid>.json


def opencode_version(path: str | None = None, cache: pathlib.Path | None = None
                     ) -> str | None:
    """``opencode --version`` of the ``opencode`` on ``path`` (default: our ``PATH``), e.g.
    ``"1.18.33"``; None when it is not installed or does not answer within 20 s.

    The answer is kept in ``cache`` (default ``<state>/opencode.version.json``) for as long as
    the binary (real path and mtime) stays the same: asking costs a second of CPU, and the
    plugin asks on every tmux start.
    """
    exe = shutil.which("opencode", path=path)
    if exe is None:
        return None
    binary = os.path.realpath(exe)
    try:
        key = f"{binary}@{os.stat(binary).st_mtime_ns}"
    except OSError:
        return None
    cache = cache or paths.state_dir() / OPENCODE_VERSION_CACHE
    cached = _fs.read_json_or_none(cache)
    if isinstance(cached, dict) and cached.get("binary") == key:
        return str(cached.get("version")) if cached.get("version") else None
    try:
        proc = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=20,
                              stdin=subprocess.DEVNULL, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r"\b(\d+\.\d+\.\d+)\b", proc.stdout)
    version = found.group(1) if found else None
    with contextlib.suppress(OSError):
        _fs.atomic_write_json(cache, {"binary": key, "version": version})
    return version


def install_opencode(link: pathlib.Path | None = None, version: str | None = "ask") -> str:
    """Symlink our tracker into OpenCode's global plugin directory; never replace a file.

    ``version`` is the installed OpenCode's (``"ask"``: :func:`opencode_version`; None: not
    installed, link anyway for when it is). From 2.x on, our link is removed instead.
    """
    link = link or opencode_plugin_path()
    if version == "ask":
        version = opencode_version()
    if version is not None and int(version.split(".")[0]) >= 2:
        removed = uninstall_opencode(link)
        return (f"opencode {version}: the tracker speaks the 1.x plugin API; not linked "
                f"(OpenCode panes use argv and opencode.db) - {removed}")
    source = paths.plugin_dir() / "hooks" / "opencode-tracker.js"
    if link.is_symlink():
        if os.readlink(link) == str(source):
            return f"opencode tracker already linked at {link}"
        link.unlink()
    elif link.exists():
        raise StateFileError(link, "a file of yours is there; left untouched")
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(source)
    return f"linked opencode tracker at {link}"


def uninstall_opencode(link: pathlib.Path | None = None) -> str:
    """Remove our symlink (only if it is ours)."""
    link = link or opencode_plugin_path()
    if link.is_symlink() and os.readlink(link).endswith("opencode-tracker.js"):
        link.unlink()
        return f"removed opencode tracker link {link}"
    return f"no opencode tracker link of ours at {link}"
