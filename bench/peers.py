"""
The runtimes bench/speed.py times, each behind one small interface: micro's generated
project (converted, built with CMake in a given flavour of flags, run through its
benchmark program), the Python-driven interpreters (LiteRT with and without XNNPACK,
the tflite-micro interpreter, onnxruntime, IREE's runtime) and emx-onnx-cgen's generated
C (built with micro's flags, run by a small driver written here). Also the model
input/output specs, seeded inputs and x86 instruction counts under callgrind.
"""

from __future__ import annotations

import gc
import json
import math
import re
import shlex
import shutil
import statistics
import struct
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import tflite
from benchlib import Model, captured_stderr, micro_convert_argv, one_line

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


FLAVOURS = {"-O2": "-O2 -DNDEBUG", "native": "-O3 -march=native -DNDEBUG"}
"""Builds of generated C: micro's CMake Release flags (CMAKE_C_FLAGS_RELEASE) and emx's."""


@dataclass
class MicroProject:
    """micro-convert's output for one model, and how long micro-convert took."""

    project: Path
    seconds: float


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
            return one_line(re.sub(r"^error:\s*", "", line))
    return one_line(text or "(no output)")


def convert_micro(model: Model, work: Path) -> MicroProject:
    """micro-convert `model` into work/project, timed (wall clock, the CLI as users run it)."""
    project = work / "project"
    start = time.perf_counter()
    try:
        result = subprocess.run(
            micro_convert_argv(model, project), capture_output=True, text=True, timeout=900
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise StepError(f"micro-convert failed: {error}") from None
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise StepError(_error_line(result.stdout + result.stderr))
    return MicroProject(project, seconds)


def write_inputs(work: Path, inputs: Sequence[np.ndarray]) -> str:
    """The inputs as raw files in `work`; returns them comma-separated (benchmark syntax)."""
    paths = []
    for i, array in enumerate(inputs):
        file = work / f"input{i}.bin"
        file.write_bytes(np.ascontiguousarray(array).tobytes())
        paths.append(str(file))
    return ",".join(paths)


def build_micro(
    project: MicroProject, work: Path, inputs: Sequence[np.ndarray], flavour: str, compiler: str
) -> MicroBuild:
    """Build the project with CMake (Release, CMAKE_C_FLAGS_RELEASE = the flavour's flags)."""
    build = work / f"build{flavour.replace('-', '')}"
    configure = [
        "cmake",
        "-S",
        str(project.project),
        "-B",
        str(build),
        "-DCMAKE_BUILD_TYPE=Release",
        f"-DCMAKE_C_FLAGS_RELEASE={FLAVOURS[flavour]}",
        "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON",
        *([f"-DCMAKE_C_COMPILER={compiler}"] if compiler else []),
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
    return MicroBuild(
        benchmark=build / "benchmark",
        weights=project.project / "src" / "net.bin",
        inputs_arg=write_inputs(work, inputs),
        dump=work / f"outputs{flavour.replace('-', '')}.bin",
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


def micro_argv(build: MicroBuild, loops: int, warmup: int, dump: bool = False) -> list[str]:
    argv = [str(build.benchmark), build.inputs_arg, str(build.weights), str(loops), "-", "1"]
    return argv + ["0", str(warmup), "0.9999"] + ([str(build.dump)] if dump else [])


def run_micro(build: MicroBuild, loops: int, dump: bool = False) -> float:
    """Seconds of timed inference (MSModelPredict) over `loops` runs, one warm-up run."""
    argv = micro_argv(build, loops, 1, dump)
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise StepError(f"benchmark failed: {error}") from None
    match = _TIME.search(result.stdout)
    if result.returncode != 0 or match is None:
        raise StepError(f"benchmark failed: {_error_line(result.stderr + result.stdout)}")
    return float(match.group(1)) / 1000.0


def read_dump(dump: Path, outputs: Sequence[TensorSpec]) -> list[np.ndarray]:
    raw = dump.read_bytes()
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


# ------------------------------------------------------------------ ONNX models

_ONNX_DTYPES = {1: np.float32, 2: np.uint8, 3: np.int8, 5: np.int16, 6: np.int32, 7: np.int64}


@dataclass
class OnnxModel:
    """An ONNX file with its symbolic dimensions set to 1 (what the ONNX peers run)."""

    path: Path
    graph_name: str
    opset: int
    inputs: list[TensorSpec]
    outputs: list[TensorSpec]


def prepare_onnx(source: Path, work: Path) -> OnnxModel:
    """A copy of `source` in `work` whose symbolic dimensions are 1, and its I/O specs."""
    import onnx

    model = onnx.load(str(source))
    initializers = {i.name for i in model.graph.initializer}

    def specs(values: Sequence[onnx.ValueInfoProto]) -> list[TensorSpec]:
        found = []
        for value in values:
            if value.name in initializers:
                continue
            tensor = value.type.tensor_type
            for dim in tensor.shape.dim:
                if not dim.HasField("dim_value"):
                    dim.dim_value = 1  # replaces dim_param (a oneof)
            if tensor.elem_type not in _ONNX_DTYPES:
                raise StepError(f"ONNX tensor {value.name} has an unsupported element type")
            shape = tuple(int(d.dim_value) for d in tensor.shape.dim)
            found.append(TensorSpec(value.name, shape, np.dtype(_ONNX_DTYPES[tensor.elem_type])))
        return found

    inputs, outputs = specs(model.graph.input), specs(model.graph.output)
    path = work / "model.onnx"
    onnx.save(model, str(path))
    opset = max((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), default=0)
    return OnnxModel(path, model.graph.name, opset, inputs, outputs)


def onnx_inputs(model: OnnxModel, arrays: Sequence[np.ndarray]) -> list[np.ndarray]:
    """The benchmark's inputs in the ONNX model's shapes (same data, same order)."""
    if len(arrays) != len(model.inputs):
        raise StepError(f"the ONNX file has {len(model.inputs)} inputs, the model {len(arrays)}")
    converted = []
    for spec, array in zip(model.inputs, arrays, strict=True):
        if array.size != spec.size or array.dtype != spec.dtype:
            raise StepError(f"ONNX input {spec.name} is {spec.dtype}{list(spec.shape)}")
        converted.append(np.ascontiguousarray(array.reshape(spec.shape)))
    return converted


class OrtPeer(Peer):
    """onnxruntime's CPU execution provider, one thread."""

    def __init__(self, model: OnnxModel, inputs: Sequence[np.ndarray]) -> None:
        super().__init__(inputs)
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 3
        self.session = ort.InferenceSession(
            str(model.path), options, providers=["CPUExecutionProvider"]
        )
        self.feed = {s.name: a for s, a in zip(model.inputs, inputs, strict=True)}
        self.names = [s.name for s in model.outputs]
        self.results: list[np.ndarray] = []
        run, feed, names = self.session.run, self.feed, self.names

        def invoke() -> None:
            self.results = run(names, feed)

        self.invoke = invoke  # type: ignore[method-assign]

    def set_inputs(self) -> None:
        pass  # run() reads the feed afresh on every call

    def get_outputs(self) -> list[np.ndarray]:
        return self.results


IREE_FLAGS = [
    "--iree-hal-target-device=local",
    "--iree-hal-local-target-device-backends=llvm-cpu",
    "--iree-llvmcpu-target-cpu=host",
]
IREE_MIN_OPSET = 17
"""iree-import-onnx upgrades older models to this opset (its --opset-version): IREE's
ONNX lowering does not legalize, e.g., opset-8 MaxPool or opset-9 BatchNormalization."""


def _tool(name: str) -> str:
    path = Path(sys.executable).parent / name
    return str(path) if path.exists() else name


def compile_iree(model: OnnxModel, work: Path) -> Path:
    """iree-import-onnx then iree-compile for the host CPU; returns the .vmfb."""
    mlir, vmfb = work / "model.mlir", work / "model.vmfb"
    upgrade = [f"--opset-version={IREE_MIN_OPSET}"] if model.opset < IREE_MIN_OPSET else []
    steps = [
        [_tool("iree-import-onnx"), str(model.path), *upgrade, "-o", str(mlir)],
        [_tool("iree-compile"), str(mlir), *IREE_FLAGS, "-o", str(vmfb)],
    ]
    for argv in steps:
        try:
            result = subprocess.run(argv, capture_output=True, text=True, timeout=1800)
        except OSError:
            raise StepError(f"not installed ({Path(argv[0]).name})") from None
        except subprocess.TimeoutExpired:
            raise StepError(f"{Path(argv[0]).name} timed out") from None
        if result.returncode != 0:
            raise StepError(f"{Path(argv[0]).name}: {_error_line(result.stderr + result.stdout)}")
    return vmfb


class IreePeer(Peer):
    """IREE's runtime, `local-sync` driver (inline on the calling thread), inputs on device."""

    def __init__(self, model: OnnxModel, vmfb: Path, inputs: Sequence[np.ndarray]) -> None:
        super().__init__(inputs)
        import iree.runtime as ireert

        config = ireert.Config("local-sync")
        context = ireert.SystemContext(config=config)
        context.add_vm_module(ireert.VmModule.copy_buffer(context.instance, vmfb.read_bytes()))
        function = context.modules.module[model.graph_name]
        args = [ireert.asdevicearray(config.device, a) for a in inputs]
        self.context = context
        self.results: list[np.ndarray] = []

        def invoke() -> None:
            self.results = function(*args)

        self.invoke = invoke  # type: ignore[method-assign]

    def set_inputs(self) -> None:
        pass  # the inputs stay on the device; nothing overwrites them

    def get_outputs(self) -> list[np.ndarray]:
        results = self.results if isinstance(self.results, list | tuple) else [self.results]
        return [np.asarray(r.to_host()) for r in results]


# ------------------------------------------------------------------ emx-onnx-cgen

_EMX_DRIVER = """\
/* Times emx-onnx-cgen's model() as micro's benchmark times MSModelPredict. */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* model.c is its own translation unit, as in an application: no inlining across. */
void model();
_Bool model_load();

{buffers}
static double now_ms(void) {{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}}

static int read_input(const char *path, void *buffer, size_t size) {{
  FILE *file = fopen(path, "rb");
  size_t got = file ? fread(buffer, 1, size, file) : 0;
  if (file) fclose(file);
  return got == size ? 0 : -1;
}}

/* driver weights.bin|- loops warmup dump.bin|- input0.bin ... */
int main(int argc, char **argv) {{
  long loops, warmup, i;
  double total = 0.0;
  if (argc < 5 + {n_in}) return 2;
  loops = atol(argv[2]);
  warmup = atol(argv[3]);
  if (!model_load(argv[1])) return 1;
{read}
  for (i = 0; i < warmup + loops; ++i) {{
    double start;
{copy}
    start = now_ms();
    model({args});
    if (i >= warmup) total += now_ms() - start;
  }}
  printf("total time: %.5fms, per time: %.5fms\\n", total, total / (double)(loops ? loops : 1));
  if (strcmp(argv[4], "-") != 0) {{
    FILE *dump = fopen(argv[4], "wb");
    if (!dump) return 1;
{dump}
    fclose(dump);
  }}
  return 0;
}}
"""


@dataclass
class EmxBuild:
    driver: Path
    weights: str
    inputs: list[Path]
    dump: Path
    flags: str


def _c_buffer(name: str, size: int) -> str:
    return f"static unsigned long long {name}[{max(1, (size + 7) // 8)}];"


def generate_emx(model: OnnxModel, work: Path) -> Path:
    """emx-onnx-cgen's C for the model (work/emx/model.c, weights maybe in model.bin)."""
    out = work / "emx"
    out.mkdir(parents=True, exist_ok=True)
    argv = [_tool("emx-onnx-cgen"), "compile", str(model.path), str(out / "model.c")]
    argv += ["--model-name", "model", "--color", "never"]
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=1800)
    except OSError:
        raise StepError("not installed (emx-onnx-cgen)") from None
    except subprocess.TimeoutExpired:
        raise StepError("emx-onnx-cgen timed out") from None
    if result.returncode != 0 or not (out / "model.c").is_file():
        text = result.stdout + result.stderr
        reason = next(
            (ln.strip() for ln in text.splitlines() if ln.strip().startswith("Result:")), text
        )
        raise StepError(one_line(reason.removeprefix("Result:").strip(), 110))
    return out


def build_emx(
    model: OnnxModel, source: Path, inputs: Sequence[np.ndarray], flavour: str, compiler: str
) -> EmxBuild:
    """Compile the driver around emx's model.c with the flavour's flags (as micro's kernels)."""
    buffers, read, copy, dump, args = [], [], [], [], []
    for i, spec in enumerate(model.inputs):
        nbytes = spec.size * spec.dtype.itemsize
        buffers += [_c_buffer(f"in{i}", nbytes), _c_buffer(f"src{i}", nbytes)]
        read.append(f"  if (read_input(argv[{5 + i}], src{i}, {nbytes}) != 0) return 1;")
        copy.append(f"    memcpy(in{i}, src{i}, {nbytes});")
        args.append(f"(void *)in{i}")
    for i, spec in enumerate(model.outputs):
        nbytes = spec.size * spec.dtype.itemsize
        buffers.append(_c_buffer(f"out{i}", nbytes))
        dump.append(f"    fwrite(out{i}, 1, {nbytes}, dump);")
        args.append(f"(void *)out{i}")
    text = _EMX_DRIVER.format(
        buffers="\n".join(buffers),
        n_in=len(model.inputs),
        read="\n".join(read),
        copy="\n".join(copy),
        dump="\n".join(dump),
        args=", ".join(args),
    )
    tag = flavour.replace("-", "")
    driver_c = source / f"driver_{tag}.c"
    driver_c.write_text(text)
    exe = source / f"driver_{tag}"
    flags = f"-std=c99 {FLAVOURS[flavour]}"
    argv = [
        compiler or "cc",
        *flags.split(),
        str(source / "model.c"),
        str(driver_c),
        "-o",
        str(exe),
    ]
    try:
        result = subprocess.run([*argv, "-lm"], capture_output=True, text=True, timeout=1800)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise StepError(f"build failed: {error}") from None
    if result.returncode != 0:
        raise StepError(f"build failed: {_error_line(result.stderr)}")
    paths = []
    for i, array in enumerate(inputs):
        path = source / f"input{i}.bin"
        path.write_bytes(np.ascontiguousarray(array).tobytes())
        paths.append(path)
    weights = source / "model.bin"  # emx's weight file, when the weights are large
    return EmxBuild(
        exe,
        str(weights) if weights.is_file() else "-",
        paths,
        source / f"outputs_{tag}.bin",
        flags,
    )


def emx_argv(build: EmxBuild, loops: int, warmup: int, dump: bool = False) -> list[str]:
    return [
        str(build.driver),
        build.weights,
        str(loops),
        str(warmup),
        str(build.dump) if dump else "-",
        *map(str, build.inputs),
    ]


def run_emx(build: EmxBuild, loops: int, dump: bool = False) -> float:
    """Seconds in `loops` timed model() calls, after one warm-up call."""
    try:
        result = subprocess.run(
            emx_argv(build, loops, 1, dump), capture_output=True, text=True, timeout=900
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise StepError(f"run failed: {error}") from None
    match = _TIME.search(result.stdout)
    if result.returncode != 0 or match is None:
        raise StepError(f"run failed (exit {result.returncode}): {_error_line(result.stderr)}")
    return float(match.group(1)) / 1000.0


# ------------------------------------------------------------------ x86 instruction counts


def callgrind_count(argv: Sequence[str], function: str, work: Path) -> int:
    """
    Instructions executed inside `function` (and what it calls) during `argv`:
    `valgrind --tool=callgrind --toggle-collect=<function>`, the Ir total of the run.
    """
    if shutil.which("valgrind") is None:
        raise StepError("valgrind is not installed")
    out = work / f"callgrind.{function}.out"
    command = [
        "valgrind",
        "--tool=callgrind",
        f"--toggle-collect={function}",
        f"--callgrind-out-file={out}",
        *argv,
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise StepError(f"callgrind failed: {error}") from None
    if result.returncode != 0 or not out.is_file():
        raise StepError(f"callgrind failed: {_error_line(result.stderr)}")
    for line in out.read_text(errors="replace").splitlines():
        if line.startswith(("summary:", "totals:")):
            return int(line.split()[1])
    raise StepError("callgrind wrote no totals")
