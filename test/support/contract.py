"""The ``--json`` contract (docs/json.md): every output a test reads is checked against its
command's JSON Schema in ``docs/schema/`` before the test looks at it."""

from __future__ import annotations

import functools
import json
import typing as t

import jsonschema
import referencing

from support.lab import REPO

SCHEMAS = REPO / "docs" / "schema"


@functools.cache
def _registry() -> referencing.Registry[t.Any]:
    resources = [(path.name, referencing.Resource.from_contents(json.loads(path.read_text())))
                 for path in SCHEMAS.glob("*.json")]
    return referencing.Registry().with_resources(resources)


def schema_of(command: str) -> dict[str, t.Any]:
    return t.cast(dict[str, t.Any], json.loads((SCHEMAS / f"{command}.json").read_text()))


def checked(command: str, stdout: str) -> dict[str, t.Any]:
    """``stdout`` parsed, after it validated against ``command``'s schema (raises
    :class:`jsonschema.ValidationError` naming the offending key otherwise)."""
    data = json.loads(stdout)
    jsonschema.Draft202012Validator(schema_of(command), registry=_registry()).validate(data)
    return t.cast(dict[str, t.Any], data)


def command_of(args: t.Sequence[str]) -> str | None:
    """The command whose JSON ``args`` ask for (``--json`` or ``--print``), else None."""
    if "--json" not in args and "--print" not in args:
        return None
    return next(a for a in args if not a.startswith("-") and (SCHEMAS / f"{a}.json").exists())


def validate_cli_output(args: t.Sequence[str], stdout: str) -> None:
    """Check what a CLI run printed when it asked for JSON."""
    command = command_of(args)
    if command is not None and stdout.strip():
        checked(command, stdout)
