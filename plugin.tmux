#!/usr/bin/env bash
# tmux-assistant-resurrect: TPM entry. Wires our lines into tmux-resurrect's hooks (keeping
# whatever was there), and installs the assistant-side trackers. Prints nothing.
CURRENT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/variables.sh
source "$CURRENT_DIR/scripts/variables.sh"
# shellcheck source=src/assistant_resurrect/state-files.sh
source "$CURRENT_DIR/src/assistant_resurrect/state-files.sh"
# shellcheck source=scripts/helpers.sh
source "$CURRENT_DIR/scripts/helpers.sh"

venv_is_ready() {
	[ -x "$CURRENT_DIR/.venv/bin/python" ] &&
		[ "$(cat "$CURRENT_DIR/.venv/.assistant-resurrect-stamp" 2>/dev/null)" = "$(venv_stamp "$CURRENT_DIR")" ]
}

# The interpreter our hooks run: the user's choice, else the plugin's own venv.
resolve_python() {
	local python
	python="$(get_tmux_option "$python_option" "")"
	if [ -n "$python" ]; then
		printf '%s' "$python"
		return 0
	fi
	if ! venv_is_ready; then
		log_line "plugin: python environment missing; bootstrapping in the background"
		detached "$CURRENT_DIR/scripts/bootstrap.sh"
	fi
	printf '%s' "$CURRENT_DIR/.venv/bin/python"
}

# post-save-layout does the whole save and leaves a flag; post-save-all then only removes it
# (no Python start-up) and runs us as a fallback when the layout hook did not run.
# post-restore-all starts the restore worker in the background, so resurrect's spinner ends
# at once. Python's own errors go to our log; if the interpreter cannot even start (the venv
# is still being built), the line says so in the log and leaves the save-missed flag, so the
# save is taken again once the venv is ready.
hook_line() {
	local python="$1" hook="$2" env dir log failed missed=""
	env="$(printf 'PYTHONPATH=%q %q -m assistant_resurrect' "$CURRENT_DIR/src" "$python")"
	dir="$(state_dir)"
	case "$hook" in
	*restore*) log="$dir/$state_restore_log" ;;
	*)
		log="$dir/$state_save_log"
		missed="$(printf '; touch %q' "$dir/$state_save_missed")"
		;;
	esac
	# shellcheck disable=SC2016  # expanded when the hook runs, not now
	failed="$(printf '( rc=$?; mkdir -p %q; printf "%%s %s: could not run %%s (exit %%s)\\n" "$(date -u +%%Y-%%m-%%dT%%H:%%M:%%SZ)" %q "$rc" >>%q%s ) 2>/dev/null' \
		"$dir" "$hook" "$python" "$log" "$missed")"
	case "$hook" in
	post-save-layout)
		printf '%s hook post-save-layout "$@" </dev/null >/dev/null 2>&1 || %s; true %s' "$env" "$failed" "$hook_marker" ;;
	post-save-all)
		printf 'rm %q 2>/dev/null || %s hook post-save-all </dev/null >/dev/null 2>&1 || %s; true %s' \
			"$dir/$state_save_bound" "$env" "$failed" "$hook_marker" ;;
	post-restore-all)
		printf '( ( PYTHONPATH=%q %q -m assistant_resurrect.worker restore || %s ) </dev/null >/dev/null 2>&1 & ) || true %s' \
			"$CURRENT_DIR/src" "$python" "$failed" "$hook_marker" ;;
	esac
}

# Our line first (resurrect appends its arguments to the end of the value, so the user's last
# command keeps receiving them), a newline, then the previous value minus older copies of ours.
chain_hook() {
	local option="@resurrect-hook-$1" ours="$2" previous rest
	previous="$(tmux show-option -gqv "$option")"
	rest="$(printf '%s\n' "$previous" | grep -vF -- "$hook_marker")"
	if [ -n "$rest" ]; then
		tmux set-option -gq "$option" "$ours"$'\n'"$rest"
	else
		tmux set-option -gq "$option" "$ours"
	fi
}

register_resurrect_hooks() {
	local python="$1" hook
	for hook in $resurrect_hooks; do
		chain_hook "$hook" "$(hook_line "$python" "$hook")"
	done
}

set_default_options() {
	if option_is_unset "$continuum_interval_option"; then
		tmux set-option -gq "$continuum_interval_option" "$default_continuum_interval"
	fi
}

# In the background: byte-compile our package (an editable install leaves that to the first
# import, which writes nothing under PYTHONDONTWRITEBYTECODE: every save would compile it
# again), then install the assistant-side trackers (each tool's own, unless its
# @assistant-resurrect-<tool> option is off) and warn about @resurrect-processes.
background_setup() {
	local python="$1"
	venv_is_ready || [ -n "$(get_tmux_option "$python_option" "")" ] || return 0
	ensure_state_dir
	({
		"$python" -m compileall -q "$CURRENT_DIR/src/assistant_resurrect"
		PYTHONPATH="$CURRENT_DIR/src" "$python" -m assistant_resurrect install-hooks
	} >>"$(log_file "$state_plugin_log")" 2>&1 </dev/null &)
}

# The sh line (for run-shell) that runs our CLI with the hooks' interpreter; fails for a path
# holding a control character.
cli_line() {
	local python="$1" src path
	src="$(sh_quote "PYTHONPATH=$CURRENT_DIR/src")" && path="$(sh_quote "$python")" || return 1
	printf 'env %s %s -m assistant_resurrect' "$src" "$path"
}

# run-shell -b with a sh line ($1, escaped as a format: run-shell expands its command) and a
# tail of formats meant to expand ($2, e.g. the client), as one tmux command string.
run_shell_command() {
	local word
	word="$(sh_quote "$(format_escape "$1")$2")" || return 1
	printf 'run-shell -b %s' "$word"
}

set_menu_binding() {
	local python="$1" key line
	key="$(get_tmux_option "$menu_key_option" "$default_menu_key")"
	[ "$key" = off ] && return 0
	if ! line="$(cli_line "$python")"; then
		log_line "plugin: no popup key: a control character in $CURRENT_DIR or $python"
		return 0
	fi
	tmux bind-key "$key" run-shell -b \
		"$(format_escape "$line popup") --client '#{client_name}' >/dev/null 2>&1"
}

# The command bound to a root-table key now, for chaining (our own earlier binding gives back
# the one it replaced, kept in an option).
previous_binding() {
	local key="$1" keep="@assistant-resurrect-previous-$1" line
	line="$(tmux list-keys -T root "$key" 2>/dev/null | head -n 1)"
	line="$(printf '%s' "$line" | sed -E "s/^bind-key +(-r +)?-T +root +$key +//")"
	if [ -z "$line" ] || [[ "$line" == *"$status_range"* ]]; then
		tmux show-option -gqv "$keep"
	else
		tmux set-option -gq "$keep" "$line"
		printf '%s' "$line"
	fi
}

# Left click on our status saves now (through tmux-resurrect), right click opens the popup;
# clicks elsewhere on the status line do what they did before.
bind_status_mouse() {
	local python="$1" range save popup script state line
	range="#{==:#{mouse_status_range},$status_range}"
	if ! { script="$(sh_quote "$CURRENT_DIR/scripts/status.sh")" &&
		state="$(sh_quote "$(state_dir)")" &&
		save="$(run_shell_command "$script $state save" "")" &&
		line="$(cli_line "$python")" &&
		popup="$(run_shell_command "$line popup" " --client '#{client_name}'")"; }; then
		log_line "plugin: no status-line clicks: a control character in a path"
		return 0
	fi
	tmux bind-key -T root MouseDown1Status if-shell -F "$range" "$save" "$(previous_binding MouseDown1Status)"
	tmux bind-key -T root MouseDown3Status if-shell -F "$range" "$popup" "$(previous_binding MouseDown3Status)"
}

# #{assistant_resurrect_status} in status-left/-right becomes scripts/status.sh (sh reading
# our state files: no Python on a status refresh) in a clickable range. Off unless used.
set_status_interpolation() {
	local python="$1" side value command script state found=""
	if ! { script="$(sh_quote "$CURRENT_DIR/scripts/status.sh")" &&
		state="$(sh_quote "$(state_dir)")"; }; then
		log_line "plugin: the status line cannot run status.sh (a control character in a path)"
		return 0
	fi
	command="$script $state"
	case "$command" in *'('* | *')'*)
		# tmux ends #( at the first unbalanced ), quoted or not
		log_line "plugin: the status line cannot run $command (a parenthesis in the path)"
		return 0 ;;
	esac
	command="#[range=user|$status_range]#($(format_escape "$command"))#[norange]"
	for side in status-left status-right; do
		value="$(tmux show-option -gqv "$side")"
		case "$value" in *"$status_placeholder"*) ;; *) continue ;; esac
		tmux set-option -gq "$side" "$(replace_all "$value" "$status_placeholder" "$command")"
		found=1
	done
	if [ -n "$found" ]; then
		bind_status_mouse "$python"
	fi
}

main() {
	local python
	ensure_state_dir
	python="$(resolve_python)"
	register_resurrect_hooks "$python"
	set_menu_binding "$python"
	set_status_interpolation "$python"
	set_default_options
	background_setup "$python"
}
main
