"""
x86 inference time of micro's generated C against the runtimes a user would pick
instead, single-threaded, on every model: the shared TFLite models, the bundled example
and the shared ONNX models. Also micro-convert's compile time and the x86 instruction
count of one inference (callgrind).

    .venv/bin/python bench/speed.py                     # all models, print the tables
    .venv/bin/python bench/speed.py vww kws_ref_model   # some models (names or parts)
    .venv/bin/python bench/speed.py --quick             # fewer, shorter rounds
    .venv/bin/python bench/speed.py --write             # and replace the speed section
                                                        # of docs/benchmarks.md

Runtimes: micro's project built -O2 and -O3 -march=native; LiteRT (XNNPACK), LiteRT's
reference kernels and the tflite-micro interpreter on .tflite files; onnxruntime,
emx-onnx-cgen's C (built with micro's two sets of flags) and IREE (llvm-cpu for this
CPU, local-sync driver) on ONNX files: the ONNX models, and the ONNX conversions that
MANIFEST.md lists for TFLite models. First every model is converted and built; then,
one model at a time, each runtime is calibrated to a batch of at least --min-time
seconds of timed inference, and --rounds batches of each are timed in alternating order.
A runtime's figure is the median over its batches of the per-inference time. All
runtimes get the same seeded random inputs and time only the inference call. The
machine is shared, so only the ratios (same run, interleaved) mean much.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import math
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from benchlib import (
    DOC,
    EMPTY,
    MODELS,
    BenchError,
    Model,
    fmt_int,
    fmt_ratio,
    git_revision,
    markdown_table,
    one_line,
    replace_section,
    run_main,
    select_models,
)
from peers import (
    FLAVOURS,
    IREE_FLAGS,
    IREE_MIN_OPSET,
    SEED,
    EmxBuild,
    IreePeer,
    LiteRTPeer,
    MicroBuild,
    MicroProject,
    OnnxModel,
    OrtPeer,
    Peer,
    StepError,
    TensorSpec,
    TflmPeer,
    Timer,
    build_emx,
    build_micro,
    callgrind_count,
    compile_iree,
    convert_micro,
    emx_argv,
    generate_emx,
    interleave,
    io_specs,
    make_peer,
    micro_argv,
    onnx_inputs,
    prepare_onnx,
    random_inputs,
    read_dump,
    reset_out_of_range_quantized_dimension,
    run_emx,
    run_micro,
    significant_flags,
)

FLOOR_MODEL = "hello_world_float.tflite"
MICRO = ("micro -O2", "micro native")
EMX = ("emx -O2", "emx native")
PEERS = ("LiteRT", "LiteRT ref", "TFLM", "ORT", *EMX, "IREE")
RUNTIMES = (*MICRO, *PEERS)
REFERENCE = {
    "micro native": "micro -O2",
    "LiteRT": "micro -O2",
    "LiteRT ref": "micro -O2",
    "TFLM": "micro -O2",
    "ORT": "micro -O2",
    "emx -O2": "micro -O2",
    "emx native": "micro native",
    "IREE": "micro native",
}
"""Each ratio's denominator: the micro build with the same kind of flags (IREE compiles
for this CPU, like -march=native)."""
FLAVOUR_OF = {
    "micro -O2": "-O2",
    "micro native": "native",
    "emx -O2": "-O2",
    "emx native": "native",
}


# ------------------------------------------------------------------ one model, prepared


@dataclass
class Prepared:
    """Everything built for one model before any timing."""

    model: Model
    inputs: list[np.ndarray]
    outputs: list[TensorSpec]
    project: MicroProject | None = None
    micro: dict[str, MicroBuild] = field(default_factory=dict[str, MicroBuild])
    onnx: OnnxModel | None = None
    onnx_inputs: list[np.ndarray] = field(default_factory=list[np.ndarray])
    emx: dict[str, EmxBuild] = field(default_factory=dict[str, EmxBuild])
    emx_seconds: float | None = None
    vmfb: Path | None = None
    iree_seconds: float | None = None
    errors: dict[str, str] = field(default_factory=dict[str, str])


def _record(prepared: Prepared, labels: Sequence[str], step: Callable[[], None]) -> None:
    """Run `step`; a StepError becomes the one-line reason of every label."""
    try:
        step()
    except StepError as error:
        for label in labels:
            prepared.errors.setdefault(label, str(error))


def prepare(model: Model, work: Path, compiler: str) -> Prepared:
    """Convert and build micro's project, emx's C and IREE's module for one model."""
    work.mkdir(parents=True, exist_ok=True)
    onnx_work = work / "onnx"
    onnx_work.mkdir(exist_ok=True)
    if model.is_tflite:
        input_specs, output_specs = io_specs(model.path)
        prepared = Prepared(model, random_inputs(input_specs), output_specs)
    else:
        onnx = prepare_onnx(model.path, onnx_work)
        prepared = Prepared(model, random_inputs(onnx.inputs), onnx.outputs, onnx=onnx)

    def micro() -> None:
        prepared.project = convert_micro(model, work)
        for label in MICRO:
            _record(
                prepared,
                [label],
                lambda label=label: prepared.micro.__setitem__(
                    label,
                    build_micro(
                        prepared.project,  # type: ignore[arg-type]
                        work,
                        prepared.inputs,
                        FLAVOUR_OF[label],
                        compiler,
                    ),
                ),
            )

    _record(prepared, MICRO, micro)
    if model.onnx is None:
        return prepared

    def onnx_side() -> None:
        if prepared.onnx is None:
            prepared.onnx = prepare_onnx(model.onnx, onnx_work)  # type: ignore[arg-type]
        prepared.onnx_inputs = onnx_inputs(prepared.onnx, prepared.inputs)

    _record(prepared, ("ORT", *EMX, "IREE"), onnx_side)
    onnx = prepared.onnx
    if not prepared.onnx_inputs or onnx is None:
        return prepared

    def emx() -> None:
        start = time.perf_counter()
        source = generate_emx(onnx, onnx_work)
        prepared.emx_seconds = time.perf_counter() - start
        for label in EMX:
            _record(
                prepared,
                [label],
                lambda label=label: prepared.emx.__setitem__(
                    label,
                    build_emx(onnx, source, prepared.onnx_inputs, FLAVOUR_OF[label], compiler),
                ),
            )

    def iree() -> None:
        start = time.perf_counter()
        prepared.vmfb = compile_iree(onnx, onnx_work)
        prepared.iree_seconds = time.perf_counter() - start

    _record(prepared, EMX, emx)
    _record(prepared, ["IREE"], iree)
    return prepared


# ------------------------------------------------------------------ one model, timed


@dataclass
class SpeedRow:
    model: str
    ms: dict[str, float] = field(default_factory=dict[str, float])
    errors: dict[str, str] = field(default_factory=dict[str, str])
    spread: float = 0.0
    checks: dict[str, str] = field(default_factory=dict[str, str])
    notes: list[str] = field(default_factory=list[str])
    onnx_file: str = ""
    convert_s: float | None = None
    emx_s: float | None = None
    iree_s: float | None = None
    instructions: dict[str, int] = field(default_factory=dict[str, int])
    instruction_errors: dict[str, str] = field(default_factory=dict[str, str])


def compare(mine: Sequence[np.ndarray], reference: Sequence[np.ndarray]) -> str:
    """How far outputs are from the reference: 'exact', '≤N LSB' or a relative max."""
    worst_int, worst_rel, is_float = 0, 0.0, False
    if len(mine) != len(reference):
        return "output count differs"
    for a, ref in zip(mine, reference, strict=True):
        a, ref = np.asarray(a).reshape(-1), np.asarray(ref).reshape(-1)
        if a.shape != ref.shape:
            return "shape mismatch"
        if ref.dtype.kind == "f":
            is_float = True
            scale = float(np.max(np.abs(ref), initial=0.0)) or 1.0
            diff = np.abs(a.astype(np.float64) - ref.astype(np.float64))
            worst_rel = max(worst_rel, float(diff.max(initial=0.0)) / scale)
        else:
            diff = np.abs(a.astype(np.int64) - ref.astype(np.int64))
            worst_int = max(worst_int, int(diff.max(initial=0)))
    if is_float:
        return "exact" if worst_rel == 0.0 else f"{worst_rel:.0e} rel"
    return "exact" if worst_int == 0 else f"≤{worst_int} LSB"


def _tflite_peers(
    prepared: Prepared, row: SpeedRow
) -> tuple[list[Timer], dict[str, list[np.ndarray]]]:
    """LiteRT (XNNPACK), LiteRT ref and TFLM on the .tflite file, with their outputs."""
    path, inputs = prepared.model.path, prepared.inputs
    data = path.read_bytes()
    names = [s.name for s in io_specs(path)[0]]
    factories: dict[str, Callable[[], Peer]] = {
        "LiteRT": lambda: LiteRTPeer(data, inputs, names, reference=False),
        "LiteRT ref": lambda: LiteRTPeer(data, inputs, names, reference=True),
        "TFLM": lambda: TflmPeer(data, inputs, len(prepared.outputs)),
    }
    timers: list[Timer] = []
    outputs: dict[str, list[np.ndarray]] = {}
    patched: bytes | None = None
    for label, factory in factories.items():
        try:
            peer, result = make_peer(factory)
        except StepError as error:
            if not (label.startswith("LiteRT") and "quantized_dimension" in str(error)):
                row.errors[label] = str(error)
                continue
            if patched is None:
                patched, fields = reset_out_of_range_quantized_dimension(data)
                row.notes.append(
                    f"LiteRT refuses {path.name} ({error}); its LiteRT columns are measured "
                    f"on a copy whose {fields} out-of-range quantized_dimension fields are "
                    "reset to 0 (marked †)."
                )
            try:
                peer, result = make_peer(
                    lambda m=patched, r=(label == "LiteRT ref"): LiteRTPeer(m, inputs, names, r)
                )
            except StepError as again:
                row.errors[label] = f"{error}; patched copy: {again}"
                continue
            row.checks[f"{label} †"] = ""
        timers.append(Timer(label, peer.batch))
        outputs[label] = result
    return timers, outputs


def _onnx_peers(
    prepared: Prepared, row: SpeedRow
) -> tuple[list[Timer], dict[str, list[np.ndarray]]]:
    """onnxruntime, emx's C (two builds) and IREE on the ONNX file."""
    onnx, inputs = prepared.onnx, prepared.onnx_inputs
    timers: list[Timer] = []
    outputs: dict[str, list[np.ndarray]] = {}
    if onnx is None or not inputs:
        return timers, outputs
    factories: dict[str, Callable[[], Peer]] = {"ORT": lambda: OrtPeer(onnx, inputs)}
    if prepared.vmfb is not None:
        vmfb = prepared.vmfb
        factories["IREE"] = lambda: IreePeer(onnx, vmfb, inputs)
    for label, factory in factories.items():
        try:
            peer, result = make_peer(factory)
        except StepError as error:
            row.errors[label] = str(error)
            continue
        timers.append(Timer(label, peer.batch))
        outputs[label] = result
    for label, build in prepared.emx.items():
        try:
            run_emx(build, 1, dump=True)
            outputs[label] = read_dump(build.dump, onnx.outputs)
        except StepError as error:
            row.errors[label] = str(error)
            continue
        timers.append(Timer(label, lambda n, b=build: run_emx(b, n)))
    return timers, outputs


def measure_model(prepared: Prepared, rounds: int, min_time: float) -> SpeedRow:
    model = prepared.model
    row = SpeedRow(model.name, errors=dict(prepared.errors))
    if prepared.project is not None:
        row.convert_s = prepared.project.seconds
    row.emx_s, row.iree_s = prepared.emx_seconds, prepared.iree_seconds
    if model.onnx is not None and model.is_tflite:
        row.onnx_file = model.onnx.name
    timers: list[Timer] = []
    outputs: dict[str, list[np.ndarray]] = {}
    for label, build in prepared.micro.items():
        try:
            run_micro(build, 1, dump=True)
            outputs[label] = read_dump(build.dump, prepared.outputs)
        except StepError as error:
            row.errors[label] = str(error)
            continue
        timers.append(Timer(label, lambda n, b=build: run_micro(b, n)))
    if model.is_tflite:
        more, found = _tflite_peers(prepared, row)
        timers += more
        outputs.update(found)
    more, found = _onnx_peers(prepared, row)
    timers += more
    outputs.update(found)
    # micro against TFLite's reference kernels (else TFLM, else onnxruntime); the ONNX
    # compilers against onnxruntime
    reference = next((r for r in ("LiteRT ref", "TFLM", "ORT") if r in outputs), None)
    for label in MICRO:
        if label in outputs and reference is not None:
            suffix = "" if reference == "LiteRT ref" else f" (vs {reference})"
            row.checks[label] = compare(outputs[label], outputs[reference]) + suffix
    for label in (*EMX, "IREE"):
        if label in outputs and "ORT" in outputs:
            row.checks[label] = compare(outputs[label], outputs["ORT"])
    interleave(timers, rounds, min_time)
    row.ms = {t.label: t.median_ms for t in timers}
    row.spread = max((t.spread for t in timers), default=0.0)
    return row


def count_instructions(prepared: Prepared, row: SpeedRow, work: Path) -> None:
    """x86 instructions of one inference, -O2 builds, under callgrind."""
    jobs: list[tuple[str, list[str], str]] = []
    if "micro -O2" in prepared.micro and "micro -O2" in row.ms:
        jobs.append(("micro", micro_argv(prepared.micro["micro -O2"], 1, 0), "MSModelPredict"))
    if "emx -O2" in prepared.emx and "emx -O2" in row.ms:
        jobs.append(("emx", emx_argv(prepared.emx["emx -O2"], 1, 0), "model"))
    for label, argv, function in jobs:
        try:
            row.instructions[label] = callgrind_count(argv, function, work)
        except StepError as error:
            row.instruction_errors[label] = str(error)


# ------------------------------------------------------------------ Python call floor


@dataclass
class Floor:
    c_call_us: float
    invoke_us: dict[str, float]
    errors: dict[str, str]


def _identity_onnx(work: Path) -> OnnxModel:
    """A one-node ONNX model (Identity on a float32 [1, 1]) for the ONNX peers' floor."""
    import onnx
    from onnx import TensorProto, helper

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 1])
    graph = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "identity", [x], [y])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", IREE_MIN_OPSET)])
    model.ir_version = 8
    source = work / "identity-source.onnx"
    onnx.save(model, str(source))
    return prepare_onnx(source, work)


def measure_floor(rounds: int, min_time: float, work: Path) -> Floor:
    """
    What a Python-timed call costs with nothing to compute: a trivial bound C method,
    invoke() on hello_world_float (288 MACs) for the TFLite interpreters, and an ONNX
    Identity on one float for onnxruntime and IREE.
    """
    trivial = (0).bit_length

    def c_calls(count: int) -> float:
        clock, total = time.perf_counter, 0.0
        for _ in range(count):
            start = clock()
            trivial()
            total += clock() - start
        return total

    timers = [Timer("C call", c_calls)]
    errors: dict[str, str] = {}
    factories: dict[str, Callable[[], Peer]] = {}
    path = MODELS / FLOOR_MODEL
    if path.is_file():
        input_specs, output_specs = io_specs(path)
        inputs, data = random_inputs(input_specs), path.read_bytes()
        names = [s.name for s in input_specs]
        factories["LiteRT"] = lambda: LiteRTPeer(data, inputs, names, reference=False)
        factories["LiteRT ref"] = lambda: LiteRTPeer(data, inputs, names, reference=True)
        factories["TFLM"] = lambda: TflmPeer(data, inputs, len(output_specs))
    work.mkdir(parents=True, exist_ok=True)
    try:
        identity = _identity_onnx(work)
        x = [np.ones((1, 1), np.float32)]
        factories["ORT"] = lambda: OrtPeer(identity, x)
        vmfb = compile_iree(identity, work)
        factories["IREE"] = lambda: IreePeer(identity, vmfb, x)
    except (StepError, ImportError) as error:
        errors["ONNX peers"] = one_line(str(error), 100)
    for label, factory in factories.items():
        try:
            timers.append(Timer(label, make_peer(factory)[0].batch))
        except StepError as error:
            errors[label] = str(error)
    interleave(timers, rounds, min_time)
    return Floor(
        timers[0].median_ms * 1000.0, {t.label: t.median_ms * 1000.0 for t in timers[1:]}, errors
    )


# ------------------------------------------------------------------ machine and report


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cpu_simd() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return ""
    flags = set(next((ln for ln in text.splitlines() if ln.startswith("flags")), "").split())
    wanted = ["sse4_2", "avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni"]
    return ", ".join(f for f in wanted if f in flags)


def compiler_version(command: Sequence[str]) -> str:
    if not command:
        return "unknown"
    try:
        result = subprocess.run([command[0], "--version"], capture_output=True, text=True)
    except OSError:
        return command[0]
    first = result.stdout.splitlines()[0] if result.stdout else "unknown"
    resolved = os.path.realpath(command[0])
    return f"`{command[0]}` (→ {Path(resolved).name}): {first}"


def tool_version(argv: Sequence[str]) -> str:
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return "not installed"
    return one_line(result.stdout + result.stderr, 80)


def version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def fmt_ms(value: float | None) -> str:
    if value is None:
        return EMPTY
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    digits = max(2, 2 - math.floor(math.log10(value))) if value > 0 else 2
    return f"{value:.{digits}f}"


def _applies(row: SpeedRow, model: Model | None, label: str) -> bool:
    """Whether `label` runs this row's model at all (else the cell is empty)."""
    if model is None:
        return True
    if label in ("LiteRT", "LiteRT ref", "TFLM"):
        return model.is_tflite
    if label in ("ORT", *EMX, "IREE"):
        return model.onnx is not None
    return True


def _time_cell(row: SpeedRow, label: str, model: Model | None) -> str:
    key = next((k for k in row.ms if k.split(" †")[0] == label), None)
    if key is not None:
        return fmt_ms(row.ms[key]) + (" †" if f"{label} †" in row.checks else "")
    if label in row.errors:
        failed = re.match(r"(run|build|cmake \w+|benchmark|callgrind) failed", row.errors[label])
        verb = "failed" if failed else "refused"
        return f"{verb}: {one_line(row.errors[label], 90)}"
    return EMPTY if not _applies(row, model, label) else "not measured"


def _ratio_cell(row: SpeedRow, label: str) -> str:
    reference = REFERENCE[label]
    if label not in row.ms or reference not in row.ms:
        return EMPTY
    mark = " †" if f"{label} †" in row.checks else ""
    return fmt_ratio(row.ms[label] / row.ms[reference]) + mark


def _seconds(value: float | None) -> str:
    return EMPTY if value is None else f"{value:.2f}"


def render(
    rows: Sequence[SpeedRow],
    models: dict[str, Model],
    floor: Floor,
    command: Sequence[str],
    settings: str,
    load: tuple[str, str],
) -> str:
    time_headers = ["model", *(f"{r} ms" for r in RUNTIMES)]
    time_rows = [
        [row.model, *(_time_cell(row, r, models.get(row.model)) for r in RUNTIMES)] for row in rows
    ]
    ratio_headers = ["model", *(f"{p} / {REFERENCE[p]}" for p in REFERENCE)]
    ratio_headers += ["spread", "micro -O2 vs ref", "micro native vs ref", "emx / IREE vs ORT"]
    ratio_rows = []
    for row in rows:
        onnx_checks = "; ".join(
            f"{label}: {row.checks[label]}" for label in (*EMX, "IREE") if label in row.checks
        )
        ratio_rows.append(
            [
                row.model,
                *(_ratio_cell(row, p) for p in REFERENCE),
                f"{row.spread * 100:.0f}%" if row.ms else EMPTY,
                row.checks.get("micro -O2", EMPTY),
                row.checks.get("micro native", EMPTY),
                onnx_checks or EMPTY,
            ]
        )
    build_headers = [
        "model",
        "ONNX file of the ONNX peers",
        "micro-convert s",
        "emx-onnx-cgen s",
        "IREE import + compile s",
        "micro -O2 instructions",
        "emx -O2 instructions",
        "emx / micro instructions",
    ]
    build_rows = []
    for row in rows:
        model = models.get(row.model)
        micro_insns = row.instructions.get("micro")
        emx_insns = row.instructions.get("emx")
        convert = _seconds(row.convert_s)
        if row.convert_s is None and "micro -O2" in row.errors:
            convert = f"refused: {one_line(row.errors['micro -O2'], 60)}"
        build_rows.append(
            [
                row.model,
                row.onnx_file or ("the model" if model and not model.is_tflite else EMPTY),
                convert,
                _seconds(row.emx_s),
                _seconds(row.iree_s),
                fmt_int(micro_insns) if micro_insns else row.instruction_errors.get("micro", EMPTY),
                fmt_int(emx_insns) if emx_insns else row.instruction_errors.get("emx", EMPTY),
                fmt_ratio(emx_insns / micro_insns) if micro_insns and emx_insns else EMPTY,
            ]
        )
    notes = [n for row in rows for n in row.notes]
    floor_parts = [f"a trivial bound C method ((0).bit_length) {floor.c_call_us:.3f} µs"]
    floor_parts += [f"{k} {v:.2f} µs" for k, v in floor.invoke_us.items()]
    floor_parts += [f"{k}: {v}" for k, v in floor.errors.items()]
    flags = significant_flags(command) or "unknown"
    lines = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} at micro commit {git_revision()}.",
        "",
        f"- machine: {cpu_model()}, {os.cpu_count()} logical CPUs ({cpu_simd()}), "
        f"{platform.system()} {platform.release()}; shared with other work: load average "
        f"{load[0]} at the start, {load[1]} at the end",
        f"- micro: generated C built by CMake (Release), compiler {compiler_version(command)}; "
        f"`CMAKE_C_FLAGS_RELEASE` = `{FLAVOURS['-O2']}` (micro -O2) or `{FLAVOURS['native']}` "
        f"(micro native); a kernel source of the -O2 build compiles with `{flags}`",
        f"- emx-onnx-cgen {version('emx-onnx-cgen')}: `emx-onnx-cgen compile model.onnx "
        "model.c`, then model.c and a timing driver (two translation units) built with "
        f"the same compiler and `-std=c99` plus micro's flags, `{FLAVOURS['-O2']}` (emx -O2) "
        f"or `{FLAVOURS['native']}` (emx native)",
        f"- IREE {version('iree-base-compiler')} (compiler) / {version('iree-base-runtime')} "
        f"(runtime): `iree-import-onnx` (models of opset < {IREE_MIN_OPSET} upgraded with "
        f"`--opset-version={IREE_MIN_OPSET}`), `iree-compile {' '.join(IREE_FLAGS)}`, run "
        "by `iree.runtime` with the `local-sync` driver (one thread), inputs already on the "
        "device",
        f"- peers: ai-edge-litert {version('ai-edge-litert')} (`num_threads=1`; default "
        "resolver with the XNNPACK delegate, and `OpResolverType.BUILTIN_REF`), tflite-micro "
        f"{version('tflite_micro')} (Python interpreter), onnxruntime {version('onnxruntime')} "
        "(CPU provider, `intra_op_num_threads=1`, `inter_op_num_threads=1`), Python "
        f"{platform.python_version()}, numpy {np.__version__}",
        f"- {settings}",
        "- Python call floor (median per call, timed like invoke()): "
        f"{'; '.join(floor_parts)} (TFLite peers: {FLOOR_MODEL}, 288 MACs; ORT and IREE: "
        "an ONNX Identity on one float)",
        "- x86 instructions: `valgrind --tool=callgrind --toggle-collect=MSModelPredict` on "
        "micro's benchmark (one inference, no warm-up) and `--toggle-collect=model` on emx's "
        f"driver, both -O2 builds; valgrind {tool_version(['valgrind', '--version'])}",
        "",
        "Time per inference (ms); a runtime that refuses or fails a model gives its reason; "
        "`-`: the runtime does not take this kind of file (LiteRT and TFLM: .tflite; ORT, "
        "emx and IREE: .onnx, for TFLite models the conversion named in the last table).",
        "",
        markdown_table(time_headers, time_rows, "l" + "r" * len(RUNTIMES)),
        "",
        "Ratios, each to the micro build named in its header (> 1: micro is faster), and "
        "outputs against the reference on the same input (micro: LiteRT's reference "
        "kernels, else onnxruntime; emx and IREE: onnxruntime).",
        "",
        markdown_table(ratio_headers, ratio_rows, "l" + "r" * (len(REFERENCE) + 1) + "lll"),
        "",
        "Compile time (wall clock, one run each, including the tools' start-up) and x86 "
        "instructions of one inference.",
        "",
        markdown_table(build_headers, build_rows, "ll" + "r" * 6),
    ]
    if notes:
        lines.append("")
        lines += [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n"


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def _summary(row: SpeedRow) -> str:
    return ", ".join(f"{k} {fmt_ms(v)}" for k, v in row.ms.items()) or "nothing timed"


def main() -> int:
    parser = argparse.ArgumentParser(
        description="micro's generated C vs LiteRT, TFLM, onnxruntime, emx-onnx-cgen, IREE."
    )
    parser.add_argument("models", nargs="*", help="model names or parts of names (default: all)")
    parser.add_argument(
        "--write", action="store_true", help=f"replace the speed section of {DOC.name}"
    )
    parser.add_argument("--quick", action="store_true", help="3 rounds of 0.25 s batches")
    parser.add_argument("--rounds", type=int, default=None, help="timed batches (default 5)")
    parser.add_argument(
        "--min-time", type=float, default=None, help="seconds per batch (default 0.5)"
    )
    parser.add_argument("--compiler", default="", help="C compiler (default: cc)")
    parser.add_argument("--no-callgrind", action="store_true", help="skip instruction counts")
    parser.add_argument("--work", type=Path, help="keep the projects and builds in this folder")
    parser.add_argument("--json", type=Path, help="also write the measurements as JSON")
    args = parser.parse_args()
    rounds = args.rounds or (3 if args.quick else 5)
    min_time = args.min_time or (0.25 if args.quick else 0.5)
    if rounds < 1 or min_time <= 0:
        raise BenchError("--rounds must be at least 1 and --min-time positive")
    models = select_models(args.models)
    if args.write and args.models:
        raise BenchError("--write records every model: drop the model names")
    start = time.perf_counter()
    load_start = loadavg()
    with tempfile.TemporaryDirectory(prefix="micro-bench-") as scratch:
        root = args.work.resolve() if args.work else Path(scratch)
        prepared: list[Prepared] = []
        for i, model in enumerate(models, 1):
            print(f"[{i}/{len(models)}] build {model.name}", file=sys.stderr, flush=True)
            try:
                item = prepare(model, root / re.sub(r"\W", "_", model.name), args.compiler)
            except StepError as error:  # the model's own files cannot be read
                item = Prepared(model, [], [], errors={r: str(error) for r in RUNTIMES})
            for label, reason in item.errors.items():
                print(f"    {label}: {reason}", file=sys.stderr)
            prepared.append(item)
        print("Python call floor ...", file=sys.stderr, flush=True)
        floor = measure_floor(rounds, min(min_time, 0.2), root / "_floor")
        rows = []
        for i, item in enumerate(prepared, 1):
            print(f"[{i}/{len(models)}] time {item.model.name}", file=sys.stderr, flush=True)
            if not item.inputs:
                rows.append(SpeedRow(item.model.name, errors=dict(item.errors)))
                continue
            row = measure_model(item, rounds, min_time)
            if not args.no_callgrind:
                count_instructions(item, row, root)
            rows.append(row)
            print(f"    ms: {_summary(row)}; spread {row.spread * 100:.0f}%", file=sys.stderr)
        command = next((b.command for p in prepared for b in p.micro.values() if b.command), [])
    settings = (
        f"{rounds} rounds; each batch at least {min_time:g} s of timed inference; "
        f"inputs seeded with {SEED}; run time {time.perf_counter() - start:.0f} s"
    )
    body = render(
        rows, {m.name: m for m in models}, floor, command, settings, (load_start, loadavg())
    )
    print(body)
    if args.json:
        data = {"rows": [asdict(r) for r in rows], "floor": asdict(floor), "reference": REFERENCE}
        args.json.write_text(json.dumps(data, indent=1))
    if args.write:
        replace_section("speed", body)
        print(f"wrote the speed section of {DOC}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    run_main(main)
