#!/usr/bin/env bash
# Build GoReleaser from the Go module proxy into the tool cache.
#
# Usage: scripts/install-goreleaser.sh [VERSION]     (default 2.17.0)
#
# Prints only the absolute path of the binary on stdout, so callers can write
#   "$(scripts/install-goreleaser.sh)" check
# Progress goes to stderr. A cached binary that reports the right version is
# reused.
#
# The version is at least 2.16.0: 2.15.1 listed the SHA256SUMS signature in the
# SHA256SUMS file it had just signed (goreleaser/goreleaser#6514), so the
# signature did not verify and the Terraform Registry would refuse the release.
# Keep .github/workflows/release.yml's pin equal (scripts/release-snapshot.sh
# checks).
#
# Since 2.16.0 GoReleaser links nfpm's MSIX packager, whose dependency
# go.digitalxero.dev/go-msix the Go module proxy refuses on the project's
# machines, so `go install …@v2.17.0` fails. The module source is therefore
# built in a writable copy with that packager's import removed; this project
# builds no MSIX packages, and everything else is GoReleaser as released.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/toolcache.sh
source "$script_dir/lib/toolcache.sh"

[[ $# -le 1 ]] || { echo "usage: $0 [VERSION]" >&2; exit 2; }
version="$(strip_v "${1:-2.17.0}")"
target="$(toolcache_bin_dir)/goreleaser-$version"
module="github.com/goreleaser/goreleaser/v2"
msix_import='"github.com/goreleaser/nfpm/v2/msix"'

is_cached() {
	[[ -x "$target" ]] || return 1
	local out
	out="$("$target" --version 2>/dev/null)" || return 1
	grep -Eq "^GitVersion:[[:space:]]+v?${version//./\\.}\$" <<<"$out"
}

build() {
	# Another invocation may have finished the build while we waited for the lock.
	is_cached && return 0
	local work
	work="$(mktemp -d "${TMPDIR:-/tmp}/build-goreleaser.XXXXXX")"
	# Files from the module cache are read-only; make them removable first.
	# shellcheck disable=SC2064 # expand $work now: it is local to this function.
	trap "chmod -R u+w '$work' 2>/dev/null; rm -rf '$work'" EXIT

	local start=$SECONDS
	log "downloading $module@v$version"
	local module_dir
	# Run outside any module so this repository's go.mod and go.sum stay untouched.
	module_dir="$(
		cd "$work"
		go mod download -json "$module@v$version" |
			sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p'
	)"
	[[ -n "$module_dir" && -d "$module_dir" ]] ||
		die "go mod download did not report a source directory for $module@v$version"
	cp -R "$module_dir" "$work/src"
	chmod -R u+w "$work/src"

	log "building goreleaser v$version (takes a few minutes)"
	(
		cd "$work/src"
		local file
		while IFS= read -r file; do
			log "leaving out the MSIX packager: removing its import from $file"
			grep -vF "$msix_import" "$file" >"$file.tmp"
			mv "$file.tmp" "$file"
		done < <(grep -rlF --include='*.go' "$msix_import" . || true)
		go mod edit -droprequire=go.digitalxero.dev/go-msix
		# main.version is what release builds set; without it the binary reports "(devel)".
		CGO_ENABLED=0 go build -mod=mod -trimpath \
			-ldflags "-s -w -X main.version=$version -X main.builtBy=scripts/install-goreleaser.sh" \
			-o "$work/goreleaser" .
	) >&2
	log "built goreleaser v$version in $((SECONDS - start))s"

	install_tmp_file "$work/goreleaser" "$target"
	chmod -R u+w "$work" 2>/dev/null || true
	rm -rf "$work"
	trap - EXIT

	is_cached || die "$target does not report version $version"
}

if ! is_cached; then
	with_tool_lock "goreleaser-$version" build
fi
printf '%s\n' "$target"
