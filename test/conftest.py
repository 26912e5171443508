"""Shared fixtures: a private tmux server with a throwaway HOME, the pinned real CLIs, and a
small stand-in for tmux-resurrect that writes its save-file format and runs our hook strings
exactly as resurrect does (``test/support/execute_hook.sh``)."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import typing as t

import pytest

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "test"))

from support.lab import Lab  # noqa: E402
from tools import pins  # noqa: E402


@pytest.fixture(autouse=True)
def _isolate(monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path) -> None:
    """Never touch the developer's tmux server, HOME or state."""
    for name in ("TMUX", "TMUX_PANE", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME",
                 "CLAUDE_CONFIG_DIR", "CODEX_HOME"):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("ASSISTANT_RESURRECT_STATE_DIR", str(home / ".local/state/tar"))


@pytest.fixture(scope="session")
def cli_bin() -> pathlib.Path:
    """The pinned CLIs' bin dir. The real-CLI tests never skip: a missing CLI fails loudly."""
    env_bin = os.environ.get("ASSISTANT_RESURRECT_CLI_BIN")
    if env_bin:
        path = pathlib.Path(env_bin)
    else:
        out = subprocess.run(["bash", str(REPO / "test/install-clis.sh")], check=True,
                             capture_output=True, text=True)
        path = pathlib.Path(out.stdout.strip())
    for tool in t.cast(dict[str, str], pins.manifest()["assistants"]):
        assert (path / tool).exists(), f"{tool} is not installed in {path}"
    return path


@pytest.fixture
def lab(tmp_path: pathlib.Path, cli_bin: pathlib.Path) -> t.Iterator[Lab]:
    lab = Lab(tmp_path, cli_bin)
    lab.start_server()
    try:
        yield lab
    finally:
        lab.teardown()


@pytest.fixture
def figure(request: pytest.FixtureRequest) -> t.Callable[[str], None]:
    """Report a measured figure ("hostile round trip: 304 values in 310 s"), printed in the
    run's summary under "figures" (carried in the test's report, so pytest-xdist's workers
    report theirs too)."""
    return lambda line: request.node.user_properties.append(("figure", line))


def pytest_terminal_summary(terminalreporter: t.Any, config: pytest.Config) -> None:
    lines = [value for reports in terminalreporter.stats.values() for report in reports
             for name, value in getattr(report, "user_properties", ()) if name == "figure"
             and getattr(report, "when", "call") == "call"]
    if lines:
        terminalreporter.section("figures")
        for line in lines:
            terminalreporter.write_line(line)
