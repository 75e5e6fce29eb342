# shellcheck shell=bash
# Shared by scripts/demo.sh, scripts/test-modules.sh and scripts/live-against-simulator.sh, which
# run a Terraform-compatible CLI (or the live targets) against a freshly built provider and a
# bundled simulator in a temporary directory.
# Source it after setting `die`; it defines functions only.

# identify_cli TF WORK: sets cli_version (the CLI's first version line), cli_host (the registry
# host that "flexmetal/flexmetal" resolves to, which a dev_overrides key must name) and cli_name.
# The CLI is asked with an empty configuration, so that a TF_CLI_CONFIG_FILE pointing at a missing
# file cannot add a warning to the output.
# shellcheck disable=SC2034 # cli_* are set for the sourcing script
identify_cli() {
	local tf="$1" work="$2"

	: >"$work/empty.tfrc"
	cli_version="$(TF_CLI_CONFIG_FILE="$work/empty.tfrc" "$tf" version)"
	cli_version="${cli_version%%$'\n'*}"
	case "$cli_version" in
	OpenTofu*) cli_host="registry.opentofu.org" cli_name="tofu" ;;
	Terraform*) cli_host="registry.terraform.io" cli_name="terraform" ;;
	*) die "$tf does not look like Terraform or OpenTofu (\"$tf version\" printed \"$cli_version\")" ;;
	esac
}

# build_binaries REPO GO BIN_DIR: builds the provider and the simulator into BIN_DIR.
build_binaries() {
	local repo="$1" go="$2" bin="$3"
	(
		cd "$repo" || exit
		"$go" build -o "$bin/terraform-provider-flexmetal" .
		"$go" build -o "$bin/flexmetal-simulator" ./cmd/flexmetal-simulator
	)
}

# wait_for_simulator PID URL_FILE LOG: waits (up to 10 seconds) until the simulator started in the
# background as PID has written its URL to URL_FILE, and dies, showing LOG, if it exits first.
wait_for_simulator() {
	local pid="$1" url_file="$2" log="$3"
	for _ in $(seq 100); do
		[[ -s "$url_file" ]] && return 0
		kill -0 "$pid" 2>/dev/null || {
			cat "$log" >&2
			die "the simulator exited before it was ready"
		}
		sleep 0.1
	done
	die "the simulator did not write its URL within 10 seconds"
}

# stop_simulator PID: stops a simulator started in the background, if it still runs.
stop_simulator() {
	local pid="$1"
	if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
}
