#!/usr/bin/env bash
# The load test on a real node (a benchmark, not a test): for each mode, a throwaway
# substrate-contracts-node --dev, a fresh market, N funded and registered homes that each place
# one offer in one interval (sealed: commit and reveal), the stepped close and, metered, a
# reading for every position; checks that nothing is lost (fails otherwise) and writes the
# throughput, block weights, fees, cost per home and capacity to bench/load.json. With the
# defaults (1000 homes, all three modes) it takes about 7 minutes here (2 cores).
#   scripts/load-test.sh [--homes N] [--mode open|sealed|metered|all] [--concurrency N]
#                        [--interval-ms MS] [--out FILE]
# Env: MARKET_LOAD_PORT (default 9988) for the node; MARKET_BUNDLE_DIR (default
# $CARGO_TARGET_DIR/ink or target/ink) for the contract bundles, which are not built here.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

homes=1000
mode=all
concurrency=50
interval_ms=
out=$ROOT/bench/load.json
while [ $# -gt 0 ]; do
  case $1 in
    -h | --help) usage ;;
    --homes) needs_value "$@"; homes=$2; shift ;;
    --mode) needs_value "$@"; mode=$2; shift ;;
    --concurrency) needs_value "$@"; concurrency=$2; shift ;;
    --interval-ms) needs_value "$@"; interval_ms=$2; shift ;;
    --out) needs_value "$@"; out=$2; shift ;;
    *) usage_error "unknown argument: $1" ;;
  esac
  shift
done
case $mode in
  open | sealed | metered) modes=("$mode") ;;
  all) modes=(open sealed metered) ;;
  *) usage_error "--mode is open, sealed, metered or all, got $mode" ;;
esac
for value in "$homes" "$concurrency" ${interval_ms:+"$interval_ms"}; do
  [[ $value =~ ^[1-9][0-9]*$ ]] || usage_error "not a positive whole number: $value"
done

require_contracts_node "the load test"
require_nodejs 20
bundles=${MARKET_BUNDLE_DIR:-$BUNDLE_DIR}
require_bundles "$bundles"
ensure_npm_deps "$ROOT/clients/js"
port=${MARKET_LOAD_PORT:-9988}
case $out in /*) ;; *) out=$PWD/$out ;; esac
mkdir -p "$(dirname "$out")"

# Each mode on a node of its own (a fresh chain: fee multiplier, block numbers and storage start
# from genesis); the first writes a fresh file, the others merge into it.
work=$(mktemp -d "${TMPDIR:-/tmp}/market-load.XXXXXX")
remove_work() { rm -rf "$work"; }
at_exit remove_work
merge=()
for m in "${modes[@]}"; do
  say "load test: mode $m, $homes homes, $concurrency in flight, node on port $port"
  with_throwaway_node "$port" env "MARKET_BUNDLE_DIR=$bundles" \
    node "$ROOT/clients/js/bench/load-test.mjs" --url "ws://127.0.0.1:$port" --homes "$homes" \
    --mode "$m" --concurrency "$concurrency" ${interval_ms:+--interval-ms "$interval_ms"} \
    --out "$work/load.json" "${merge[@]}" || {
    [ ! -f "$work/load.json.failed" ] || cp "$work/load.json.failed" "$out.failed"
    die "the load test failed in mode $m (what it measured, if it got that far: $out.failed)"
  }
  merge=(--merge)
done
mv "$work/load.json" "$out"
say "wrote ${out#"$ROOT"/}"
