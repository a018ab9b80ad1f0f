#!/usr/bin/env bash
# Installs what the project needs and is missing: Rust 1.86.0 with rust-src, clippy, rustfmt and
# the wasm32 target; cargo-contract 5.0.3 (from source, about 12 minutes); and
# substrate-contracts-node 0.42.0 (from source, about an hour and 2.5 GB of memory) unless
# --skip-node; and Chromium for the DApp's browser test (Debian's `chromium` package, with
# apt-get, as root or through sudo) unless --skip-browser. Skips everything already present at
# the right version. Also shellcheck (Debian's package, with apt-get), with which
# scripts/test.sh checks the shell scripts. Node.js 20.19 or newer (the JS client, the DApp)
# comes from your system.
#   scripts/setup.sh [--skip-node] [--skip-browser]
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
skip_node=0
skip_browser=0
for arg in "$@"; do
  case $arg in
    -h | --help) usage ;;
    --skip-node) skip_node=1 ;;
    --skip-browser) skip_browser=1 ;;
    *) usage_error "unknown argument: $arg" ;;
  esac
done

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

if [ "$skip_browser" = 1 ]; then
  say "skipping Chromium (--skip-browser): the browser test will need it (scripts/test.sh --skip-browser)"
elif [ -n "$(find_chromium)" ]; then
  say "chromium: present ($(find_chromium))"
else
  command -v apt-get >/dev/null \
    || die "Chromium is missing and this is not a Debian-like system: install Chromium and set MARKET_CHROMIUM, or pass --skip-browser"
  say "installing Chromium (apt-get install chromium)"
  apt_install chromium
fi

if command -v shellcheck >/dev/null; then
  say "shellcheck: present ($(command -v shellcheck))"
elif command -v apt-get >/dev/null; then
  say "installing shellcheck (apt-get install shellcheck)"
  apt_install shellcheck
else
  say "note: shellcheck is missing and this is not a Debian-like system: scripts/test.sh will not check the shell scripts until it is installed"
fi
command -v node >/dev/null || say "note: Node.js 20.19 or newer is needed for the JS client, the DApp and their tests"
