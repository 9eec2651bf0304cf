"""
End to end on the int8 models of ../shared/models/tflite: micro-convert -> build with
-Werror (gcc, and clang when installed) -> run the generated benchmark on seeded random
int8 inputs -> the outputs must be identical, byte for byte, to LiteRT's reference
kernels (OpResolverType.BUILTIN_REF), also under ASan+UBSan.

LiteRT refuses person_detect.tflite (a per-tensor filter quantization with a nonzero
quantized_dimension); micro accepts it and the tflite-micro interpreter is its oracle.

The tflite-micro interpreter is a second reference for every model it runs. It equals
LiteRT's reference kernels except in FULLY_CONNECTED: TFLM requantizes the accumulator
with the 32-bit fixed-point multiplier, LiteRT's reference kernel in double precision,
so an output whose scaled value lands within a rounding step of .5 can differ by one,
and a difference before the last layer can grow to two (ad01_int8, ten FC layers). micro
follows LiteRT (docs/numerics.md); the bound per model is asserted below.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np
import pytest
import tflite
from conftest import (
    MODELS,
    clang_can_sanitize,
    cmake_build,
    compilers,
    convert,
    naive_live_set,
    run_benchmark,
    tflm_arena,
)

INPUTS_PER_MODEL = 3

LITERT_REFUSES = {"person_detect.tflite"}
"""Models LiteRT rejects at allocate_tensors; the tflite-micro interpreter runs them."""

TFLM_FC_DIFFERENCE = {"ad01_int8.tflite": 2, "mobilenet_v2_quantized_1x3x224x224.tflite": 1}
"""Largest |micro - tflite-micro| per model (both FC rounding, see the module docstring)."""


def _is_int8_model(path: Path) -> bool:
    """Does some operator produce an int8 tensor (a fully quantized graph)?"""
    model = tflite.Model.GetRootAs(path.read_bytes(), 0)
    graph = model.Subgraphs(0)
    for i in range(graph.OperatorsLength()):
        op = graph.Operators(i)
        for t in op.OutputsAsNumpy():
            if graph.Tensors(int(t)).Type() == tflite.TensorType.INT8:
                return True
    return False


def _int8_models() -> list[str]:
    folder = MODELS / "tflite"
    if not folder.is_dir():
        return []
    return [p.name for p in sorted(folder.glob("*.tflite")) if _is_int8_model(p)]


INT8_MODELS = _int8_models()


def test_int8_models_are_discovered() -> None:
    folder = MODELS / "tflite"
    if not folder.is_dir():
        pytest.skip(f"shared models folder {folder} is absent: no int8 models to test")
    expected = {
        "ad01_int8.tflite",
        "hello_world_int8.tflite",
        "kws_ref_model.tflite",
        "micro_speech_quantized.tflite",
        "mobilenet_v2_quantized_1x3x224x224.tflite",
        "person_detect.tflite",
        "pretrainedResnet_quant.tflite",
        "vww_96_int8.tflite",
    }
    assert expected <= set(INT8_MODELS), sorted(INT8_MODELS)
    assert "kws_ref_model_float32.tflite" not in INT8_MODELS  # hybrid: float activations


def _path(name: str) -> Path:
    return MODELS / "tflite" / name


def _tflm(model: Path):
    from tflite_micro.python.tflite_micro import runtime

    return runtime.Interpreter.from_file(str(model))


def io_specs(model: Path) -> tuple[list[tuple[tuple[int, ...], np.dtype]], list[tuple]]:
    """(shape, dtype) of the inputs and of the outputs, from the tflite-micro interpreter
    (which loads every model here; LiteRT refuses one)."""
    interpreter = _tflm(model)
    graph = tflite.Model.GetRootAs(model.read_bytes(), 0).Subgraphs(0)

    def specs(details, count: int) -> list[tuple[tuple[int, ...], np.dtype]]:
        return [
            (tuple(int(d) for d in details(i)["shape"]), np.dtype(details(i)["dtype"]))
            for i in range(count)
        ]

    return (
        specs(interpreter.get_input_details, graph.InputsLength()),
        specs(interpreter.get_output_details, graph.OutputsLength()),
    )


def seeded_inputs(model: Path, index: int) -> list[np.ndarray]:
    inputs, _ = io_specs(model)
    rng = np.random.default_rng(zlib.crc32(model.name.encode()) + index)
    arrays = []
    for shape, dtype in inputs:
        if dtype == np.int8:
            arrays.append(rng.integers(-128, 128, size=shape, dtype=np.int8))
        else:
            arrays.append(rng.uniform(-1.0, 1.0, size=shape).astype(dtype))
    return arrays


def litert_reference(model: Path, inputs: list[np.ndarray]) -> list[np.ndarray]:
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    interpreter = Interpreter(
        model_path=str(model), experimental_op_resolver_type=OpResolverType.BUILTIN_REF
    )
    interpreter.allocate_tensors()
    for detail, array in zip(interpreter.get_input_details(), inputs, strict=True):
        interpreter.set_tensor(detail["index"], array)
    interpreter.invoke()
    return [interpreter.get_tensor(d["index"]).copy() for d in interpreter.get_output_details()]


def tflm_reference(model: Path, inputs: list[np.ndarray]) -> list[np.ndarray]:
    interpreter = _tflm(model)
    for i, array in enumerate(inputs):
        interpreter.set_input(array, i)
    interpreter.invoke()
    _, outputs = io_specs(model)
    return [interpreter.get_output(i).copy() for i in range(len(outputs))]


def oracle(model: Path, inputs: list[np.ndarray]) -> list[np.ndarray]:
    """LiteRT's reference kernels; tflite-micro for the models LiteRT refuses."""
    if model.name in LITERT_REFUSES:
        return tflm_reference(model, inputs)
    return litert_reference(model, inputs)


@pytest.fixture(scope="module")
def projects() -> dict[str, Path]:
    return {}


def project_for(name: str, projects: dict[str, Path], tmp: pytest.TempPathFactory) -> Path:
    if name not in projects:
        out = tmp.mktemp(name.replace(".", "_")) / "project"
        result = convert(_path(name), out)
        assert result.returncode == 0, result.stderr
        assert "CONVERT RESULT SUCCESS:0" in result.stdout
        projects[name] = out
    return projects[name]


def run(build, model: Path, inputs: list[np.ndarray], work: Path, **kwargs):
    _, outputs = io_specs(model)
    got, result = run_benchmark(
        build,
        inputs,
        work,
        [dtype for _, dtype in outputs],
        [int(np.prod(shape)) for shape, _ in outputs],
        **kwargs,
    )
    return got, result


def assert_identical(name: str, got: list[np.ndarray], expected: list[np.ndarray]) -> None:
    for i, (y, ref) in enumerate(zip(got, expected, strict=True)):
        ref = ref.reshape(-1)
        assert y.dtype == ref.dtype, (name, i, y.dtype, ref.dtype)
        differ = np.flatnonzero(y != ref)
        assert differ.size == 0, (
            f"{name} output {i}: {differ.size} of {ref.size} values differ, first at "
            f"{differ[0]}: micro {y[differ[0]]}, reference {ref[differ[0]]}"
        )


def test_litert_refuses_person_detect() -> None:
    """The reason person_detect is checked against tflite-micro: LiteRT rejects it."""
    if "person_detect.tflite" not in INT8_MODELS:
        pytest.skip("person_detect.tflite is not in the shared models")
    from ai_edge_litert.interpreter import Interpreter

    with pytest.raises((RuntimeError, ValueError)):
        Interpreter(model_path=str(_path("person_detect.tflite"))).allocate_tensors()


@pytest.mark.parametrize("compiler", compilers())
@pytest.mark.parametrize("name", INT8_MODELS)
def test_int8_matches_reference_byte_for_byte(
    name: str,
    compiler: str,
    projects: dict[str, Path],
    tmp_path_factory: pytest.TempPathFactory,
    tmp_path: Path,
) -> None:
    model = _path(name)
    build = cmake_build(project_for(name, projects, tmp_path_factory), tmp_path / "b", compiler)
    for index in range(INPUTS_PER_MODEL):
        inputs = seeded_inputs(model, index)
        got, _ = run(build, model, inputs, tmp_path)
        assert_identical(name, got, oracle(model, inputs))


def _sanitizing_compilers() -> list[str]:
    return ["gcc"] + (["clang"] if clang_can_sanitize() else [])


@pytest.mark.parametrize("compiler", _sanitizing_compilers())
@pytest.mark.parametrize("name", INT8_MODELS)
def test_int8_clean_under_asan_and_ubsan(
    name: str,
    compiler: str,
    projects: dict[str, Path],
    tmp_path_factory: pytest.TempPathFactory,
    tmp_path: Path,
) -> None:
    model = _path(name)
    project = project_for(name, projects, tmp_path_factory)
    build = cmake_build(project, tmp_path / "b", compiler, sanitize=True)
    inputs = seeded_inputs(model, 0)
    got, result = run(build, model, inputs, tmp_path, sanitize=True, loops=2)
    assert "runtime error" not in result.stderr
    assert_identical(name, got, oracle(model, inputs))


@pytest.mark.parametrize("name", INT8_MODELS)
def test_tflite_micro_agrees_except_documented_fc_rounding(
    name: str,
    projects: dict[str, Path],
    tmp_path_factory: pytest.TempPathFactory,
    tmp_path: Path,
) -> None:
    """
    micro against the second reference, tflite-micro: identical, except by at most the
    documented FULLY_CONNECTED rounding difference on the models listed.
    """
    model = _path(name)
    build = cmake_build(project_for(name, projects, tmp_path_factory), tmp_path / "b", "gcc")
    bound = TFLM_FC_DIFFERENCE.get(name, 0)
    for index in range(INPUTS_PER_MODEL):
        inputs = seeded_inputs(model, index)
        got, _ = run(build, model, inputs, tmp_path)
        for i, (y, ref) in enumerate(zip(got, tflm_reference(model, inputs), strict=True)):
            diff = np.abs(y.astype(np.int32) - ref.reshape(-1).astype(np.int32))
            assert int(diff.max(initial=0)) <= bound, (
                f"{name} output {i} input {index}: differs from tflite-micro by "
                f"{int(diff.max())} (documented bound {bound})"
            )


@pytest.mark.parametrize("name", INT8_MODELS)
def test_int8_arena_is_no_larger_than_tflite_micro(name: str) -> None:
    """
    micro's arena holds all activations and scratch; tflite-micro's arena must also hold
    its tensor structs and per-channel quantization (the tail). micro's is no larger than
    even TFLM's activation part (the head), nor than the naive live set.
    """
    from micro.config import MicroConfig
    from micro.pipeline import compile_module, import_model

    model = _path(name)
    arena = compile_module(import_model("TFLITE", model), MicroConfig()).stats.arena_size
    tflm = tflm_arena(model)
    assert arena <= tflm.head <= tflm.total, (arena, tflm)
    naive = naive_live_set(model)
    assert arena <= -(-naive // 16) * 16, (arena, naive)  # slices are 16-byte aligned
