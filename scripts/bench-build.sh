#!/usr/bin/env bash
# The first-run benchmark (not a test): clones HEAD into a fresh directory and times, with an
# empty target directory (cold) and then once more (warm), the phases a newcomer runs: the
# contracts (scripts/build-contracts.sh), the simulator's build (`cargo build --timings`), the
# main job's first result (`--days 14` on drink), then the test command's builds (tests,
# clippy, the e2e suite). Writes bench/build.json (phases, the slowest crates of the cold
# build); scripts/bench.sh renders it into BENCHMARKS.md. Cold, it takes most of an hour on 2
# cores: run it alone. The toolchain and chain tools must be installed already (not counted),
# and crates already in the cargo registry are not downloaded again.
#   scripts/bench-build.sh [--first-result] [--out FILE] [--compose DIR]
# --first-result times only the first result's phases, cold (about 25 minutes here).
# --compose DIR writes the JSON from the phase times and cargo timings of an earlier run in DIR
# (its times.txt and cold-timings/) without building.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

out=$ROOT/bench/build.json
compose=
first_only=0
while [ $# -gt 0 ]; do
  case $1 in
    -h | --help) usage ;;
    --out) needs_value "$@"; out=$2; shift ;;
    --compose) needs_value "$@"; compose=$2; shift ;;
    --first-result) first_only=1 ;;
    *) usage_error "unknown argument: $1" ;;
  esac
  shift
done
require_nodejs 20

# The phases, in the order a newcomer meets them; the first three make the first result.
phases() {
  local dir=$1 results=$2
  phase contracts scripts/build-contracts.sh
  phase simulator-build cargo build --timings --locked -p simulator
  phase simulate-14 cargo run --quiet --locked -p simulator -- --days 14 --out "$results"
  [ "$first_only" = 0 ] || return 0
  phase test-build cargo test --workspace --locked --exclude market-e2e --no-run --timings
  phase clippy cargo clippy --workspace --all-targets --locked --timings -- -D warnings
  phase e2e-build cargo test -p market-e2e --locked --no-run --timings
  : "$dir"
}

if [ -z "$compose" ]; then
  ensure_toolchain
  work=$(mktemp -d "${TMPDIR:-/tmp}/market-first-run.XXXXXX")
  say "cloning HEAD into $work/clone"
  git clone --quiet "$ROOT" "$work/clone"
  rounds=(cold warm)
  [ "$first_only" = 0 ] || rounds=(cold)
  for round in "${rounds[@]}"; do
    say "$round run (log: $work/$round.*.log)"
    phase() {
      local name=$1 start rc=0
      shift
      start=$(date +%s)
      (cd "$work/clone" && env -u CARGO_TARGET_DIR "$@") >"$work/$round.$name.log" 2>&1 || rc=$?
      printf '%s %s rc=%s %s\n' "$round" "$name" "$rc" "$(($(date +%s) - start))" >>"$work/times.txt"
      [ "$rc" = 0 ] || die "$round $name failed (rc $rc): see $work/$round.$name.log"
    }
    phases "$work/clone" "$work/results-$round"
    # Keep the cold build's timing reports apart from the warm one's.
    [ "$round" = warm ] || cp -r "$work/clone/target/cargo-timings" "$work/cold-timings"
    [ "$round" = warm ] || rm -rf "$work/clone/target/cargo-timings"
  done
  compose=$work
fi

say "writing $out"
node "$ROOT/bench/build/compose.mjs" "$compose" "$out"
