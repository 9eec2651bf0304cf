"""
End to end on the ONNX models of ../shared/models/onnx: micro-convert --fmk=ONNX ->
CMake build with -Werror (gcc, and clang when installed) -> run the generated benchmark
on seeded random inputs -> compare with onnxruntime (CPU, one thread), per output tensor
|y - ref| <= 1e-5 * max|ref| + 1e-6. The same runs under ASan and UBSan.

onnxruntime sums in its own order (and with FMA), so only the tolerance holds, not bit
equality. The ONNX layout (NCHW) is gone from the generated code: the transposes the
importer inserts cancel (`nn-layout`), which a test checks on the generated net.c.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np
import pytest
from conftest import (
    MODELS,
    assert_close_fp32,
    clang_can_sanitize,
    cmake_build,
    compilers,
    convert,
    run_benchmark,
)

INPUTS_PER_MODEL = 3
# Static shapes for symbolic input dimensions (converter_lite's --inputShape).
INPUT_SHAPES = {"hello_world.onnx": "dense_2_input:1,1"}
EXPECTED = {"hello_world.onnx", "mnist.onnx", "mnist_pytorch.onnx"}


def _models() -> list[str]:
    folder = MODELS / "onnx"
    return sorted(p.name for p in folder.glob("*.onnx")) if folder.is_dir() else []


ONNX_MODELS = _models()


def test_onnx_models_are_discovered() -> None:
    if not (MODELS / "onnx").is_dir():
        pytest.skip(f"shared models folder {MODELS / 'onnx'} is absent")
    assert set(ONNX_MODELS) >= EXPECTED, ONNX_MODELS


def _session(model: Path):  # type: ignore[no-untyped-def]
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    return ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])


def _static(shape: list[int | str | None]) -> list[int]:
    return [d if isinstance(d, int) else 1 for d in shape]


def seeded_inputs(model: Path, index: int) -> list[np.ndarray]:
    rng = np.random.default_rng(zlib.crc32(model.name.encode()) + index)
    return [
        rng.uniform(-1.0, 1.0, size=_static(i.shape)).astype(np.float32)
        for i in _session(model).get_inputs()
    ]


def reference(model: Path, inputs: list[np.ndarray]) -> list[np.ndarray]:
    session = _session(model)
    feeds = {i.name: a for i, a in zip(session.get_inputs(), inputs, strict=True)}
    return [np.asarray(y) for y in session.run(None, feeds)]


@pytest.fixture(scope="module")
def projects() -> dict[str, Path]:
    return {}


def project_for(name: str, projects: dict[str, Path], tmp: pytest.TempPathFactory) -> Path:
    if name not in projects:
        out = tmp.mktemp(name.replace(".", "_")) / "project"
        extra = [f"--inputShape={INPUT_SHAPES[name]}"] if name in INPUT_SHAPES else []
        result = convert(MODELS / "onnx" / name, out, extra=extra, fmk="ONNX")
        assert result.returncode == 0, result.stderr
        assert "CONVERT RESULT SUCCESS:0" in result.stdout
        projects[name] = out
    return projects[name]


def _run(build, name: str, inputs: list[np.ndarray], tmp: Path, sanitize: bool = False):  # type: ignore[no-untyped-def]
    expected = reference(MODELS / "onnx" / name, inputs)
    got, result = run_benchmark(
        build,
        inputs,
        tmp,
        [e.dtype for e in expected],
        [e.size for e in expected],
        sanitize=sanitize,
        loops=2 if sanitize else 1,
    )
    for i, (y, ref) in enumerate(zip(got, expected, strict=True)):
        assert_close_fp32(y, ref, what=f"{name} output {i}")
    return result


@pytest.mark.parametrize("compiler", compilers())
@pytest.mark.parametrize("name", ONNX_MODELS)
def test_matches_onnxruntime(
    name: str,
    compiler: str,
    projects: dict[str, Path],
    tmp_path_factory: pytest.TempPathFactory,
    tmp_path: Path,
) -> None:
    build = cmake_build(project_for(name, projects, tmp_path_factory), tmp_path / "b", compiler)
    for index in range(INPUTS_PER_MODEL):
        _run(build, name, seeded_inputs(MODELS / "onnx" / name, index), tmp_path)


@pytest.mark.parametrize("compiler", ["gcc"] + (["clang"] if clang_can_sanitize() else []))
@pytest.mark.parametrize("name", ONNX_MODELS)
def test_clean_under_asan_and_ubsan(
    name: str,
    compiler: str,
    projects: dict[str, Path],
    tmp_path_factory: pytest.TempPathFactory,
    tmp_path: Path,
) -> None:
    project = project_for(name, projects, tmp_path_factory)
    build = cmake_build(project, tmp_path / "b", compiler, sanitize=True)
    result = _run(build, name, seeded_inputs(MODELS / "onnx" / name, 0), tmp_path, True)
    assert "runtime error" not in result.stderr


@pytest.mark.parametrize("name", ONNX_MODELS)
def test_no_layout_transpose_survives(
    name: str, projects: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """
    ONNX's NCHW never reaches the generated code: no transpose kernel is called; the
    graph's inputs and outputs keep ONNX's layout and say so (MSTensorGetFormat).
    """
    net = (project_for(name, projects, tmp_path_factory) / "src" / "net.c").read_text()
    assert "micro_transpose" not in net
    assert "kMSFormatNCHW" in net
    assert "kMSFormatNHWC" not in net


def test_symbolic_dimension_needs_input_shape(tmp_path: Path) -> None:
    """hello_world.onnx has batch N: without --inputShape a one-line error says what to add."""
    if "hello_world.onnx" not in ONNX_MODELS:
        pytest.skip("../shared/models/onnx/hello_world.onnx is absent")
    result = convert(MODELS / "onnx" / "hello_world.onnx", tmp_path / "p", fmk="ONNX")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "symbolic dimension 'N'" in lines[0]
    assert '--inputShape="dense_2_input:1,1"' in lines[0]


def naive_live_set_onnx(model_path: Path, shapes: dict[str, list[int]]) -> int:
    """
    The naive live set of an ONNX model (MANIFEST.md's definition), from the file alone:
    the largest sum of non-initializer tensor bytes live at one node, in the file's node
    order, with no aliasing; shapes from onnx.shape_inference with `shapes` fixed.
    """
    import onnx

    model = onnx.load(str(model_path))
    for info in model.graph.input:
        if info.name in shapes:
            dims = info.type.tensor_type.shape.dim
            for d, v in zip(dims, shapes[info.name], strict=True):
                d.ClearField("dim_param")
                d.dim_value = v
    graph = onnx.shape_inference.infer_shapes(model).graph
    constants = {t.name for t in graph.initializer}
    constants |= {o for n in graph.node if n.op_type == "Constant" for o in n.output}
    sizes: dict[str, int] = {}
    for info in [*graph.input, *graph.value_info, *graph.output]:
        t = info.type.tensor_type
        count = int(np.prod([d.dim_value for d in t.shape.dim], dtype=np.int64))
        sizes[info.name] = count * onnx.helper.tensor_dtype_to_np_dtype(t.elem_type).itemsize
    first = {i.name: 0 for i in graph.input if i.name not in constants}
    last: dict[str, int] = {}
    nodes = [n for n in graph.node if n.op_type != "Constant"]
    for index, node in enumerate(nodes):
        for name in node.input:
            if name and name not in constants:
                first.setdefault(name, index)
                last[name] = index
        for name in node.output:
            first.setdefault(name, index)
            last.setdefault(name, index)
    for output in graph.output:
        last[output.name] = len(nodes) - 1
    return max(
        sum(sizes[t] for t in first if first[t] <= i <= last.get(t, first[t]))
        for i in range(len(nodes))
    )


@pytest.mark.parametrize("name", ONNX_MODELS)
def test_arena_is_at_most_the_naive_live_set(name: str) -> None:
    """micro's whole arena fits in the naive live set computed from the file."""
    from micro.config import MicroConfig
    from micro.pipeline import compile_module, import_model

    shapes = {"dense_2_input": [1, 1]} if name == "hello_world.onnx" else {}
    path = MODELS / "onnx" / name
    result = compile_module(import_model("ONNX", path, shapes), MicroConfig())
    naive = naive_live_set_onnx(path, shapes)
    assert 0 < result.stats.arena_size <= naive, (result.stats.arena_size, naive)


def _light_model(name: str) -> Path:
    import onnx

    path = Path(onnx.__file__).parent / "backend" / "test" / "data" / "light" / f"light_{name}.onnx"
    if not path.is_file():
        pytest.skip(f"{path} is not in this onnx package")
    return path


@pytest.mark.parametrize("name", ["vgg19", "resnet50"])
def test_splat_weights_stay_splats(name: str, tmp_path: Path) -> None:
    """
    The onnx package's light models build their weights with ConstantOfShape (VGG-19:
    about 575 MB as floats). They stay one value each through the compiler: the weight
    file holds no convolution or fully connected weight array, only the model's small
    real arrays (ResNet-50's BatchNormalization vectors, which do not fold into splat
    weights without expanding them), under 1% of the splat parameters' bytes.
    """
    import onnx

    model = onnx.load(str(_light_model(name)))
    parameters = 0
    for node in model.graph.node:
        if node.op_type == "ConstantOfShape":
            shape = onnx.numpy_helper.to_array(
                next(t for t in model.graph.initializer if t.name == node.input[0])
            )
            parameters += int(np.prod(shape))
    result = convert(_light_model(name), tmp_path / "p", fmk="ONNX")
    assert result.returncode == 0, result.stderr
    weights = (tmp_path / "p" / "src" / "net.bin").stat().st_size
    assert parameters > 1_000_000
    assert weights < parameters * 4 // 100, (weights, parameters)
    net = (tmp_path / "p" / "src" / "net.c").read_text()
    assert "micro_conv2d_splat_f32" in net
