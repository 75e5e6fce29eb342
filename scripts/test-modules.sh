#!/usr/bin/env bash
# Run the `terraform test` suites of the example modules (examples/modules/*/tests) offline: the
# mocked suites (tests/mock*.tftest.hcl) first, with no simulator running and no API key set, then
# every other suite against the bundled FlexMetal simulator. docs/guides/testing-modules.md
# describes the suites; this script is what `make test-modules` and CI run.
#
# Usage: scripts/test-modules.sh            (or `make test-modules`)
#        TF=/path/to/terraform scripts/test-modules.sh   (Terraform 1.7 or later: mock_provider)
#
# It builds the provider and the simulator into a temporary directory and points Terraform at the
# provider through a dev_overrides CLI configuration of its own (~/.terraformrc is never read), so
# no `terraform init` and no registry are needed: `terraform get` installs the suites' local
# modules. Each module is tested in a copy, so examples/ stays clean. The simulator delivers and
# releases servers at once (-step 0 -release 0). The first failing suite ends the run with a
# non-zero exit; the simulator is stopped and the temporary directory removed on exit, even on
# failure or Ctrl-C.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GO="${GO:-go}"
TF="${TF:-terraform}"
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0
# Everything Terraform keeps goes into the module copies, and no endpoint or key of the caller's
# reaches the suites: the mocked ones must pass without any.
unset TF_DATA_DIR FLEXMETAL_BASE_URL FLEXMETAL_API_KEY

say() { printf '\n==> %s\n' "$*"; }
die() {
	printf 'test-modules: %s\n' "$*" >&2
	exit 1
}
# shellcheck source-path=SCRIPTDIR source=lib/sandbox.sh
source "$repo/scripts/lib/sandbox.sh"

tf="$(command -v -- "$TF")" || die "\"$TF\" not found; install Terraform >= 1.7, or set TF to its path"
[[ "$tf" == /* ]] || tf="$PWD/$tf"

work="$(mktemp -d "${TMPDIR:-/tmp}/flexmetal-test-modules.XXXXXX")"
sim_pid=""
cleanup() {
	local rc=$?
	stop_simulator "$sim_pid"
	rm -rf "$work"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

identify_cli "$tf" "$work"
version="$cli_version" host="$cli_host"

modules=()
for dir in "$repo"/examples/modules/*/; do
	if compgen -G "$dir/tests/*.tftest.hcl" >/dev/null; then modules+=("$(basename "$dir")"); fi
done
((${#modules[@]} > 0)) || die "no module under examples/modules has tests/*.tftest.hcl"

say "Building the provider and the simulator (tests run with $version)"
build_binaries "$repo" "$GO" "$work/bin"

cat >"$work/terraformrc" <<EOF
provider_installation {
  dev_overrides {
    "$host/flexmetal/flexmetal" = "$work/bin"
  }
  direct {}
}
EOF
export TF_CLI_CONFIG_FILE="$work/terraformrc"

# Colors on a terminal only, so CI logs stay readable.
no_color=(-no-color)
[[ -t 1 ]] && no_color=()

# Copy every module and install the local modules its suites use (run blocks' module sources).
for m in "${modules[@]}"; do
	cp -R "$repo/examples/modules/$m" "$work/$m"
	rm -rf "$work/$m/.terraform" "$work/$m"/terraform.tfstate*
	"$tf" -chdir="$work/$m" get ${no_color[@]+"${no_color[@]}"} >/dev/null || die "$m: $TF get failed"
done

# suites MODULE mock|api lists the module's mocked suites (tests/mock*.tftest.hcl) or the others.
suites() {
	local f kind
	for f in "$work/$1"/tests/*.tftest.hcl; do
		f="${f##*/}"
		kind=api
		[[ "$f" == mock* ]] && kind=mock
		if [[ "$kind" == "$2" ]]; then printf 'tests/%s\n' "$f"; fi
	done
}

summaries=()
print_summary() {
	say "Summary"
	printf '  %s\n' "${summaries[@]}"
}

# run_suites MODULE FILE... runs terraform test on the given files and records its summary line.
# The first failure ends the script: terraform test also fails when it is interrupted (Ctrl-C),
# and nothing should run after that.
run_suites() {
	local m="$1" filters=() f rc=0 summary
	shift
	for f in "$@"; do filters+=("-filter=$f"); done
	"$tf" -chdir="$work/$m" test ${no_color[@]+"${no_color[@]}"} "${filters[@]}" 2>&1 | tee "$work/test.log" || rc=$?
	summary="$(sed -e $'s/\x1b\\[[0-9;]*m//g' "$work/test.log" | grep -E '^(Success|Failure)!' | tail -n1)" || true
	summaries+=("$m $*: ${summary:-no summary; $TF test exited $rc}")
	if ((rc != 0)); then
		print_summary
		die "$m $* failed (exit $rc): see the output above"
	fi
}

for m in "${modules[@]}"; do
	files=()
	while IFS= read -r f; do files+=("$f"); done < <(suites "$m" mock)
	((${#files[@]} > 0)) || continue
	say "$m: ${files[*]} (mock_provider: no simulator, no API key)"
	run_suites "$m" "${files[@]}"
done

say "Starting the FlexMetal simulator (immediate delivery and release)"
"$work/bin/flexmetal-simulator" -listen 127.0.0.1:0 -url-file "$work/url" -quiet -step 0 -release 0 \
	>"$work/simulator.log" 2>&1 &
sim_pid=$!
wait_for_simulator "$sim_pid" "$work/url" "$work/simulator.log"
FLEXMETAL_BASE_URL="$(cat "$work/url")"
export FLEXMETAL_BASE_URL FLEXMETAL_API_KEY="simulator-api-key"
echo "listening on $FLEXMETAL_BASE_URL"

for m in "${modules[@]}"; do
	files=()
	while IFS= read -r f; do files+=("$f"); done < <(suites "$m" api)
	((${#files[@]} > 0)) || continue
	say "$m: ${files[*]} (against the simulator)"
	run_suites "$m" "${files[@]}"
done

print_summary
