"""
Shared helpers for micro's pytest suite: where the shared models are, which C compilers
exist, and how to convert a model, build the generated project and run its benchmark.

Models come from `../shared/models` (beside the repository); tests that need them skip
with that reason when the folder is absent.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

# The ONNX conformance bookkeeping (tests/test_onnx_backend.py): its hooks live beside.
from onnx_conformance import (  # noqa: F401
    pytest_addoption,
    pytest_collection_modifyitems,
    pytest_runtest_logreport,
    pytest_sessionfinish,
)

REPO = Path(__file__).resolve().parent.parent
MODELS = REPO.parent / "shared" / "models"
EXAMPLES = REPO / "examples"

SANITIZE_FLAGS = "-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
SANITIZE_ENV = {
    "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0:halt_on_error=1",
    "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1",
}


def require_models() -> Path:
    if not MODELS.is_dir():
        pytest.skip(f"shared models folder {MODELS} is absent")
    return MODELS


def compilers() -> list[str]:
    """C compilers to build with: gcc always, clang too when installed."""
    found = [c for c in ("gcc", "clang") if shutil.which(c)]
    return found or ["cc"]


def clang_can_sanitize() -> bool:
    return shutil.which("clang") is not None and _probe_sanitizer("clang")


def _probe_sanitizer(compiler: str) -> bool:
    probe = Path(os.environ.get("TMPDIR", "/tmp")) / f"micro-sanitizer-probe-{compiler}"
    source = probe.with_suffix(".c")
    source.write_text("int main(void) { return 0; }\n")
    result = subprocess.run(
        [compiler, *SANITIZE_FLAGS.split(), str(source), "-o", str(probe)],
        capture_output=True,
    )
    return result.returncode == 0


@dataclass(frozen=True)
class Build:
    project: Path
    build_dir: Path

    @property
    def benchmark(self) -> Path:
        return self.build_dir / "benchmark"

    @property
    def weights(self) -> Path:
        return self.project / "src" / "net.bin"


def convert(
    model: Path,
    out: Path,
    config: Path | None = None,
    extra: Sequence[str] = (),
    fmk: str = "TFLITE",
) -> subprocess.CompletedProcess[str]:
    """Run micro-convert as a user would (its console script), return the result."""
    argv = [
        str(Path(sys.executable).parent / "micro-convert"),
        f"--fmk={fmk}",
        f"--modelFile={model}",
        f"--outputFile={out}",
        *([f"--configFile={config}"] if config else []),
        *extra,
    ]
    return subprocess.run(argv, capture_output=True, text=True)


def cmake_build(project: Path, build_dir: Path, compiler: str, sanitize: bool = False) -> Build:
    """Configure and build a generated project with warnings as errors."""
    flags = "-std=c99 -Wall -Wextra -Werror"
    build_type = "Release"
    if sanitize:
        flags += f" {SANITIZE_FLAGS} -g -O1"
        build_type = "Debug"
    configure = [
        "cmake",
        "-S",
        str(project),
        "-B",
        str(build_dir),
        f"-DCMAKE_C_COMPILER={compiler}",
        f"-DCMAKE_BUILD_TYPE={build_type}",
        f"-DCMAKE_C_FLAGS={flags}",
        "-DMICRO_WERROR=ON",
    ]
    if sanitize:
        configure.append(f"-DCMAKE_EXE_LINKER_FLAGS={SANITIZE_FLAGS}")
    result = subprocess.run(configure, capture_output=True, text=True)
    assert result.returncode == 0, f"cmake configure failed:\n{result.stdout}\n{result.stderr}"
    result = subprocess.run(
        ["cmake", "--build", str(build_dir), "-j", "2"], capture_output=True, text=True
    )
    assert result.returncode == 0, f"build failed:\n{result.stdout}\n{result.stderr}"
    return Build(project, build_dir)


def run_benchmark(
    build: Build,
    inputs: Sequence[np.ndarray],
    work: Path,
    output_dtypes: Sequence[np.dtype],
    output_sizes: Sequence[int],
    sanitize: bool = False,
    calib: Path | None = None,
    loops: int = 1,
) -> tuple[list[np.ndarray], subprocess.CompletedProcess[str]]:
    """Run the project's benchmark on `inputs`; return the dumped outputs (flat)."""
    paths = []
    for i, array in enumerate(inputs):
        path = work / f"input{i}.bin"
        path.write_bytes(np.ascontiguousarray(array).tobytes())
        paths.append(str(path))
    dump = work / "outputs.bin"
    argv = [
        str(build.benchmark),
        ",".join(paths),
        str(build.weights),
        str(loops),
        str(calib) if calib else "-",
        "1",
        "0",
        "0",
        "0.9999",
        str(dump),
    ]
    env = dict(os.environ, **(SANITIZE_ENV if sanitize else {}))
    result = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, f"benchmark failed:\n{result.stdout}\n{result.stderr}"
    assert "run success" in result.stdout
    raw = dump.read_bytes()
    outputs, offset = [], 0
    for dtype, count in zip(output_dtypes, output_sizes, strict=True):
        nbytes = np.dtype(dtype).itemsize * count
        outputs.append(np.frombuffer(raw[offset : offset + nbytes], dtype=dtype).copy())
        offset += nbytes
    assert offset == len(raw), f"dump holds {len(raw)} bytes, expected {offset}"
    return outputs, result


def assert_close_fp32(
    actual: np.ndarray,
    reference: np.ndarray,
    rel: float = 1e-5,
    abs_: float = 1e-6,
    what: str = "output",
) -> None:
    """|y - ref| <= rel * max|ref| + abs_, per tensor (the project's fp32 criterion)."""
    actual = actual.astype(np.float64).reshape(-1)
    reference = reference.astype(np.float64).reshape(-1)
    assert actual.shape == reference.shape
    bound = rel * float(np.max(np.abs(reference), initial=0.0)) + abs_
    error = np.abs(actual - reference)
    worst = int(np.argmax(error)) if error.size else 0
    assert float(error.max(initial=0.0)) <= bound, (
        f"{what}: max |y - ref| = {error.max():.3e} at {worst} "
        f"(y={actual[worst]!r}, ref={reference[worst]!r}) exceeds {bound:.3e}"
    )


def naive_live_set(model: Path) -> int:
    """
    The naive live set of a .tflite (as ../shared/models/MANIFEST.md defines it): the
    largest sum of non-constant tensor bytes live at one operator, in the file's order,
    with no aliasing. Computed from the file alone, independently of micro.
    """
    import tflite

    sizes = {
        tflite.TensorType.FLOAT32: 4,
        tflite.TensorType.INT8: 1,
        tflite.TensorType.UINT8: 1,
        tflite.TensorType.INT16: 2,
        tflite.TensorType.INT32: 4,
        tflite.TensorType.INT64: 8,
    }
    model_fb = tflite.Model.GetRootAs(model.read_bytes(), 0)
    graph = model_fb.Subgraphs(0)
    n_ops = graph.OperatorsLength()

    def constant(t: int) -> bool:
        buffer = graph.Tensors(t).Buffer()
        return buffer > 0 and model_fb.Buffers(buffer).DataLength() > 0

    first: dict[int, int] = {int(t): 0 for t in graph.InputsAsNumpy()}
    last: dict[int, int] = {}
    for i in range(n_ops):
        op = graph.Operators(i)
        for t in map(int, op.InputsAsNumpy()):
            if t >= 0 and not constant(t):
                first.setdefault(t, i)
                last[t] = i
        for t in map(int, op.OutputsAsNumpy()):
            first.setdefault(t, i)
            last.setdefault(t, i)
    for t in map(int, graph.OutputsAsNumpy()):
        last[t] = n_ops - 1

    def nbytes(t: int) -> int:
        tensor = graph.Tensors(t)
        return int(np.prod(tensor.ShapeAsNumpy())) * sizes[tensor.Type()]

    return max(
        sum(nbytes(t) for t in first if first[t] <= i <= last.get(t, first[t]))
        for i in range(n_ops)
    )


@dataclass(frozen=True)
class TflmArena:
    """What the tflite-micro interpreter's recording allocator reports for a model."""

    total: int  # the arena a TFLM user must provide
    head: int  # activations and scratch (the planned, non-persistent part)
    tail: int  # persistent: tensor structs, per-channel quantization, kernel data


def tflm_arena(model: Path) -> TflmArena:
    """
    Arena bytes the `tflite-micro` interpreter needs for `model`, read from its
    RecordingMicroAllocator (printed by C code, hence the subprocess).
    """
    script = (
        "import sys\n"
        "from tflite_micro.python.tflite_micro import runtime\n"
        "runtime.Interpreter.from_file(sys.argv[1]).print_allocations()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(model)], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, f"tflite-micro failed on {model.name}:\n{result.stderr}"
    found: dict[str, int] = {}
    for line in (result.stdout + result.stderr).splitlines():  # it logs to stderr
        parts = line.split()
        if "Arena allocation" in line and len(parts) >= 6:
            found[parts[3]] = int(parts[4])
    assert {"total", "head", "tail"} <= set(found), result.stdout + result.stderr
    return TflmArena(found["total"], found["head"], found["tail"])


def compile_project(project: Path, exe: Path, compiler: str = "gcc", extra: str = "") -> Path:
    """Build a generated project's benchmark directly (no CMake), warnings as errors."""
    sources = [*sorted(project.glob("src/**/*.c")), *sorted(project.glob("benchmark/*.c"))]
    includes = [
        "-I",
        str(project / "include"),
        "-I",
        str(project),
        "-I",
        str(project / "src"),
        "-I",
        str(project / "src" / "kernels"),
    ]
    argv = [
        compiler,
        "-std=c99",
        "-O2",
        "-Wall",
        "-Wextra",
        "-Werror",
        *extra.split(),
        *includes,
        *map(str, sources),
        "-o",
        str(exe),
        "-lm",
    ]
    result = subprocess.run(argv, capture_output=True, text=True)
    assert result.returncode == 0, f"compile failed:\n{result.stderr}"
    return exe


def run_model_bytes(
    model: bytes,
    inputs: Sequence[np.ndarray],
    work: Path,
    compiler: str = "gcc",
    extra_flags: str = "",
    sanitize: bool = False,
    output_specs: Sequence[tuple[tuple[int, ...], np.dtype]] | None = None,
) -> list[np.ndarray]:
    """
    Convert a TFLite model (bytes) with micro-convert, build it, run it on `inputs`.
    The outputs' (shape, dtype) come from LiteRT unless given (for models LiteRT refuses).
    """
    work.mkdir(parents=True, exist_ok=True)
    path = work / "model.tflite"
    path.write_bytes(model)
    result = convert(path, work / "project")
    assert result.returncode == 0, result.stderr
    flags = extra_flags + (f" {SANITIZE_FLAGS} -g" if sanitize else "")
    compile_project(work / "project", work / "benchmark", compiler, flags)
    if output_specs is None:
        from ai_edge_litert.interpreter import Interpreter

        details = Interpreter(model_content=model).get_output_details()
        output_specs = [(tuple(d["shape"]), np.dtype(d["dtype"])) for d in details]
    build = Build(work / "project", work)  # the benchmark was built into `work`
    outputs, _ = run_benchmark(
        build,
        inputs,
        work,
        [dtype for _, dtype in output_specs],
        [int(np.prod(shape)) for shape, _ in output_specs],
        sanitize=sanitize,
    )
    return [o.reshape(shape) for o, (shape, _) in zip(outputs, output_specs, strict=True)]


def litert_reference(model: bytes, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
    """LiteRT's reference kernels (OpResolverType.BUILTIN_REF) on `inputs`."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    interpreter = Interpreter(
        model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF
    )
    interpreter.allocate_tensors()
    for detail, array in zip(interpreter.get_input_details(), inputs, strict=True):
        interpreter.set_tensor(detail["index"], array)
    interpreter.invoke()
    return [interpreter.get_tensor(d["index"]).copy() for d in interpreter.get_output_details()]
