#!/usr/bin/env bash
# Builds the contracts and runs a four-hour market day of six homes on them in drink, printing
# every cleared interval with its trades and bills.
#   scripts/demo.sh
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
no_arguments "$@"
"$ROOT/scripts/build-contracts.sh"
cd "$ROOT"
cargo run --quiet --locked -p market-drink --bin demo
