#!/usr/bin/env bash
# Release builds of the three contracts (or of the contract crates named, e.g. bench/floor)
# with cargo-contract, skipping bundles that are newer than every source they are built from.
# Bundles: $CARGO_TARGET_DIR/ink/<name>/<name>.contract (target/ink/<name>/<name>.contract by
# default). cargo-contract also runs its own lints.
#   scripts/build-contracts.sh [CRATE_DIR...]
set -euo pipefail
case ${1:-} in -h|--help) echo "usage: $0 [CRATE_DIR...]" >&2; exit 0 ;; esac
source "$(dirname "$0")/lib.sh"
ensure_toolchain
command -v cargo-contract >/dev/null || die "cargo-contract is missing: run scripts/setup.sh"

cd "$ROOT"
dirs=("$@")
[ $# -gt 0 ] || for name in "${CONTRACTS[@]}"; do dirs+=("contracts/$name"); done
for dir in "${dirs[@]}"; do
  dir=${dir%/}
  name=$(basename "$dir")
  [ -f "$dir/Cargo.toml" ] || die "no contract crate in $dir"
  bundle=$BUNDLE_DIR/$name/$name.contract
  sources=(crates/market "$dir" Cargo.lock Cargo.toml rust-toolchain.toml)
  [ "$name" = main ] && sources+=(contracts/p2p contracts/p2g)
  # ink_e2e writes debug bundles to the same place: the stamp tells our release build apart.
  stamp=$BUNDLE_DIR/$name/release.sha256
  if [ -f "$bundle" ] && [ -f "$stamp" ] && sha256sum --status -c "$stamp" \
    && [ -z "$(find "${sources[@]}" -newer "$bundle" -type f -print -quit)" ]; then
    say "$name: up to date ($bundle)"
    continue
  fi
  say "$name: building"
  # Through rustup's cargo, so rust-toolchain.toml picks Rust 1.86.0.
  cargo contract build --release --quiet --manifest-path "$dir/Cargo.toml"
  [ -f "$bundle" ] || die "cargo-contract did not write $bundle"
  sha256sum "$bundle" >"$stamp"
done
