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
ONNX_MODEL = "hello_world.onnx"


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


def _rows(text: str, model: str) -> list[list[str]]:
    return [
        [c.strip() for c in line.strip().strip("|").split("|")]
        for line in text.splitlines()
        if line.startswith(f"| {model} ")
    ]


def test_one_command_runs_every_section(tmp_path: Path) -> None:
    """bench/run.py --quick on the smallest TFLite and ONNX models: every section, plots."""
    plots = tmp_path / "plots"
    result = _run("run.py", "--quick", "--plots", str(plots), ONNX_MODEL)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    out = result.stdout
    # memory: micro's arena and the naive live set; the ONNX row gives micro's one line
    memory = _rows(out.split("Time per inference")[0], MODEL)[0]
    assert int(memory[1].replace(",", "")) > 0
    onnx_memory = _rows(out.split("Time per inference")[0], ONNX_MODEL)[0]
    assert onnx_memory[1].startswith(("refused: ", "failed: ")) or int(
        onnx_memory[1].replace(",", "")
    )
    assert int(onnx_memory[6].replace(",", "")) == 128  # MANIFEST.md's naive live set
    # speed: three tables per model (times, ratios, compile time and instructions)
    speed = _rows(out.split("Time per inference")[1].split("Measured")[0], MODEL)
    times, ratios, builds = speed[:3]
    assert all(float(c) > 0 for c in times[1:6]), times  # micro x2, LiteRT, ref, TFLM
    assert times[6:] == ["-"] * 4  # no ONNX file for this model
    assert float(ratios[1]) > 0, ratios
    assert ratios[10] == "exact", ratios
    assert float(builds[2]) > 0, builds
    assert int(builds[5].replace(",", "")) > 0, builds
    onnx_times, onnx_ratios, _ = _rows(out.split("Time per inference")[1], ONNX_MODEL)[:3]
    assert onnx_times[1].startswith(("refused: ", "failed: ")) or float(onnx_times[1]) > 0
    assert onnx_times[3:6] == ["-"] * 3  # no .tflite file
    assert all(float(c) > 0 for c in onnx_times[6:]), onnx_times  # ORT, emx x2, IREE
    assert "IREE: " in onnx_ratios[-1]
    assert "Python call floor" in out
    assert "ORT " in out
    # plots, one per metric
    for name in ("latency", "compile_time", "instructions", "memory"):
        assert (plots / f"{name}.png").stat().st_size > 0
    assert "neon: " in result.stderr


def test_cortex_m_benchmark_row() -> None:
    """Footprint and instruction counts on the three Cortex-M boards (skips without tools)."""
    result = _run("cortex_m.py")
    if result.returncode == 0 and "skipped:" in result.stdout + result.stderr:
        pytest.skip(result.stdout + result.stderr)
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith(f"| {MODEL} ")]
    assert len(rows) == 1, result.stdout
    cells = [c.strip() for c in rows[0].strip("|").split("|")]
    assert all(int(c.replace(",", "")) > 0 for c in cells[1:9]), rows[0]
    assert cells[9] == "exact/within 1e-5", rows[0]


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
