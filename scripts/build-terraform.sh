#!/usr/bin/env bash
# Build a Terraform CLI from the Go module proxy and cache it.
#
# Usage: scripts/build-terraform.sh VERSION      (e.g. 1.5.7 or v1.5.7)
#
# Prints only the absolute path of the binary on stdout, so callers can write
#   TF_ACC_TERRAFORM_PATH="$(scripts/build-terraform.sh 1.5.7)"
# Progress goes to stderr. A cached binary that reports the right version is
# reused without rebuilding.
#
# Release download sites are not reachable from CI, so the CLI is compiled
# from source. Terraform >= 1.9 moved its state backends into nested modules
# that the module zip lacks; 1.5.x through 1.8.x build cleanly.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/toolcache.sh
source "$script_dir/lib/toolcache.sh"

[[ $# -eq 1 && -n "$1" ]] || { echo "usage: $0 VERSION" >&2; exit 2; }
version="$(strip_v "$1")"
bin_dir="$(toolcache_bin_dir)"
target="$bin_dir/terraform-$version"

is_cached() {
	reports_version "$target" "Terraform v$version"
}

build() {
	# Another invocation may have finished the build while we waited for the lock.
	if is_cached; then
		return 0
	fi
	local work
	work="$(mktemp -d "${TMPDIR:-/tmp}/build-terraform.XXXXXX")"
	# shellcheck disable=SC2064 # expand $work now: it is local to this function.
	trap "rm -rf '$work'" EXIT

	log "building terraform v$version from the Go module proxy (takes a few minutes)"
	local start=$SECONDS
	# Run outside any module so this repository's go.mod is never consulted.
	(
		cd "$work"
		# version.dev=no drops the "-dev" suffix that source builds otherwise report.
		GOBIN="$work/bin" go install \
			-trimpath \
			-ldflags "-s -w -X github.com/hashicorp/terraform/version.dev=no" \
			"github.com/hashicorp/terraform@v$version"
	) >&2
	log "built terraform v$version in $((SECONDS - start))s"

	install_tmp_file "$work/bin/terraform" "$target"
	rm -rf "$work"
	trap - EXIT

	is_cached || die "$target does not report 'Terraform v$version'"
}

if ! is_cached; then
	with_tool_lock "terraform-$version" build
fi
printf '%s\n' "$target"
