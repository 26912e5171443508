#!/usr/bin/env bash
# The test command: set up .venv and the pinned CLIs, then run the whole suite (nothing skipped
# for want of a CLI: a missing one fails). Writes test-results/junit.xml (.ci/run reads it).
# `--fast`: the tier that needs no assistant CLI (unit and property tests, doctests, ruff,
# mypy, shellcheck; real tmux and real shells), in about a minute; test-results/junit-fast.xml.
# Tests run on $ASSISTANT_RESURRECT_TEST_WORKERS pytest-xdist workers (default 2; 1: serially;
# each test has its own tmux server and HOME). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v tmux >/dev/null || { echo "tmux is required" >&2; exit 1; }
if [ ! -x .venv/bin/python ]; then
	python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
if [ "${1:-}" = "--fast" ]; then
	shift
	exec .venv/bin/python -m pytest --junitxml=test-results/junit-fast.xml src test/unit "$@"
fi
ASSISTANT_RESURRECT_CLI_BIN="$(bash test/install-clis.sh)"
export ASSISTANT_RESURRECT_CLI_BIN
workers="${ASSISTANT_RESURRECT_TEST_WORKERS:-2}"
case "$workers" in
'' | *[!0-9]* | 0) echo "ASSISTANT_RESURRECT_TEST_WORKERS must be a count, not '$workers'" >&2; exit 2 ;;
1) parallel=() ;;
*) parallel=(-n "$workers") ;;
esac
exec .venv/bin/python -m pytest ${parallel[@]+"${parallel[@]}"} --junitxml=test-results/junit.xml "$@"
