#!/usr/bin/env bash
# Regenerates data/households/ (independent household load profiles from the richardsonpy model,
# see its README.md) from pinned PyPI packages: installs scripts/requirements-households.txt into
# target/households-venv (again only when that file changes), then runs scripts/households.py.
# --check rebuilds in memory and fails if a committed file differs. Both simulate all 102
# households (about 16 s of CPU each: 25 minutes here on 2 worker processes, the default;
# --jobs N to change).
# Environment: PYTHON (interpreter for the venv, default python3, 3.11+).
#   scripts/households.sh [--check] [--jobs N]
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
args=()
while [ $# -gt 0 ]; do
  case $1 in
    -h | --help) usage ;;
    --check) args+=(--check) ;;
    --jobs)
      needs_value "$@"
      args+=(--jobs "$2")
      shift
      ;;
    *) usage_error "unknown argument: $1" ;;
  esac
  shift
done

python=$(pinned_venv "$TARGET_DIR/households-venv" "$ROOT/scripts/requirements-households.txt" \
  "numpy 2.4 needs 3.11 or newer")
exec "$python" "$ROOT/scripts/households.py" "${args[@]}"
