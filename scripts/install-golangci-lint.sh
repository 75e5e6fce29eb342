#!/usr/bin/env bash
# Install golangci-lint with `go install` into the tool cache.
#
# Usage: scripts/install-golangci-lint.sh [VERSION]     (default 2.15.0)
#
# Prints only the absolute path of the binary on stdout, so callers can write
#   "$(scripts/install-golangci-lint.sh)" run ./...
# Progress goes to stderr. A cached binary that reports the right version is
# reused.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/toolcache.sh
source "$script_dir/lib/toolcache.sh"

[[ $# -le 1 ]] || { echo "usage: $0 [VERSION]" >&2; exit 2; }
version="$(strip_v "${1:-2.15.0}")"
target="$(toolcache_bin_dir)/golangci-lint-$version"

is_cached() {
	[[ -x "$target" ]] || return 1
	local out
	out="$("$target" version 2>/dev/null)" || return 1
	[[ "$out" == *"has version v$version "* || "$out" == *"has version $version "* ]]
}

install() {
	is_cached && return 0
	go_install_tool golangci-lint "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v$version" "$target"
	is_cached || die "$target does not report version $version"
}

if ! is_cached; then
	with_tool_lock "golangci-lint-$version" install
fi
printf '%s\n' "$target"
