#!/usr/bin/env bash
# The main job: builds the contracts and replays the paper's community (30 households, a year
# of hourly intervals) through them in drink's in-process runtime, next to the grid-only and
# PV+battery baselines; writes results/paper/{report.json,summary.csv,timeseries.csv,par.svg,
# cost.svg,duration.svg} and prints a summary table.
#   scripts/simulate.sh [SIMULATOR OPTIONS...]
# Every option passes through to the simulator, which checks them (`scripts/simulate.sh -- --help`
# lists them), e.g.
#   scripts/simulate.sh --days 14 --start-day 160 --engine native --out results/june
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
case ${1:-} in
  -h | --help) usage ;;
  --) shift ;;
esac
"$ROOT/scripts/build-contracts.sh"
cd "$ROOT"
# The dev profile: dependencies (the runtime's interpreter among them) are optimised there, and
# the tests have built them already.
cargo run --quiet --locked -p simulator -- "$@"
