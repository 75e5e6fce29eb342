#!/usr/bin/env bash
# Build an OpenTofu CLI from the Go module proxy and cache it.
#
# Usage: scripts/build-tofu.sh VERSION      (e.g. 1.12.6 or v1.12.6)
#
# Prints only the absolute path of the binary on stdout, so callers can write
#   TF_ACC_TERRAFORM_PATH="$(scripts/build-tofu.sh 1.12.6)"
# Progress goes to stderr. A cached binary that reports the right version is
# reused without rebuilding.
#
# OpenTofu's go.mod has replace directives, so `go install …@vX` refuses to
# build it. Instead the module source is downloaded and built in a writable
# copy.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/toolcache.sh
source "$script_dir/lib/toolcache.sh"

[[ $# -eq 1 && -n "$1" ]] || { echo "usage: $0 VERSION" >&2; exit 2; }
version="$(strip_v "$1")"
bin_dir="$(toolcache_bin_dir)"
target="$bin_dir/tofu-$version"

is_cached() {
	reports_version "$target" "OpenTofu v$version"
}

build() {
	# Another invocation may have finished the build while we waited for the lock.
	if is_cached; then
		return 0
	fi
	local work
	work="$(mktemp -d "${TMPDIR:-/tmp}/build-tofu.XXXXXX")"
	# Files from the module cache are read-only; make them removable first.
	# shellcheck disable=SC2064 # expand $work now: it is local to this function.
	trap "chmod -R u+w '$work' 2>/dev/null; rm -rf '$work'" EXIT

	local start=$SECONDS
	log "downloading github.com/opentofu/opentofu@v$version"
	local module_dir
	# Run outside any module so this repository's go.mod and go.sum stay untouched.
	module_dir="$(
		cd "$work"
		go mod download -json "github.com/opentofu/opentofu@v$version" |
			sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p'
	)"
	[[ -n "$module_dir" && -d "$module_dir" ]] ||
		die "go mod download did not report a source directory for opentofu v$version"

	cp -R "$module_dir" "$work/src"
	chmod -R u+w "$work/src"

	log "building tofu v$version (takes a few minutes)"
	(
		cd "$work/src"
		# version.dev=no drops the "-dev" suffix that source builds otherwise report.
		go build \
			-trimpath \
			-ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" \
			-o "$work/tofu" \
			./cmd/tofu
	) >&2
	log "built tofu v$version in $((SECONDS - start))s"

	install_tmp_file "$work/tofu" "$target"
	chmod -R u+w "$work" 2>/dev/null || true
	rm -rf "$work"
	trap - EXIT

	is_cached || die "$target does not report 'OpenTofu v$version'"
}

if ! is_cached; then
	with_tool_lock "tofu-$version" build
fi
printf '%s\n' "$target"
