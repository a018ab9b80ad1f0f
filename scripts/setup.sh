#!/usr/bin/env bash
# Installs what the project needs and is missing: Rust 1.86.0 with rust-src, clippy, rustfmt and
# the wasm32 target; cargo-contract 5.0.3 (from source, about 12 minutes); and
# substrate-contracts-node 0.42.0 (from source, about an hour and 2.5 GB of memory) unless
# --skip-node. Skips everything already present at the right version.
set -euo pipefail
usage() { echo "usage: $0 [--skip-node]" >&2; exit 2; }
skip_node=0
for arg in "$@"; do
  case $arg in
    --skip-node) skip_node=1 ;;
    *) usage ;;
  esac
done
source "$(dirname "$0")/lib.sh"

ensure_toolchain
rustup component add --toolchain "$TOOLCHAIN" rust-src clippy rustfmt >/dev/null
rustup target add --toolchain "$TOOLCHAIN" wasm32-unknown-unknown >/dev/null

if cargo-contract --version 2>/dev/null | grep -q "$CARGO_CONTRACT_VERSION"; then
  say "cargo-contract $CARGO_CONTRACT_VERSION: present"
else
  say "building cargo-contract $CARGO_CONTRACT_VERSION from source (about 12 minutes)"
  cargo "+$TOOLCHAIN" install cargo-contract --version "$CARGO_CONTRACT_VERSION" --locked
fi

if [ "$skip_node" = 1 ]; then
  say "skipping substrate-contracts-node (--skip-node): chain tests will need it"
else
  "$ROOT/scripts/install-node.sh"
fi
