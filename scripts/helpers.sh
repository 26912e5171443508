# shellcheck shell=bash
# Small helpers shared by plugin.tmux and scripts/*.sh. They print only the value they compute.
# Callers source src/assistant_resurrect/state-files.sh first (the state files' names).

get_tmux_option() {
	local option="$1" default="$2" value
	value="$(tmux show-option -gqv "$option")"
	if [ -n "$value" ]; then printf '%s' "$value"; else printf '%s' "$default"; fi
}

option_is_unset() {
	[ -z "$(tmux show-option -gqv "$1")" ]
}

state_dir() {
	printf '%s' "${ASSISTANT_RESURRECT_STATE_DIR:-$HOME/.local/state/tmux-assistant-resurrect}"
}

# Create our state dir and any missing parents private (0700), whatever the umask.
ensure_state_dir() {
	(umask 077 && mkdir -p "$(state_dir)") && chmod 0700 "$(state_dir)"
}

# The path of one of our log files (created 0600; a planted symlink is replaced, not followed).
log_file() {
	local path
	path="$(state_dir)/$1"
	ensure_state_dir 2>/dev/null
	[ -L "$path" ] && rm -f "$path"
	(umask 077 && : >>"$path") 2>/dev/null
	printf '%s' "$path"
}

log_line() {
	# shellcheck disable=SC2154  # state-files.sh, sourced by the caller
	printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >>"$(log_file "$state_plugin_log")" 2>/dev/null
	return 0
}

# An absolute python3 >= 3.10: the tmux server's PATH may be thin (systemd, launchd, NixOS).
find_python() {
	local candidate
	for candidate in "$(command -v python3 2>/dev/null)" /opt/homebrew/bin/python3 \
		/usr/local/bin/python3 /usr/bin/python3 /run/current-system/sw/bin/python3; do
		if [ -z "$candidate" ] || [ ! -x "$candidate" ]; then
			continue
		fi
		if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
			printf '%s' "$candidate"
			return 0
		fi
	done
	return 1
}

venv_stamp() {
	cksum <"$1/pyproject.toml" | cut -d' ' -f1
}

# Run a command in the background, detached from TPM's job and the tmux server's session
# (setsid where it exists; macOS has none, so nohup there).
detached() {
	if command -v setsid >/dev/null 2>&1; then
		(setsid "$@" </dev/null >/dev/null 2>&1 &)
	else
		(nohup "$@" </dev/null >/dev/null 2>&1 &)
	fi
}

# One word for /bin/sh (what run-shell, if-shell and #() run) and for tmux's command parser:
# single quotes, ' written '\''. Fails (prints nothing) for a control character.
sh_quote() {
	case "$1" in *[[:cntrl:]]*) return 1 ;; esac
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# Text inside a tmux format, read back as it is: each run of # doubled, but one before [,
# which tmux keeps as it is (format_expand1; the sh side of tmux_quote.format_escape).
format_escape() {
	local rest="$1" out="" run="" c
	while [ -n "$rest" ]; do
		c="${rest:0:1}"
		rest="${rest:1}"
		if [ "$c" = "#" ]; then
			run="$run#"
			continue
		fi
		if [ -n "$run" ] && [ "$c" != "[" ]; then
			run="$run$run"
		fi
		out="$out$run$c"
		run=""
	done
	printf '%s' "$out$run$run"
}

# $1 with every $2 replaced by $3, literally (bash 5.2's ${a//b/c} reads & and \ in c).
replace_all() {
	local rest="$1" out=""
	while [ "${rest#*"$2"}" != "$rest" ]; do
		out="$out${rest%%"$2"*}$3"
		rest="${rest#*"$2"}"
	done
	printf '%s' "$out$rest"
}
