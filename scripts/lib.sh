# Shared by the scripts: the repository root, the pinned toolchain, the bundle directory.
# shellcheck shell=bash
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLCHAIN=1.86.0
CARGO_CONTRACT_VERSION=5.0.3
NODE_VERSION=0.42.0
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BUNDLE_DIR=$TARGET_DIR/ink
CONTRACTS=(p2p p2g main)
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

say() { printf '==> %s\n' "$*" >&2; }

# Whether a node answers JSON-RPC on 127.0.0.1:PORT.
rpc_answers() {
  curl -sf -m 2 -H 'Content-Type: application/json' \
    -d '{"id":1,"jsonrpc":"2.0","method":"system_health","params":[]}' \
    "http://127.0.0.1:$1" >/dev/null 2>&1
}
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# rustup does not install toolchains on demand here (RUSTUP_AUTO_INSTALL=0): install ours.
ensure_toolchain() {
  if ! rustup toolchain list | grep -q "^$TOOLCHAIN"; then
    say "installing Rust $TOOLCHAIN"
    rustup toolchain install "$TOOLCHAIN" --profile minimal \
      -c rust-src,clippy,rustfmt -t wasm32-unknown-unknown
  fi
}
