# shellcheck shell=sh disable=SC2034  # data only: sourced by plugin.tmux and scripts/status.sh
# The files in our state directory, by role (paths.StateDir reads this same file).
state_save_log="save.log"              # the save hooks' log
state_restore_log="restore.log"        # the restore worker's log
state_plugin_log="plugin.log"          # plugin.tmux's own lines
state_bootstrap_log="bootstrap.log"    # scripts/bootstrap.sh (the venv's setup)
state_save_bound="save-bound"          # post-save-layout ran; post-save-all has nothing to do
state_save_missed="save-missed"        # a save hook failed; the next catch-up takes its save
state_restore_failed="restore-failed"  # the last restore had a failure (the status line's "!")
state_status="status"                  # "<epoch s> <assistants>" of the last save
state_outcomes="last-restore.json"     # each pane's outcome in the last restore
state_claims="claims"                  # one file per session id a restore is resuming
state_kept="kept"                      # kept copies of transcripts (keep-transcripts)
