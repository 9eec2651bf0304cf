"""
Targets under emulation (../shared/TARGETS.md): every shared model (TFLite and ONNX)
converted for ARM64 and ARM32 (cross-compiled, run under qemu-user) and for Cortex-M
(arm-none-eabi, run on
qemu-system-arm boards for the M4, M7 and M55). Outputs are compared with the oracle the
x86 tests use (LiteRT's reference kernels; tflite-micro where LiteRT refuses the model;
onnxruntime for ONNX),
which the x86 build matches bit for bit (tests/test_e2e_*.py): int8 outputs must be
identical, float outputs within |y - ref| <= 1e-5 * max|ref| + 1e-6 per tensor.

ARM64 is run three ways: baseline ARMv8-A, `cpu=cortex-a53` under `qemu-aarch64 -cpu
cortex-a53` (no dot-product instructions: the emulator faults on any), and
`cpu=cortex-a76` (dot product available to the int8 NEON kernels).

The Cortex-M benchmark compares with the expected outputs micro-convert baked into
benchmark/data.c from the same reference, on the board, and its verdict is the emulator's
exit status. The linked program must not contain malloc, free or stdio.
"""

from __future__ import annotations

import shutil
import subprocess
import zlib
from pathlib import Path

import numpy as np
import pytest
from conftest import MODELS, assert_close_fp32, compile_project, convert

from micro.pipeline import import_model, io_specs
from micro.project.bench_data import seeded_inputs
from micro.reference import reference_outputs


def _models() -> list[str]:
    """The shared models: every .tflite, then every .onnx."""
    names: list[str] = []
    for kind in ("tflite", "onnx"):
        folder = MODELS / kind
        names += sorted(p.name for p in folder.glob(f"*.{kind}")) if folder.is_dir() else []
    return names


MODEL_NAMES = _models()
# Static shapes for the symbolic input dimensions of ONNX models (--inputShape).
INPUT_SHAPES = {"hello_world.onnx": {"dense_2_input": [1, 1]}}


def _path(name: str) -> Path:
    return MODELS / ("onnx" if name.endswith(".onnx") else "tflite") / name


def _fmk(name: str) -> str:
    return "ONNX" if name.endswith(".onnx") else "TFLITE"


def _need(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (scripts/setup.sh installs them as root)")


def _config(tmp: Path, target: str, cpu: str = "") -> Path:
    path = tmp / "micro.cfg"
    text = f"[micro_param]\nenable_micro=true\ntarget={target}\n"
    if cpu:
        text += f"[micro_options]\ncpu={cpu}\n"
    path.write_text(text)
    return path


def _convert(name: str, tmp: Path, target: str, cpu: str = "") -> Path:
    project = tmp / "project"
    shapes = INPUT_SHAPES.get(name, {})
    extra = ["--inputShape=" + ";".join(f"{k}:{','.join(map(str, v))}" for k, v in shapes.items())]
    result = convert(
        _path(name), project, _config(tmp, target, cpu), extra if shapes else (), _fmk(name)
    )
    assert result.returncode == 0, result.stderr
    assert "CONVERT RESULT SUCCESS:0" in result.stdout
    return project


def _inputs_and_reference(name: str) -> tuple[list[np.ndarray], list[np.ndarray]]:
    path = _path(name)
    specs, _ = io_specs(import_model(_fmk(name), path, INPUT_SHAPES.get(name)))
    inputs = seeded_inputs(specs, f"targets:{name}:{zlib.crc32(name.encode())}")
    expected, why = reference_outputs(_fmk(name), path, inputs)
    assert expected is not None, why
    return inputs, expected


def _compare(name: str, got: list[np.ndarray], expected: list[np.ndarray]) -> None:
    for i, (y, ref) in enumerate(zip(got, expected, strict=True)):
        ref = np.asarray(ref).reshape(-1)
        assert y.dtype == ref.dtype, (name, i)
        if np.issubdtype(ref.dtype, np.floating):
            assert_close_fp32(y, ref, what=f"{name} output {i}")
        else:
            differ = int(np.count_nonzero(y != ref))
            assert differ == 0, f"{name} output {i}: {differ} of {ref.size} values differ"


def _run_linux(name: str, project: Path, exe: Path, qemu: list[str], tmp: Path) -> list[np.ndarray]:
    inputs, expected = _inputs_and_reference(name)
    paths = []
    for i, array in enumerate(inputs):
        path = tmp / f"in{i}.bin"
        path.write_bytes(np.ascontiguousarray(array).tobytes())
        paths.append(str(path))
    dump = tmp / "out.bin"
    argv = [*qemu, str(exe), ",".join(paths), str(project / "src" / "net.bin"), "1", "-"]
    argv += ["1", "0", "0", "0.9999", str(dump)]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{name}: {result.stdout[-2000:]}\n{result.stderr[-2000:]}"
    raw = dump.read_bytes()
    got, offset = [], 0
    for ref in expected:
        ref = np.asarray(ref)
        got.append(np.frombuffer(raw[offset : offset + ref.nbytes], dtype=ref.dtype).copy())
        offset += ref.nbytes
    assert offset == len(raw)
    _compare(name, got, expected)
    return got


LINUX = {
    # variant: (target, cpu=, compiler, qemu command)
    "arm64": ("ARM64", "", "aarch64-linux-gnu-gcc", ["qemu-aarch64"]),
    "arm64-a53": (
        "ARM64",
        "cortex-a53",
        "aarch64-linux-gnu-gcc",
        ["qemu-aarch64", "-cpu", "cortex-a53"],
    ),
    "arm64-a76": ("ARM64", "cortex-a76", "aarch64-linux-gnu-gcc", ["qemu-aarch64"]),
    "arm32": ("ARM32", "", "arm-linux-gnueabihf-gcc", ["qemu-arm"]),
}


def _is_int8(name: str) -> bool:
    """Does some operator read or produce an int8 tensor (int8 kernels, or a hybrid
    convolution's int8 dot products, run)?"""
    import tflite

    if _fmk(name) != "TFLITE":
        return False  # the shared ONNX models are float
    model = tflite.Model.GetRootAs(_path(name).read_bytes(), 0)
    graph = model.Subgraphs(0)
    return any(
        t >= 0 and graph.Tensors(int(t)).Type() == tflite.TensorType.INT8
        for i in range(graph.OperatorsLength())
        for t in (*graph.Operators(i).InputsAsNumpy(), *graph.Operators(i).OutputsAsNumpy())
    )


def _linux_cases() -> list[tuple[str, str]]:
    cases = []
    for name in MODEL_NAMES:
        for variant in LINUX:
            if variant in ("arm64-a53", "arm64-a76") and not _is_int8(name):
                continue  # the dot-product variants differ only in int8 dot products
            cases.append((variant, name))
    return cases


@pytest.mark.parametrize(("variant", "name"), _linux_cases())
def test_arm_linux_matches_reference(variant: str, name: str, tmp_path: Path) -> None:
    target, cpu, compiler, qemu = LINUX[variant]
    _need(compiler, qemu[0])
    project = _convert(name, tmp_path, target, cpu)
    toolchain = (project / "cmake").glob("*.cmake")
    flags = next(
        line.split('"')[1]
        for path in toolchain
        for line in path.read_text().splitlines()
        if line.startswith("set(CMAKE_C_FLAGS_INIT")
    )
    exe = compile_project(project, tmp_path / "benchmark", compiler, f"{flags} -static")
    _run_linux(name, project, exe, qemu, tmp_path)


def test_arm64_project_builds_with_its_toolchain_file(tmp_path: Path) -> None:
    """The generated build.sh (CMake + cmake/aarch64-linux-gnu.cmake) cross-builds."""
    _need("aarch64-linux-gnu-gcc", "qemu-aarch64", "cmake")
    name = "hello_world_int8.tflite"
    if name not in MODEL_NAMES:
        pytest.skip(f"{name} is absent (shared models folder missing)")
    project = _convert(name, tmp_path, "ARM64")
    result = subprocess.run(
        [str(project / "build.sh"), "-DMICRO_WERROR=ON"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    _run_linux(name, project, project / "build" / "benchmark", ["qemu-aarch64"], tmp_path)


CORES = ("cortex-m4", "cortex-m7", "cortex-m55")
FORBIDDEN = ("malloc", "free", "calloc", "realloc", "_sbrk", "printf", "fopen", "fwrite")


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_cortex_m_matches_reference_on_qemu(name: str, tmp_path: Path) -> None:
    _need("arm-none-eabi-gcc", "qemu-system-arm", "cmake")
    project = _convert(name, tmp_path, "Cortex-M")
    assert not (project / "src" / "net.bin").exists()  # the weights are compiled in
    for core in CORES:
        build = subprocess.run(
            [str(project / "build.sh"), core, "-DMICRO_WERROR=ON"], capture_output=True, text=True
        )
        assert build.returncode == 0, f"{core}: {build.stdout[-3000:]}\n{build.stderr[-3000:]}"
        elf = project / f"build-{core}" / "benchmark.elf"
        symbols = subprocess.run(
            ["arm-none-eabi-nm", str(elf)], capture_output=True, text=True, check=True
        ).stdout.split()
        assert not set(FORBIDDEN) & set(symbols), f"{core}: {set(FORBIDDEN) & set(symbols)}"
        run = subprocess.run(
            [str(project / "run_qemu.sh"), core],
            capture_output=True,
            text=True,
            timeout=900,
            stdin=subprocess.DEVNULL,
        )
        assert run.returncode == 0, f"{name} on {core}:\n{run.stdout[-3000:]}\n{run.stderr}"
        assert "compare outputs success." in run.stdout, run.stdout
