#!/usr/bin/env bash
# The main job: convert the bundled digits model, build the C project, run it on a
# sample digit and print the predicted and the true label. Sets up first.
#
#   bash scripts/run_example.sh [digit 0-9]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$ROOT/scripts/setup.sh"
VENV=${MICRO_VENV:-$ROOT/.venv}
exec "$VENV/bin/python" "$ROOT/examples/digits/run_example.py" "$@"
