"""
The conformance bookkeeping of tests/test_onnx_backend.py (pytest hooks that
tests/conftest.py imports): which cases must pass (tests/onnx/expected_passes.txt),
and the report `--onnx-report=FILE` writes (per case: pass, fail or unsupported with the
reason, and the totals); `--onnx-update-expected` rewrites expected_passes.txt from the
run. Both are written by the controlling process, so they work under pytest-xdist.
"""

from __future__ import annotations

import datetime
import importlib.metadata
import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
TEST_FILE = HERE / "test_onnx_backend.py"
EXPECTED = HERE / "onnx" / "expected_passes.txt"
CATEGORIES = {
    "OnnxBackendNodeModelTest": "node",
    "OnnxBackendPyTorchConvertedModelTest": "pytorch-converted",
    "OnnxBackendPyTorchOperatorModelTest": "pytorch-operator",
    "OnnxBackendSimpleModelTest": "simple",
    "OnnxBackendRealModelTest": "light",
}


def case_name(item: pytest.Item) -> str:
    return re.sub(r"_cpu$", "", item.name)


def expected_passes() -> set[str]:
    if not EXPECTED.is_file():
        return set()
    lines = EXPECTED.read_text().splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("micro-onnx")
    group.addoption("--onnx-report", metavar="FILE", help="write the conformance report")
    group.addoption(
        "--onnx-update-expected",
        action="store_true",
        help="rewrite tests/onnx/expected_passes.txt with the cases that passed",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    expected = expected_passes()
    cuda = [i for i in items if Path(str(i.fspath)) == TEST_FILE and i.name.endswith("_cuda")]
    if cuda:  # BackendTest adds a CUDA twin of every case; micro's backend is the host CPU
        config.hook.pytest_deselected(items=cuda)
        items[:] = [i for i in items if i not in set(cuda)]
    for item in items:
        if Path(str(item.fspath)) != TEST_FILE:
            continue
        if case_name(item) not in expected:
            item.add_marker(
                pytest.mark.xfail(reason="not in tests/onnx/expected_passes.txt", strict=False)
            )


class _Results:
    def __init__(self) -> None:
        self.outcomes: dict[str, tuple[str, str, str]] = {}  # case -> (category, outcome, why)

    def record(self, report: pytest.TestReport) -> None:
        if "test_onnx_backend.py" not in report.nodeid:
            return
        parts = report.nodeid.split("::")
        category = CATEGORIES.get(parts[-2], parts[-2]) if len(parts) >= 3 else "?"
        name = re.sub(r"_cpu$", "", parts[-1])
        if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
            self.outcomes[name] = (category, *_classify(report))

    def lines(self) -> list[str]:
        return sorted(n for n, (_, outcome, _) in self.outcomes.items() if outcome == "pass")


def _first_line(text: str) -> str:
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("E "):
            return line[2:].strip()[:200]
    stripped = [line.strip() for line in text.splitlines() if line.strip()]
    return stripped[-1][:200] if stripped else ""


def _classify(report: pytest.TestReport) -> tuple[str, str]:
    if report.skipped and hasattr(report, "wasxfail"):
        return "fail", _first_line(report.longreprtext)
    if report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        return "unsupported", reason.removeprefix("Skipped: ")[:200]
    if report.passed:
        return "pass", ""
    return "fail", _first_line(report.longreprtext)


_RESULTS = _Results()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _RESULTS.record(report)


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    if hasattr(config, "workerinput"):  # an xdist worker: the controller writes
        return
    if not _RESULTS.outcomes:
        return
    if config.getoption("--onnx-update-expected"):
        EXPECTED.write_text(
            "# ONNX backend test cases micro passes (tests/test_onnx_backend.py);\n"
            "# written by scripts/onnx_conformance.sh. A case listed here must keep passing.\n"
            + "".join(f"{name}\n" for name in _RESULTS.lines())
        )
    report = config.getoption("--onnx-report")
    if report:
        Path(report).write_text(_markdown(_RESULTS.outcomes))


def _revision() -> str:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE
        )
        return result.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def _markdown(outcomes: dict[str, tuple[str, str, str]]) -> str:
    by_category: dict[str, Counter[str]] = {}
    for category, outcome, _ in outcomes.values():
        by_category.setdefault(category, Counter())[outcome] += 1
    total: Counter[str] = Counter(outcome for _, outcome, _ in outcomes.values())
    reasons: Counter[str] = Counter(
        _reason_class(why) for _, outcome, why in outcomes.values() if outcome == "unsupported"
    )
    out = [
        "# ONNX conformance",
        "",
        "micro run as an ONNX backend (`micro.onnx_backend`) on the backend test suite of the",
        f"`onnx` package {importlib.metadata.version('onnx')}, by",
        "`onnx.backend.test.BackendTest` with the suite's own comparison (see",
        "tests/test_onnx_backend.py). Generated by `bash scripts/onnx_conformance.sh` on",
        f"{datetime.date.today().isoformat()} at micro commit {_revision()}; do not edit by hand.",
        "",
        "*pass*: the outputs match; *fail*: micro compiled or ran it wrongly, or refused it for",
        "a reason that is not a documented limit; *unsupported*: the case uses an operator,",
        "an attribute value or an element type outside micro's scope (the reason says which).",
        "",
        "## Totals",
        "",
        "| suite | pass | fail | unsupported | total |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for category in ["node", "pytorch-converted", "pytorch-operator", "simple", "light"]:
        c = by_category.get(category, Counter())
        out.append(
            f"| {category} | {c['pass']} | {c['fail']} | {c['unsupported']} | {sum(c.values())} |"
        )
    out.append(
        f"| **all** | **{total['pass']}** | **{total['fail']}** | **{total['unsupported']}** "
        f"| **{sum(total.values())}** |"
    )
    out += ["", "## Why cases are unsupported", "", "| reason | cases |", "| --- | ---: |"]
    for reason, n in reasons.most_common():
        out.append(f"| {reason} | {n} |")
    operators = _operators_by_case()
    required = sorted(
        name
        for name, (_, outcome, _) in outcomes.items()
        if outcome != "pass" and operators.get(name) and operators[name] <= REQUIRED_OPERATORS
    )
    out += [
        "",
        "## Cases over the required operators that do not pass",
        "",
        "Cases whose operators are all in the list issue #8 requires; none may *fail*. Each",
        "one here is unsupported for the reason given (an element type, or an attribute",
        "value such as training mode, outside micro's scope).",
        "",
        "| case | result | detail |",
        "| --- | --- | --- |",
    ]
    for name in required:
        _, outcome, why = outcomes[name]
        out.append(f"| {name} | {outcome} | {_reason_class(why)} |")
    out += [
        "",
        "## Every case",
        "",
        "| case | suite | result | detail |",
        "| --- | --- | --- | --- |",
    ]
    for name in sorted(outcomes):
        category, outcome, why = outcomes[name]
        why = why.replace("|", "\\|")
        out.append(f"| {name} | {category} | {outcome} | {why} |")
    return "\n".join(out) + "\n"


def _reason_class(why: str) -> str:
    """What kind of thing a case's reason says is unsupported, without names."""
    patterns = [
        (r"has element type (\w+)", "element type {0}"),
        (r"is a (\w+)_type, not a tensor", "{0} values (not tensors)"),
        (r"(u?int8) tensor '", "int8/uint8 data outside the quantization operators"),
        (r"operator (\S+) is not supported", "operator {0}"),
        (r"(opset \d+) of the default ONNX domain", "{0}"),
        (r"(\w+) of (\w+) tensors is not supported", "{0} of {1} tensors"),
        (r"(\w+) of (\w+) bases is not supported", "{0} of {1} bases"),
        (r"node #\d+ (\w+)[^:]*: attribute (\w+)=", "{0} attribute {1}"),
        (
            r"node #\d+ (\w+)[^:]*: the (.+?) is computed at run time",
            "{0}: {1} computed at run time",
        ),
        (r"node #\d+ (\w+)[^:]*: (.+?) is not supported", "{0}: {1}"),
    ]
    for pattern, label in patterns:
        match = re.search(pattern, why)
        if match:
            return label.format(*match.groups())[:100]
    return why[:100]


# The operators issue #8 names (docs/onnx.md has micro's full list): a case using only
# these, with element types in scope, must pass.
REQUIRED_OPERATORS = set(
    """Conv Gemm MatMul Add Sub Mul Div Relu LeakyRelu PRelu Sigmoid Tanh Clip HardSigmoid
    HardSwish Softmax LogSoftmax MaxPool AveragePool GlobalAveragePool GlobalMaxPool
    BatchNormalization Flatten Reshape Transpose Concat Pad ReduceMean ReduceMax ReduceSum
    Squeeze Unsqueeze Gather Slice Split Sqrt Exp Log Pow Abs Neg Min Max Sum Identity
    Dropout Constant ConstantOfShape Shape Cast Resize Erf Gelu LayerNormalization
    ConvTranspose Upsample DepthToSpace SpaceToDepth Expand Where Equal Less Greater Not And
    Or ArgMax TopK LRN QuantizeLinear DequantizeLinear QLinearConv QLinearMatMul
    MatMulInteger ConvInteger""".split()
)


def _operators_by_case() -> dict[str, set[str]]:
    """The operators each case's model uses (functions included)."""
    import os
    import warnings

    import onnx
    from onnx.backend.test.loader import load_model_tests

    result: dict[str, set[str]] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for kind in ("node", "pytorch-converted", "pytorch-operator", "simple", "real"):
            for case in load_model_tests(kind=kind):
                if case.model is not None:
                    model = case.model
                elif case.model_dir is not None:
                    model = onnx.load(os.path.join(case.model_dir, "model.onnx"))
                elif case.url is not None and case.url.startswith("onnx/backend/test/data/"):
                    root = os.path.dirname(os.path.dirname(onnx.__file__))
                    model = onnx.load(os.path.join(root, case.url))
                else:
                    continue
                ops = {n.op_type for n in model.graph.node}
                for function in model.functions:
                    ops |= {n.op_type for n in function.node}
                result[case.name] = ops
    return result
