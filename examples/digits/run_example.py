"""
micro's main job, end to end, on the bundled example: convert `digits_cnn.tflite` into a
C project with micro-convert, build it with CMake, run the generated benchmark on a
sample digit and print the predicted and the true label.

    python examples/digits/run_example.py [DIGIT | all]     (default: 7)

The project is written to build/digits_example/ (regenerated on every run).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
OUT = REPO / "build" / "digits_example"
PROJECT = OUT / "project"
BUILD = PROJECT / "build"


def run(argv: list[str], what: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(argv, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        sys.exit(f"{what} failed (exit status {result.returncode})")
    return result


def labels() -> dict[int, Path]:
    table: dict[int, Path] = {}
    for line in (HERE / "samples" / "labels.txt").read_text().splitlines():
        name, label = line.split()
        table[int(label)] = HERE / "samples" / name
    return table


def main(argv: list[str]) -> int:
    choice = argv[0] if argv else "7"
    samples = labels()
    digits = sorted(samples) if choice == "all" else [int(choice)]
    if any(d not in samples for d in digits):
        sys.exit(f"no sample for digit {choice}; choose 0-9 or all")

    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    convert = Path(sys.executable).parent / "micro-convert"
    print(f"$ micro-convert --fmk=TFLITE --modelFile={HERE.name}/digits_cnn.tflite ...")
    result = run(
        [
            str(convert),
            "--fmk=TFLITE",
            f"--modelFile={HERE / 'digits_cnn.tflite'}",
            f"--outputFile={PROJECT}",
            f"--configFile={HERE / 'micro.cfg'}",
        ],
        "micro-convert",
    )
    print(result.stdout.rstrip())

    print(
        f"$ cmake -S {PROJECT.relative_to(REPO)} -B {BUILD.relative_to(REPO)} && cmake --build ..."
    )
    run(["cmake", "-S", str(PROJECT), "-B", str(BUILD), "-DCMAKE_BUILD_TYPE=Release"], "cmake")
    run(["cmake", "--build", str(BUILD), "-j", "2"], "the C build")
    library = (BUILD / "src" / "libnet.a").relative_to(REPO)
    print(f"built {(BUILD / 'benchmark').relative_to(REPO)} and {library}")

    correct = 0
    for digit in digits:
        sample = samples[digit]
        dump = OUT / f"{sample.stem}.out"
        argv_bench = [
            str(BUILD / "benchmark"),
            str(sample),
            str(PROJECT / "src" / "net.bin"),
            "10",
            "-",
            "1",
            "0",
            "1",
            "0.9999",
            str(dump),
        ]
        result = run(argv_bench, "the benchmark")
        if len(digits) == 1:
            print(f"$ {' '.join(Path(a).name if '/' in a else a for a in argv_bench[:4])}")
            print(result.stdout.rstrip())
        probabilities = np.frombuffer(dump.read_bytes(), dtype=np.float32)
        predicted = int(np.argmax(probabilities))
        correct += predicted == digit
        print(
            f"{sample.name}: predicted {predicted} "
            f"(probability {probabilities[predicted]:.3f}), true label {digit}"
        )
    if len(digits) > 1:
        print(f"{correct}/{len(digits)} correct")
    return 0 if correct == len(digits) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
