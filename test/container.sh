#!/usr/bin/env bash
# The container suite: build the test image (test/Dockerfile) and run `bash test/run.sh` in
# it, as the unprivileged user the image defines, under an init that reaps orphaned processes
# (pytest is not one: without it the CLIs' exited children stay zombies). Uses docker when a Docker engine answers,
# else podman (installed with apt when missing). Where no image registry is reachable the base
# image is made with debootstrap from the Debian mirror apt already uses, once, cached by name.
# This machine's package-client configuration (apt sources, CA bundle, /etc/pip.conf,
# /etc/npmrc, pip's environment) is carried into the build, never into the repo. The pinned
# CLIs come from the host's cache (test/install-clis.sh), mounted read-only: a second run
# installs nothing. The container's JUnit report is copied to test-results/container/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
image=tmux-assistant-resurrect-test
base_image=localhost/tmux-assistant-resurrect-bookworm
results=test-results/container

say() { printf 'container.sh: %s\n' "$*" >&2; }

pick_engine() {
	if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
		engine=(docker)
		return
	fi
	if ! command -v podman >/dev/null 2>&1; then
		say "no Docker engine answers and podman is missing: installing podman with apt"
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman
	fi
	engine=(podman)
	# settings this machine needs, and only where it needs them
	local conf
	conf="$(mktemp -d)/containers.conf"
	: >"$conf"
	if [ -d /sys/fs/cgroup/unified ]; then # hybrid cgroup layout: crun refuses it
		command -v runc >/dev/null 2>&1 || {
			say "hybrid cgroups: installing runc with apt (crun refuses them)"
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq runc
		}
		engine+=(--runtime runc --cgroup-manager cgroupfs)
	fi
	if [ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -lt 1048576 ]; then
		printf '[containers]\ndefault_ulimits = []\n' >"$conf" # defaults exceed our hard limits
	fi
	export CONTAINERS_CONF="$conf"
}

registry_reachable() {
	timeout 20 "${engine[@]}" pull -q "$1" >/dev/null 2>&1
}

debootstrap_base() {
	if "${engine[@]}" image exists "$base_image" 2>/dev/null; then
		return
	fi
	command -v debootstrap >/dev/null 2>&1 || {
		say "installing debootstrap with apt"
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap
	}
	local mirror rootfs
	mirror="$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null |
		grep -oE '^(URIs: *|deb +)https?://[^ ]+/debian/?( |$)' | grep -oE 'https?://[^ ]+' | head -n1 || true)"
	[ -n "$mirror" ] || { say "no Debian mirror in apt's sources"; exit 1; }
	rootfs="$(mktemp -d /var/tmp/ar-rootfs.XXXXXX)"
	say "building the bookworm base with debootstrap from $mirror"
	debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$rootfs.log" 2>&1 || {
		tail -n 20 "$rootfs.log" >&2
		exit 1
	}
	tar -C "$rootfs" -c . | "${engine[@]}" import - "$base_image" >/dev/null
	rm -rf "$rootfs" "$rootfs.log"
}

host_config() {
	local dir="$1/host-config"
	mkdir -p "$dir/apt"
	cp /etc/apt/sources.list.d/*.sources "$dir/apt/" 2>/dev/null || true
	[ -f /etc/apt/sources.list ] && cp /etc/apt/sources.list "$dir/apt/sources.list"
	for file in /etc/ssl/certs/ca-certificates.crt /etc/pip.conf /etc/npmrc; do
		[ -f "$file" ] && cp "$file" "$dir/"
	done
	cat >"$dir/apply.sh" <<'APPLY'
set -e
here=/tmp/host-config
case "$1" in
apt)
	if ls "$here"/apt/*.sources >/dev/null 2>&1; then
		rm -f /etc/apt/sources.list
		cp "$here"/apt/*.sources /etc/apt/sources.list.d/
	fi
	[ -f "$here/apt/sources.list" ] && cp "$here/apt/sources.list" /etc/apt/sources.list
	;;
clients)
	[ -f "$here/ca-certificates.crt" ] && cp "$here/ca-certificates.crt" /etc/ssl/certs/
	[ -f "$here/pip.conf" ] && cp "$here/pip.conf" /etc/pip.conf
	[ -f "$here/npmrc" ] && cp "$here/npmrc" /etc/npmrc
	;;
esac
exit 0
APPLY
}

context=""
main() {
	pick_engine
	local base node_pkg arch
	if registry_reachable docker.io/library/debian:bookworm; then
		base=docker.io/library/debian:bookworm
	else
		debootstrap_base
		base="$base_image"
	fi
	case "$(uname -m)" in
	aarch64 | arm64) arch=arm64 ;;
	*) arch=x64 ;;
	esac
	node_pkg="node-linux-$arch@$(node --version 2>/dev/null | tr -d v || echo 20.20.2)"
	context="$(mktemp -d)"
	trap 'rm -rf "${context:-}"' EXIT
	mkdir "$context/repo"
	git ls-files -z | xargs -0 -I{} cp --parents {} "$context/repo/"
	cp -R .git "$context/repo/.git" # the bootstrap test clones the checkout, as TPM does
	host_config "$context"
	say "building $image from $base (node: $node_pkg)"
	"${engine[@]}" build --network host -q -f test/Dockerfile --build-arg "BASE=$base" \
		--build-arg "NODE_PACKAGE=$node_pkg" -t "$image" "$context" >/dev/null
	local clis name="ar-test-$$" envs=() status=0
	clis="$(bash test/install-clis.sh)" # on the host: the cache the container mounts
	clis="${clis%/*/node_modules/.bin}"
	# pip's environment, but for PIP_FIND_LINKS: a directory of this machine's own wheels
	for var in $(env | grep -oE '^PIP_[A-Z_]+' | grep -vx PIP_FIND_LINKS); do envs+=(-e "$var"); done
	if [ -n "${ASSISTANT_RESURRECT_TEST_WORKERS:-}" ]; then envs+=(-e ASSISTANT_RESURRECT_TEST_WORKERS); fi
	say "running bash test/run.sh $* in the container (as its user tester)"
	"${engine[@]}" run --init --network host --name "$name" -v "$clis:/cache/clis:ro" \
		${envs[@]+"${envs[@]}"} "$image" bash test/run.sh "$@" || status=$?
	rm -rf "$results" && mkdir -p "$results"
	"${engine[@]}" cp "$name:/src/test-results/junit.xml" "$results/junit.xml" || status=1
	"${engine[@]}" rm -f "$name" >/dev/null
	return "$status"
}

main "$@"
