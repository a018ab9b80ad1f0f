#!/usr/bin/env bash
# Deploys the market suite (p2p, p2g, main) with polkadot.js and records it in
# deployments/<network>.json; reuses a recorded suite that still answers. See clients/js/deploy.mjs.
#   scripts/deploy.sh [--network NAME] [--url ws://HOST:PORT] [--config FILE]
#                     [--deployments-dir DIR] [--register-demo] [--grid-deposit UNITS]
#   --network NAME         deployment name (default local): config deployments/config/NAME.json
#   --url ws://HOST:PORT   node RPC (default ws://127.0.0.1:${MARKET_NODE_PORT:-9944})
#   --config FILE          {operator, market, participants} (default deployments/config/NAME.json)
#   --deployments-dir DIR  where NAME.json is written (default deployments/)
#   --register-demo        register the config's participants not registered yet
#   --grid-deposit UNITS   what the operator puts in the grid deposit, which pays feed-in, on a
#                          fresh deployment (default 10^12, one token of the dev chain; 0 skips)
# Bundles: ${CARGO_TARGET_DIR:-target}/ink/<name>/<name>.contract, or $MARKET_BUNDLE_DIR.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
# The options are deploy.mjs's (it checks their values); here only their names, before any npm ci.
for arg in "$@"; do case $arg in -h | --help) usage ;; esac; done
args=("$@")
while [ $# -gt 0 ]; do
  case $1 in
    --network | --url | --config | --deployments-dir | --grid-deposit) needs_value "$@"; shift 2 ;;
    --network=* | --url=* | --config=* | --deployments-dir=* | --grid-deposit=* | --register-demo) shift ;;
    *) usage_error "unknown argument: $1" ;;
  esac
done
require_nodejs 20
client=$ROOT/clients/js
ensure_npm_deps "$client"
exec node "$client/deploy.mjs" "${args[@]}"
