"""The trackers we install on the assistants' side, touching others' files with care.

Two kinds serve every tool that needs one (each tool module says which it uses, where):

- :class:`SettingsHooks`: command hooks in a JSON settings file of the Claude Code schema
  ``{"hooks": {"SessionStart": [{"matcher": "", "hooks": [{"type": "command",
  "command": "…"}]}]}}``, edited after a timestamped backup, refused (untouched) when the
  file is not a JSON object;
- :class:`PluginLink`: a symlink to one of our ``hooks/`` files in the tool's plugin
  directory, never replacing a file of the user's, optionally only for some major versions.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import pathlib
import re
import shlex
import shutil
import subprocess
import sys
import typing as t

from assistant_resurrect import _fs, paths
from assistant_resurrect.assistants.base import Tracker
from assistant_resurrect.exc import StateFileError

VERSION_CACHE = "{tool}.version.json"  # apart from the trackers' <tool>-<pid>.json


def load_json_object(path: pathlib.Path, object_keys: t.Iterable[str] = ()) -> dict[str, t.Any]:
    """The JSON object at ``path`` ({} when missing).

    Raises
    ------
    StateFileError
        When the file is not JSON, not an object, or one of ``object_keys`` holds something
        other than an object (the file is left untouched).
    """
    try:
        data = _fs.read_json(path)
    except FileNotFoundError:
        return {}
    if not isinstance(data, dict):
        raise StateFileError(path, "not a JSON object; left untouched")
    for key in object_keys:
        if key in data and not isinstance(data[key], dict):
            raise StateFileError(path, f'"{key}" is not an object; left untouched')
    return data


def write_with_backup(path: pathlib.Path, data: dict[str, t.Any]) -> pathlib.Path | None:
    """Back up the current file (timestamped, once per change), then write atomically,
    following a symlinked settings file to its target and keeping its mode. Returns the
    backup's path (None for a new file)."""
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


class SettingsHooks(Tracker):
    """Our command hook for ``events`` in a JSON settings file (Claude Code's schema).

    The command runs ``hooks/<script>`` with our interpreter and state directory, all quoted.
    Installing is idempotent; uninstalling keeps every other hook and setting.
    """

    def __init__(self, tool: str, settings: pathlib.Path, events: tuple[str, ...],
                 script: str) -> None:
        self.tool, self.settings, self.events, self.script = tool, settings, events, script

    def command(self, python: str | None = None, state_dir: pathlib.Path | None = None) -> str:
        hook = paths.plugin_dir() / "hooks" / self.script
        return " ".join(shlex.quote(str(p)) for p in (
            python or sys.executable, hook, "--state-dir", state_dir or paths.state_dir()))

    def _is_ours(self, hook: t.Any) -> bool:
        return isinstance(hook, dict) and self.script in str(hook.get("command") or "")

    def _without_ours(self, groups: t.Any) -> list[t.Any]:
        """Matcher groups with our hooks removed; groups left empty by that are dropped."""
        out = []
        for group in groups if isinstance(groups, list) else []:
            if not isinstance(group, dict) or not isinstance(group.get("hooks"), list):
                out.append(group)
                continue
            kept = [h for h in group["hooks"] if not self._is_ours(h)]
            if kept or not group["hooks"]:
                out.append({**group, "hooks": kept})
        return out

    def _ours_in(self, hooks: dict[str, t.Any], event: str) -> list[t.Any]:
        return [h for g in hooks.get(event) or [] if isinstance(g, dict)
                for h in g.get("hooks") or [] if self._is_ours(h)]

    def install(self, command: str | None = None) -> str:
        data = load_json_object(self.settings, ["hooks"])
        hooks = dict(data.get("hooks") or {})
        entry = {"type": "command", "command": command or self.command()}
        if all(self._ours_in(hooks, e) == [entry] for e in self.events):
            return f"{self.tool} hooks already installed in {self.settings}"
        for event in self.events:
            hooks[event] = [*self._without_ours(hooks.get(event)),
                            {"matcher": "", "hooks": [entry]}]
        backup = write_with_backup(self.settings, {**data, "hooks": hooks})
        return f"installed {self.tool} hooks in {self.settings}" + (
            f" (backup {backup.name})" if backup else "")

    def status(self) -> tuple[bool, str]:
        if not self.settings.exists():
            return False, f"no {self.settings}"
        hooks = dict(load_json_object(self.settings, ["hooks"]).get("hooks") or {})
        missing = [e for e in self.events if not self._ours_in(hooks, e)]
        if missing:
            return False, f"no {self.tool} hook of ours for {', '.join(missing)} in {self.settings}"
        commands = {str(h.get("command")) for e in self.events for h in self._ours_in(hooks, e)}
        gone = sorted(w for c in commands for w in shlex.split(c)[:2]
                      if not os.path.exists(w))
        if gone:
            return False, f"{self.tool} hook in {self.settings} runs missing {', '.join(gone)}"
        return True, f"{self.tool} hooks for {', '.join(self.events)} in {self.settings}"

    def uninstall(self) -> str:
        if not self.settings.exists():
            return f"no {self.settings}"
        data = load_json_object(self.settings, ["hooks"])
        hooks = dict(data.get("hooks") or {})
        if not any(self._ours_in(hooks, e) for e in self.events):
            return f"no {self.tool} hooks of ours in {self.settings}"
        for event in self.events:
            remaining = self._without_ours(hooks.get(event))
            if remaining:
                hooks[event] = remaining
            else:
                hooks.pop(event, None)
        write_with_backup(self.settings, {**data, "hooks": hooks} if hooks else {
            k: v for k, v in data.items() if k != "hooks"})
        return f"removed {self.tool} hooks from {self.settings}"


class PluginLink(Tracker):
    """A symlink at ``link`` to ``hooks/<script>``, for the majors in ``majors`` of the
    installed tool (all when None); with another major installed, our link is removed."""

    def __init__(self, tool: str, link: pathlib.Path, script: str,
                 majors: t.Collection[int] | None = None) -> None:
        self.tool, self.link, self.script, self.majors = tool, link, script, majors

    def install(self, version: str | None = "ask") -> str:
        """``version`` is the installed tool's (``"ask"``: :func:`cli_version`; None: not
        installed, link anyway for when it is)."""
        if version == "ask":
            version = cli_version(self.tool) if self.majors is not None else None
        if version is not None and self.majors is not None and int(
                version.split(".")[0]) not in self.majors:
            return (f"{self.tool} {version}: the tracker speaks another plugin API; not linked "
                    f"({self.tool} panes use argv and the tool's store) - {self.uninstall()}")
        source = paths.plugin_dir() / "hooks" / self.script
        if self.link.is_symlink():
            if os.readlink(self.link) == str(source):
                return f"{self.tool} tracker already linked at {self.link}"
            self.link.unlink()
        elif self.link.exists():
            raise StateFileError(self.link, "a file of yours is there; left untouched")
        self.link.parent.mkdir(parents=True, exist_ok=True)
        self.link.symlink_to(source)
        return f"linked {self.tool} tracker at {self.link}"

    def status(self) -> tuple[bool, str]:
        version = cli_version(self.tool) if self.majors is not None else None
        gated = version is not None and self.majors is not None and int(
            version.split(".")[0]) not in self.majors
        linked = self.link.is_symlink() and os.readlink(self.link).endswith(self.script)
        if gated:
            return not linked, (f"{self.tool} {version} speaks another plugin API: "
                                f"{'a stale link is left at ' if linked else 'no link at '}"
                                f"{self.link} ({self.tool} panes use argv and its store)")
        if not linked:
            return False, f"no {self.tool} tracker link at {self.link}"
        if not self.link.exists():
            return False, f"{self.link} points to a missing {os.readlink(self.link)}"
        return True, f"{self.tool} tracker linked at {self.link}" + (
            f" ({self.tool} {version})" if version else "")

    def uninstall(self) -> str:
        if self.link.is_symlink() and os.readlink(self.link).endswith(self.script):
            self.link.unlink()
            return f"removed {self.tool} tracker link {self.link}"
        return f"no {self.tool} tracker link of ours at {self.link}"


def cli_version(tool: str, path: str | None = None, cache: pathlib.Path | None = None
                ) -> str | None:
    """``<tool> --version`` of the ``tool`` on ``path`` (default: our ``PATH``), e.g.
    ``"1.18.33"``; None when it is not installed or does not answer within 20 s.

    The answer is kept in ``cache`` (default ``<state>/<tool>.version.json``) for as long as
    the binary (real path and mtime) stays the same: asking can cost a second of CPU, and
    the plugin asks on every tmux start.
    """
    exe = shutil.which(tool, path=path)
    if exe is None:
        return None
    binary = os.path.realpath(exe)
    try:
        key = f"{binary}@{os.stat(binary).st_mtime_ns}"
    except OSError:
        return None
    cache = cache or paths.state_dir() / VERSION_CACHE.format(tool=tool)
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
