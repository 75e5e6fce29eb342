#!/usr/bin/env bash
# Check the GoReleaser configuration and build an unsigned snapshot release in a
# throwaway copy of the working tree, then verify the artifacts the Terraform
# Registry expects.
#
# Usage: scripts/release-snapshot.sh [OUT_DIR]
#
# The copy includes uncommitted changes, so the snapshot reflects the working
# tree, and the repository itself is never written to. GoReleaser v2.15.1 is
# installed into the tool cache by scripts/install-goreleaser.sh. With OUT_DIR
# the snapshot's dist/ contents are copied there; otherwise they are removed
# with the copy after the listing. Exits non-zero if any check fails.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$script_dir/.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/toolcache.sh
source "$script_dir/lib/toolcache.sh"

[[ $# -le 1 ]] || { echo "usage: $0 [OUT_DIR]" >&2; exit 2; }
out_dir="${1:-}"

goreleaser="$("$script_dir/install-goreleaser.sh")"
project=terraform-provider-flexmetal

work="$(mktemp -d "${TMPDIR:-/tmp}/release-snapshot.XXXXXX")"
trap 'rm -rf "$work"' EXIT

log "copying the working tree to $work/repo"
cp -R "$repo" "$work/repo"
rm -rf "$work/repo/dist"
cd "$work/repo"
# GoReleaser reads the commit only when the clone has a remote; give a local
# clone without one the project's, so the snapshot version names the commit.
if [[ -d .git ]] && ! git remote get-url origin >/dev/null 2>&1; then
	git remote add origin https://github.com/flexmetal/terraform-provider-flexmetal.git
fi

log "goreleaser check"
"$goreleaser" check >&2

log "goreleaser release --snapshot --clean --skip=sign (builds every platform; takes a while)"
start=$SECONDS
"$goreleaser" release --snapshot --clean --skip=sign >&2
log "snapshot built in $((SECONDS - start))s"

# The snapshot version, e.g. 0.0.1-SNAPSHOT-a97ae72, as GoReleaser recorded it.
version="$(sed -n 's/.*"version":"\([^"]*\)".*/\1/p' dist/metadata.json)"
[[ -n "$version" ]] || die "no version in dist/metadata.json"

failures=0
fail() {
	log "FAIL: $*"
	failures=$((failures + 1))
}

# Every platform in .goreleaser.yml's matrix that this Go toolchain supports.
supported="$(go tool dist list)"
expected_zips=()
for os in freebsd windows linux darwin; do
	for arch in amd64 386 arm arm64; do
		[[ "$os/$arch" == darwin/386 ]] && continue
		grep -qx "$os/$arch" <<<"$supported" || continue
		expected_zips+=("${project}_${version}_${os}_${arch}.zip")
	done
done

sums="dist/${project}_${version}_SHA256SUMS"
manifest_name="${project}_${version}_manifest.json"
if [[ -f "$sums" ]]; then
	# The manifest is uploaded by the release step, which snapshots skip, so it
	# is not in dist/: check its listed checksum against the repository's file.
	want="$(sha256sum "$repo/terraform-registry-manifest.json" | cut -d' ' -f1)"
	grep -qx "$want  $manifest_name" "$sums" ||
		fail "SHA256SUMS does not list $manifest_name with the checksum of terraform-registry-manifest.json"
	(cd dist && sha256sum --check --quiet --ignore-missing "$(basename "$sums")") >&2 ||
		fail "SHA256SUMS does not match the artifacts"
else
	fail "missing $(basename "$sums")"
fi

for zip in "${expected_zips[@]}"; do
	if [[ ! -f "dist/$zip" ]]; then
		fail "missing $zip"
		continue
	fi
	if [[ -f "$sums" ]] && ! grep -q " $zip\$" "$sums"; then
		fail "SHA256SUMS does not list $zip"
	fi
	# Terraform looks for terraform-provider-<type>_v<version>[.exe] inside the zip.
	binary="${project}_v${version}"
	[[ "$zip" == *_windows_* ]] && binary+=".exe"
	if command -v unzip >/dev/null 2>&1; then
		listing="$(unzip -Z1 "dist/$zip")" || listing=""
		grep -qx "$binary" <<<"$listing" || fail "$zip does not contain $binary"
	elif command -v python3 >/dev/null 2>&1; then
		python3 -c 'import sys, zipfile; sys.exit(sys.argv[2] not in zipfile.ZipFile(sys.argv[1]).namelist())' \
			"dist/$zip" "$binary" || fail "$zip does not contain $binary"
	fi
done

shopt -s nullglob
actual_zips=(dist/*.zip)
shopt -u nullglob
[[ ${#actual_zips[@]} -eq ${#expected_zips[@]} ]] ||
	fail "expected ${#expected_zips[@]} zips, found ${#actual_zips[@]}"

echo "Snapshot $version artifacts:"
(cd dist && ls -l -- *.zip "$(basename "$sums")") | sed 's/^/  /' || true

if [[ -n "$out_dir" ]]; then
	mkdir -p "$out_dir"
	cp -R dist/. "$out_dir/"
	echo "Copied dist/ to $(cd "$out_dir" && pwd)"
fi

if [[ $failures -gt 0 ]]; then
	die "$failures check(s) failed"
fi
echo "OK: goreleaser check passed; ${#expected_zips[@]} zips, SHA256SUMS and the manifest checksum verified."
