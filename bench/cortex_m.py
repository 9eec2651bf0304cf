"""
Cortex-M footprint and instruction counts for every model in ../shared/models/tflite:
each is converted for Cortex-M, built for the M4, M7 and M55 with the generated
build.sh (arm-none-eabi-gcc, -O2), measured with arm-none-eabi-size and run on its QEMU
board with the instruction-counting plugin of ../shared/tools/insncount (the region
between the benchmark's micro_bench_begin/micro_bench_end markers: one inference).

    .venv/bin/python bench/cortex_m.py            # print the markdown table
    .venv/bin/python bench/cortex_m.py --write    # and replace the cortex-m section of
                                                  # docs/benchmarks.md

Columns: flash = text + data of the whole benchmark program (the model's code, the
runtime, the benchmark, the harness and the weights, which are `const` in flash), of
which weights; RAM = data + bss (the arena is static in the benchmark) plus the stack
the harness reserves; instructions of one inference per core, and whether the benchmark
found the outputs equal to the reference's (baked in at conversion).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchlib import (
    DOC,
    EMPTY,
    REPO,
    BenchError,
    BenchSkip,
    fmt_int,
    git_revision,
    markdown_table,
    model_paths,
    one_line,
    replace_section,
    run_main,
)

CORES = {"cortex-m4": "mps2-an386", "cortex-m7": "mps2-an500", "cortex-m55": "mps3-an547"}
INSNCOUNT = REPO.parent / "shared" / "tools" / "insncount"
STACK = 0x8000  # the harness's __stack_size__ (kernels/project/cortexm/common.ld)


@dataclass
class CoreResult:
    text: int = 0
    data: int = 0
    bss: int = 0
    instructions: int | None = None
    verdict: str = ""


@dataclass
class Row:
    model: str
    weights: int = 0
    arena: int = 0
    cores: dict[str, CoreResult] = field(default_factory=dict)
    error: str = ""


def _run(argv: list[str], cwd: Path | None = None, timeout: int = 900) -> str:
    result = subprocess.run(
        argv, capture_output=True, text=True, cwd=cwd, timeout=timeout, stdin=subprocess.DEVNULL
    )
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["?"]
        raise BenchError(f"{Path(argv[0]).name} failed: {one_line(tail[0], 120)}")
    return result.stdout


def _symbol(elf: Path, name: str) -> int:
    for line in _run(["arm-none-eabi-nm", str(elf)]).splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] == name:
            return int(parts[0], 16) & ~1
    raise BenchError(f"{elf.name} has no symbol {name}")


def measure(path: Path, work: Path, plugin: Path) -> Row:
    row = Row(path.stem)
    project = work / path.stem
    cfg = work / "cortex-m.cfg"
    cfg.write_text("[micro_param]\nenable_micro=true\ntarget=Cortex-M\n")
    try:
        out = _run(
            [
                str(Path(sys.executable).parent / "micro-convert"),
                "--fmk=TFLITE",
                f"--modelFile={path}",
                f"--outputFile={project}",
                f"--configFile={cfg}",
            ]
        )
        for line in out.splitlines():
            line = line.strip()
            if line.startswith("arena:"):
                row.arena = int(line.split()[1])
            elif line.startswith("weights:"):
                row.weights = int(line.split()[1])
        for core, machine in CORES.items():
            result = CoreResult()
            _run([str(project / "build.sh"), core], cwd=project)
            elf = project / f"build-{core}" / "benchmark.elf"
            sizes = _run(["arm-none-eabi-size", str(elf)]).splitlines()[1].split()
            result.text, result.data, result.bss = (int(v) for v in sizes[:3])
            counts = work / f"{path.stem}-{core}.txt"
            start, stop = _symbol(elf, "micro_bench_begin"), _symbol(elf, "micro_bench_end")
            plugin_arg = f"{plugin},start={start:#x},stop={stop:#x},out={counts}"
            stdout = subprocess.run(
                [
                    *("qemu-system-arm", "-M", machine, "-nographic", "-monitor", "none"),
                    *("-serial", "none", "-semihosting-config", "enable=on,target=native"),
                    *("-kernel", str(elf), "-plugin", plugin_arg),
                ],
                capture_output=True,
                text=True,
                timeout=1800,
                stdin=subprocess.DEVNULL,
            ).stdout
            result.verdict = (
                "exact/within 1e-5" if "compare outputs success." in stdout else "FAILED"
            )
            fields = dict(f.split("=") for f in counts.read_text().split()[1:] if "=" in f)
            result.instructions = int(fields["region"])
            row.cores[core] = result
    except (BenchError, subprocess.TimeoutExpired, OSError, ValueError, KeyError) as error:
        row.error = one_line(str(error), 120)
    return row


HEADERS = [
    "model",
    "weights",
    "arena",
    "M7 flash (text+data)",
    "M7 RAM (data+bss)",
    "M4 instructions",
    "M7 instructions",
    "M55 instructions",
    "outputs vs reference",
]


def render(rows: list[Row]) -> str:
    lines = []
    for row in rows:
        if row.error:
            lines.append([row.model, EMPTY, EMPTY, f"failed: {row.error}", *[EMPTY] * 5])
            continue
        m7 = row.cores["cortex-m7"]
        verdicts = {r.verdict for r in row.cores.values()}
        lines.append(
            [
                row.model,
                fmt_int(row.weights),
                fmt_int(row.arena),
                fmt_int(m7.text + m7.data),
                fmt_int(m7.data + m7.bss),
                *(fmt_int(row.cores[c].instructions) for c in CORES),
                "; ".join(sorted(verdicts)),
            ]
        )
    table = markdown_table(HEADERS, lines, "lrrrrrrrl")
    return (
        f"Measured {time.strftime('%Y-%m-%d')} at micro commit {git_revision()}: "
        f"arm-none-eabi-gcc -O2 (the generated build.sh), QEMU "
        f"{_run(['qemu-system-arm', '--version']).split()[3]}, instructions from "
        "../shared/tools/insncount (one inference, between the benchmark's markers). "
        f"RAM excludes the {STACK // 1024} KiB stack the QEMU harness reserves.\n\n" + table + "\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description="Cortex-M flash, RAM and instruction counts.")
    parser.add_argument("models", nargs="*", help="model names (default: all)")
    parser.add_argument(
        "--write", action="store_true", help=f"replace the cortex-m section of {DOC.name}"
    )
    args = parser.parse_args()
    if args.write and args.models:
        raise BenchError("--write records every model: drop the model names")
    for tool in ("arm-none-eabi-gcc", "qemu-system-arm", "cmake", "gcc"):
        if shutil.which(tool) is None:
            raise BenchSkip(f"{tool} is not installed (scripts/setup.sh installs it as root)")
    if not (INSNCOUNT / "build.sh").is_file():
        raise BenchSkip(f"{INSNCOUNT} is absent: no instruction counts")
    paths = model_paths(args.models)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="micro-cortex-m-") as tmp:
        work = Path(tmp)
        plugin = work / "libinsncount.so"
        _run(["bash", str(INSNCOUNT / "build.sh"), str(plugin)])
        rows = []
        for path in paths:
            print(f"  {path.stem} ...", file=sys.stderr, flush=True)
            rows.append(measure(path, work, plugin))
    body = render(rows)
    print(body)
    if args.write:
        replace_section("cortex-m", body)
        print(f"wrote the cortex-m section of {DOC}", file=sys.stderr)
    print(f"({time.perf_counter() - start:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    run_main(main)
