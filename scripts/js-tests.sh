#!/usr/bin/env bash
# Runs the polkadot.js client's tests (clients/js/test), the chain tests against real
# substrate-contracts-node processes, with the built bundles of target/ink (no build here):
#   1. golden.test.mjs: the client's rule helpers against the market crate's golden vectors,
#      and money.test.mjs: the money unit's formatting (no node, no bundles);
#   2. starts a throwaway dev node on 127.0.0.1:${MARKET_JS_PORT:-9966} and runs
#      client.test.mjs against it (MARKET_NODE_URL), then stops that node;
#   3. runs persistence.test.mjs, which starts and restarts its own node on a base path, on
#      port ${MARKET_PERSIST_PORT:-9977}.
# Installs the client's npm dependencies (npm ci) when clients/js/node_modules is missing.
# Exits non-zero if any test file fails; all run either way.
#   scripts/js-tests.sh         (no arguments; env MARKET_JS_PORT, MARKET_PERSIST_PORT, and
#                               MARKET_BUNDLE_DIR for bundles other than target/ink's)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
no_arguments "$@"

require_contracts_node "the chain tests"
require_nodejs 20
require_bundles "${MARKET_BUNDLE_DIR:-$BUNDLE_DIR}"
client=$ROOT/clients/js
ensure_npm_deps "$client"

status=0
say "golden vectors and money formatting (no node)"
(cd "$client" && node --test --test-reporter=spec test/golden.test.mjs test/money.test.mjs) || status=1

port=${MARKET_JS_PORT:-9966}
# shellcheck disable=SC2317 # shellcheck cannot see the call: with_throwaway_node runs it
client_tests() {
  say "client tests against ws://127.0.0.1:$port"
  (cd "$client" && MARKET_NODE_URL=ws://127.0.0.1:$port node --test --test-reporter=spec test/client.test.mjs)
}
with_throwaway_node "$port" client_tests || status=1

say "persistence test (own node on port ${MARKET_PERSIST_PORT:-9977})"
(cd "$client" && node --test --test-reporter=spec test/persistence.test.mjs) || status=1

if [ "$status" -eq 0 ]; then say "all client tests passed"; else say "client tests FAILED"; fi
exit "$status"
