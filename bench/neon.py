"""
NEON against generic kernels on ARM64: instructions per inference for every model in
../shared/models/tflite, the bundled example (examples/digits) and ../shared/models/onnx
(the rows and model names of the other sections), each converted for
target=ARM64 three ways and built with the generated build.sh (aarch64-linux-gnu-gcc,
CMake Release: -O3):

- generic:   `kernels=generic` in [micro_options]: the portable C kernels only;
- NEON:      the default: NEON kernels where one exists, built for the ARMv8-A baseline
             (no dot product) and run under `qemu-aarch64 -cpu cortex-a53`;
- NEON+SDOT: `cpu=cortex-a76`: the int8 kernels use SDOT; run under `-cpu cortex-a76`.

Every program runs once under qemu-aarch64 with the instruction-counting plugin of
../shared/tools/insncount: the count of one inference is the region between the
benchmark's micro_bench_begin/micro_bench_end markers (around MSModelPredict). For the
per-kernel table the bench rebuilds each project with markers around every kernel call of
src/net.c (its own copy; the generated code is not changed otherwise) and counts, per
kernel family with a NEON twin, the instructions of all its calls (call set-up included).
The NEON outputs are compared with the generic ones: int8 identical, float within
|y - ref| <= 1e-5 * max|ref| + 1e-6.

    .venv/bin/python bench/neon.py            # print the markdown tables
    .venv/bin/python bench/neon.py --write    # and replace the neon section of
                                              # docs/benchmarks.md
    .venv/bin/python bench/neon.py vww        # some models only
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from benchlib import (
    DOC,
    EMPTY,
    REPO,
    BenchError,
    BenchSkip,
    Model,
    fmt_int,
    fmt_ratio,
    git_revision,
    markdown_table,
    micro_convert_argv,
    one_line,
    onnx_symbolic_inputs,
    replace_section,
    run_main,
    select_models,
)
from peers import TensorSpec
from speed import io_specs, random_inputs

INSNCOUNT = REPO.parent / "shared" / "tools" / "insncount"


@dataclass(frozen=True)
class Variant:
    name: str
    options: str  # the [micro_options] lines
    qemu_cpu: str


VARIANTS = (
    Variant("generic", "kernels=generic\n", "cortex-a53"),
    Variant("NEON", "", "cortex-a53"),
    Variant("NEON+SDOT", "cpu=cortex-a76\n", "cortex-a76"),
)
BASELINE, NEON, SDOT = (v.name for v in VARIANTS)

# A kernel call statement of net.c: `  micro_<name>(<arguments>);`, possibly over lines.
CALL = re.compile(r"^  (micro_\w+)\((.*?)\);$", re.MULTILINE | re.DOTALL)


def family(function: str) -> str:
    """The kernel a call runs, whichever library: micro_neon_conv2d_s8 -> conv2d_s8."""
    return function.removeprefix("micro_").removeprefix("neon_")


@dataclass
class Run:
    instructions: int = 0
    per_kernel: dict[str, int] = field(default_factory=dict[str, int])
    outputs: bytes = b""


@dataclass
class Row:
    model: str
    calls: dict[str, int] = field(default_factory=dict[str, int])  # NEON family -> calls
    other_calls: int = 0  # calls of kernels without a NEON twin
    runs: dict[str, Run] = field(default_factory=dict[str, Run])
    float_outputs: bool = False
    error: str = ""


def _run(argv: list[str], cwd: Path | None = None, timeout: int = 1800) -> str:
    result = subprocess.run(
        argv, capture_output=True, text=True, cwd=cwd, timeout=timeout, stdin=subprocess.DEVNULL
    )
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["?"]
        raise BenchError(f"{Path(argv[0]).name} failed: {one_line(tail[0], 120)}")
    return result.stdout


def _symbols(exe: Path) -> dict[str, int]:
    found = {}
    for line in _run(["aarch64-linux-gnu-nm", str(exe)]).splitlines():
        parts = line.split()
        if len(parts) == 3:
            found[parts[2]] = int(parts[0], 16)
    return found


def instrument(source: str) -> tuple[str, dict[str, int]]:
    """
    net.c with every kernel call between calls of two marker functions of its kernel
    family (micro_kbegin_<family>, micro_kend_<family>, defined at the end of the file with
    distinct bodies so that no compiler merges them), and the calls per family.
    """
    calls: dict[str, int] = {}

    def wrap(match: re.Match[str]) -> str:
        name = family(match.group(1))
        calls[name] = calls.get(name, 0) + 1
        return f"  micro_kbegin_{name}();\n{match.group(0)}\n  micro_kend_{name}();"

    body = CALL.sub(wrap, source)
    names = sorted(calls)
    markers = [
        "\n/* bench/neon.py: markers around the kernel calls, for an instruction counter */",
        f"static volatile unsigned micro_kmarks[{2 * len(names) or 1}];",
    ]
    for i, name in enumerate(names):
        for j, kind in enumerate(("begin", "end")):
            markers.append(
                f"__attribute__((noinline, used)) void micro_k{kind}_{name}(void) "
                f"{{ micro_kmarks[{2 * i + j}]++; }}"
            )
    declarations = "".join(
        f"void micro_kbegin_{n}(void);\nvoid micro_kend_{n}(void);\n" for n in names
    )
    first_call = body.find("\nvoid ")
    if first_call < 0:
        raise BenchError("src/net.c: no function definition found")
    body = body[: first_call + 1] + declarations + body[first_call + 1 :]
    return body + "\n".join(markers) + "\n", calls


class Counter:
    """Runs a program under qemu-aarch64 with the insncount plugin."""

    def __init__(self, plugin: Path, work: Path):
        self.plugin = plugin
        self.counts = work / "counts.txt"

    def region(self, exe: Path, argv: list[str], cpu: str, start: int, stop: int) -> int:
        arg = f"{self.plugin},start={start:#x},stop={stop:#x},out={self.counts}"
        _run(["qemu-aarch64", "-cpu", cpu, "-plugin", arg, str(exe), *argv])
        fields = dict(f.split("=") for f in self.counts.read_text().split()[1:] if "=" in f)
        if int(fields["regions"]) < 1:
            raise BenchError(f"{exe.name}: the markers were never reached")
        return int(fields["region"])


def measure_variant(
    model: Model, variant: Variant, work: Path, counter: Counter, inputs: list[Path]
) -> tuple[Run, dict[str, int]]:
    project = work / f"{model.path.stem}-{variant.name.replace('+', '-')}"
    cfg = work / f"{variant.name.replace('+', '-')}.cfg"
    cfg.write_text(
        "[micro_param]\nenable_micro=true\ntarget=ARM64\n"
        + (f"[micro_options]\n{variant.options}" if variant.options else "")
    )
    _run(micro_convert_argv(model, project, cfg))
    _run([str(project / "build.sh")], cwd=project)
    exe = project / "build" / "benchmark"
    dump = work / "outputs.bin"
    argv = [",".join(map(str, inputs)), str(project / "src" / "net.bin"), "1", "-", "1", "0"]
    argv += ["0", "0.9999", str(dump)]
    run = Run()
    symbols = _symbols(exe)
    run.instructions = counter.region(
        exe, argv, variant.qemu_cpu, symbols["micro_bench_begin"], symbols["micro_bench_end"]
    )
    run.outputs = dump.read_bytes()

    # the same program with markers around every kernel call
    net = project / "src" / "net.c"
    text, calls = instrument(net.read_text())
    net.write_text(text)
    _run(["cmake", "--build", str(project / "build"), "-j", "2"])
    symbols = _symbols(exe)
    for name in calls:
        run.per_kernel[name] = counter.region(
            exe,
            argv,
            variant.qemu_cpu,
            symbols[f"micro_kbegin_{name}"],
            symbols[f"micro_kend_{name}"],
        )
    return run, calls


def neon_families(project_net_c: str) -> set[str]:
    return {family(m.group(1)) for m in CALL.finditer(project_net_c) if "_neon_" in m.group(1)}


def model_specs(model: Model) -> tuple[list[TensorSpec], list[TensorSpec]]:
    """A model's inputs and outputs: from the .tflite, or as micro imports the .onnx."""
    if model.is_tflite:
        return io_specs(model.path)
    from micro.pipeline import import_model

    module = import_model("ONNX", model.path, onnx_symbolic_inputs(model.path))
    function = next(iter(module.ops))
    types = function.function_type  # type: ignore[attr-defined]

    def specs(values: list) -> list[TensorSpec]:  # type: ignore[type-arg]
        kinds = {"f32": np.float32, "i64": np.int64, "i32": np.int32, "i1": np.bool_}
        return [
            TensorSpec(f"{i}", tuple(t.get_shape()), np.dtype(kinds[str(t.element_type)]))
            for i, t in enumerate(values)
        ]

    return specs(list(types.inputs.data)), specs(list(types.outputs.data))


def measure(model: Model, work: Path, counter: Counter) -> Row:
    path = model.path
    row = Row(model.name)
    try:
        specs, outputs = model_specs(model)
        row.float_outputs = any(o.dtype.kind == "f" for o in outputs)
        inputs = []
        for i, array in enumerate(random_inputs(specs)):
            inputs.append(work / f"{path.stem}-in{i}.bin")
            inputs[-1].write_bytes(np.ascontiguousarray(array).tobytes())
        all_calls: dict[str, int] = {}
        twins: set[str] = set()
        for variant in VARIANTS:
            run, calls = measure_variant(model, variant, work, counter, inputs)
            row.runs[variant.name] = run
            if variant.name == NEON:
                all_calls = calls
                neon = work / f"{path.stem}-NEON" / "src" / "net.c"
                twins = neon_families(neon.read_text())
        row.calls = {name: n for name, n in all_calls.items() if name in twins}
        row.other_calls = sum(n for name, n in all_calls.items() if name not in twins)
    except (BenchError, subprocess.TimeoutExpired, OSError, ValueError, KeyError) as error:
        row.error = one_line(str(error), 120)
    return row


def compare(row: Row, name: str) -> str:
    """The outputs of variant `name` against the generic kernels' outputs."""
    want, got = row.runs[BASELINE].outputs, row.runs[name].outputs
    if got == want:
        return "identical"
    if not row.float_outputs or len(got) != len(want) or len(got) % 4:
        return "DIFFER"
    g = np.frombuffer(got, np.float32).astype(np.float64)
    w = np.frombuffer(want, np.float32).astype(np.float64)
    bound = 1e-5 * float(np.max(np.abs(w), initial=0.0)) + 1e-6
    return "within 1e-5" if np.all(np.abs(g - w) <= bound) else "DIFFER"


MODEL_HEADERS = [
    "model",
    "NEON calls",
    "generic",
    "NEON",
    "NEON / generic",
    "NEON+SDOT",
    "NEON+SDOT / generic",
    "outputs vs generic",
]
KERNEL_HEADERS = [
    "model",
    "kernel",
    "calls",
    "generic",
    "NEON",
    "NEON / generic",
    "NEON+SDOT",
    "NEON+SDOT / generic",
]


def render(rows: list[Row]) -> str:
    models, kernels = [], []
    for row in rows:
        if row.error:
            models.append([row.model, f"failed: {row.error}", *[EMPTY] * 6])
            continue
        base = row.runs[BASELINE].instructions
        verdicts = sorted({compare(row, NEON), compare(row, SDOT)})
        total_calls = sum(row.calls.values()) + row.other_calls
        models.append(
            [
                row.model,
                f"{sum(row.calls.values())} of {total_calls}",
                fmt_int(base),
                fmt_int(row.runs[NEON].instructions),
                fmt_ratio(row.runs[NEON].instructions / base),
                fmt_int(row.runs[SDOT].instructions),
                fmt_ratio(row.runs[SDOT].instructions / base),
                "; ".join(verdicts),
            ]
        )
        for name, calls in sorted(row.calls.items()):
            g = row.runs[BASELINE].per_kernel[name]
            n, s = row.runs[NEON].per_kernel[name], row.runs[SDOT].per_kernel[name]
            kernels.append(
                [
                    row.model,
                    name,
                    str(calls),
                    fmt_int(g),
                    fmt_int(n),
                    fmt_ratio(n / g),
                    fmt_int(s),
                    fmt_ratio(s / g),
                ]
            )
    gcc = _run(["aarch64-linux-gnu-gcc", "--version"]).splitlines()[0]
    qemu = _run(["qemu-aarch64", "--version"]).split()[2]
    return (
        f"Measured {time.strftime('%Y-%m-%d')} at micro commit {git_revision()}: {gcc}, "
        f"CMake Release (-O3, the generated build.sh), static; QEMU {qemu} (qemu-aarch64, "
        "-cpu cortex-a53 for generic and NEON, -cpu cortex-a76 for NEON+SDOT); instructions "
        "of one inference from ../shared/tools/insncount.\n\n"
        + markdown_table(MODEL_HEADERS, models, "lrrrrrrl")
        + "\n\nPer kernel with a NEON twin: the instructions of all its calls in one "
        "inference.\n\n" + markdown_table(KERNEL_HEADERS, kernels, "llrrrrrr") + "\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description="NEON vs generic kernels: ARM64 instructions.")
    parser.add_argument("models", nargs="*", help="model names (default: all)")
    parser.add_argument(
        "--write", action="store_true", help=f"replace the neon section of {DOC.name}"
    )
    args = parser.parse_args()
    if args.write and args.models:
        raise BenchError("--write records every model: drop the model names")
    for tool in ("aarch64-linux-gnu-gcc", "aarch64-linux-gnu-nm", "qemu-aarch64", "cmake", "gcc"):
        if shutil.which(tool) is None:
            raise BenchSkip(f"{tool} is not installed (scripts/setup.sh installs it as root)")
    if not (INSNCOUNT / "build.sh").is_file():
        raise BenchSkip(f"{INSNCOUNT} is absent: no instruction counts")
    models = select_models(args.models)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="micro-neon-") as tmp:
        work = Path(tmp)
        plugin = work / "libinsncount.so"
        _run(["bash", str(INSNCOUNT / "build.sh"), str(plugin)])
        counter = Counter(plugin, work)
        rows = []
        for model in models:
            print(f"  {model.name} ...", file=sys.stderr, flush=True)
            rows.append(measure(model, work, counter))
    body = render(rows)
    print(body)
    if args.write:
        replace_section("neon", body)
        print(f"wrote the neon section of {DOC}", file=sys.stderr)
    print(f"({time.perf_counter() - start:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    run_main(main)
