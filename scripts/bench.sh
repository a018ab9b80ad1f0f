#!/usr/bin/env bash
# The benchmarks (not part of the tests): builds the contracts and the yardstick contract
# (bench/floor), measures on drink (Wasm sizes, every message's weight, stepped clearing of
# 10 to 5000 offers, the paper's year on drink and natively, and at scale 1 000 homes for 30
# days on drink and their year natively, with peak RSS; drink in --jobs sandboxes, default the
# cores), dry-runs every message on a throwaway substrate-contracts-node when one is installed,
# and writes bench/results.json and the generated tables of BENCHMARKS.md, with the load test's
# bench/load.json (scripts/load-test.sh) and the first run's bench/build.json
# (scripts/bench-build.sh) when present. Most of its time is the two drink runs (see
# BENCHMARKS.md); --skip-simulator and --skip-scale leave them out.
#   scripts/bench.sh [--skip-simulator] [--skip-scale] [--skip-node] [--offers 10,100] [--days N]
#                    [--jobs N] [--scale-days N]
# Env: MARKET_BENCH_PORT (default 9933) for the node.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

skip_node=0
measure_args=()
while [ $# -gt 0 ]; do
  case $1 in
    -h | --help) usage ;;
    --skip-node) skip_node=1 ;;
    --skip-simulator | --skip-scale) measure_args+=("$1") ;;
    --offers | --days | --jobs | --scale-days) needs_value "$@"; measure_args+=("$1" "$2"); shift ;;
    *) usage_error "unknown argument: $1" ;;
  esac
  shift
done

"$ROOT/scripts/build-contracts.sh"
"$ROOT/scripts/build-contracts.sh" bench/floor
cd "$ROOT"

rm -f bench/node.json
say "measuring on drink"
cargo run --quiet --locked -p market-bench -- measure "${measure_args[@]}"

if [ "$skip_node" = 1 ]; then
  say "node figures skipped (--skip-node)"
elif ! have_contracts_node; then
  say "node figures skipped: $(no_contracts_node_message "the dry runs")"
else
  port=${MARKET_BENCH_PORT:-9933}
  require_nodejs 20
  ensure_npm_deps "$ROOT/clients/js"
  say "dry runs on a throwaway node (port $port)"
  with_throwaway_node "$port" env "MARKET_NODE_URL=ws://127.0.0.1:$port" \
    node clients/js/bench/node-weights.mjs --out bench/node.json
fi

cargo run --quiet --locked -p market-bench -- render
