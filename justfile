# Developer recipes; users install through TPM.

default:
    @just --list

# run the test suite (the same command CI runs)
test *args:
    bash test/run.sh {{args}}

# the tier without assistant CLIs (unit, property, doctest, lint, types): about a minute
test-fast *args:
    bash test/run.sh --fast {{args}}

# the whole lifecycle on a private tmux server with the real CLIs
demo:
    bash demo/run.sh

# the save hook's own cost at 10, 50 and 200 panes
bench:
    .venv/bin/python bench/save_cost.py

# the same test command inside a container (docker, else podman; see test/container.sh)
docker-test *args:
    bash test/container.sh {{args}}

# how soon an 8-assistant restore is back and verified
bench-restore:
    .venv/bin/python bench/restore_speed.py
