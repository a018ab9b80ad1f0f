#!/usr/bin/env bash
# Builds the contracts and runs a four-hour market day of six homes on them in drink, printing
# every cleared interval with its trades and bills.
set -euo pipefail
[ $# -eq 0 ] || { echo "usage: $0" >&2; exit 2; }
source "$(dirname "$0")/lib.sh"
"$ROOT/scripts/build-contracts.sh"
cd "$ROOT"
cargo run --quiet --locked -p market-drink --bin demo
