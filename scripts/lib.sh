# Shared by the scripts: the repository root, the pinned toolchain, the bundle directory, and the
# steps several scripts take (usage, prerequisites, npm dependencies, a throwaway node).
# shellcheck shell=bash
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLCHAIN=1.86.0
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
CONTRACTS=(p2p p2g main)
# Only the scripts that source this file read these (shellcheck checks it on its own too).
# shellcheck disable=SC2034
{
  CARGO_CONTRACT_VERSION=5.0.3
  NODE_VERSION=0.42.0
  BUNDLE_DIR=$TARGET_DIR/ink
}
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# --- usage: every script's usage is its header comment (the comment lines after `#!`) ---------
usage_text() { awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0"; }
# -h/--help: the usage on stdout, exit 0.
usage() { usage_text; exit 0; }
# A wrong argument: what is wrong (MESSAGE, optional) and the usage on stderr, exit 2.
usage_error() {
  [ $# -eq 0 ] || printf 'error: %s\n' "$*" >&2
  usage_text >&2
  exit 2
}
# An option that takes a value, in an argument loop: needs_value "$@" (with "$1" the option).
needs_value() { [ $# -ge 2 ] || usage_error "$1 needs a value"; }
# For scripts that take no arguments: no_arguments "$@".
no_arguments() {
  case ${1:-} in -h | --help) usage ;; esac
  [ $# -eq 0 ] || usage_error "unexpected argument: $1"
}

# --- prerequisites ----------------------------------------------------------------------------
# Node.js on PATH: require_nodejs VERSION (the oldest that works: 20 for clients/js, 20.19 for
# the app, whose Vite needs it).
require_nodejs() { command -v node >/dev/null || die "node (Node.js $1 or newer) is not installed"; }

have_contracts_node() { command -v substrate-contracts-node >/dev/null; }
# What a missing node means: PURPOSE what needs it, [ALTERNATIVE] what else the user can do.
no_contracts_node_message() {
  printf 'substrate-contracts-node is not installed%s: run scripts/install-node.sh (about an hour)%s' \
    "${1:+ (needed for $1)}" "${2:+, or $2}"
}
# require_contracts_node PURPOSE [ALTERNATIVE]: fails with that message without the node.
require_contracts_node() { have_contracts_node || die "$(no_contracts_node_message "$@")"; }

# The browser for the DApp's browser test: $MARKET_CHROMIUM, else chromium on PATH; empty if none.
find_chromium() { printf '%s' "${MARKET_CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"; }
# require_chromium PURPOSE [ALTERNATIVE]: fails when find_chromium finds no executable browser.
require_chromium() {
  local chromium
  chromium=$(find_chromium)
  if [ -z "$chromium" ] || [ ! -x "$chromium" ]; then
    die "Chromium is not installed (needed for $1): run scripts/setup.sh (apt-get install chromium), or set MARKET_CHROMIUM${2:+, or $2}"
  fi
}

# The release bundles of the three contracts in DIR ($BUNDLE_DIR, or $MARKET_BUNDLE_DIR for
# what deploys through clients/js): require_bundles DIR.
require_bundles() {
  local dir=$1 name
  for name in "${CONTRACTS[@]}"; do
    [ -f "$dir/$name/$name.contract" ] \
      || die "no bundle $dir/$name/$name.contract: build the contracts first (scripts/build-contracts.sh)"
  done
}

# npm ci in DIR when DIR/node_modules is missing (npm's output on stderr).
ensure_npm_deps() {
  local dir=$1
  [ ! -d "$dir/node_modules" ] || return 0
  command -v npm >/dev/null || die "npm is not installed"
  say "installing the npm dependencies of ${dir#"$ROOT"/} (npm ci)"
  (cd "$dir" && npm ci --no-audit --no-fund >&2)
}

# apt-get install PACKAGE... (Debian's packages), as root or through sudo; apt-get update first,
# once per script.
apt_updated=0
apt_install() {
  local sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  if [ "$apt_updated" = 0 ]; then
    "${sudo[@]}" apt-get update -qq
    apt_updated=1
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

# Every shell script of the repository through shellcheck (scripts/test.sh's first check).
check_scripts() { (cd "$ROOT" && shellcheck -x scripts/*.sh scripts/cargo-shim .ci/run); }

# --- cleanup at exit --------------------------------------------------------------------------
# at_exit FUNCTION: runs FUNCTION when the script exits, pass or fail; the last one added runs
# first. One EXIT trap for all of them (a script must not set its own).
exit_hooks=()
run_exit_hooks() {
  local hook
  for hook in "${exit_hooks[@]}"; do "$hook" || true; done
}
at_exit() {
  exit_hooks=("$1" "${exit_hooks[@]}")
  trap run_exit_hooks EXIT
}

# --- a throwaway dev node ---------------------------------------------------------------------
# start_throwaway_node PORT: scripts/node.sh start (a --tmp chain) on 127.0.0.1:PORT with a
# MARKET_NODE_DIR of its own (PID file and log), so that stopping it ends only this node. Exits
# the script if the node does not come up. It is stopped and its directory removed by
# stop_throwaway_node, or when the script exits.
THROWAWAY_NODE_PORT=
THROWAWAY_NODE_DIR=
throwaway_node_sh() {
  MARKET_NODE_PORT=$THROWAWAY_NODE_PORT MARKET_NODE_DIR=$THROWAWAY_NODE_DIR "$ROOT/scripts/node.sh" "$@"
}
start_throwaway_node() {
  [ -z "$THROWAWAY_NODE_DIR" ] || die "a throwaway node runs already (port $THROWAWAY_NODE_PORT)"
  THROWAWAY_NODE_PORT=$1
  THROWAWAY_NODE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/market-node-$1.XXXXXX") || exit
  at_exit stop_throwaway_node
  throwaway_node_sh start || exit
}
stop_throwaway_node() {
  [ -n "$THROWAWAY_NODE_DIR" ] || return 0
  throwaway_node_sh stop || true
  rm -rf "$THROWAWAY_NODE_DIR"
  THROWAWAY_NODE_DIR=
}
# The end of the throwaway node's log on stderr (after a failed test).
throwaway_node_log() { tail -20 "$THROWAWAY_NODE_DIR/node-$THROWAWAY_NODE_PORT.log" >&2 || true; }
# with_throwaway_node PORT COMMAND...: runs COMMAND with a throwaway node on PORT, shows the end
# of the node's log if COMMAND fails, stops the node either way; returns COMMAND's status.
with_throwaway_node() {
  local status=0
  start_throwaway_node "$1"
  shift
  "$@" || status=$?
  [ "$status" = 0 ] || throwaway_node_log
  stop_throwaway_node
  return "$status"
}

# rustup does not install toolchains on demand here (RUSTUP_AUTO_INSTALL=0): install ours.
ensure_toolchain() {
  if ! rustup toolchain list | grep -q "^$TOOLCHAIN"; then
    say "installing Rust $TOOLCHAIN"
    rustup toolchain install "$TOOLCHAIN" --profile minimal \
      -c rust-src,clippy,rustfmt -t wasm32-unknown-unknown
  fi
}

# Whether a node answers JSON-RPC on 127.0.0.1:PORT.
rpc_answers() {
  curl -sf -m 2 -H 'Content-Type: application/json' \
    -d '{"id":1,"jsonrpc":"2.0","method":"system_health","params":[]}' \
    "http://127.0.0.1:$1" >/dev/null 2>&1
}

# A venv at $1 with exactly the packages pinned in requirements file $2, built with python 3.11+
# ($PYTHON, default python3; $3 says what needs 3.11) and rebuilt only when the file changes.
# Prints the venv's python.
pinned_venv() {
  local venv=$1 req=$2 python=${PYTHON:-python3} stamp
  stamp=$venv/$(basename "$req")
  "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
    die "$python is older than 3.11 ($3)"
  if ! cmp -s "$req" "$stamp"; then
    say "installing the pinned packages into $venv"
    rm -rf "$venv"
    "$python" -m venv "$venv"
    # --no-deps: the requirements file pins the whole closure (see its header).
    "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps -r "$req" >&2
    cp "$req" "$stamp"
  fi
  printf '%s' "$venv/bin/python"
}
