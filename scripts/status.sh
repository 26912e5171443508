#!/bin/sh
# #{assistant_resurrect_status} on the status line, without Python: "AR 3 4m" (assistants in
# the last snapshot, its age), "AR! 3 4m" when the last save or restore had a failure.
#   status.sh STATE_DIR        print the status (tmux runs it through #(), every refresh)
#   status.sh STATE_DIR save   save now through tmux-resurrect (the left click)
state="${1:?state dir}"
# shellcheck source=../src/assistant_resurrect/state-files.sh
. "$(dirname -- "$0")/../src/assistant_resurrect/state-files.sh"
if [ "${2:-}" = save ]; then
	script="$(tmux show-option -gqv @resurrect-save-script-path)"
	if [ -n "$script" ] && [ -x "$script" ]; then
		exec "$script"
	fi
	exec tmux display-message "assistant-resurrect: tmux-resurrect is not loaded; nothing saved"
fi
mark=""
if [ -e "$state/$state_save_missed" ] || [ -e "$state/$state_restore_failed" ]; then
	mark="!"
fi
saved="" count=""
if [ -r "$state/$state_status" ]; then
	read -r saved count <"$state/$state_status" 2>/dev/null || :
fi
case "$saved$count" in
'' | *[!0-9]*)
	printf 'AR%s -' "$mark"
	exit 0
	;;
esac
age=$(($(date +%s) - saved))
if [ "$age" -lt 60 ]; then
	age="${age#-}s"
elif [ "$age" -lt 3600 ]; then
	age="$((age / 60))m"
elif [ "$age" -lt 86400 ]; then
	age="$((age / 3600))h"
else
	age="$((age / 86400))d"
fi
printf 'AR%s %s %s' "$mark" "$count" "$age"
