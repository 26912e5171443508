#!/usr/bin/env bash
# Runs a tmux-resurrect hook exactly as resurrect does (scripts/helpers.sh execute_hook @ cff343c):
# read the global option, append each argument quoted with printf %q, and eval the result
# inside this bash process. Must run inside a tmux job (run-shell) so $TMUX is set.
execute_hook() {
	local kind="$1"
	shift
	local args="" hook
	hook=$(tmux show-option -gqv "@resurrect-hook-$kind")
	if [ -n "$hook" ]; then
		if [ "$#" -gt 0 ]; then
			printf -v args "%q " "$@"
		fi
		eval "$hook $args"
	fi
}
execute_hook "$@"
