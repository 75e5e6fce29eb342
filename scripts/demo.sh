#!/usr/bin/env bash
# Run examples/demo end to end against the bundled FlexMetal simulator: no account, no API key,
# no network. Builds the provider and the simulator, applies the demo (an SSH key and three
# servers, delivered in about ten seconds), checks that a second plan has nothing to change,
# destroys everything and stops the simulator.
#
# Usage: scripts/demo.sh                      (or `make demo`)
#        TF=tofu scripts/demo.sh              (OpenTofu; TF may be a command name or a path)
#
# Everything happens in a temporary directory that is removed on exit, even on failure or
# Ctrl-C; the simulator is stopped with it. ~/.terraformrc is never read or written: Terraform
# gets its own CLI configuration with a dev_overrides entry for the freshly built provider.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GO="${GO:-go}"
TF="${TF:-terraform}"
export CHECKPOINT_DISABLE=1

say() { printf '\n==> %s\n' "$*"; }
die() {
	printf 'demo: %s\n' "$*" >&2
	exit 1
}
# shellcheck source-path=SCRIPTDIR source=lib/sandbox.sh
source "$repo/scripts/lib/sandbox.sh"

if [[ "$TF" == tofu ]] && ! command -v tofu >/dev/null 2>&1; then
	# No OpenTofu installed: build the one the compatibility tests use (cached after the first run).
	say "OpenTofu is not on PATH: building it from the Go module proxy (first time only, a few minutes)"
	TF="$("$repo/scripts/build-tofu.sh" "${OPENTOFU_VERSION:-1.12.6}")" || die "could not build OpenTofu"
fi
tf="$(command -v -- "$TF")" || die "\"$TF\" not found; install Terraform >= 1.5 or OpenTofu >= 1.6, or set TF to its path"
[[ "$tf" == /* ]] || tf="$PWD/$tf"

work="$(mktemp -d "${TMPDIR:-/tmp}/flexmetal-demo.XXXXXX")"
sim_pid=""
cleanup() {
	local rc=$?
	stop_simulator "$sim_pid"
	rm -rf "$work"
	if ((rc != 0)); then
		printf '\ndemo: failed (exit %d); the simulator is stopped and %s removed\n' "$rc" "$work" >&2
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

identify_cli "$tf" "$work"
version="$cli_version" host="$cli_host" cli="$cli_name"

say "Building the provider and the simulator (using $version)"
start=$SECONDS
build_binaries "$repo" "$GO" "$work/bin"

say "Starting the FlexMetal simulator (each delivery step takes 1s)"
"$work/bin/flexmetal-simulator" -listen 127.0.0.1:0 -url-file "$work/url" -quiet -step 1s -release 1s \
	>"$work/simulator.log" 2>&1 &
sim_pid=$!
wait_for_simulator "$sim_pid" "$work/url" "$work/simulator.log"
base_url="$(cat "$work/url")"
echo "listening on $base_url"

cat >"$work/terraformrc" <<EOF
provider_installation {
  dev_overrides {
    "$host/flexmetal/flexmetal" = "$work/bin"
  }
  direct {}
}
EOF
export TF_CLI_CONFIG_FILE="$work/terraformrc"
export FLEXMETAL_BASE_URL="$base_url"
export FLEXMETAL_API_KEY="simulator-api-key"

mkdir "$work/demo"
cp "$repo"/examples/demo/*.tf "$work/demo/"
cd "$work/demo"

# No init: dev_overrides hands Terraform the provider directly (and init would try the registry).
# Terraform warns that development overrides are in effect; that is expected here.
say "$cli apply: catalog lookups, one SSH key, three servers"
apply_start=$SECONDS
"$tf" apply -auto-approve -input=false
apply_secs=$((SECONDS - apply_start))
managed="$("$tf" state list | grep -c '^flexmetal_' || true)"

say "$cli plan -detailed-exitcode: a second plan must have nothing to change"
plan_rc=0
"$tf" plan -detailed-exitcode -input=false || plan_rc=$?
case "$plan_rc" in
0) ;;
2) die "the plan after apply is not empty (exit 2): the provider reports drift on an unchanged configuration" ;;
*) die "plan failed (exit $plan_rc)" ;;
esac

say "$cli destroy: releasing the servers and deleting the key"
destroy_start=$SECONDS
"$tf" destroy -auto-approve -input=false
destroy_secs=$((SECONDS - destroy_start))
left="$("$tf" state list | wc -l | tr -d ' ')"
((left == 0)) || die "$left resources are still in the state after destroy"

kill "$sim_pid"
wait "$sim_pid" 2>/dev/null || true
sim_pid=""

say "Demo finished in $((SECONDS - start))s"
cat <<EOF
  CLI:      $version
  apply:    $managed resources created in ${apply_secs}s (servers delivered by the simulator)
  plan:     no changes after apply
  destroy:  every server released and the key deleted in ${destroy_secs}s
  cleanup:  simulator stopped; temporary files are removed on exit
EOF
