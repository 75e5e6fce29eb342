#!/usr/bin/env bash
# Install GoReleaser with `go install` into the tool cache.
#
# Usage: scripts/install-goreleaser.sh [VERSION]     (default 2.15.1)
#
# Prints only the absolute path of the binary on stdout, so callers can write
#   "$(scripts/install-goreleaser.sh)" check
# Progress goes to stderr. A cached binary that reports the right version is
# reused.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/toolcache.sh
source "$script_dir/lib/toolcache.sh"

[[ $# -le 1 ]] || { echo "usage: $0 [VERSION]" >&2; exit 2; }
version="$(strip_v "${1:-2.15.1}")"
target="$(toolcache_bin_dir)/goreleaser-$version"

is_cached() {
	[[ -x "$target" ]] || return 1
	local out
	out="$("$target" --version 2>/dev/null)" || return 1
	grep -Eq "^GitVersion:[[:space:]]+v?${version//./\\.}\$" <<<"$out"
}

install() {
	is_cached && return 0
	go_install_tool goreleaser "github.com/goreleaser/goreleaser/v2@v$version" "$target"
	is_cached || die "$target does not report version $version"
}

if ! is_cached; then
	with_tool_lock "goreleaser-$version" install
fi
printf '%s\n' "$target"
