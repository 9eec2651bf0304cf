"""
RAM needed by micro and by the tflite-micro interpreter for every model in
../shared/models/tflite, against the naive live set (MANIFEST.md's definition).

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
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from benchlib import (
    DOC,
    EMPTY,
    BenchError,
    fmt_int,
    git_revision,
    import_test_helpers,
    markdown_table,
    model_paths,
    one_line,
    replace_section,
    run_main,
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


def micro_stats(path: Path) -> tuple[int, int]:
    """micro's (arena bytes, weight bytes) for `path` with the default configuration."""
    stats = compile_module(import_model("TFLITE", path), MicroConfig()).stats
    return stats.arena_size, stats.weight_size


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


def measure(path: Path) -> MemoryRow:
    row = MemoryRow(path.stem)
    try:
        row.arena, row.weights = micro_stats(path)
    except Exception as error:  # a compiler failure is a result to report
        row.micro_error = one_line(str(error) or type(error).__name__, 100)
    try:
        row.tflm = tflm_arena(path)
    except AssertionError as error:
        row.tflm_error = tflm_refusal(str(error))
    except Exception as error:
        row.tflm_error = one_line(str(error) or type(error).__name__, 100)
    try:
        row.naive = naive_live_set(path)
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
        micro = [f"failed: {row.micro_error}", EMPTY]
    if row.tflm is not None:
        tflm = [fmt_int(row.tflm.total), fmt_int(row.tflm.head), fmt_int(row.tflm.tail)]
    else:
        tflm = [f"refused: {row.tflm_error}", EMPTY, EMPTY]
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
        "(`memory_plan=best`).\n\n" + table + "\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Arena bytes of micro vs the tflite-micro interpreter vs the naive live set."
    )
    parser.add_argument("models", nargs="*", help="model names (default: all)")
    parser.add_argument(
        "--write", action="store_true", help=f"replace the memory section of {DOC.name}"
    )
    args = parser.parse_args()
    paths = model_paths(args.models)
    if args.write and args.models:
        raise BenchError("--write records every model: drop the model names")
    start = time.perf_counter()
    rows = []
    for path in paths:
        print(f"  {path.stem} ...", file=sys.stderr, flush=True)
        rows.append(measure(path))
    body = render(rows)
    print(body)
    if args.write:
        replace_section("memory", body)
        print(f"wrote the memory section of {DOC}", file=sys.stderr)
    print(f"({time.perf_counter() - start:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    run_main(main)
