#!/usr/bin/env bash
# The DApp's browser test (app/test/browser.test.mjs): starts a throwaway dev node on
# 127.0.0.1:${MARKET_APP_NODE_PORT:-9955}, deploys three markets into a temporary deployments
# dir, app/test/market.json (open offers, 30-second intervals), app/test/sealed.json (sealed
# offers, 20-second intervals, 10-second reveal window) and app/test/metered.json (open offers,
# 20-second intervals, metered with a one-minute window), builds and stages the app with the
# first as its default record and the others as ?deployment=sealed and ?deployment=metered
# (scripts/app.sh --build-only),
# serves it with `vite preview` on ${MARKET_APP_PORT:-4173}, and drives it in headless Chromium
# (Debian's `chromium` package, through playwright-core: its own browser downloads cannot reach
# the internet here). Screenshots of every view are kept in
# ${MARKET_APP_ARTIFACTS:-$TARGET_DIR/app-screenshots}.
#   scripts/app-tests.sh        (no arguments; env MARKET_CHROMIUM: the browser binary, default:
#                               chromium on PATH; MARKET_APP_NODE_PORT, MARKET_APP_PORT,
#                               MARKET_APP_ARTIFACTS)
# Uses the built bundles of target/ink (no build here). Stops what it started, pass or fail.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
no_arguments "$@"

require_chromium "the browser test"
chromium=$(find_chromium)
require_contracts_node "the browser test"
require_nodejs 20.19
require_bundles "$BUNDLE_DIR"

node_port=${MARKET_APP_NODE_PORT:-9955}
app_port=${MARKET_APP_PORT:-4173}
artifacts=${MARKET_APP_ARTIFACTS:-$TARGET_DIR/app-screenshots}
work=$(mktemp -d "${TMPDIR:-/tmp}/market-app-test.XXXXXX")
server=
# shellcheck disable=SC2317 # shellcheck cannot see the call: at_exit runs it
cleanup() {
  [ -z "$server" ] || kill "$server" 2>/dev/null || true
  rm -rf "$work"
}
at_exit cleanup
start_throwaway_node "$node_port"

for market in market sealed metered; do
  say "deploying the test market app/test/$market.json"
  "$ROOT/scripts/deploy.sh" --network "$market" --url "ws://127.0.0.1:$node_port" \
    --config "$ROOT/app/test/$market.json" --deployments-dir "$work"
done
"$ROOT/scripts/app.sh" --deployment "$work/market.json" --out "$work/dist" --build-only
cp "$work/sealed.json" "$work/dist/market/sealed.json"
cp "$work/metered.json" "$work/dist/market/metered.json"

say "serving the app on http://127.0.0.1:$app_port/"
(cd "$ROOT/app" && exec node_modules/.bin/vite preview --outDir "$work/dist" --host 127.0.0.1 --port "$app_port" \
  --strictPort >"$work/preview.log" 2>&1) &
server=$!
for _ in $(seq 1 60); do
  curl -sf -m 2 "http://127.0.0.1:$app_port/" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$work/preview.log" >&2; die "vite preview exited"; }
  sleep 0.5
done

mkdir -p "$artifacts"
say "browser test (Chromium: $chromium; screenshots: $artifacts)"
status=0
(cd "$ROOT/app" && APP_URL="http://127.0.0.1:$app_port/" MARKET_DEPLOYMENTS="$work" \
  MARKET_CHROMIUM="$chromium" MARKET_APP_ARTIFACTS="$artifacts" \
  node --test --test-reporter=spec test/browser.test.mjs) || status=1
if [ "$status" -eq 0 ]; then
  say "browser test passed"
else
  say "browser test FAILED"
  throwaway_node_log
fi
exit "$status"
