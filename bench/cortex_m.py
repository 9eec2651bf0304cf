"""
Cortex-M footprint and instruction counts for every model (the shared TFLite and ONNX
models and the bundled example): each is converted for Cortex-M, built for the M4, M7
and M55 with the generated build.sh (arm-none-eabi-gcc, -O2), measured with
arm-none-eabi-size and run on its QEMU board with the instruction-counting plugin of
../shared/tools/insncount (the region between the benchmark's micro_bench_begin /
micro_bench_end markers: one inference).

    .venv/bin/python bench/cortex_m.py            # print the markdown table
    .venv/bin/python bench/cortex_m.py --write    # and replace the cortex-m section of
                                                  # docs/benchmarks.md

Columns: flash = text + data of the whole benchmark program (the model's code, the
runtime, the benchmark, the harness and the weights, which are `const` in flash), of
which weights; RAM = data + bss (the arena is static in the benchmark) plus the stack
the harness reserves; instructions of one inference per core, and whether the benchmark
found the outputs equal to the reference's (baked in at conversion). Next to the flash
figure, the TFLM-equivalent part that can be measured without a TFLM build for the
core: the .tflite file, which TFLM keeps whole in flash (its interpreter and kernels
come on top and are not measured here).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchlib import (
    DOC,
    EMPTY,
    REPO,
    BenchError,
    BenchSkip,
    Model,
    error_line,
    fmt_int,
    git_revision,
    markdown_table,
    micro_convert_argv,
    one_line,
    replace_section,
    run_main,
    select_models,
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
    tflite_bytes: int | None = None  # what TFLM keeps in flash for the model itself


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


def measure(model: Model, work: Path, plugin: Path) -> Row:
    row = Row(model.name)
    if model.is_tflite:
        row.tflite_bytes = model.path.stat().st_size
    project = work / model.path.stem
    cfg = work / "cortex-m.cfg"
    cfg.write_text("[micro_param]\nenable_micro=true\ntarget=Cortex-M\n")
    converted = subprocess.run(
        micro_convert_argv(model, project, cfg),
        capture_output=True,
        text=True,
        timeout=900,
        stdin=subprocess.DEVNULL,
    )
    if converted.returncode != 0:
        row.error = "micro-convert: " + error_line(converted.stdout + converted.stderr)
        return row
    path = model.path
    try:
        out = converted.stdout
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
    "TFLM model in flash (.tflite bytes)",
    "M7 RAM (data+bss)",
    "M4 instructions",
    "M7 instructions",
    "M55 instructions",
    "outputs vs reference",
]


def render(rows: list[Row]) -> str:
    lines = []
    for row in rows:
        tflm = fmt_int(row.tflite_bytes) if row.tflite_bytes is not None else EMPTY
        if row.error:
            verb = "refused" if "not supported" in row.error else "failed"
            lines.append([row.model, EMPTY, EMPTY, f"{verb}: {row.error}", tflm, *[EMPTY] * 5])
            continue
        m7 = row.cores["cortex-m7"]
        verdicts = {r.verdict for r in row.cores.values()}
        lines.append(
            [
                row.model,
                fmt_int(row.weights),
                fmt_int(row.arena),
                fmt_int(m7.text + m7.data),
                tflm,
                fmt_int(m7.data + m7.bss),
                *(fmt_int(row.cores[c].instructions) for c in CORES),
                "; ".join(sorted(verdicts)),
            ]
        )
    table = markdown_table(HEADERS, lines, "lrrrrrrrrl")
    return (
        f"Measured {time.strftime('%Y-%m-%d')} at micro commit {git_revision()}: "
        f"arm-none-eabi-gcc -O2 (the generated build.sh), QEMU "
        f"{_run(['qemu-system-arm', '--version']).split()[3]}, instructions from "
        "../shared/tools/insncount (one inference, between the benchmark's markers). "
        f"RAM excludes the {STACK // 1024} KiB stack the QEMU harness reserves. "
        "TFLM model in flash: the .tflite file's size, which TFLM needs in flash besides "
        "its interpreter and kernels (not measured: no TFLM build for these cores here).\n\n"
        + table
        + "\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description="Cortex-M flash, RAM and instruction counts.")
    parser.add_argument("models", nargs="*", help="model names (default: all)")
    parser.add_argument(
        "--write", action="store_true", help=f"replace the cortex-m section of {DOC.name}"
    )
    parser.add_argument("--json", type=Path, help="also write the measurements as JSON")
    args = parser.parse_args()
    if args.write and args.models:
        raise BenchError("--write records every model: drop the model names")
    for tool in ("arm-none-eabi-gcc", "qemu-system-arm", "cmake", "gcc"):
        if shutil.which(tool) is None:
            raise BenchSkip(f"{tool} is not installed (scripts/setup.sh installs it as root)")
    if not (INSNCOUNT / "build.sh").is_file():
        raise BenchSkip(f"{INSNCOUNT} is absent: no instruction counts")
    models = select_models(args.models)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="micro-cortex-m-") as tmp:
        work = Path(tmp)
        plugin = work / "libinsncount.so"
        _run(["bash", str(INSNCOUNT / "build.sh"), str(plugin)])
        rows = []
        for model in models:
            print(f"  {model.name} ...", file=sys.stderr, flush=True)
            rows.append(measure(model, work, plugin))
    body = render(rows)
    print(body)
    if args.json:
        args.json.write_text(json.dumps({"rows": [asdict(r) for r in rows]}, indent=1))
    if args.write:
        replace_section("cortex-m", body)
        print(f"wrote the cortex-m section of {DOC}", file=sys.stderr)
    print(f"({time.perf_counter() - start:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    run_main(main)
