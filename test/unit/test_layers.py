"""The package's layers: every import points down a floor or stays on its own, and no module
imports itself back through others (lazy imports inside functions count too).

The floors (docs/architecture.md draws them): 1 the parts (tmux, shells, prompt, processes,
files, options), 2 tool knowledge (``assistants/``), 3 the store and detection (snapshot, detect,
save, kept copies, bundles), 4 the application (restore, conversations, doctor, install,
hooks), 5 the interfaces (cli, popup, ``__main__``).
"""

from __future__ import annotations

import ast
import pathlib
import typing as t

from support.lab import REPO

PACKAGE = REPO / "src" / "assistant_resurrect"
FLOORS = {
    1: {"", "exc", "paths", "ages", "redact", "terminal", "tmux_quote", "_fs", "_log", "procs",
        "shells", "resurrect", "tmux", "options", "prompt"},
    2: {"assistants"},
    3: {"snapshot", "detect", "save", "kept", "bundle"},
    4: {"restore", "conversations", "doctor", "install", "hooks", "recovery"},
    5: {"cli", "arguments", "report", "popup", "worker", "__main__"},
}


def _modules() -> dict[str, pathlib.Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        found[".".join(p for p in parts if p != "__init__")] = path
    return found


def _imports(path: pathlib.Path, modules: t.Collection[str]) -> set[str]:
    """The package's modules ``path`` imports, relative names ('' is the package)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [(f"{node.module}.{a.name}", node.module) for a in node.names]
        elif isinstance(node, ast.Import):
            names = [(a.name, a.name) for a in node.names]
        else:
            continue
        for name, parent in names:
            for candidate in (name, parent):
                relative = candidate.removeprefix("assistant_resurrect").lstrip(".")
                if candidate.split(".")[0] == "assistant_resurrect" and relative in modules:
                    out.add(relative)
                    break
    return out


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(path, modules) - {name} for name, path in modules.items()}


def _floor(module: str) -> int:
    top = module.split(".")[0]
    return next(floor for floor, names in FLOORS.items() if top in names)


def test_every_module_has_a_floor_and_imports_point_down() -> None:
    graph = _graph()
    assert len(graph) > 30
    placed = set().union(*FLOORS.values())
    assert sorted(m for m in graph if m.split(".")[0] not in placed) == []
    upward = sorted(f"{m} (floor {_floor(m)}) imports {d} (floor {_floor(d)})"
                    for m, deps in graph.items() for d in deps if _floor(d) > _floor(m))
    assert upward == []


def test_there_is_no_import_circle() -> None:
    graph = _graph()
    circles = []
    for start in graph:
        stack, seen = [(start, (start,))], set()
        while stack:
            node, path = stack.pop()
            for dep in graph[node]:
                if dep == start:
                    circles.append(" -> ".join((*path, dep)))
                elif dep not in seen:
                    seen.add(dep)
                    stack.append((dep, (*path, dep)))
    assert circles == []


def test_every_registered_assistant_has_its_test_file_and_pin() -> None:
    """``test/tools/<tool>.py`` per registered tool, in registration order, its ``CASE``
    named for it and its npm package first in the manifest ``test/install-clis.sh`` installs."""
    import tools
    from tools import pins

    from assistant_resurrect.assistants import ASSISTANTS

    files = {p.stem for p in (REPO / "test" / "tools").glob("*.py")} - {"__init__", "pins"}
    assert list(ASSISTANTS) == tools.ORDER and files == set(ASSISTANTS)
    assert list(tools.TOOLS) == list(ASSISTANTS)
    manifest = pins.manifest()
    assert list(t.cast(dict[str, str], manifest["assistants"])) == list(ASSISTANTS)
    assert set(t.cast(dict[str, str], manifest["assistants"]).values()) <= set(
        t.cast(dict[str, str], manifest["dependencies"]))
