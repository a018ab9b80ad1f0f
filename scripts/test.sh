#!/usr/bin/env bash
# The whole test suite: contract bundles (with cargo-contract's lints), formatting, clippy with
# -D warnings on every crate and target, every Rust test (market logic, #[ink::test] unit tests,
# drink integration tests on the built bundles), then the chain tests against a real
# substrate-contracts-node that they start and stop themselves: the polkadot.js client and
# persistence tests, the DApp's browser test in headless Chromium, and the ink_e2e suite.
#   --skip-chain    skip the chain tests, the browser test with them (also MARKET_SKIP_CHAIN=1);
#                   without it a missing node is an error, not a silent skip.
#   --skip-browser  skip only the browser test (also MARKET_SKIP_BROWSER=1); without it a missing
#                   Chromium is an error.
set -euo pipefail
usage() { echo "usage: $0 [--skip-chain] [--skip-browser]" >&2; exit 2; }
skip_chain=${MARKET_SKIP_CHAIN:-0}
skip_browser=${MARKET_SKIP_BROWSER:-0}
for arg in "$@"; do
  case $arg in
    --skip-chain) skip_chain=1 ;;
    --skip-browser) skip_browser=1 ;;
    *) usage ;;
  esac
done
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

if [ "$skip_chain" != 1 ] && ! command -v substrate-contracts-node >/dev/null; then
  die "substrate-contracts-node is not installed, so the chain tests cannot run.
  Install it with scripts/install-node.sh (about an hour), or run $0 --skip-chain."
fi
if [ "$skip_chain" != 1 ] && [ "$skip_browser" != 1 ] && [ -z "${MARKET_CHROMIUM:-}" ] \
    && ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then
  die "Chromium is not installed, so the DApp's browser test cannot run.
  Install it with scripts/setup.sh (apt-get install chromium), or run $0 --skip-browser."
fi
"$ROOT/scripts/build-contracts.sh"
say "rustfmt"
cargo fmt --all -- --check
say "clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
say "tests"
cargo test --workspace --locked --exclude market-e2e
if [ "$skip_chain" = 1 ]; then
  say "chain tests skipped (--skip-chain)"
else
  say "polkadot.js client and persistence tests"
  "$ROOT/scripts/js-tests.sh"
  if [ "$skip_browser" = 1 ]; then
    say "DApp browser test skipped (--skip-browser)"
  else
    say "DApp browser test (headless Chromium)"
    "$ROOT/scripts/app-tests.sh"
  fi
  say "ink_e2e suite"
  "$ROOT/scripts/e2e.sh"
  # ink_e2e left debug bundles in target/ink; put the release bundles back.
  "$ROOT/scripts/build-contracts.sh"
fi
say "all tests passed"
