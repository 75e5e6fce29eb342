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
# from source. 1.5.x through 1.8.x build cleanly with `go install`. Terraform
# >= 1.9 keeps most remote-state backends (s3, gcs, azurerm, ...) and
# internal/legacy in nested modules that its go.mod reaches through
# `replace => ./internal/...` lines and that the module zip lacks: for those
# versions a writable copy of the module is built without them (local, remote,
# cloud, http and inmem stay). Tests need none of the dropped backends.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/toolcache.sh
source "$script_dir/lib/toolcache.sh"

[[ $# -eq 1 && -n "$1" ]] || { echo "usage: $0 VERSION" >&2; exit 2; }
version="$(strip_v "$1")"
bin_dir="$(toolcache_bin_dir)"
target="$bin_dir/terraform-$version"

# version.dev=no drops the "-dev" suffix that source builds otherwise report.
ldflags="-s -w -X github.com/hashicorp/terraform/version.dev=no"

is_cached() {
	reports_version "$target" "Terraform v$version"
}

# has_nested_backends succeeds for 1.9 and later.
has_nested_backends() {
	local major minor
	IFS=. read -r major minor _ <<<"$1"
	((major > 1 || (major == 1 && minor >= 9)))
}

# build_without_nested_modules WORK builds terraform v$version into WORK/bin from a writable copy
# of the module: every `replace P => ./dir` whose dir has no go.mod in the zip is dropped with its
# require, and internal/backend/init/init.go loses those packages' imports and backend entries.
build_without_nested_modules() {
	local work="$1" dir src
	dir="$(cd "$work" && go mod download -json "github.com/hashicorp/terraform@v$version" |
		sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
	[[ -n "$dir" && -d "$dir" ]] || die "go mod download github.com/hashicorp/terraform@v$version gave no directory"
	src="$work/src"
	cp -R "$dir" "$src"
	chmod -R u+w "$src"
	(
		cd "$src"
		local init=internal/backend/init/init.go dropped=0 path dest alias replaces
		replaces="$(go mod edit -json | sed -n '/"Replace": \[/,/^\t\]/p' |
			tr -d '\n\t ' | grep -o '"Old":{"Path":"[^"]*"},"New":{"Path":"\./[^"]*"}' |
			sed 's/"Old":{"Path":"\([^"]*\)"},"New":{"Path":"\([^"]*\)"}/\1 \2/')" || true
		while read -r path dest; do
			[[ -n "$path" ]] || continue
			[[ -f "$dest/go.mod" ]] && continue
			go mod edit -dropreplace="$path" -droprequire="$path"
			dropped=$((dropped + 1))
			# The import line names the package with an alias (backendS3 "…/remote-state/s3");
			# its map entry calls alias.New(…).
			alias="$(sed -n "s|^[[:space:]]*\([A-Za-z0-9_]*\)[[:space:]]*\"$path\"\$|\1|p" "$init")"
			[[ -n "$alias" ]] || continue
			sed -i -e "\|\"$path\"\$|d" -e "/[[:space:]]$alias\.New(/d" "$init"
		done <<<"$replaces"
		log "dropped $dropped nested modules absent from the module zip"
		GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0 go build \
			-trimpath -ldflags "$ldflags" -o "$work/bin/terraform" .
	) >&2
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
	if has_nested_backends "$version"; then
		build_without_nested_modules "$work"
	else
		# Run outside any module so this repository's go.mod is never consulted.
		(
			cd "$work"
			GOBIN="$work/bin" go install \
				-trimpath \
				-ldflags "$ldflags" \
				"github.com/hashicorp/terraform@v$version"
		) >&2
	fi
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
