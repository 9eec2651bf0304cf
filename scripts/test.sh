#!/usr/bin/env bash
# The whole test suite: lint, the lit/FileCheck tests, then pytest (unit, kernels,
# runtime, end-to-end model -> C -> run -> compare with LiteRT). Sets up first.
#
#   bash scripts/test.sh [extra pytest arguments]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$ROOT/scripts/setup.sh"
VENV=${MICRO_VENV:-$ROOT/.venv}
cd "$ROOT"

echo "== ruff"
"$VENV/bin/ruff" check .
echo "== lit (tests/filecheck)"
"$VENV/bin/lit" -q -j "$(nproc)" tests/filecheck
echo "== pytest"
"$VENV/bin/python" -m pytest -n auto -q "$@"
