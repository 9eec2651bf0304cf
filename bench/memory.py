"""
RAM needed by micro and by the tflite-micro interpreter for every model (the shared
TFLite and ONNX models and the bundled example), against the naive live set
(MANIFEST.md's definition).

    .venv/bin/python bench/memory.py            # print the markdown table
    .venv/bin/python bench/memory.py --write    # and replace the memory section of
                                                # docs/benchmarks.md

Columns: micro's arena and weight bytes (the compiler's own statistics, MicroConfig()
defaults), tflite-micro's arena (total = head + tail: head holds the planned activations
and scratch buffers, tail the persistent allocations: tensor structs, quantization
parameters, kernel data), the naive live set (tests/conftest.py, computed from the file
alone), and the ratios micro / TFLM total, micro / TFLM head and micro / naive.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import math
import re
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from benchlib import (
    DOC,
    EMPTY,
    BenchError,
    Model,
    fmt_int,
    git_revision,
    import_test_helpers,
    markdown_table,
    one_line,
    onnx_symbolic_inputs,
    replace_section,
    run_main,
    select_models,
)

import_test_helpers()

from conftest import TflmArena, naive_live_set, tflm_arena  # noqa: E402

from micro.config import MicroConfig  # noqa: E402
from micro.pipeline import compile_module, import_model  # noqa: E402


@dataclass
class MemoryRow:
    model: str
    arena: int | None = None
    weights: int | None = None
    micro_error: str = ""
    tflm: TflmArena | None = None
    tflm_error: str = ""
    naive: int | None = None
    naive_error: str = ""


def micro_stats(model: Model) -> tuple[int, int]:
    """micro's (arena bytes, weight bytes) for `model` with the default configuration."""
    shapes = onnx_symbolic_inputs(model.path) if model.fmk == "ONNX" else None
    module = import_model(model.fmk, model.path, shapes or None)
    stats = compile_module(module, MicroConfig()).stats
    return stats.arena_size, stats.weight_size


_ONNX_BYTES = {1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8}


def onnx_naive_live_set(path: Path) -> int:
    """
    The naive live set of an ONNX model, as MANIFEST.md defines it: the largest sum of
    non-constant tensor bytes live at one node, in the file's node order, with no in-place
    reuse. Constant: initializers and what nodes compute from constants alone (Constant,
    weight reshapes, DequantizeLinear of weights). Symbolic dimensions count as 1.
    """
    import onnx

    model = onnx.load(str(path))
    for value in model.graph.input:
        for dim in value.type.tensor_type.shape.dim:
            if not dim.HasField("dim_value"):
                dim.dim_value = 1
    graph = onnx.shape_inference.infer_shapes(model).graph
    constant = {i.name for i in graph.initializer}
    for node in graph.node:
        if all(t in constant for t in node.input if t):
            constant.update(node.output)
    info = {v.name: v.type.tensor_type for v in (*graph.input, *graph.value_info, *graph.output)}

    def nbytes(name: str) -> int:
        tensor = info[name]
        return math.prod(d.dim_value for d in tensor.shape.dim) * _ONNX_BYTES[tensor.elem_type]

    first = {v.name: 0 for v in graph.input if v.name not in constant}
    last: dict[str, int] = {}
    for i, node in enumerate(graph.node):
        for name in node.input:
            if name and name not in constant:
                first.setdefault(name, i)
                last[name] = i
        for name in node.output:
            if name and name not in constant:
                first.setdefault(name, i)
                last.setdefault(name, i)
    for value in graph.output:
        last[value.name] = len(graph.node) - 1
    return max(
        sum(nbytes(t) for t in first if first[t] <= i <= last.get(t, first[t]))
        for i in range(len(graph.node))
    )


_SOURCE_PREFIX = re.compile(r"^\S+\.(?:cc|cpp|c|h)(?::\d+)?\s+")


def tflm_refusal(message: str) -> str:
    """The reason in a failed tflm_arena() message (its first line names the model)."""
    lines = message.splitlines()[1:]
    missing = [line for line in lines if line.startswith(("ModuleNotFoundError", "ImportError"))]
    if missing:
        return one_line(f"not runnable here ({missing[0]})", 100)
    for line in lines:
        line = line.strip()
        if not line or line.startswith(("Traceback", "File ", "Node ")):
            continue
        return one_line(_SOURCE_PREFIX.sub("", line), 100)
    return one_line(message, 100)


def measure(model: Model) -> MemoryRow:
    row = MemoryRow(model.name)
    try:
        row.arena, row.weights = micro_stats(model)
    except Exception as error:  # a compiler failure is a result to report
        row.micro_error = one_line(str(error) or type(error).__name__, 100)
    if model.is_tflite:
        try:
            row.tflm = tflm_arena(model.path)
        except AssertionError as error:
            row.tflm_error = tflm_refusal(str(error))
        except Exception as error:
            row.tflm_error = one_line(str(error) or type(error).__name__, 100)
    try:
        if model.is_tflite:
            row.naive = naive_live_set(model.path)
        else:
            row.naive = onnx_naive_live_set(model.path)
    except Exception as error:
        row.naive_error = one_line(str(error) or type(error).__name__, 100)
    return row


def ratio(numerator: int | None, denominator: int | None) -> str:
    if numerator is None or not denominator:
        return EMPTY
    return f"{numerator / denominator:.2f}"


def render_row(row: MemoryRow) -> list[str]:
    micro = [fmt_int(row.arena), fmt_int(row.weights or 0)] if row.arena is not None else []
    if not micro:
        verb = "refused" if "not supported" in row.micro_error else "failed"
        micro = [f"{verb}: {row.micro_error}", EMPTY]
    if row.tflm is not None:
        tflm = [fmt_int(row.tflm.total), fmt_int(row.tflm.head), fmt_int(row.tflm.tail)]
    elif row.tflm_error:
        tflm = [f"refused: {row.tflm_error}", EMPTY, EMPTY]
    else:  # an ONNX model: the tflite-micro interpreter reads .tflite files only
        tflm = [EMPTY, EMPTY, EMPTY]
    naive = fmt_int(row.naive) if row.naive is not None else f"error: {row.naive_error}"
    return [
        row.model,
        *micro,
        *tflm,
        naive,
        ratio(row.arena, row.tflm.total if row.tflm else None),
        ratio(row.arena, row.tflm.head if row.tflm else None),
        ratio(row.arena, row.naive),
    ]


HEADERS = [
    "model",
    "micro arena",
    "micro weights",
    "TFLM total",
    "TFLM head",
    "TFLM tail",
    "naive live set",
    "micro / TFLM total",
    "micro / TFLM head",
    "micro / naive",
]


def render(rows: list[MemoryRow]) -> str:
    try:
        tflm_version = importlib.metadata.version("tflite_micro")
    except importlib.metadata.PackageNotFoundError:
        tflm_version = "unknown"
    table = markdown_table(HEADERS, [render_row(r) for r in rows], "lrrrrrrrrr")
    return (
        f"Bytes. Measured {time.strftime('%Y-%m-%d')} at micro commit {git_revision()}, "
        f"tflite-micro (Python package) {tflm_version}, micro's default configuration "
        "(`memory_plan=best`). TFLM columns are empty for ONNX models (it reads .tflite "
        "files only); their naive live set is computed from the ONNX file with symbolic "
        "dimensions as 1 (`bench/memory.py: onnx_naive_live_set`).\n\n" + table + "\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Arena bytes of micro vs the tflite-micro interpreter vs the naive live set."
    )
    parser.add_argument("models", nargs="*", help="model names (default: all)")
    parser.add_argument(
        "--write", action="store_true", help=f"replace the memory section of {DOC.name}"
    )
    parser.add_argument("--json", type=Path, help="also write the measurements as JSON")
    args = parser.parse_args()
    models = select_models(args.models)
    if args.write and args.models:
        raise BenchError("--write records every model: drop the model names")
    start = time.perf_counter()
    rows = []
    for model in models:
        print(f"  {model.name} ...", file=sys.stderr, flush=True)
        rows.append(measure(model))
    body = render(rows)
    print(body)
    if args.json:
        args.json.write_text(json.dumps({"rows": [asdict(r) for r in rows]}, indent=1))
    if args.write:
        replace_section("memory", body)
        print(f"wrote the memory section of {DOC}", file=sys.stderr)
    print(f"({time.perf_counter() - start:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    run_main(main)
