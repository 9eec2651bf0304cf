"""
micro on the ONNX backend test suite the `onnx` package ships: its node tests (generated
from `onnx.backend.test.case.node`), the pytorch-converted, pytorch-operator and simple
model tests, and the light models (ResNet-50, SqueezeNet, ... with their expected
outputs), run by `onnx.backend.test.BackendTest` against `micro.onnx_backend`, with the
backend test's own comparison.

Every case runs. A case micro reports as unsupported (an operator, attribute value or
element type outside micro's scope) is skipped with that reason. A case listed in
`tests/onnx/expected_passes.txt` must pass; any other case is expected to fail (xfail) until it is
added there. `bash scripts/onnx_conformance.sh` reruns the suite, rewrites that list and
the report (docs/onnx-conformance.md).
"""

from __future__ import annotations

import warnings

import onnx.backend.test

from micro.onnx_backend import MicroBackend

with warnings.catch_warnings():
    # generating the node cases divides by zero and overflows casts on purpose
    warnings.simplefilter("ignore", RuntimeWarning)
    backend_test = onnx.backend.test.BackendTest(MicroBackend, __name__)

globals().update(backend_test.test_cases)
