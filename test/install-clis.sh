#!/usr/bin/env bash
# Install the pinned assistant CLIs once into a cache outside the repo and print the bin
# directory. The npm manifest is assembled from each test/tools/<tool>.py's PINS
# (test/tools/pins.py; the cache is keyed by its checksum). Fails loudly if any CLI does not run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
command -v python3 >/dev/null || { echo "install-clis: python3 is required" >&2; exit 1; }
manifest="$(mktemp)"
trap 'rm -f "$manifest"' EXIT
python3 "$here/tools/pins.py" >"$manifest"
key="$(cksum <"$manifest" | cut -d' ' -f1)"
cache="${ASSISTANT_RESURRECT_CLI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tmux-assistant-resurrect/clis}/$key"
bin="$cache/node_modules/.bin"
if [ ! -f "$cache/.complete" ]; then
	command -v npm >/dev/null || { echo "install-clis: npm is required" >&2; exit 1; }
	mkdir -p "$cache"
	cp "$manifest" "$cache/package.json"
	(cd "$cache" && npm install --no-audit --no-fund --loglevel=error >&2)
	tools="$(node -e 'console.log(Object.keys(require(process.argv[1]).assistants).join(" "))' "$manifest")"
	for tool in $tools; do
		[ -x "$bin/$tool" ] || { echo "install-clis: $tool missing after npm install" >&2; exit 1; }
	done
	HOME="$(mktemp -d)" "$bin/claude" --version >/dev/null ||
		{ echo "install-clis: claude does not run (postinstall skipped?)" >&2; exit 1; }
	touch "$cache/.complete"
fi
printf '%s\n' "$bin"
