"""
Inference time of micro's generated C against LiteRT (XNNPACK), LiteRT's reference
kernels and the tflite-micro interpreter, on the models of ../shared/models/tflite.

    .venv/bin/python bench/speed.py                     # all models, print the table
    .venv/bin/python bench/speed.py vww kws_ref_model   # some models (names or parts)
    .venv/bin/python bench/speed.py --quick             # fewer, shorter rounds
    .venv/bin/python bench/speed.py --write             # and replace the speed section
                                                        # of docs/benchmarks.md

First every model is converted with micro-convert and built with CMake (Release, the
generated CMakeLists' own flags); then, one model at a time, each runtime is calibrated
to a batch of at least --min-time seconds of timed inference, and --rounds batches of
each are timed in alternating order (micro, LiteRT, LiteRT ref, TFLM, then the reverse,
...). A runtime's figure is the median over its batches of the per-inference time.
All runtimes are single-threaded, get the same seeded random inputs, and time only the
inference call: micro's benchmark times MSModelPredict, the Python peers invoke(), with
the inputs written again, untimed, before every call. The machine is shared, so only
the ratios (peer / micro, same run, interleaved) mean much.
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata
import json
import math
import os
import platform
import re
import shlex
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import tflite
from benchlib import (
    DOC,
    EMPTY,
    MODELS,
    BenchError,
    captured_stderr,
    fmt_ratio,
    git_revision,
    import_test_helpers,
    markdown_table,
    model_paths,
    one_line,
    replace_section,
    run_main,
)

import_test_helpers()

from conftest import convert  # noqa: E402

SEED = 0
FLOOR_MODEL = "hello_world_float.tflite"
PEERS = ("LiteRT", "LiteRT ref", "TFLM")
_DTYPES = {
    tflite.TensorType.FLOAT32: np.float32,
    tflite.TensorType.INT8: np.int8,
    tflite.TensorType.UINT8: np.uint8,
    tflite.TensorType.INT16: np.int16,
    tflite.TensorType.INT32: np.int32,
    tflite.TensorType.INT64: np.int64,
    tflite.TensorType.BOOL: np.bool_,
}


class StepError(Exception):
    """A step failed for one model or one runtime; the message is one line."""


# ------------------------------------------------------------------ model inputs / outputs


@dataclass(frozen=True)
class TensorSpec:
    name: str
    shape: tuple[int, ...]
    dtype: np.dtype

    @property
    def size(self) -> int:
        return math.prod(self.shape)


def io_specs(path: Path) -> tuple[list[TensorSpec], list[TensorSpec]]:
    """The first subgraph's inputs and outputs, in the file's order."""
    model = tflite.Model.GetRootAs(path.read_bytes(), 0)
    graph = model.Subgraphs(0)

    def spec(index: int) -> TensorSpec:
        tensor = graph.Tensors(index)
        if tensor.Type() not in _DTYPES:
            raise StepError(f"tensor {tensor.Name().decode()} has an unsupported type")
        shape = tuple(int(d) for d in tensor.ShapeAsNumpy())
        return TensorSpec(tensor.Name().decode(), shape, np.dtype(_DTYPES[tensor.Type()]))

    inputs = [spec(int(i)) for i in graph.InputsAsNumpy()]
    outputs = [spec(int(i)) for i in graph.OutputsAsNumpy()]
    return inputs, outputs


def random_inputs(specs: Sequence[TensorSpec], seed: int = SEED) -> list[np.ndarray]:
    """Seeded inputs: floats uniform in [-1, 1), integers uniform over their whole range."""
    rng = np.random.default_rng(seed)
    arrays = []
    for spec in specs:
        if spec.dtype.kind == "f":
            arrays.append(rng.uniform(-1.0, 1.0, spec.shape).astype(spec.dtype))
        elif spec.dtype.kind == "b":
            arrays.append(rng.integers(0, 2, spec.shape).astype(np.bool_))
        else:
            info = np.iinfo(spec.dtype)
            arrays.append(rng.integers(info.min, info.max + 1, spec.shape, dtype=spec.dtype))
    return arrays


def reset_out_of_range_quantized_dimension(data: bytes) -> tuple[bytes, int]:
    """
    A copy of a .tflite in which every quantized_dimension beyond its tensor's rank is 0:
    LiteRT's verifier rejects such a field (person_detect's rank-1 biases carry 3), while
    tflite-micro and micro read the channel axis of a rank-1 tensor as 0 anyway.
    Returns the bytes and how many fields were reset.
    """
    buffer = bytearray(data)
    model = tflite.Model.GetRootAs(buffer, 0)
    count = 0
    for s in range(model.SubgraphsLength()):
        graph = model.Subgraphs(s)
        for t in range(graph.TensorsLength()):
            tensor = graph.Tensors(t)
            quant = tensor.Quantization()
            if quant is None or quant.QuantizedDimension() < max(tensor.ShapeLength(), 1):
                continue
            offset = quant._tab.Offset(16)  # QuantizationParameters.quantized_dimension
            struct.pack_into("<i", buffer, quant._tab.Pos + offset, 0)
            count += 1
    return bytes(buffer), count


# ------------------------------------------------------------------ micro: convert, build, run


@dataclass
class MicroBuild:
    benchmark: Path
    weights: Path
    inputs_arg: str
    dump: Path
    command: list[str]  # the compiler command of one kernel source


def _error_line(text: str) -> str:
    """The first line mentioning an error, with the next ones while it ends with ':'."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for i, line in enumerate(lines):
        if re.search(r"\berror\b", line, re.IGNORECASE):
            for following in lines[i + 1 : i + 4]:
                if not line.endswith(":"):
                    break
                line = f"{line} {following}"
            return one_line(line)
    return one_line(text or "(no output)")


def build_micro(
    path: Path, work: Path, inputs: Sequence[np.ndarray], compiler: str, cflags: str
) -> MicroBuild:
    """micro-convert `path` into work/project, build it (CMake, Release) into work/build."""
    project, build = work / "project", work / "build"
    result = convert(path, project)
    if result.returncode != 0:
        raise StepError(f"micro-convert failed: {_error_line(result.stdout + result.stderr)}")
    configure = [
        "cmake",
        "-S",
        str(project),
        "-B",
        str(build),
        "-DCMAKE_BUILD_TYPE=Release",
        "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON",
        *([f"-DCMAKE_C_COMPILER={compiler}"] if compiler else []),
        *([f"-DCMAKE_C_FLAGS={cflags}"] if cflags else []),
    ]
    for step, argv in (
        ("configure", configure),
        ("build", ["cmake", "--build", str(build), "-j2"]),
    ):
        try:
            result = subprocess.run(argv, capture_output=True, text=True, timeout=900)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise StepError(f"cmake {step} failed: {error}") from None
        if result.returncode != 0:
            raise StepError(f"cmake {step} failed: {_error_line(result.stdout + result.stderr)}")
    paths = []
    for i, array in enumerate(inputs):
        file = work / f"input{i}.bin"
        file.write_bytes(np.ascontiguousarray(array).tobytes())
        paths.append(str(file))
    return MicroBuild(
        benchmark=build / "benchmark",
        weights=project / "src" / "net.bin",
        inputs_arg=",".join(paths),
        dump=work / "outputs.bin",
        command=kernel_command(build / "compile_commands.json"),
    )


def kernel_command(commands: Path) -> list[str]:
    """The compiler command CMake uses for a kernel source (src/kernels/*.c)."""
    try:
        entries = json.loads(commands.read_text())
    except (OSError, ValueError):
        return []
    for entry in entries:
        if "/kernels/" in entry.get("file", ""):
            return shlex.split(entry["command"]) if "command" in entry else entry["arguments"]
    return []


def significant_flags(command: Sequence[str]) -> str:
    """The flags of a compiler command, without include paths, outputs and the source."""
    flags, skip = [], False
    for arg in command[1:]:
        if skip:
            skip = False
        elif arg in ("-o", "-c", "-I", "-MF", "-MT"):
            skip = True
        elif not arg.startswith("-I"):
            flags.append(arg)
    return " ".join(flags)


_TIME = re.compile(r"total time: ([0-9.]+)ms, per time: ([0-9.]+)ms")


def run_micro(build: MicroBuild, loops: int, dump: bool = False) -> float:
    """Seconds of timed inference (MSModelPredict) over `loops` runs, one warm-up run."""
    argv = [str(build.benchmark), build.inputs_arg, str(build.weights), str(loops), "-", "1"]
    argv += ["0", "1", "0.9999"] + ([str(build.dump)] if dump else [])
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise StepError(f"benchmark failed: {error}") from None
    match = _TIME.search(result.stdout)
    if result.returncode != 0 or match is None:
        raise StepError(f"benchmark failed: {_error_line(result.stderr + result.stdout)}")
    return float(match.group(1)) / 1000.0


def read_dump(build: MicroBuild, outputs: Sequence[TensorSpec]) -> list[np.ndarray]:
    raw = build.dump.read_bytes()
    arrays, offset = [], 0
    for spec in outputs:
        nbytes = spec.size * spec.dtype.itemsize
        arrays.append(np.frombuffer(raw[offset : offset + nbytes], spec.dtype).reshape(spec.shape))
        offset += nbytes
    if offset != len(raw):
        raise StepError(f"the output dump holds {len(raw)} bytes, expected {offset}")
    return arrays


# ------------------------------------------------------------------ the Python-driven peers


_SOURCE_PREFIX = re.compile(r"^(?:ERROR:\s*)?\S+\.(?:cc|cpp|c|h)(?::\d+)?\s+")


def refusal_reason(error: BaseException, stderr: str) -> str:
    """One line: what the runtime logged (on fd 2) or else its exception message."""
    logged = [
        _SOURCE_PREFIX.sub("", line.strip()).removeprefix("ERROR: ")
        for line in stderr.splitlines()
        if line.strip() and not line.startswith(("INFO:", "WARNING:", "Node ", "Traceback"))
    ]
    text = logged[0] if logged else str(error) or type(error).__name__
    return one_line(re.sub(r"\.(?=[A-Za-z])", ".\n", text), 110)


class Peer:
    """A Python interpreter object fed with numpy inputs; `invoke` is what gets timed."""

    label = ""

    def __init__(self, inputs: Sequence[np.ndarray]) -> None:
        self.inputs = list(inputs)

    def set_inputs(self) -> None:
        raise NotImplementedError

    def invoke(self) -> None:
        raise NotImplementedError

    def get_outputs(self) -> list[np.ndarray]:
        raise NotImplementedError

    def run_once(self) -> list[np.ndarray]:
        self.set_inputs()
        self.invoke()
        return [np.array(o) for o in self.get_outputs()]

    def batch(self, count: int) -> float:
        """Seconds spent in `count` invoke() calls, inputs written again before each."""
        set_inputs, invoke, clock = self.set_inputs, self.invoke, time.perf_counter
        total = 0.0
        for _ in range(count):
            set_inputs()
            start = clock()
            invoke()
            total += clock() - start
        return total


class LiteRTPeer(Peer):
    def __init__(
        self, model: bytes, inputs: Sequence[np.ndarray], names: Sequence[str], reference: bool
    ) -> None:
        super().__init__(inputs)
        from ai_edge_litert.interpreter import Interpreter, OpResolverType

        resolver = OpResolverType.BUILTIN_REF if reference else OpResolverType.AUTO
        self.interpreter = Interpreter(
            model_content=model, num_threads=1, experimental_op_resolver_type=resolver
        )
        self.interpreter.allocate_tensors()
        details = self.interpreter.get_input_details()
        by_name = {d["name"]: d["index"] for d in details}
        if set(names) <= set(by_name):
            self.input_indices = [by_name[n] for n in names]
        else:
            self.input_indices = [d["index"] for d in details]
        self.output_indices = [d["index"] for d in self.interpreter.get_output_details()]
        self.invoke = self.interpreter.invoke  # type: ignore[method-assign]

    def set_inputs(self) -> None:
        for index, array in zip(self.input_indices, self.inputs, strict=True):
            self.interpreter.set_tensor(index, array)

    def get_outputs(self) -> list[np.ndarray]:
        return [self.interpreter.get_tensor(i) for i in self.output_indices]


class TflmPeer(Peer):
    def __init__(self, model: bytes, inputs: Sequence[np.ndarray], n_outputs: int) -> None:
        super().__init__(inputs)
        from tflite_micro.python.tflite_micro import runtime

        self.interpreter = runtime.Interpreter.from_bytes(model)
        self.n_outputs = n_outputs
        self.invoke = self.interpreter.invoke  # type: ignore[method-assign]

    def set_inputs(self) -> None:
        for index, array in enumerate(self.inputs):
            self.interpreter.set_input(array, index)

    def get_outputs(self) -> list[np.ndarray]:
        return [self.interpreter.get_output(i) for i in range(self.n_outputs)]


def make_peer(factory: Callable[[], Peer]) -> tuple[Peer, list[np.ndarray]]:
    """Create a peer and run it once (a warm-up giving its outputs), quietly."""
    failure: Exception | None = None
    with captured_stderr() as logged:
        try:
            peer = factory()
            outputs = peer.run_once()
        except Exception as error:
            failure = error
    if isinstance(failure, ImportError):
        raise StepError(f"not installed ({failure.name})")
    if failure is not None:
        raise StepError(refusal_reason(failure, "".join(logged)))
    return peer, outputs


# ------------------------------------------------------------------ timing


@dataclass
class Timer:
    """One runtime for one model: `batch(count)` returns seconds of timed inference."""

    label: str
    batch: Callable[[int], float]
    count: int = 1
    samples: list[float] = field(default_factory=list)  # seconds per inference

    def calibrate(self, min_time: float) -> None:
        """Choose `count` so that one batch times at least `min_time` seconds."""
        count = 1
        while True:
            elapsed = self.batch(count)
            if elapsed >= 0.25 * min_time or count >= 10**8:
                break
            guess = math.ceil(count * 0.3 * min_time / max(elapsed, 1e-9))
            count = min(count * 1000, max(count * 2, guess))
        self.count = max(1, math.ceil(count * min_time * 1.05 / max(elapsed, 1e-9)))

    def measure(self) -> None:
        self.samples.append(self.batch(self.count) / self.count)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples) * 1000.0

    @property
    def spread(self) -> float:
        """(slowest - fastest) / median over the batches."""
        return (max(self.samples) - min(self.samples)) / statistics.median(self.samples)


def interleave(timers: Sequence[Timer], rounds: int, min_time: float) -> None:
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for timer in timers:
            timer.calibrate(min_time)
        for r in range(rounds):
            for timer in timers if r % 2 == 0 else reversed(timers):
                timer.measure()
    finally:
        if gc_was_enabled:
            gc.enable()


# ------------------------------------------------------------------ one model


@dataclass
class SpeedRow:
    model: str
    micro_ms: float | None = None
    micro_error: str = ""
    peers_ms: dict[str, float] = field(default_factory=dict)
    peer_errors: dict[str, str] = field(default_factory=dict)
    spread: float = 0.0
    check: str = EMPTY
    notes: list[str] = field(default_factory=list)


def compare(micro: Sequence[np.ndarray], reference: Sequence[np.ndarray]) -> str:
    """How far micro's outputs are from the reference: 'exact', '≤N LSB' or a relative max."""
    worst_int, worst_rel, is_float = 0, 0.0, False
    for mine, ref in zip(micro, reference, strict=True):
        mine, ref = np.asarray(mine).reshape(-1), np.asarray(ref).reshape(-1)
        if mine.shape != ref.shape:
            return "shape mismatch"
        if ref.dtype.kind == "f":
            is_float = True
            scale = float(np.max(np.abs(ref), initial=0.0)) or 1.0
            diff = np.abs(mine.astype(np.float64) - ref.astype(np.float64))
            worst_rel = max(worst_rel, float(diff.max(initial=0.0)) / scale)
        else:
            diff = np.abs(mine.astype(np.int64) - ref.astype(np.int64))
            worst_int = max(worst_int, int(diff.max(initial=0)))
    if is_float:
        return "exact" if worst_rel == 0.0 else f"{worst_rel:.0e} rel"
    return "exact" if worst_int == 0 else f"≤{worst_int} LSB"


def measure_model(path: Path, build: MicroBuild | str, rounds: int, min_time: float) -> SpeedRow:
    row = SpeedRow(path.stem)
    input_specs, output_specs = io_specs(path)
    inputs = random_inputs(input_specs)
    data = path.read_bytes()
    names = [s.name for s in input_specs]
    timers: list[Timer] = []
    micro_outputs: list[np.ndarray] | None = None
    if isinstance(build, str):
        row.micro_error = build
    else:
        try:
            run_micro(build, 1, dump=True)
            micro_outputs = read_dump(build, output_specs)
            timers.append(Timer("micro", lambda n, b=build: run_micro(b, n)))
        except StepError as error:
            row.micro_error = str(error)
    reference: tuple[str, list[np.ndarray]] | None = None
    factories: dict[str, Callable[[], Peer]] = {
        "LiteRT": lambda: LiteRTPeer(data, inputs, names, reference=False),
        "LiteRT ref": lambda: LiteRTPeer(data, inputs, names, reference=True),
        "TFLM": lambda: TflmPeer(data, inputs, len(output_specs)),
    }
    patched: bytes | None = None
    for label in PEERS:
        try:
            peer, outputs = make_peer(factories[label])
        except StepError as error:
            row.peer_errors[label] = str(error)
            if label.startswith("LiteRT") and "quantized_dimension" in str(error):
                if patched is None:
                    patched, fields = reset_out_of_range_quantized_dimension(data)
                    row.notes.append(
                        f"LiteRT refuses {path.name} ({error}); its LiteRT columns are "
                        f"measured on a copy whose {fields} out-of-range quantized_dimension "
                        "fields are reset to 0 (marked †)."
                    )
                model = patched
                try:
                    peer, outputs = make_peer(
                        lambda m=model, r=(label == "LiteRT ref"): LiteRTPeer(m, inputs, names, r)
                    )
                except StepError as again:
                    row.peer_errors[label] = f"{error}; patched copy: {again}"
                    continue
                row.peer_errors.pop(label)
                label = label + " †"
            else:
                continue
        if label.startswith("LiteRT ref") or (label == "TFLM" and reference is None):
            reference = (label, outputs)
        timers.append(Timer(label, peer.batch))
    if micro_outputs is not None and reference is not None:
        row.check = compare(micro_outputs, reference[1])
        if reference[0] != "LiteRT ref":
            row.check += f" (vs {reference[0]})"
    interleave(timers, rounds, min_time)
    for timer in timers:
        if timer.label == "micro":
            row.micro_ms = timer.median_ms
        else:
            row.peers_ms[timer.label] = timer.median_ms
    row.spread = max((t.spread for t in timers), default=0.0)
    return row


# ------------------------------------------------------------------ Python call floor


@dataclass
class Floor:
    c_call_us: float
    invoke_us: dict[str, float]
    errors: dict[str, str]


def measure_floor(rounds: int, min_time: float) -> Floor:
    """
    What a Python-timed call costs with nothing to compute: a trivial bound C method,
    and invoke() on hello_world_float (3 fully-connected layers, 288 MACs).
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
    path = MODELS / FLOOR_MODEL
    if path.is_file():
        input_specs, output_specs = io_specs(path)
        inputs, data = random_inputs(input_specs), path.read_bytes()
        names = [s.name for s in input_specs]
        factories: dict[str, Callable[[], Peer]] = {
            "LiteRT": lambda: LiteRTPeer(data, inputs, names, reference=False),
            "LiteRT ref": lambda: LiteRTPeer(data, inputs, names, reference=True),
            "TFLM": lambda: TflmPeer(data, inputs, len(output_specs)),
        }
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


def render(
    rows: Sequence[SpeedRow],
    floor: Floor,
    command: Sequence[str],
    settings: str,
    load: tuple[str, str],
) -> str:
    headers = ["model", "micro ms", *(f"{p} ms" for p in PEERS)]
    headers += [f"{p} / micro" for p in PEERS] + ["spread", "micro vs ref"]
    table_rows = []
    refusals: list[str] = []
    notes: list[str] = []
    for row in rows:
        micro = fmt_ms(row.micro_ms) if row.micro_ms is not None else "failed"
        if row.micro_error:
            refusals.append(f"micro on {row.model}: {row.micro_error}")
        times, ratios = [], []
        for peer in PEERS:
            key = next((k for k in row.peers_ms if k.split(" †")[0] == peer), None)
            if key is None:
                reason = row.peer_errors.get(peer, "not measured")
                times.append("refused" if peer in row.peer_errors else EMPTY)
                ratios.append(EMPTY)
                if peer in row.peer_errors:
                    refusals.append(f"{peer} on {row.model}: {reason}")
                continue
            mark = " †" if key.endswith("†") else ""
            times.append(fmt_ms(row.peers_ms[key]) + mark)
            ratios.append(
                fmt_ratio(row.peers_ms[key] / row.micro_ms) + mark if row.micro_ms else EMPTY
            )
        spread = f"{row.spread * 100:.0f}%"
        table_rows.append([row.model, micro, *times, *ratios, spread, row.check])
        notes.extend(row.notes)
    table = markdown_table(headers, table_rows, "l" + "r" * (len(headers) - 2) + "l")
    floor_parts = [f"a trivial bound C method ((0).bit_length) {floor.c_call_us:.3f} µs"]
    floor_parts += [f"{k} invoke() {v:.2f} µs" for k, v in floor.invoke_us.items()]
    floor_parts += [f"{k}: {v}" for k, v in floor.errors.items()]
    lines = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} at micro commit {git_revision()}.",
        "",
        f"- machine: {cpu_model()}, {os.cpu_count()} logical CPUs ({cpu_simd()}), "
        f"{platform.system()} {platform.release()}; shared with other work: load average "
        f"{load[0]} at the start, {load[1]} at the end",
        f"- micro: generated C built by CMake (Release), compiler {compiler_version(command)}; "
        f"flags of a kernel source: `{significant_flags(command) or 'unknown'}`",
        f"- peers: ai-edge-litert {version('ai-edge-litert')} (`num_threads=1`; default "
        "resolver with the XNNPACK delegate, and `OpResolverType.BUILTIN_REF`), tflite-micro "
        f"{version('tflite_micro')} (Python interpreter), Python {platform.python_version()}, "
        f"numpy {np.__version__}",
        f"- {settings}",
        f"- Python call floor (median per call, timed like invoke()): {'; '.join(floor_parts)} "
        f"({FLOOR_MODEL}: 288 MACs)",
        "",
        table,
    ]
    if notes or refusals:
        lines.append("")
    lines += [f"- {n}" for n in notes]
    lines += [f"- refused / failed: {r}" for r in refusals]
    return "\n".join(lines) + "\n"


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def main() -> int:
    parser = argparse.ArgumentParser(
        description="micro's generated C vs LiteRT, LiteRT reference kernels and tflite-micro."
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
    parser.add_argument("--compiler", default="", help="C compiler for CMake (default: cc)")
    parser.add_argument(
        "--cflags", default="", help="extra CMAKE_C_FLAGS, e.g. -march=native (default: none)"
    )
    parser.add_argument("--work", type=Path, help="keep the projects and builds in this folder")
    args = parser.parse_args()
    rounds = args.rounds or (3 if args.quick else 5)
    min_time = args.min_time or (0.25 if args.quick else 0.5)
    if rounds < 1 or min_time <= 0:
        raise BenchError("--rounds must be at least 1 and --min-time positive")
    paths = model_paths(args.models)
    if args.write and args.models:
        raise BenchError("--write records every model: drop the model names")
    start = time.perf_counter()
    load_start = loadavg()
    with tempfile.TemporaryDirectory(prefix="micro-bench-") as scratch:
        root = args.work.resolve() if args.work else Path(scratch)
        builds: dict[Path, MicroBuild | str] = {}
        for i, path in enumerate(paths, 1):
            print(f"[{i}/{len(paths)}] build {path.stem}", file=sys.stderr, flush=True)
            work = root / path.stem
            work.mkdir(parents=True, exist_ok=True)
            try:
                inputs = random_inputs(io_specs(path)[0])
                builds[path] = build_micro(path, work, inputs, args.compiler, args.cflags)
            except StepError as error:
                builds[path] = str(error)
                print(f"    micro: {error}", file=sys.stderr)
        print("Python call floor ...", file=sys.stderr, flush=True)
        floor = measure_floor(rounds, min(min_time, 0.2))
        rows = []
        for i, path in enumerate(paths, 1):
            print(f"[{i}/{len(paths)}] time {path.stem}", file=sys.stderr, flush=True)
            try:
                row = measure_model(path, builds[path], rounds, min_time)
            except StepError as error:
                row = SpeedRow(path.stem, micro_error=str(error))
            rows.append(row)
            summary = ", ".join(
                [f"micro {fmt_ms(row.micro_ms)}"]
                + [f"{k} {fmt_ms(v)}" for k, v in row.peers_ms.items()]
            )
            print(f"    ms: {summary}; spread {row.spread * 100:.0f}%", file=sys.stderr)
        command = next((b.command for b in builds.values() if isinstance(b, MicroBuild)), [])
    settings = (
        f"{rounds} rounds; each batch at least {min_time:g} s of timed inference; "
        f"inputs seeded with {SEED}; run time {time.perf_counter() - start:.0f} s"
    )
    body = render(rows, floor, command, settings, (load_start, loadavg()))
    print(body)
    if args.write:
        replace_section("speed", body)
        print(f"wrote the speed section of {DOC}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    run_main(main)
