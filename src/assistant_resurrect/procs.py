"""The process table: one psutil pass per save, then cheap lookups by pid.

This is the only module that imports psutil. Vanished processes are data, not errors:
every accessor returns an empty value when the process is gone or not ours.
"""

from __future__ import annotations

import collections
import functools
import os
import pathlib
import typing as t

import psutil

_GONE = (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied, OSError)


class ProcInfo:
    """One process as seen in a snapshot; attributes other than the pids are read on demand.

    ``pid`` and ``ppid`` are ints. The other attributes may be given up front (tests, or a
    caller that already knows them); otherwise the first access asks psutil and caches the
    answer, an empty value when the process is gone or not ours.
    """

    def __init__(self, pid: int, ppid: int, name: str | None = None,
                 create_time: float | None = None, cmdline: list[str] | None = None,
                 exe: str | None = None, cwd: str | None = None) -> None:
        self.pid = pid
        self.ppid = ppid
        self._name = name
        self._create_time = create_time
        self._cmdline = cmdline
        self._exe = exe
        self._cwd = cwd

    def __repr__(self) -> str:
        return f"ProcInfo(pid={self.pid}, ppid={self.ppid})"

    @functools.cached_property
    def _proc(self) -> psutil.Process | None:
        try:
            proc = psutil.Process(self.pid)
            if self._create_time is not None and abs(proc.create_time() - self._create_time) > 0.5:
                return None  # the pid was reused since we first saw it
            return proc
        except _GONE:
            return None

    def _ask(self, attr: str, empty: t.Any) -> t.Any:
        proc = self._proc
        if proc is None:
            return empty
        try:
            return getattr(proc, attr)()
        except _GONE:
            return empty

    @property
    def name(self) -> str:
        """The kernel's short name (``comm`` on Linux, 15 bytes at most), '' when gone."""
        if self._name is None:
            self._name = self._ask("name", "") or ""
        return self._name

    @property
    def create_time(self) -> float:
        """Start time in seconds since the epoch; with ``pid`` the identity that survives pid
        reuse (psutil ``create_time``). 0.0 when the process is gone."""
        if self._create_time is None:
            self._create_time = float(self._ask("create_time", 0.0))
        return self._create_time

    @property
    def cmdline(self) -> list[str]:
        """The exact argv (empty when unreadable)."""
        if self._cmdline is None:
            self._cmdline = list(self._ask("cmdline", []))
        return self._cmdline

    @property
    def exe(self) -> str:
        """Absolute path of the executable, or '' when unknown."""
        if self._exe is None:
            self._exe = self._ask("exe", "") or ""
        return self._exe

    @property
    def cwd(self) -> str:
        """Current directory of the process, or '' when unknown."""
        if self._cwd is None:
            self._cwd = self._ask("cwd", "") or ""
        return self._cwd

    def environ(self) -> dict[str, str]:
        """The process environment (empty where the platform or permissions refuse)."""
        return dict(self._ask("environ", {}))

    def open_paths(self) -> list[str]:
        """Paths of regular files the process holds open (empty when unknown)."""
        return [f.path for f in self._ask("open_files", [])]

    def is_alive(self) -> bool:
        """True while the same process (pid and start time) still runs and is not a zombie."""
        proc = self._proc
        try:
            return proc is not None and proc.status() != psutil.STATUS_ZOMBIE
        except _GONE:
            return False


class ProcessTable:
    """Every process of the machine at one instant, indexed parent → children.

    Build it with :meth:`snapshot` (one psutil pass) or from literal records in tests.
    """

    def __init__(self, procs: t.Iterable[ProcInfo]) -> None:
        self.by_pid: dict[int, ProcInfo] = {p.pid: p for p in procs}
        self.children: dict[int, list[int]] = collections.defaultdict(list)
        for proc in self.by_pid.values():
            if proc.ppid != proc.pid:
                self.children[proc.ppid].append(proc.pid)
        for kids in self.children.values():
            kids.sort()

    @classmethod
    def snapshot(cls) -> ProcessTable:
        """Read the pid → ppid map of every visible process in one pass.

        Uses psutil's own one-shot map (what ``Process.children()`` uses) when this psutil has
        it, else ``process_iter``; everything else is read later, only for processes in panes.
        """
        ppid_map = getattr(psutil, "_ppid_map", None)
        if ppid_map is not None:
            try:
                return cls(ProcInfo(pid, ppid) for pid, ppid in ppid_map().items())
            except _GONE:
                pass
        return cls(ProcInfo(p.pid, p.info["ppid"]) for p in psutil.process_iter(["ppid"])
                   if p.info.get("ppid") is not None)

    def tree(self, root: int) -> list[ProcInfo]:
        """``root`` and all its descendants, breadth first (root first), cycle-safe."""
        order: list[ProcInfo] = []
        seen: set[int] = set()
        queue = collections.deque([root])
        while queue:
            pid = queue.popleft()
            if pid in seen:
                continue
            seen.add(pid)
            proc = self.by_pid.get(pid)
            if proc is None:
                continue
            order.append(proc)
            queue.extend(self.children.get(pid, ()))
        return order


def clock_ticks_since_boot(create_time: float) -> int:
    """Convert a psutil start time to ``/proc/<pid>/stat`` field 22 (clock ticks since boot).

    Claude Code's ``sessions/<pid>.json`` stores that field as ``procStart``.
    """
    hz = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    return round((create_time - psutil.boot_time()) * hz)


def basename(path: str) -> str:
    """Last component of a path as it appears in argv ('' for '')."""
    return pathlib.PurePosixPath(path).name if path else ""
