# shellcheck shell=bash disable=SC2034  # data only: read by the scripts that source it
# Option names and defaults (data only).
python_option="@assistant-resurrect-python"
continuum_interval_option="@continuum-save-interval"
default_continuum_interval="5"
hook_marker="# tmux-assistant-resurrect"
resurrect_hooks="post-save-layout post-save-all post-restore-all"
menu_key_option="@assistant-resurrect-menu-key"  # prefix-table key, or off
default_menu_key="A"
status_placeholder="#{assistant_resurrect_status}"  # in status-left/-right: our status
status_range="assistant-resurrect"                  # its clickable range (#[range=user|…])
