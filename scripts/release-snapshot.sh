#!/usr/bin/env bash
# Check the GoReleaser configuration and build a snapshot release in a throwaway
# copy of the working tree, signed with a throwaway GPG key, then verify the
# artifacts the Terraform Registry expects and the simulator's archives.
#
# Usage: scripts/release-snapshot.sh [OUT_DIR]
#
# The copy includes uncommitted changes, so the snapshot reflects the working
# tree, and the repository itself is never written to. GoReleaser, at the
# version pinned in scripts/install-goreleaser.sh, is installed into the tool
# cache by that script. The signing key lives in a temporary GNUPGHOME and is
# deleted with the copy; gnupg is installed with apt-get if gpg is missing.
# With OUT_DIR the snapshot's dist/ contents are copied there; otherwise they
# are removed with the copy after the listing. Exits non-zero if any check
# fails.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$script_dir/.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/toolcache.sh
source "$script_dir/lib/toolcache.sh"

[[ $# -le 1 ]] || { echo "usage: $0 [OUT_DIR]" >&2; exit 2; }
out_dir="${1:-}"
# The script changes directory before copying there.
[[ -z "$out_dir" || "$out_dir" == /* ]] || out_dir="$PWD/$out_dir"

goreleaser="$("$script_dir/install-goreleaser.sh")"
project=terraform-provider-flexmetal
simulator=flexmetal-simulator

work="$(mktemp -d "${TMPDIR:-/tmp}/release-snapshot.XXXXXX")"
gnupg_home="$work/gnupg"
cleanup() {
	# Stop the gpg-agent that signing started for the throwaway keyring.
	if [[ -d "$gnupg_home" ]]; then
		GNUPGHOME="$gnupg_home" gpgconf --kill gpg-agent >/dev/null 2>&1 || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

failures=0
fail() {
	log "FAIL: $*"
	failures=$((failures + 1))
}

# The release workflow downloads GoReleaser by its own pin; it must be the
# version checked here.
goreleaser_version="$("$goreleaser" --version 2>/dev/null | sed -n 's/^GitVersion:[[:space:]]*v\{0,1\}//p')"
workflow_version="$(sed -n 's/^[[:space:]]*version:[[:space:]]*v\{0,1\}\([0-9][0-9.]*\)[[:space:]]*$/\1/p' \
	"$repo/.github/workflows/release.yml")"
[[ -n "$goreleaser_version" && "$workflow_version" == "$goreleaser_version" ]] ||
	fail ".github/workflows/release.yml pins GoReleaser ${workflow_version:-(none found)}, scripts/install-goreleaser.sh ${goreleaser_version:-(unknown)}"

if ! command -v gpg >/dev/null 2>&1; then
	command -v apt-get >/dev/null 2>&1 || die "gpg is not installed, and there is no apt-get to install gnupg with"
	sudo=()
	[[ "$(id -u)" -eq 0 ]] || sudo=(sudo)
	log "installing gnupg with apt-get"
	"${sudo[@]}" apt-get update >&2 || die "apt-get update failed"
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gnupg >&2 ||
		die "apt-get install gnupg failed"
fi

# A throwaway signing key without a passphrase, so the signs section of
# .goreleaser.yml runs as it does in the release workflow. RSA, as the registry
# accepts for a namespace key.
log "generating a throwaway GPG key in $gnupg_home"
mkdir -m 700 "$gnupg_home"
export GNUPGHOME="$gnupg_home"
gpg --batch --passphrase '' --quick-gen-key \
	"terraform-provider-flexmetal snapshot <snapshot@example.invalid>" rsa3072 sign 1d >&2 ||
	die "gpg could not generate a key"
GPG_FINGERPRINT="$(gpg --batch --with-colons --list-secret-keys | awk -F: '$1 == "fpr" { print $10; exit }')"
[[ -n "$GPG_FINGERPRINT" ]] || die "no fingerprint for the generated key"
export GPG_FINGERPRINT

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

log "goreleaser release --snapshot --clean, signing with $GPG_FINGERPRINT (builds every platform; takes a while)"
start=$SECONDS
"$goreleaser" release --snapshot --clean >&2
log "snapshot built in $((SECONDS - start))s"

# The snapshot version, e.g. 0.0.0-SNAPSHOT-02889c3, as GoReleaser recorded it.
version="$(sed -n 's/.*"version":"\([^"]*\)".*/\1/p' dist/metadata.json)"
[[ -n "$version" ]] || die "no version in dist/metadata.json"

# Every platform in .goreleaser.yml's matrix that this Go toolchain supports.
supported="$(go tool dist list)"
platforms=()
for os in freebsd windows linux darwin; do
	for arch in amd64 386 arm arm64; do
		[[ "$os/$arch" == darwin/386 ]] && continue
		grep -qx "$os/$arch" <<<"$supported" || continue
		platforms+=("${os}_${arch}")
	done
done
expected_zips=()
expected_simulator_zips=()
for platform in "${platforms[@]}"; do
	expected_zips+=("${project}_${version}_${platform}.zip")
	expected_simulator_zips+=("${simulator}_${version}_${platform}.zip")
done

sums="dist/${project}_${version}_SHA256SUMS"
sums_sig="$sums.sig"
manifest_name="${project}_${version}_manifest.json"
gpg_good=""
if [[ -f "$sums" ]]; then
	# The manifest is uploaded by the release step, which snapshots skip, so it
	# is not in dist/: check its listed checksum against the repository's file.
	want="$(sha256sum "$repo/terraform-registry-manifest.json" | cut -d' ' -f1)"
	grep -qx "$want  $manifest_name" "$sums" ||
		fail "SHA256SUMS does not list $manifest_name with the checksum of terraform-registry-manifest.json"
	(cd dist && sha256sum --check --quiet --ignore-missing "$(basename "$sums")") >&2 ||
		fail "SHA256SUMS does not match the artifacts"
	# GoReleaser v2.15.1 added the signature to the file it had just signed
	# (goreleaser/goreleaser#6514), so the signature no longer matched.
	if listed_sigs="$(grep -E '\.sig$' "$sums")"; then
		fail "SHA256SUMS lists signature files: $listed_sigs"
	fi
	if [[ -f "$sums_sig" ]]; then
		# --status-fd output names the key that made a good signature.
		if verify_status="$(gpg --batch --status-fd 1 --verify "$sums_sig" "$sums" 2>"$work/gpg-verify.log")" &&
			grep -q "^\[GNUPG:\] GOODSIG " <<<"$verify_status" &&
			grep -q "^\[GNUPG:\] VALIDSIG $GPG_FINGERPRINT " <<<"$verify_status"; then
			gpg_good="$(grep 'Good signature' "$work/gpg-verify.log" || true)"
		else
			sed 's/^/  /' "$work/gpg-verify.log" >&2
			fail "gpg --verify $(basename "$sums_sig") $(basename "$sums") does not report a good signature by $GPG_FINGERPRINT"
		fi
	else
		fail "missing $(basename "$sums_sig"): the snapshot was not signed"
	fi
else
	fail "missing $(basename "$sums")"
fi

# zip_entries ZIP prints the names of the files in ZIP, one a line, or fails
# when no tool to read it is installed.
zip_entries() {
	if command -v unzip >/dev/null 2>&1; then
		unzip -Z1 "$1"
	elif command -v python3 >/dev/null 2>&1; then
		python3 -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' "$1"
	else
		return 2
	fi
}

# check_zip ZIP BINARY checks that dist/ZIP exists, is listed in SHA256SUMS and
# holds BINARY and nothing else.
check_zip() {
	local zip="$1" binary="$2"
	if [[ ! -f "dist/$zip" ]]; then
		fail "missing $zip"
		return
	fi
	if [[ -f "$sums" ]] && ! grep -q " $zip\$" "$sums"; then
		fail "SHA256SUMS does not list $zip"
	fi
	local listing rc=0
	listing="$(zip_entries "dist/$zip")" || rc=$?
	if [[ $rc -eq 2 ]]; then
		return # neither unzip nor python3: the contents cannot be checked
	fi
	[[ $rc -eq 0 && "$listing" == "$binary" ]] ||
		fail "$zip must contain only $binary; it contains: $(tr '\n' ' ' <<<"$listing")"
}

for zip in "${expected_zips[@]}"; do
	# Terraform looks for terraform-provider-<type>_v<version>[.exe] inside the zip.
	binary="${project}_v${version}"
	[[ "$zip" == *_windows_* ]] && binary+=".exe"
	check_zip "$zip" "$binary"
done

for zip in "${expected_simulator_zips[@]}"; do
	binary="$simulator"
	[[ "$zip" == *_windows_* ]] && binary+=".exe"
	check_zip "$zip" "$binary"
done

shopt -s nullglob
actual_zips=(dist/"${project}"_*.zip)
actual_simulator_zips=(dist/"${simulator}"_*.zip)
all_zips=(dist/*.zip)
shopt -u nullglob
[[ ${#actual_zips[@]} -eq ${#expected_zips[@]} ]] ||
	fail "expected ${#expected_zips[@]} provider zips, found ${#actual_zips[@]}"
[[ ${#actual_simulator_zips[@]} -eq ${#expected_simulator_zips[@]} ]] ||
	fail "expected ${#expected_simulator_zips[@]} simulator zips, found ${#actual_simulator_zips[@]}"
[[ ${#all_zips[@]} -eq $((${#expected_zips[@]} + ${#expected_simulator_zips[@]})) ]] ||
	fail "dist/ has zips that are neither the provider's nor the simulator's: ${all_zips[*]}"

# The simulator built for this machine must run and report the release version.
host_platform="$(go env GOOS)_$(go env GOARCH)"
host_zip="${simulator}_${version}_${host_platform}.zip"
simulator_version=""
if [[ ! -f "dist/$host_zip" ]]; then
	fail "no simulator archive for this machine ($host_platform) to run"
elif ! command -v unzip >/dev/null 2>&1 && ! command -v python3 >/dev/null 2>&1; then
	log "neither unzip nor python3 installed: not running the simulator from $host_zip"
else
	mkdir "$work/simulator"
	if command -v unzip >/dev/null 2>&1; then
		unzip -q "dist/$host_zip" -d "$work/simulator"
	else
		python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
			"dist/$host_zip" "$work/simulator"
	fi
	simulator_bin="$work/simulator/$simulator"
	[[ "$host_platform" == windows_* ]] && simulator_bin+=".exe"
	chmod +x "$simulator_bin" 2>/dev/null || true
	simulator_version="$("$simulator_bin" -version 2>&1)" || fail "$host_zip: $simulator -version exited non-zero: $simulator_version"
	[[ "$simulator_version" == "$simulator $version" ]] ||
		fail "$host_zip: $simulator -version printed '$simulator_version', want '$simulator $version'"
fi

echo "Snapshot $version artifacts:"
(cd dist && ls -l -- "${project}"_*.zip "${simulator}"_*.zip "$(basename "$sums")" "$(basename "$sums_sig")") |
	sed 's/^/  /' || true
[[ -n "$gpg_good" ]] && echo "gpg --verify $(basename "$sums_sig") $(basename "$sums"): $gpg_good"
[[ -n "$simulator_version" ]] && echo "$host_zip: $simulator -version: $simulator_version"

if [[ -n "$out_dir" ]]; then
	mkdir -p "$out_dir"
	cp -R dist/. "$out_dir/"
	echo "Copied dist/ to $(cd "$out_dir" && pwd)"
fi

if [[ $failures -gt 0 ]]; then
	die "$failures check(s) failed"
fi
echo "OK: goreleaser check passed; ${#expected_zips[@]} provider zips and ${#expected_simulator_zips[@]} simulator zips, SHA256SUMS, its signature and the manifest checksum verified."
