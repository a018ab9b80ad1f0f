#!/usr/bin/env bash
# Builds the release bundles from this checkout, then from a copy of it in another directory
# with a build cache of its own (a cold build: about ten minutes on two cores), and compares the
# code hashes (source.hash in the .contract files).
#   scripts/check-reproducible.sh
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
no_arguments "$@"
other=$(mktemp -d /tmp/market-repro.XXXXXX)
# shellcheck disable=SC2317 # shellcheck cannot see the call: at_exit runs it
remove_copy() { rm -rf "$other"; }
at_exit remove_copy
git -C "$ROOT" ls-files -z --cached --others --exclude-standard \
  | tar -C "$ROOT" --null --no-recursion --ignore-failed-read -T - -cf - | tar -C "$other" -xf -
rm -f "$BUNDLE_DIR"/*/release.sha256   # rebuild this checkout's bundles too
"$ROOT/scripts/build-contracts.sh"
# The copy builds into a target directory of its own: everything is compiled afresh.
CARGO_TARGET_DIR=$other/target "$other/scripts/build-contracts.sh"
status=0
for name in "${CONTRACTS[@]}"; do
  here=$(jq -r .source.hash "$BUNDLE_DIR/$name/$name.contract")
  there=$(jq -r .source.hash "$other/target/ink/$name/$name.contract")
  if [ "$here" = "$there" ]; then
    say "$name: $here in both"
  else
    say "$name: $here here, $there from $other"; status=1
  fi
done
exit "$status"
