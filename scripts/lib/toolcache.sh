# shellcheck shell=bash
# Shared helpers for the scripts that build or install tools into the
# per-user tool cache. Source this file; it defines functions only.
#
# Binaries live in ${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-flexmetal/bin
# under versioned names (terraform-1.5.7, tofu-1.10.6, golangci-lint-2.15.0), so
# several versions can sit side by side and callers never pick up a stale one.

toolcache_bin_dir() {
	local dir="${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-flexmetal/bin"
	mkdir -p "$dir"
	(cd "$dir" && pwd -P)
}

log() {
	printf '%s: %s\n' "${0##*/}" "$*" >&2
}

die() {
	log "error: $*"
	exit 1
}

# strip_v turns "v1.5.7" into "1.5.7"; scripts accept either spelling.
strip_v() {
	printf '%s\n' "${1#v}"
}

# run_quietly runs a Terraform-family binary without letting the caller's CLI
# configuration interfere: TF_CLI_CONFIG_FILE may point at a file that does not
# exist, and OpenTofu prints the resulting warning on stdout.
run_quietly() {
	local empty_config
	empty_config="$(mktemp)"
	local rc=0
	TF_CLI_CONFIG_FILE="$empty_config" CHECKPOINT_DISABLE=1 "$@" </dev/null || rc=$?
	rm -f "$empty_config"
	return "$rc"
}

# with_tool_lock NAME CMD... runs CMD while holding an exclusive lock on NAME in
# the cache, so concurrent invocations build a tool once instead of racing.
# The build itself still writes to a temporary name and renames it into place,
# so readers never see a half-written binary even without flock.
with_tool_lock() {
	local name="$1"
	shift
	local lock_file
	lock_file="$(toolcache_bin_dir)/.${name}.lock"
	if command -v flock >/dev/null 2>&1; then
		(
			flock 9
			"$@"
		) 9>"$lock_file"
	else
		"$@"
	fi
}

# install_tmp_file BUILT FINAL moves a freshly built binary into place
# atomically (same directory, so rename(2) applies).
install_tmp_file() {
	local built="$1" final="$2"
	local staged
	staged="$(mktemp "${final}.tmp.XXXXXX")"
	cp "$built" "$staged"
	chmod 0755 "$staged"
	mv -f "$staged" "$final"
}

# go_install_tool NAME MODULE_PATH@vVERSION TARGET installs a Go command with
# `go install` into a private GOBIN and moves it to TARGET. It runs outside any
# module, so this repository's go.mod and go.sum are never touched.
go_install_tool() {
	local name="$1" pkg="$2" target="$3"
	local work
	work="$(mktemp -d "${TMPDIR:-/tmp}/go-install-${name}.XXXXXX")"
	local start=$SECONDS
	log "installing $pkg (go install)"
	if ! (cd "$work" && GOBIN="$work/bin" go install "$pkg") >&2; then
		rm -rf "$work"
		die "go install $pkg failed"
	fi
	log "installed $pkg in $((SECONDS - start))s"
	install_tmp_file "$work/bin/$name" "$target"
	rm -rf "$work"
}

# reports_version BINARY FIRST_LINE succeeds when `BINARY version` prints FIRST_LINE first.
# The output is captured whole before taking its first line: with pipefail, `| head -n 1` can
# fail when head exits while the binary is still writing.
reports_version() {
	[[ -x "$1" ]] || return 1
	local out
	out="$(run_quietly "$1" version 2>/dev/null)" || return 1
	[[ "${out%%$'\n'*}" == "$2" ]]
}
