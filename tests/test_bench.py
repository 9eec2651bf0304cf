"""
The benchmark commands run on the smallest model, so that they cannot rot; the full run
(docs/benchmarks.md) stays out of the test suite.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MODELS

ROOT = Path(__file__).resolve().parents[1]
MODEL = "hello_world_int8"


def _run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    if not (MODELS / "tflite" / f"{MODEL}.tflite").is_file():
        pytest.skip(f"{MODELS}/tflite/{MODEL}.tflite is absent (shared models folder missing)")
    return subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args, MODEL],
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_memory_benchmark_row() -> None:
    result = _run("memory.py")
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith(f"| {MODEL} ")]
    assert len(rows) == 1, result.stdout
    cells = [c.strip() for c in rows[0].strip("|").split("|")]
    # micro arena, micro weights, TFLM total, head, tail, naive live set: all measured
    arena, _, total, head, tail, naive = (int(c.replace(",", "")) for c in cells[1:7])
    assert 0 < arena <= head <= total == head + tail
    assert arena <= naive


def test_speed_benchmark_row() -> None:
    result = _run("speed.py", "--quick")
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith(f"| {MODEL} ")]
    assert len(rows) == 1, result.stdout
    cells = [c.strip() for c in rows[0].strip("|").split("|")]
    assert all(float(c) > 0 for c in cells[1:5]), rows[0]  # micro, LiteRT, ref, TFLM ms
    assert cells[-1] == "exact", rows[0]
    assert "Python call floor" in result.stdout


def test_cortex_m_benchmark_row() -> None:
    """Footprint and instruction counts on the three Cortex-M boards (skips without tools)."""
    result = _run("cortex_m.py")
    if result.returncode == 0 and "skipped:" in result.stdout + result.stderr:
        pytest.skip(result.stdout + result.stderr)
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith(f"| {MODEL} ")]
    assert len(rows) == 1, result.stdout
    cells = [c.strip() for c in rows[0].strip("|").split("|")]
    assert all(int(c.replace(",", "")) > 0 for c in cells[1:8]), rows[0]
    assert cells[8] == "exact/within 1e-5", rows[0]


def test_neon_benchmark_row() -> None:
    """ARM64 instruction counts, generic against NEON kernels (skips without the tools):
    the model's kernels with a NEON twin run fewer instructions as NEON, and as NEON+SDOT."""
    result = _run("neon.py")
    if result.returncode == 0 and "skipped:" in result.stdout + result.stderr:
        pytest.skip(result.stdout + result.stderr)
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith(f"| {MODEL} ")]
    assert len(rows) == 2, result.stdout  # the model table and one kernel (fully_connected_s8)
    model = [c.strip() for c in rows[0].strip("|").split("|")]
    generic, neon, sdot = (int(model[i].replace(",", "")) for i in (2, 3, 5))
    assert 0 < neon < generic, rows[0]
    assert 0 < sdot < generic, rows[0]
    assert model[7] == "identical", rows[0]
    kernel = [c.strip() for c in rows[1].strip("|").split("|")]
    assert kernel[1] == "fully_connected_s8", rows[1]
    generic, neon, sdot = (int(kernel[i].replace(",", "")) for i in (3, 4, 6))
    assert 0 < neon < generic, rows[1]
    assert 0 < sdot < generic, rows[1]
