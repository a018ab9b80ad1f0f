#!/usr/bin/env bash
# Deploys the market suite (p2p, p2g, main) with polkadot.js and records it in
# deployments/<network>.json; reuses a recorded suite that still answers. See clients/js/deploy.mjs.
#   --network NAME         deployment name (default local): config deployments/config/NAME.json
#   --url ws://HOST:PORT   node RPC (default ws://127.0.0.1:${MARKET_NODE_PORT:-9944})
#   --config FILE          {operator, market, participants} (default deployments/config/NAME.json)
#   --deployments-dir DIR  where NAME.json is written (default deployments/)
#   --register-demo        register the config's participants not registered yet
#   --grid-deposit UNITS   what the operator puts in the grid deposit, which pays feed-in, on a
#                          fresh deployment (default 10^12, one token of the dev chain; 0 skips)
# Bundles: ${CARGO_TARGET_DIR:-target}/ink/<name>/<name>.contract, or $MARKET_BUNDLE_DIR.
set -euo pipefail
usage() { echo "usage: $0 [--network NAME] [--url ws://HOST:PORT] [--config FILE] [--deployments-dir DIR] [--register-demo] [--grid-deposit UNITS]"; exit "${1:-2}"; }
source "$(dirname "$0")/lib.sh"
for arg in "$@"; do case $arg in -h|--help) usage 0 ;; esac; done
command -v node >/dev/null || die "node (Node.js 20 or newer) is not installed"
client=$ROOT/clients/js
if [ ! -d "$client/node_modules" ]; then
  command -v npm >/dev/null || die "npm is not installed"
  say "installing the client's dependencies (npm ci in clients/js)"
  (cd "$client" && npm ci --no-audit --no-fund >&2)
fi
exec node "$client/deploy.mjs" "$@"
