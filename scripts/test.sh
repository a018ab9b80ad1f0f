#!/usr/bin/env bash
# The whole test suite: contract bundles (with cargo-contract's lints), formatting, clippy with
# -D warnings on every crate and target, then every test (market logic, #[ink::test] unit
# tests, and the drink integration tests on the built bundles).
set -euo pipefail
[ $# -eq 0 ] || { echo "usage: $0" >&2; exit 2; }
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

"$ROOT/scripts/build-contracts.sh"
say "rustfmt"
cargo fmt --all -- --check
say "clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
say "tests"
cargo test --workspace --locked
say "all tests passed"
