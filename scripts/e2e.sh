#!/usr/bin/env bash
# The ink_e2e suite (e2e-tests/) against one real substrate-contracts-node that this script
# starts and stops. ink_e2e builds debug bundles of the contracts into the same target/ink
# directories as scripts/build-contracts.sh; that script notices and rebuilds release bundles
# when they are next needed.
#   scripts/e2e.sh              (no arguments; env MARKET_E2E_PORT, default 9988)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
no_arguments "$@"
cd "$ROOT"
require_contracts_node "the ink_e2e suite"

port=${MARKET_E2E_PORT:-9988}
# One throwaway node for the whole suite; tests run one at a time so dev accounts' nonces do not
# race. ink_e2e builds each contract through $CARGO: the shim makes those builds use Cargo.lock
# instead of resolving afresh (scripts/cargo-shim).
with_throwaway_node "$port" env CARGO="$ROOT/scripts/cargo-shim" RUSTUP_TOOLCHAIN="$TOOLCHAIN" \
  CONTRACTS_NODE_URL="ws://127.0.0.1:$port" \
  cargo test --locked -p market-e2e -- --test-threads=1
