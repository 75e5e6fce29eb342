#!/usr/bin/env bash
# Print the release notes of one version: its section of CHANGELOG.md, without
# the heading. .github/workflows/release.yml passes them to GoReleaser.
#
# Usage: scripts/release-notes.sh VERSION [CHANGELOG]
#
# VERSION may be given as v0.1.0 or 0.1.0 (the workflow passes the tag). The
# section is the one headed "## VERSION" or "## VERSION (DATE)". Fails if there
# is no such section, if it is empty, or if it is still headed "(Unreleased)":
# a release must not go out before its changelog entry has been given a date.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/toolcache.sh
source "$script_dir/lib/toolcache.sh"

[[ $# -ge 1 && $# -le 2 && -n "$1" ]] || { echo "usage: $0 VERSION [CHANGELOG]" >&2; exit 2; }
version="$(strip_v "$1")"
changelog="${2:-$(cd "$script_dir/.." && pwd)/CHANGELOG.md}"
[[ -f "$changelog" ]] || die "$changelog does not exist"

# index() rather than a regular expression: the dots in the version are literal.
heading="$(awk -v v="$version" '
	index($0, "## " v " ") == 1 || $0 == "## " v { print; exit }
' "$changelog")"
[[ -n "$heading" ]] || die "$changelog has no section for $version (a heading \"## $version (DATE)\")"

if grep -qi 'unreleased' <<<"$heading"; then
	die "$changelog: the $version section is headed \"$heading\"; replace (Unreleased) with the release date, e.g. \"## $version (January 2, 2026)\", and commit before tagging"
fi

notes="$(awk -v v="$version" '
	/^## / { if (found) exit; if (index($0, "## " v " ") == 1 || $0 == "## " v) { found = 1; next } }
	found { print }
' "$changelog")"
# Drop the blank lines after the heading; $(...) already dropped those at the end.
notes="${notes#"${notes%%[![:space:]]*}"}"
[[ -n "$notes" ]] || die "the $version section of $changelog is empty"
printf '%s\n' "$notes"
