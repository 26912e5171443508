"""The ``--json`` contract v2 (docs/json.md): every command that prints JSON has a schema in
``docs/schema/``, and the real output of each, on a real tmux server with the real OpenCode,
validates against it, an error envelope included."""

from __future__ import annotations

import argparse
import json
import re

import jsonschema
import pytest
from support import contract, fixtures
from support.lab import REPO, Lab

from assistant_resurrect import arguments

pytestmark = [pytest.mark.clis]


def _json_commands() -> set[str]:
    """The commands whose parser takes ``--json`` or ``--print``."""
    parser = arguments.create_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {name for name, p in sub.choices.items()
            if any(o in ("--json", "--print") for a in p._actions for o in a.option_strings)}


def test_every_json_command_has_a_valid_schema_named_in_the_docs() -> None:
    doc = (REPO / "docs" / "json.md").read_text()
    commands = _json_commands()
    assert len(commands) >= 15
    schemas = {p.stem for p in contract.SCHEMAS.glob("*.json")} - {"defs"}
    assert schemas == commands
    for name in (*commands, "defs"):
        jsonschema.Draft202012Validator.check_schema(contract.schema_of(name))
        assert f"docs/schema/{name}.json" in doc, name


def test_a_wrong_shape_is_refused() -> None:
    """The check can fail: an epoch time, a count for a list, a missing envelope key."""
    good = {"schema_version": 2, "command": "history", "ok": True, "resurrect_dir": "/r",
            "snapshots": [{"snapshot": "a.json", "created_at": "2026-12-07T10:00:00Z",
                           "resurrect_file": "a.txt", "tools": {"claude": 1}, "last": True,
                           "save_file_exists": True}]}
    contract.checked("history", json.dumps(good))
    epoch = {**good, "snapshots": [{**good["snapshots"][0], "created_at": 1.8e9}]}
    for bad in (epoch, {**good, "schema_version": 1}, {k: v for k, v in good.items()
                                                      if k != "ok"},
                {**good, "ok": False}):
        with pytest.raises(jsonschema.ValidationError):
            contract.checked("history", json.dumps(bad))


def test_every_command_s_real_output_keeps_to_its_schema(lab: Lab) -> None:
    seen: dict[str, dict[str, object]] = {}

    def run(*args: str, codes: tuple[int, ...] = (0,)) -> dict[str, object]:
        proc = lab.cli(*args, check=False)
        assert proc.returncode in codes, (args, proc.stdout, proc.stderr)
        command = contract.command_of(args)
        assert command is not None
        data = seen[command] = contract.checked(command, proc.stdout)
        return data

    sid, _ = fixtures.start_opencode(lab, "w", "alpha")
    lab.load_plugin()
    lab.resurrect_save()
    saved = run("save", "--dry-run", "--json")
    assert [p["session_id"] for p in saved["panes"]] == [sid]  # type: ignore[index]
    run("save", "--json")
    status = run("status", "--json")
    assert status["panes"][0]["state"] == "live"  # type: ignore[index]
    plan = run("restore", "--json")
    assert plan["panes"][0]["state"] == "already-running"  # type: ignore[index]
    history = run("history", "--json")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ",
                        history["snapshots"][-1]["created_at"])  # type: ignore[index]
    rows = run("sessions", "--json")["sessions"]
    assert sid in {r["session_id"] for r in rows}  # type: ignore[attr-defined]
    bundle = lab.root / "one.tar.gz"
    run("export", sid, "-o", str(bundle), "--json")
    verified = run("verify", str(bundle), "--json")
    assert verified["verified"] is True and verified["members"]  # type: ignore[index]
    run("import", str(bundle), "--dry-run", "--json")
    run("keep", "--json")
    run("purge", "--dry-run", "--json")
    checks = run("doctor", "--json", codes=(0, 1))["checks"]
    assert {"tmux", "last save"} <= {c["check"] for c in checks}  # type: ignore[attr-defined]
    assert run("menu", "--print")["tmux_command"][0] == "display-menu"  # type: ignore[index]
    run("popup", "--print")
    run("install-hooks", "--json")
    run("uninstall", "--json")
    assert set(seen) == _json_commands()

    missing = contract.checked("sessions", lab.cli("sessions", "resume", "no-such-id", "--json",
                                                   check=False).stdout)
    assert missing["ok"] is False and missing["error"] == {  # type: ignore[comparison-overlap]
        "kind": "error", "message": "no conversation 'no-such-id' in any tool's store"}
