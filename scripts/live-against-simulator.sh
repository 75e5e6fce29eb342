#!/usr/bin/env bash
# Runs the live targets against the flexmetal-simulator binary, started as a separate process on
# loopback, exactly as they run against the real API: FLEXMETAL_LIVE=1, FLEXMETAL_BASE_URL and
# FLEXMETAL_API_KEY name the simulator, so the runs can use nothing a real API does not offer (no
# simulator hooks, no clock control). `make test-live-sim` runs it; `make test` includes it.
#
#   1. `make testacc-live`, `make sweep` and `make api-contract` without FLEXMETAL_LIVE=1 (and
#      `go test -sweep`) must
#      exit non-zero with a refusal having sent no request: the simulator logs every request it
#      receives, and the log must not grow. The live tests under plain `go test` (as in
#      `make testacc`) must skip, also without a request.
#   2. Every target in LIVE_SIM_TARGETS (default testacc-live) with FLEXMETAL_LIVE=1; then nothing
#      named tf-acc-* may be left but released servers.
#   3. tools/livefixture creates servers, SSH keys and tags named tf-acc-* and named otherwise (one
#      only containing tf-acc-, and a tf-acc-* server released already); `make api-contract` reads
#      every endpoint with them in the account, sending nothing but GET requests; after `make sweep` the tf-acc-* ones are released or deleted, the others untouched, and the
#      released server was not released again.
#
# The simulator is stopped and the temporary directory removed on exit, on failure or Ctrl-C too.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GO="${GO:-go}"
MAKE="${MAKE:-make}"
LIVE_SIM_TARGETS="${LIVE_SIM_TARGETS-testacc-live}"
export CHECKPOINT_DISABLE=1

say() { printf '\n==> %s\n' "$*"; }
die() {
	printf 'test-live-sim: %s\n' "$*" >&2
	exit 1
}
# shellcheck source-path=SCRIPTDIR source=lib/sandbox.sh
source "$repo/scripts/lib/sandbox.sh"

work="$(mktemp -d "${TMPDIR:-/tmp}/flexmetal-live-sim.XXXXXX")"
sim_pid=""
cleanup() {
	local rc=$?
	stop_simulator "$sim_pid"
	if ((rc != 0)); then
		if [[ -s "$work/simulator.log" ]]; then
			printf '\nthe last requests the simulator received:\n' >&2
			tail -n 30 "$work/simulator.log" >&2
		fi
		printf '\ntest-live-sim: FAILED (exit %d); the simulator is stopped and %s removed\n' "$rc" "$work" >&2
	fi
	rm -rf "$work"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A developer's settings for real runs must not leak in: the simulator's catalog decides.
unset FLEXMETAL_LIVE FLEXMETAL_LIVE_LOCATION FLEXMETAL_LIVE_INSTANCE_TYPE FLEXMETAL_LIVE_OS

say "Building the simulator and tools/livefixture"
(cd "$repo" && "$GO" build -o "$work/bin/flexmetal-simulator" ./cmd/flexmetal-simulator && "$GO" build -o "$work/bin/livefixture" ./tools/livefixture)
fixture="$work/bin/livefixture"

# A key of its own, so nothing here works with the simulator's well-known default.
api_key="live-sim-$RANDOM$RANDOM"
say "Starting the simulator (200ms per delivery step, 200ms to release), logging every request"
"$work/bin/flexmetal-simulator" -listen 127.0.0.1:0 -url-file "$work/url" -api-key "$api_key" -step 200ms -release 200ms \
	>"$work/simulator.log" 2>&1 &
sim_pid=$!
wait_for_simulator "$sim_pid" "$work/url" "$work/simulator.log"
export FLEXMETAL_BASE_URL FLEXMETAL_API_KEY="$api_key"
FLEXMETAL_BASE_URL="$(cat "$work/url")"
echo "listening on $FLEXMETAL_BASE_URL"

# requests counts the requests the simulator has logged ("GET /v3/... -> 200 in ...").
requests() { grep -cE ' (GET|POST|PUT|PATCH|DELETE|HEAD) /.* -> [0-9]+ in ' "$work/simulator.log" || true; }

# expect_refusal NAME CMD...: CMD must exit non-zero, say it refuses and how to opt in, and send
# no request.
expect_refusal() {
	local name="$1" before after out rc=0
	shift
	before="$(requests)"
	out="$("$@" 2>&1)" || rc=$?
	after="$(requests)"
	((rc != 0)) || die "$name exited 0 without FLEXMETAL_LIVE=1; output:"$'\n'"$out"
	grep -q 'refusing to start' <<<"$out" && grep -q 'FLEXMETAL_LIVE=1' <<<"$out" ||
		die "$name failed (exit $rc) without saying it refuses to start and that FLEXMETAL_LIVE=1 opts in; output:"$'\n'"$out"
	((after == before)) || die "$name sent $((after - before)) requests to the API without FLEXMETAL_LIVE=1"
	printf '  ok: %s exits %d having sent no request: %s\n' "$name" "$rc" "$(grep -m1 -o 'refusing to start.*' <<<"$out" | cut -c1-90)..."
}

say "Without FLEXMETAL_LIVE=1 nothing starts, and no request is sent"
expect_refusal "make testacc-live" "$MAKE" -C "$repo" --no-print-directory testacc-live
expect_refusal "make sweep" "$MAKE" -C "$repo" --no-print-directory sweep
expect_refusal "make sweep (FLEXMETAL_LIVE=yes)" env FLEXMETAL_LIVE=yes "$MAKE" -C "$repo" --no-print-directory sweep
expect_refusal "go test -sweep" env -C "$repo" "$GO" test ./internal/live/ -count=1 -sweep=account
expect_refusal "make api-contract" "$MAKE" -C "$repo" --no-print-directory api-contract
before="$(requests)"
out="$(cd "$repo" && TF_ACC=1 "$GO" test ./internal/live/ -run '^TestLive_' -count=1 -v 2>&1)" ||
	die "the live tests failed under plain go test without FLEXMETAL_LIVE=1; output:"$'\n'"$out"
if grep -q -- '--- PASS: TestLive_' <<<"$out" || ! grep -q -- '--- SKIP: TestLive_' <<<"$out"; then
	die "the live tests ran under plain go test without FLEXMETAL_LIVE=1; output:"$'\n'"$out"
fi
(($(requests) == before)) || die "the skipped live tests sent $(($(requests) - before)) requests"
echo "  ok: TF_ACC=1 go test ./internal/live/ skips every TestLive_ test having sent no request"

export FLEXMETAL_LIVE=1
for target in $LIVE_SIM_TARGETS; do
	say "make $target against the simulator, with FLEXMETAL_LIVE=1"
	"$MAKE" -C "$repo" --no-print-directory "$target"
done
say "Nothing named tf-acc-* is left but released servers"
"$fixture" leftovers

say "The sweep releases and deletes what is named tf-acc-*, and nothing else"
"$fixture" seed -state "$work/fixture.json"

# With servers, SSH keys and tags in the account: the contract check has something to read at
# every endpoint that takes an id, and must read only.
say "make api-contract against the simulator: every read endpoint, GET requests only"
writes_before="$(grep -cE ' (POST|PUT|PATCH|DELETE) /.* -> ' "$work/simulator.log" || true)"
"$MAKE" -C "$repo" --no-print-directory api-contract
writes_after="$(grep -cE ' (POST|PUT|PATCH|DELETE) /.* -> ' "$work/simulator.log" || true)"
((writes_after == writes_before)) || die "make api-contract sent $((writes_after - writes_before)) requests other than GET"

"$MAKE" -C "$repo" --no-print-directory sweep
"$fixture" check -state "$work/fixture.json"
released_id="$(sed -n '/"alreadyReleased"/,/}/s/.*"id": "\([^"]*\)".*/\1/p' "$work/fixture.json")"
[[ -n "$released_id" ]] || die "no already released server in $work/fixture.json"
releases="$(grep -cE " DELETE /v3/flexMetal/servers/$released_id -> " "$work/simulator.log" || true)"
((releases == 1)) || die "server $released_id, released before the sweep, received $releases releases, want 1 (the fixture's): the sweep released it again"
echo "livefixture: the server released before the sweep was not released again"

kill "$sim_pid"
wait "$sim_pid" 2>/dev/null || true
sim_pid=""
say "test-live-sim passed: $LIVE_SIM_TARGETS, api-contract and sweep against the simulator ($(requests) requests in all); refusals without FLEXMETAL_LIVE=1 sent none"
