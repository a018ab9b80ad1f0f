#!/usr/bin/env bash
# Runs the polkadot.js client's chain tests (clients/js/test) against real
# substrate-contracts-node processes, with the built bundles of target/ink (no build here):
#   1. starts a throwaway dev node on 127.0.0.1:${MARKET_JS_PORT:-9966} and runs
#      client.test.mjs against it (MARKET_NODE_URL), then stops that node;
#   2. runs persistence.test.mjs, which starts and restarts its own node on a base path, on
#      port ${MARKET_PERSIST_PORT:-9977}.
# Installs the client's npm dependencies (npm ci) when clients/js/node_modules is missing.
# Exits non-zero if either test file fails; both run either way.
set -euo pipefail
usage() { echo "usage: $0 (no arguments; env MARKET_JS_PORT, MARKET_PERSIST_PORT)"; exit "${1:-2}"; }
source "$(dirname "$0")/lib.sh"
case ${1:-} in -h|--help) usage 0 ;; '') ;; *) usage ;; esac

command -v substrate-contracts-node >/dev/null \
  || die "substrate-contracts-node is not installed (needed for the chain tests): run scripts/install-node.sh (about an hour)"
command -v node >/dev/null || die "node (Node.js 20 or newer) is not installed"
bundles=${MARKET_BUNDLE_DIR:-$BUNDLE_DIR}
for name in "${CONTRACTS[@]}"; do
  [ -f "$bundles/$name/$name.contract" ] \
    || die "no bundle $bundles/$name/$name.contract: build the contracts first (scripts/build-contracts.sh)"
done

client=$ROOT/clients/js
if [ ! -d "$client/node_modules" ]; then
  command -v npm >/dev/null || die "npm is not installed"
  say "installing the client's dependencies (npm ci in clients/js)"
  (cd "$client" && npm ci --no-audit --no-fund)
fi

port=${MARKET_JS_PORT:-9966}
node_dir=$(mktemp -d "${TMPDIR:-/tmp}/market-js-node.XXXXXX")
node_sh() { MARKET_NODE_PORT=$port MARKET_NODE_DIR=$node_dir "$ROOT/scripts/node.sh" "$@"; }
# Stops only the node this script started (node.sh stops by the PID file in our own dir).
cleanup() { node_sh stop || true; rm -rf "$node_dir"; }
trap cleanup EXIT

status=0
node_sh start
say "client tests against ws://127.0.0.1:$port"
(cd "$client" && MARKET_NODE_URL=ws://127.0.0.1:$port node --test --test-reporter=spec test/client.test.mjs) \
  || { status=1; tail -20 "$node_dir/node-$port.log" >&2 || true; }
node_sh stop

say "persistence test (own node on port ${MARKET_PERSIST_PORT:-9977})"
(cd "$client" && node --test --test-reporter=spec test/persistence.test.mjs) || status=1

[ "$status" -eq 0 ] && say "all client tests passed" || say "client tests FAILED"
exit "$status"
