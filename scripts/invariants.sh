#!/usr/bin/env bash
# The long invariant run: random sequences of every message (valid and invalid, several
# accounts, open and sealed mode) through the real contracts in drink, with energy, money and
# "a failed call changes nothing" checked after every call (drink/tests/invariants.rs). The test
# command runs a smaller number of sequences; this runs 256 (or CASES) of 100 to 120 calls each.
# A failure's shrunk sequence lands in drink/proptest-regressions/invariants.txt, which later
# runs replay first: commit it with the fix.
#   scripts/invariants.sh [CASES]
set -euo pipefail
case ${1:-} in -h|--help) echo "usage: $0 [CASES (default 256)]" >&2; exit 0 ;; esac
source "$(dirname "$0")/lib.sh"
"$ROOT/scripts/build-contracts.sh"
cd "$ROOT"
cases=${1:-256}
say "invariants: $cases random sequences"
MARKET_INVARIANT_CASES=$cases cargo test --locked -p market-drink --test invariants -- --nocapture
