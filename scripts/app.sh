#!/usr/bin/env bash
# Builds the web DApp (app/) with Vite and serves it against a deployed market.
#   scripts/app.sh [--deployment FILE] [--port PORT] [--host HOST] [--out DIR] [--build-only]
# - --deployment FILE  the deployment record the page attaches to (default deployments/local.json,
#                      as scripts/deploy.sh writes it). With the default, a local dev node that
#                      does not answer is started (scripts/node.sh start: a throwaway chain) and
#                      the market deployed with the demo participants registered
#                      (scripts/deploy.sh --register-demo; it reuses a live deployment).
# - --out DIR          where the static site goes (default app/dist); the record and the three
#                      .contract bundles are copied into DIR/market/, where the page loads them.
# - --build-only       build and stage, do not serve (a static site any web server can host).
# - otherwise serves DIR with `vite preview` on http://HOST:PORT/ (default 127.0.0.1:5173) until
#   Ctrl-C. The page connects to the node the record names ("url"); ?node=ws://... overrides.
# Installs the app's npm dependencies (npm ci in app/) when app/node_modules is missing.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
deployment=$ROOT/deployments/local.json
default_deployment=1
port=5173
host=127.0.0.1
out=$ROOT/app/dist
serve=1
while [ $# -gt 0 ]; do
  case $1 in
    --deployment) needs_value "$@"; deployment=$(realpath -m "$2"); default_deployment=0; shift 2 ;;
    --port) needs_value "$@"; port=$2; shift 2 ;;
    --host) needs_value "$@"; host=$2; shift 2 ;;
    --out) needs_value "$@"; out=$(realpath -m "$2"); shift 2 ;;
    --build-only) serve=0; shift ;;
    -h | --help) usage ;;
    *) usage_error "unknown argument: $1" ;;
  esac
done
require_nodejs 20.19
require_bundles "$BUNDLE_DIR"

if [ "$default_deployment" = 1 ]; then
  # scripts/node.sh and scripts/deploy.sh read the same MARKET_NODE_PORT.
  rpc_answers "${MARKET_NODE_PORT:-9944}" || "$ROOT/scripts/node.sh" start
  "$ROOT/scripts/deploy.sh" --register-demo
fi
[ -f "$deployment" ] || die "no deployment record $deployment: deploy first (scripts/deploy.sh)"

app=$ROOT/app
ensure_npm_deps "$app"
say "building the app into $out"
(cd "$app" && node_modules/.bin/vite build --outDir "$out" --emptyOutDir --logLevel warn)
mkdir -p "$out/market"
cp "$deployment" "$out/market/deployment.json"
for name in "${CONTRACTS[@]}"; do cp "$BUNDLE_DIR/$name/$name.contract" "$out/market/"; done
say "staged $(basename "$deployment") and the bundles in $out/market"
[ "$serve" = 1 ] || exit 0
say "serving http://$host:$port/ (Ctrl-C stops)"
cd "$app" && exec node_modules/.bin/vite preview --outDir "$out" --host "$host" --port "$port" --strictPort
