#!/usr/bin/env bash
# Create <plugin>/.venv with our dependencies, then install the assistant-side trackers.
# Run by plugin.tmux in the background on first load (and after pyproject.toml changes).
set -u
CURRENT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PLUGIN_DIR="$(dirname "$CURRENT_DIR")"
# shellcheck source=../src/assistant_resurrect/state-files.sh
source "$PLUGIN_DIR/src/assistant_resurrect/state-files.sh"
# shellcheck source=scripts/helpers.sh
source "$CURRENT_DIR/helpers.sh"

fail() {
	log_line "bootstrap failed: $*"
	tmux display-message "assistant-resurrect: Python setup failed ($*); see $(state_dir)/$state_bootstrap_log" 2>/dev/null
	exit 1
}

main() {
	local python venv="$PLUGIN_DIR/.venv" started
	started="$(date +%s)"
	python="$(find_python)" || fail "no python3 >= 3.10 found"
	log_line "bootstrap: creating $venv with $python"
	"$python" -m venv "$venv" || fail "python3 -m venv failed (install python3-venv?)"
	"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$PLUGIN_DIR" \
		|| fail "pip install failed"
	venv_stamp "$PLUGIN_DIR" >"$venv/.assistant-resurrect-stamp"
	log_line "bootstrap: ready"
	"$PLUGIN_DIR/plugin.tmux"
	# a save during setup could not run Python: take it now (it says so if it did)
	PYTHONPATH="$PLUGIN_DIR/src" "$venv/bin/python" -m assistant_resurrect hook catch-up "$started"
}

ensure_state_dir
main >>"$(log_file "$state_bootstrap_log")" 2>&1 </dev/null
