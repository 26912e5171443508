#!/usr/bin/env bash
# Demo: the whole lifecycle on a private tmux server with the real CLIs (installed on first run).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v tmux >/dev/null || { echo "tmux is required" >&2; exit 1; }
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
cli_bin="$(bash test/install-clis.sh)"
exec .venv/bin/python demo/lifecycle.py "$cli_bin"
