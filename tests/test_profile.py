"""
Per-operator profile mode (`[micro_options] profile=true`): the generated net.c times
every kernel call and the benchmark prints one row per call whose shares sum to 100%.
With the option off (the default) the project has no trace of it.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from conftest import EXAMPLES, cmake_build, compilers, convert, run_benchmark

MODEL = EXAMPLES / "digits" / "digits_cnn.tflite"
_ROW = re.compile(r"^\s*(\d+)\s+(\S.*?)\s+([0-9.]+)\s+([0-9.]+)%$")


def _config(tmp_path: Path, text: str) -> Path:
    cfg = tmp_path / "micro.cfg"
    cfg.write_text("[micro_param]\nenable_micro=true\n" + text)
    return cfg


def _kernel_calls(stdout: str) -> int:
    match = re.search(r"kernel calls: (\d+)", stdout)
    assert match, stdout
    return int(match.group(1))


@pytest.mark.parametrize("compiler", compilers())
def test_profile_table_lists_every_kernel_call(tmp_path: Path, compiler: str) -> None:
    cfg = _config(tmp_path, "target=x86\n[micro_options]\nprofile=true\n")
    result = convert(MODEL, tmp_path / "out", cfg)
    assert result.returncode == 0, result.stdout + result.stderr
    calls = _kernel_calls(result.stdout)
    build = cmake_build(tmp_path / "out", tmp_path / "build", compiler)
    image = np.random.default_rng(0).uniform(0, 1, (1, 8, 8, 1)).astype(np.float32)
    _, run = run_benchmark(build, [image], tmp_path, [np.float32], [10], loops=20)
    lines = run.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("profile:"))
    assert f"{calls} kernel calls, 20 runs" in lines[header]
    rows = [m for line in lines[header + 2 :] if (m := _ROW.match(line))]
    indices = [int(m.group(1)) for m in rows]
    assert indices == list(range(calls)), run.stdout
    net_c = (tmp_path / "out" / "src" / "net.c").read_text()
    for m in rows:  # each row names its call as net.c's comment does
        assert f"/* {m.group(1)}: {m.group(2)} */" in net_c
    shares = [float(m.group(4)) for m in rows]
    assert sum(shares) == pytest.approx(100.0, abs=0.1 * calls)
    total = next(line for line in lines if "total (kernel calls)" in line)
    per_call = sum(float(m.group(3)) for m in rows)
    assert float(total.split()[-2]) == pytest.approx(per_call, rel=1e-3, abs=1e-5)


def test_profile_is_off_by_default(tmp_path: Path) -> None:
    result = convert(MODEL, tmp_path / "out")
    assert result.returncode == 0, result.stdout + result.stderr
    src = tmp_path / "out" / "src"
    assert not (src / "micro_profile.c").exists()
    assert "Profile" not in (src / "net.c").read_text() + (src / "net.h").read_text()


def test_profile_refused_for_cortex_m(tmp_path: Path) -> None:
    cfg = _config(tmp_path, "target=cortex-m7\n[micro_options]\nprofile=true\n")
    result = convert(MODEL, tmp_path / "out", cfg)
    assert result.returncode == 1
    assert "profile=true is not supported for cortex-m7" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
