#!/usr/bin/env bash
# The whole test suite: shellcheck over the shell scripts (skipped with a note when shellcheck
# is not installed), contract bundles (with cargo-contract's lints), formatting, clippy with
# -D warnings on every crate and target, every Rust test (market logic, #[ink::test] unit tests,
# drink integration tests on the built bundles), then the chain tests against a real
# substrate-contracts-node that they start and stop themselves: the polkadot.js client's tests
# (golden vectors, chain, persistence), the DApp's browser test in headless Chromium, and the ink_e2e suite.
#   scripts/test.sh [--skip-chain] [--skip-browser]
#   --skip-chain    skip the chain tests, the browser test with them (also MARKET_SKIP_CHAIN=1);
#                   without it a missing node is an error, not a silent skip.
#   --skip-browser  skip only the browser test (also MARKET_SKIP_BROWSER=1); without it a missing
#                   Chromium is an error.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
skip_chain=${MARKET_SKIP_CHAIN:-0}
skip_browser=${MARKET_SKIP_BROWSER:-0}
for arg in "$@"; do
  case $arg in
    -h | --help) usage ;;
    --skip-chain) skip_chain=1 ;;
    --skip-browser) skip_browser=1 ;;
    *) usage_error "unknown argument: $arg" ;;
  esac
done
cd "$ROOT"

[ "$skip_chain" = 1 ] || require_contracts_node "the chain tests" "run $0 --skip-chain"
[ "$skip_chain" = 1 ] || [ "$skip_browser" = 1 ] || require_chromium "the DApp's browser test" "run $0 --skip-browser"
if command -v shellcheck >/dev/null; then
  say "shellcheck"
  check_scripts
else
  say "shellcheck is not installed: the shell scripts are not checked (scripts/setup.sh installs it)"
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
  say "polkadot.js client tests (golden vectors, chain, persistence)"
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
