#!/usr/bin/env bash
# Installs substrate-contracts-node 0.42.0 (crates.io `contracts-node`) from source: about an
# hour and 2.5 GB of memory on 2 cores. Skips when that version is on PATH. Installs its build
# packages with apt-get (as root or through sudo) on Debian-like systems.
#   scripts/install-node.sh
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
no_arguments "$@"

if substrate-contracts-node --version 2>/dev/null | grep -q "$NODE_VERSION"; then
  say "substrate-contracts-node $NODE_VERSION: present"
  exit 0
fi
ensure_toolchain
if command -v apt-get >/dev/null; then
  say "installing build packages (protobuf-compiler clang libclang-dev cmake)"
  apt_install protobuf-compiler clang libclang-dev cmake
fi
# The runtime's Wasm build reads this hint after cargo has unpacked the crate; without it the
# build resolves unlocked dependencies and fails (E0050 in dry_run_call). The index directory
# exists once cargo has fetched anything.
registry="${CARGO_HOME:-$HOME/.cargo}/registry/src"
shopt -s nullglob
indexes=("$registry"/index.crates.io-*/)
[ ${#indexes[@]} -gt 0 ] || { cargo fetch --manifest-path "$ROOT/Cargo.toml"; indexes=("$registry"/index.crates.io-*/); }
[ ${#indexes[@]} -gt 0 ] || die "no crates.io index in $registry after cargo fetch"
export WASM_BUILD_WORKSPACE_HINT="${indexes[0]}contracts-node-$NODE_VERSION"
# Newer rustc breaks sp-io's panic handler in the runtime's Wasm build.
export WASM_BUILD_TOOLCHAIN=$TOOLCHAIN
say "building substrate-contracts-node $NODE_VERSION from source (about an hour)"
cargo "+$TOOLCHAIN" install contracts-node --version "$NODE_VERSION" --locked
