"""``python -m assistant_resurrect[.worker] …`` with one fault armed, for the fault suite.

``test/faults/faulty-python`` (set as ``@assistant-resurrect-python``) runs this file in place
of the interpreter, so the real hook strings run unchanged. ``$AR_FAULT`` says what to break:

- ``trace:<file>``: append ``<call> <file name>`` for every file-changing call (the steps);
- ``kill:<call>:<n>``: SIGKILL this process at the n-th such call (before it happens);
- ``errno:<call>:<name>:<n>``: make the n-th such call fail with ``OSError(<name>)``;
- ``psutil:<error>:<method>:<process name>``: psutil raises ``<error>`` (AccessDenied,
  NoSuchProcess) when ``<method>`` is read for a process of that name;
- ``no-module:<name>``: importing ``<name>`` fails (libtmux missing).

``<call>`` is one of ``open`` (creating), ``write``, ``fsync``, ``replace``, ``unlink``,
``symlink``, ``mkdir``.
"""

from __future__ import annotations

import errno
import os
import runpy
import signal
import sys

FAULT = os.environ.get("AR_FAULT", "")
CALLS = {"open": os, "write": os, "fsync": os, "replace": os, "unlink": os, "symlink": os,
         "mkdir": os}
counts: dict[str, int] = {}


def _arm_file_calls(kind: str, target: str, arg: str, number: int) -> None:
    for name in CALLS:
        original = getattr(os, name)

        def wrapper(*args: object, _name: str = name, _original: object = original,
                    **kwargs: object) -> object:
            if _name == "open" and not (len(args) > 1 and int(args[1]) & os.O_CREAT):  # type: ignore[call-overload]
                return _original(*args, **kwargs)  # type: ignore[operator]
            where = os.path.basename(str(args[0])) if args and not isinstance(args[0], int) \
                else "fd"
            if kind == "trace":
                with open(target, "a") as fh:
                    fh.write(f"{_name} {where}\n")
            elif _name == target:
                counts[_name] = counts.get(_name, 0) + 1
                if counts[_name] == number:
                    if kind == "kill":
                        os.kill(os.getpid(), signal.SIGKILL)
                    raise OSError(getattr(errno, arg), os.strerror(getattr(errno, arg)), where)
            return _original(*args, **kwargs)  # type: ignore[operator]

        setattr(os, name, wrapper)


def _arm_psutil(error: str, method: str, proc_name: str) -> None:
    import psutil

    original = getattr(psutil.Process, method)

    def wrapper(self: psutil.Process, *args: object, **kwargs: object) -> object:
        if psutil.Process.name(self) == proc_name:
            raise getattr(psutil, error)(self.pid)
        return original(self, *args, **kwargs)

    setattr(psutil.Process, method, wrapper)


def arm(fault: str) -> None:
    kind, _, rest = fault.partition(":")
    parts = rest.split(":")
    if kind == "trace":
        _arm_file_calls("trace", rest, "", 0)
    elif kind == "kill":
        _arm_file_calls("kill", parts[0], "", int(parts[1]))
    elif kind == "errno":
        _arm_file_calls("errno", parts[0], parts[1], int(parts[2]))
    elif kind == "psutil":
        _arm_psutil(*parts)
    elif kind == "no-module":
        sys.modules[parts[0]] = None  # type: ignore[assignment]


def main() -> None:
    args = sys.argv[1:]
    if args[:1] != ["-m"] or len(args) < 2:
        sys.exit("faulty-python runs modules only: -m MODULE ARGS…")
    module, args = args[1], args[2:]
    if FAULT and module.split(".")[0] == "assistant_resurrect":  # the CLI, hooks, workers
        arm(FAULT)
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
