#!/usr/bin/env bash
# Installs substrate-contracts-node 0.42.0 (crates.io `contracts-node`) from source: about an
# hour and 2.5 GB of memory on 2 cores. Skips when that version is on PATH.
set -euo pipefail
[ $# -eq 0 ] || { echo "usage: $0" >&2; exit 2; }
source "$(dirname "$0")/lib.sh"

if substrate-contracts-node --version 2>/dev/null | grep -q "$NODE_VERSION"; then
  say "substrate-contracts-node $NODE_VERSION: present"
  exit 0
fi
ensure_toolchain
if command -v apt-get >/dev/null; then
  say "installing build packages (protobuf-compiler clang libclang-dev cmake)"
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd=sudo
  $sudo_cmd apt-get install -y protobuf-compiler clang libclang-dev cmake
fi
# The runtime's Wasm build reads this hint after cargo has unpacked the crate; without it the
# build resolves unlocked dependencies and fails (E0050 in dry_run_call). The index directory
# exists once cargo has fetched anything.
registry="${CARGO_HOME:-$HOME/.cargo}/registry/src"
ls -d "$registry"/index.crates.io-*/ >/dev/null 2>&1 || cargo fetch --manifest-path "$ROOT/Cargo.toml"
index=$(ls -d "$registry"/index.crates.io-*/ | head -1)
export WASM_BUILD_WORKSPACE_HINT="${index}contracts-node-$NODE_VERSION"
# Newer rustc breaks sp-io's panic handler in the runtime's Wasm build.
export WASM_BUILD_TOOLCHAIN=$TOOLCHAIN
say "building substrate-contracts-node $NODE_VERSION from source (about an hour)"
cargo "+$TOOLCHAIN" install contracts-node --version "$NODE_VERSION" --locked
