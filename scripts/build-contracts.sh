#!/usr/bin/env bash
# Release builds of the three contracts (or of the contract crates named, e.g. bench/floor)
# with cargo-contract, skipping bundles that are newer than every source they are built from.
# Bundles: $CARGO_TARGET_DIR/ink/<name>/<name>.contract (target/ink/<name>/<name>.contract by
# default). cargo-contract also runs its own lints. The bundles are reproducible: built from the
# committed Cargo.lock, they have the same code hash from any checkout directory
# (scripts/check-reproducible.sh checks it).
#   scripts/build-contracts.sh [CRATE_DIR...]
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
dirs=()
for arg in "$@"; do
  case $arg in
    -h | --help) usage ;;
    -*) usage_error "unknown argument: $arg" ;;
  esac
  dir=${arg%/}   # relative to the repository root
  (cd "$ROOT" && [ -f "$dir/Cargo.toml" ]) || usage_error "no contract crate in $dir"
  dirs+=("$dir")
done
ensure_toolchain
command -v cargo-contract >/dev/null || die "cargo-contract is missing: run scripts/setup.sh"

cd "$ROOT"
# Reproducible bundles without docker. cargo-contract builds each contract as a workspace of
# its own under /tmp, so cargo counts crates/market, contracts/p2p and contracts/p2g as outside
# it and hashes their absolute paths into -C metadata (symbol names, hence code order): build
# from a copy at a fixed path, as `--verifiable` does with its /contract mount. The shim makes
# cargo-contract's copy use Cargo.lock (scripts/cargo-shim).
WORK=/tmp/market-contract-build
# The build's own target directory sits in ours (its path does not reach the Wasm).
BUILD_TARGET=$TARGET_DIR/release-contracts
export CARGO=$ROOT/scripts/cargo-shim RUSTUP_TOOLCHAIN=$TOOLCHAIN CARGO_TARGET_DIR=$BUILD_TARGET
copied=
copy_sources() {
  [ -z "$copied" ] || return 0
  mkdir -p "$WORK"
  exec 9>"$WORK/lock"
  flock 9   # one build at a time uses the fixed path
  # Staged first, then synced into the copy by content: a file whose content changed (or is
  # new) gets the time of the copy, an unchanged one keeps the time of the copy that last
  # changed it. Cargo trusts mtimes, so a checkout older than the last build (another worktree,
  # a branch switched back) cannot reuse newer artifacts, and unchanged crates stay built.
  local stage=$WORK/stage
  rm -rf "$stage" && mkdir -p "$stage" "$WORK/src"
  if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
    # The checkout's files, committed or not, without what .gitignore leaves out.
    git -C "$ROOT" ls-files -z --cached --others --exclude-standard \
      | tar -C "$ROOT" --null --no-recursion --ignore-failed-read -T - -cf - \
      | tar -C "$stage" -mxf -
  else
    # A copy without .git (an unpacked release, scripts/check-reproducible.sh).
    tar -C "$ROOT" --exclude=./target --exclude=./.git --exclude='*/node_modules' -cf - . \
      | tar -C "$stage" -mxf -
  fi
  local file
  while IFS= read -r -d '' file; do
    cmp -s "$stage/$file" "$WORK/src/$file" && continue
    mkdir -p "$WORK/src/$(dirname "$file")"
    cp "$stage/$file" "$WORK/src/$file"
  done < <(cd "$stage" && find . -type f -print0)
  while IFS= read -r -d '' file; do
    [ -e "$stage/$file" ] || rm -f "$WORK/src/$file"
  done < <(cd "$WORK/src" && find . -type f -print0)
  rm -rf "$stage"
  copied=1
}
[ $# -gt 0 ] || for name in "${CONTRACTS[@]}"; do dirs+=("contracts/$name"); done
for dir in "${dirs[@]}"; do
  name=$(basename "$dir")
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
  copy_sources
  (cd "$WORK/src" && cargo contract build --release --quiet --manifest-path "$dir/Cargo.toml")
  cmp -s "$WORK/src/Cargo.lock" Cargo.lock \
    || die "Cargo.lock does not match the manifests: run cargo update --workspace and commit it"
  built=$BUILD_TARGET/ink/$name
  [ -f "$built/$name.contract" ] || die "cargo-contract did not write $built/$name.contract"
  mkdir -p "$BUNDLE_DIR/$name"
  cp "$built/$name.contract" "$built/$name.wasm" "$built/$name.json" "$BUNDLE_DIR/$name/"
  sha256sum "$bundle" >"$stamp"
done
