"""The bundled example: its generator script and the README's main job."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

from conftest import EXAMPLES

DIGITS = EXAMPLES / "digits"


def test_main_job_classifies_every_sample_digit() -> None:
    """`scripts/run_example.sh` runs this script: convert, build, run, print labels."""
    result = subprocess.run(
        [sys.executable, str(DIGITS / "run_example.py"), "all"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for digit in range(10):
        assert f"digit_{digit}.bin: predicted {digit} " in result.stdout
        assert f"true label {digit}" in result.stdout
    assert "10/10 correct" in result.stdout


def test_generator_is_deterministic_and_accurate(tmp_path: Path) -> None:
    """make_digits_model.py trains in numpy; two runs write identical files."""
    digests = []
    for run in ("a", "b"):
        out = tmp_path / run
        result = subprocess.run(
            [sys.executable, str(DIGITS / "make_digits_model.py"), "--out-dir", str(out)],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        accuracies = [float(a) for a in re.findall(r"test accuracy ([0-9.]+)", result.stdout)]
        assert len(accuracies) == 2, result.stdout  # numpy's and LiteRT's
        assert min(accuracies) >= 0.95
        files = sorted(p for p in out.rglob("*") if p.is_file())
        digests.append(
            {p.relative_to(out): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
        )
    assert digests[0] == digests[1]
    assert Path("digits_cnn.tflite") in digests[0]
