#!/usr/bin/env bash
# The ink_e2e suite (e2e-tests/) against one real substrate-contracts-node that this script
# starts and stops. ink_e2e builds debug bundles of the contracts into the same target/ink
# directories as scripts/build-contracts.sh; that script notices and rebuilds release bundles
# when they are next needed.
# Environment: MARKET_E2E_PORT (default 9988).
set -euo pipefail
[ $# -eq 0 ] || { echo "usage: $0" >&2; exit 2; }
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
command -v substrate-contracts-node >/dev/null \
  || die "substrate-contracts-node is not installed: run scripts/install-node.sh (about an hour)"

export MARKET_NODE_PORT=${MARKET_E2E_PORT:-9988}
export MARKET_NODE_DIR=$TARGET_DIR/node/e2e
trap '"$ROOT/scripts/node.sh" stop' EXIT
"$ROOT/scripts/node.sh" start
# One node for the whole suite; tests run one at a time so dev accounts' nonces do not race.
# ink_e2e builds each contract through $CARGO: the shim makes those builds use Cargo.lock
# instead of resolving afresh (scripts/cargo-shim).
CARGO=$ROOT/scripts/cargo-shim RUSTUP_TOOLCHAIN=$TOOLCHAIN \
  CONTRACTS_NODE_URL=ws://127.0.0.1:$MARKET_NODE_PORT \
  cargo test --locked -p market-e2e -- --test-threads=1
