#!/usr/bin/env bash
# Reruns the ONNX backend test suite against micro (tests/test_onnx_backend.py) and
# rewrites the conformance report (docs/onnx-conformance.md) and the list of cases that
# must keep passing (tests/onnx/expected_passes.txt). Sets up first.
#
#   bash scripts/onnx_conformance.sh [extra pytest arguments]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$ROOT/scripts/setup.sh"
VENV=${MICRO_VENV:-$ROOT/.venv}
cd "$ROOT"
"$VENV/bin/python" -m pytest tests/test_onnx_backend.py -n auto -q -p no:cacheprovider \
  --onnx-report=docs/onnx-conformance.md --onnx-update-expected "$@" | tail -n 3
echo "wrote docs/onnx-conformance.md and tests/onnx/expected_passes.txt"
