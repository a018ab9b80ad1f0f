#!/usr/bin/env bash
# The benchmarks (not part of the tests): builds the contracts and the yardstick contract
# (bench/floor), measures on drink (Wasm sizes, every message's weight, stepped clearing of
# 10 to 5000 offers, the full-year simulator on drink and natively), dry-runs every message on
# a throwaway substrate-contracts-node when one is installed, and writes bench/results.json and
# the generated tables of BENCHMARKS.md. Takes about ten minutes, most of it the year on drink.
#   scripts/bench.sh [--skip-simulator] [--skip-node] [--offers 10,100] [--days N]
# Env: MARKET_BENCH_PORT (default 9933) for the node.
set -euo pipefail
usage() {
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
  exit "${1:-2}"
}
source "$(dirname "$0")/lib.sh"

skip_node=0
measure_args=()
while [ $# -gt 0 ]; do
  case $1 in
    -h|--help) usage 0 ;;
    --skip-node) skip_node=1 ;;
    --skip-simulator) measure_args+=("$1") ;;
    --offers|--days) [ $# -ge 2 ] || usage; measure_args+=("$1" "$2"); shift ;;
    *) usage ;;
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
elif ! command -v substrate-contracts-node >/dev/null; then
  say "substrate-contracts-node is not installed: node figures skipped (scripts/install-node.sh)"
else
  port=${MARKET_BENCH_PORT:-9933}
  node_dir=$(mktemp -d "${TMPDIR:-/tmp}/market-bench-node.XXXXXX")
  node_sh() { MARKET_NODE_PORT=$port MARKET_NODE_DIR=$node_dir "$ROOT/scripts/node.sh" "$@"; }
  trap 'node_sh stop || true; rm -rf "$node_dir"' EXIT
  if [ ! -d clients/js/node_modules ]; then
    (cd clients/js && npm ci --no-audit --no-fund)
  fi
  node_sh start
  say "dry runs on the node"
  MARKET_NODE_URL=ws://127.0.0.1:$port node clients/js/bench/node-weights.mjs --out bench/node.json
fi

cargo run --quiet --locked -p market-bench -- render
