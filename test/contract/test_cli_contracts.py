"""Our option tables and failure texts against the pinned CLIs' real ``--help`` and exit codes:
a CLI upgrade that renames, removes or changes the arity of an option fails here, loudly."""

from __future__ import annotations

import json
import os
import pathlib
import re
import shutil
import subprocess
import typing as t
import uuid

import pytest
from support.tools import TOOLS
from tools import pins

from assistant_resurrect import redact
from assistant_resurrect.assistants import ASSISTANTS, trackers

pytestmark = [pytest.mark.clis]

def run(cli_bin: pathlib.Path, tool: str, *args: str, cwd: pathlib.Path | None = None
        ) -> subprocess.CompletedProcess[str]:
    node = os.path.dirname(shutil.which("node") or "/usr/bin/node")  # the node the suite uses
    env = {"HOME": os.environ["HOME"], "PATH": f"{cli_bin}:{node}:/usr/bin:/bin",
           "LANG": "C.UTF-8", "GEMINI_API_KEY": "fake", "NO_COLOR": "1"}
    return subprocess.run([str(cli_bin / tool), *args], env=env, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL, cwd=cwd)


@pytest.fixture(scope="module")
def helps(cli_bin: pathlib.Path) -> dict[str, str]:
    out = {tool: run(cli_bin, tool, "--help") for tool in ASSISTANTS}
    return {tool: proc.stdout + proc.stderr for tool, proc in out.items()}


def _long_options(spec: t.Any) -> set[str]:
    names = set().union(spec.takes_value, spec.optional_value, spec.variadic, spec.selectors,
                        spec.dropped, spec.restrictions, spec.rejected, spec.credentials,
                        spec.not_credentials)
    return {n.split("=")[0] for n in names if n.startswith("--")}


@pytest.mark.parametrize("tool", list(ASSISTANTS))
def test_every_option_we_name_exists_in_the_pinned_cli(tool: str, helps: dict[str, str]
                                                       ) -> None:
    text = helps[tool]
    assert len(text) > 500, f"{tool} --help printed almost nothing"
    hidden = TOOLS[tool].hidden_options
    missing = sorted(o for o in _long_options(ASSISTANTS[tool].flags) - hidden
                     if not re.search(rf"(^|[\s,]){re.escape(o)}([\s,=\[<]|$)", text, re.MULTILINE))
    assert missing == []


# the options of each pinned CLI that carry a credential: never saved, logged or typed
CREDENTIAL_OPTIONS = {"qwen": {"--openai-api-key"}, "pi": {"--api-key"}, "omp": {"--api-key"},
                      "cline": {"--key"}}


@pytest.mark.parametrize("tool", list(ASSISTANTS))
def test_every_credential_option_of_the_help_is_known(tool: str, helps: dict[str, str]
                                                      ) -> None:
    """Each ``--help`` option whose name says credential is one (its value never saved) or is
    named in ``not_credentials``; an upgrade adding one shows up here."""
    spec = ASSISTANTS[tool].flags
    options = set(re.findall(r"(?<![\w-])--[A-Za-z0-9][\w-]*", helps[tool]))
    named = {o for o in options if redact.is_credential_flag(o)}
    assert {o for o in named if spec.is_credential(o)} == CREDENTIAL_OPTIONS.get(tool, set())
    assert named - spec.not_credentials == CREDENTIAL_OPTIONS.get(tool, set())


@pytest.mark.parametrize("tool", ["claude", "copilot"])
def test_value_arity_matches_the_help(tool: str, helps: dict[str, str]) -> None:
    """``--x <v>`` takes a value, ``--x [v]`` an optional one, ``<v...>`` several."""
    spec = ASSISTANTS[tool].flags
    definition = re.compile(r"^\s{1,8}(?:-\w,\s+)?(?:--[\w-]+,\s+)?(--[\w-]+)\s+"
                            r"(\[<[^\]]*\]|<[^>]*>|\[[^\]]*\])")
    for line in helps[tool].splitlines():
        for name, kind in definition.findall(line):
            variadic = "..." in kind
            optional = kind.startswith("[") and not variadic
            if name in spec.variadic:
                assert variadic, f"{name} is documented {kind}"
            elif name in spec.optional_value:
                assert optional, f"{name} is documented {kind}"
            elif name in spec.takes_value:
                assert kind.startswith("<") and not variadic, f"{name} is documented {kind}"
            else:
                pytest.fail(f"{tool} {name} takes a value ({kind}) that our table ignores")


def test_codex_rejects_what_we_map_and_accepts_what_we_map_to(cli_bin: pathlib.Path) -> None:
    for args in (["--full-auto"], ["-a", "on-failure"], ["-a", "untrusted"]):
        proc = run(cli_bin, "codex", *args, "--version")
        assert proc.returncode == 2, (args, proc.stderr)
    for args in (["--sandbox", "workspace-write", "--ask-for-approval", "on-request"], ["--yolo"]):
        assert run(cli_bin, "codex", *args, "--version").returncode == 0, args


def test_failure_texts_we_look_for_are_what_the_clis_print(cli_bin: pathlib.Path,
                                                           tmp_path: pathlib.Path) -> None:
    bogus = str(uuid.uuid4())
    copilot = run(cli_bin, "copilot", f"--resume={bogus}", cwd=tmp_path)
    gemini = run(cli_bin, "gemini", "-r", bogus, cwd=tmp_path)
    opencode = run(cli_bin, "opencode", "-s", "ses_doesnotexist0000", cwd=tmp_path)
    codex = run(cli_bin, "codex", "resume", bogus, cwd=tmp_path)
    qwen = run(cli_bin, "qwen", "-r", bogus, cwd=tmp_path)
    for tool, proc in (("copilot", copilot), ("gemini", gemini), ("opencode", opencode),
                       ("codex", codex), ("qwen", qwen)):
        output = proc.stdout + proc.stderr
        assert proc.returncode != 0, tool
        if tool == "codex":
            assert "stdin is not a terminal" in output  # needs a TTY: checked in tmux below
            continue
        assert any(s in output for s in ASSISTANTS[tool].failure_screens), (tool, output[-500:])


@pytest.mark.slow
def test_tty_failure_screens_of_claude_and_codex(lab: t.Any) -> None:
    """Claude and Codex need a terminal; their 'unknown session' screens, seen in real panes."""
    from support import fixtures
    from support.lab import wait_for

    cwd = lab.home / "p"
    cwd.mkdir()
    fixtures.claude_session(lab, cwd)
    fixtures.codex_session(lab, cwd)
    panes = {tool: lab.new_pane(tool, cwd) for tool in ("claude", "codex")}
    for tool, pane in panes.items():
        lab.wait_shell(pane)
        lab.type(pane, f"{tool} {'--resume' if tool == 'claude' else 'resume'} {uuid.uuid4()}")
    for tool, pane in panes.items():
        screens = ASSISTANTS[tool].failure_screens
        wait_for(lambda p=pane, s=screens: any(x in lab.capture(p) for x in s), 90,
                 what=f"{tool}'s failure screen")


def test_the_opencode_version_gate_reads_the_pinned_cli(cli_bin: pathlib.Path,
                                                        tmp_path: pathlib.Path) -> None:
    pinned = t.cast(dict[str, str], pins.manifest()["dependencies"])
    cache = tmp_path / trackers.VERSION_CACHE.format(tool="opencode")
    assert trackers.cli_version("opencode", str(cli_bin), cache) == pinned["opencode-ai"]
    assert trackers.cli_version("opencode", str(cli_bin.parent / "nowhere"), cache) is None
    entry = json.loads(cache.read_text())  # asked once per binary: the next load reads this
    cache.write_text(json.dumps({**entry, "version": "2.0.0"}))
    assert trackers.cli_version("opencode", str(cli_bin), cache) == "2.0.0"
    cache.write_text(json.dumps({"binary": "an-older-binary@1", "version": "2.0.0"}))
    assert trackers.cli_version("opencode", str(cli_bin), cache) == pinned["opencode-ai"]
