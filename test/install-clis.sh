#!/usr/bin/env bash
# Install the pinned assistant CLIs (test/clis/package.json) once into a cache outside the repo
# and print the bin directory. Fails loudly if any CLI does not run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
manifest="$here/clis/package.json"
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
