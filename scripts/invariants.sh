#!/usr/bin/env bash
# The long invariant run: random sequences of every message (valid and invalid, several
# accounts, open and sealed mode) through the real contracts in drink, with energy, money and
# "a failed call changes nothing" checked after every call (drink/tests/invariants.rs). The test
# command runs a smaller number of sequences; this runs 256 (or CASES) of 100 to 120 calls each.
# A failure's shrunk sequence lands in drink/proptest-regressions/invariants.txt, which later
# runs replay first: commit it with the fix.
#   scripts/invariants.sh [CASES]
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
case ${1:-} in -h | --help) usage ;; esac
[ $# -le 1 ] || usage_error "unexpected argument: $2"
cases=${1:-256}
[[ $cases =~ ^[1-9][0-9]*$ ]] || usage_error "CASES is a whole number of sequences, got $cases"
"$ROOT/scripts/build-contracts.sh"
cd "$ROOT"
say "invariants: $cases random sequences"
MARKET_INVARIANT_CASES=$cases cargo test --locked -p market-drink --test invariants -- --nocapture
