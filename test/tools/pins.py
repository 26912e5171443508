"""Print the npm manifest of the pinned CLIs, assembled from each ``test/tools/<tool>.py``'s
``PINS`` (its package first, then what it needs to run): the file ``test/install-clis.sh``
installs. Standard library only (it runs before the test environment exists); ``PINS`` must
be a literal dict. ``ORDER`` in ``__init__.py`` lists the tools."""

from __future__ import annotations

import ast
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
DESCRIPTION = (
    "The real assistant CLIs the tests drive, pinned. Installed by test/install-clis.sh into "
    "a cache outside the repo. \"assistants\" maps each tool's bin to its package (the tests "
    "and install-clis.sh read it). Node.js 22 (the node package) comes first on the tests' "
    "PATH: Qwen Code needs it. Oh My Pi runs on bun (the bun package).")


def literal(path: pathlib.Path, name: str) -> object:
    """The literal assigned to ``name`` at the top of ``path``."""
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(
                isinstance(target, ast.Name) and target.id == name for target in node.targets):
            return ast.literal_eval(node.value)
    raise SystemExit(f"{path}: no {name} = <literal>")


def manifest() -> dict[str, object]:
    """{"name", "private", "description", "dependencies", "assistants"}."""
    order = tools()
    dependencies: dict[str, str] = {}
    assistants: dict[str, str] = {}
    for tool in order:
        pins = literal(HERE / f"{tool}.py", "PINS")
        assert isinstance(pins, dict) and pins, f"{tool}: PINS is a non-empty dict"
        dependencies.update(pins)
        assistants[tool] = next(iter(pins))
    return {"name": "assistant-resurrect-test-clis", "private": True,
            "description": DESCRIPTION, "dependencies": dependencies,
            "assistants": assistants}


def tools() -> list[str]:
    """The tool names in ``ORDER``."""
    order = literal(HERE / "__init__.py", "ORDER")
    assert isinstance(order, list | tuple)
    return [str(tool) for tool in order]


if __name__ == "__main__":
    sys.stdout.write(json.dumps(manifest(), indent=2) + "\n")
