"""
The command-line tools as a user meets them: micro-convert's output and its errors
(one line, no traceback, exit status 1), determinism, micro-opt and micro-translate.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import EXAMPLES, MODELS, cmake_build, convert, run_benchmark

BIN = Path(sys.executable).parent
DIGITS = EXAMPLES / "digits" / "digits_cnn.tflite"
GOOD_CFG = """[micro_param]
# enable code-generation for MCU HW
enable_micro=true
target=x86
support_parallel=false
codegen_mode=Inference
"""


def tool(
    name: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / name), *args], capture_output=True, text=True, env=env, timeout=300
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{result.stderr}"
    assert lines[0].startswith("error: "), lines[0]
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], f"{fragment!r} not in {lines[0]!r}"


def digits_convert(tmp_path: Path, *extra: str, config: str | None = GOOD_CFG):
    cfg = None
    if config is not None:
        cfg = tmp_path / "micro.cfg"
        cfg.write_text(config)
    return convert(DIGITS, tmp_path / "out", cfg, extra)


# --------------------------------------------------------------------- success paths


def test_convert_prints_arena_and_weights(tmp_path: Path) -> None:
    result = digits_convert(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "arena: 3072 bytes" in result.stdout
    assert "weights: 9136 bytes (src/net.bin)" in result.stdout
    assert result.stdout.rstrip().endswith("CONVERT RESULT SUCCESS:0")
    out = tmp_path / "out"
    for path in (
        "CMakeLists.txt",
        "src/CMakeLists.txt",
        "src/net.c",
        "src/net.h",
        "src/net.bin",
        "src/weight.c",
        "src/weight.h",
        "src/model.c",
        "src/tensor.c",
        "src/context.c",
        "include/c_api/model_c.h",
        "benchmark/benchmark.c",
        "benchmark/calib_output.c",
        "benchmark/load_input.c",
    ):
        assert (out / path).is_file(), path
    # Only the kernels the graph calls are copied.
    kernels = sorted(p.name for p in (out / "src" / "kernels").glob("*.c"))
    assert kernels == ["conv2d_f32.c", "fully_connected_f32.c", "pool2d_f32.c", "softmax_f32.c"]
    assert "NET_ARENA_SIZE 3072" in (out / "src" / "net.h").read_text()


def test_config_file_is_optional(tmp_path: Path) -> None:
    result = digits_convert(tmp_path, config=None)
    assert result.returncode == 0, result.stderr
    assert "(target x86)" in result.stdout


@pytest.mark.parametrize("kernels", ["auto", "generic"])
def test_arm64_kernels_option_selects_the_kernel_library(tmp_path: Path, kernels: str) -> None:
    """ARM64 calls the NEON twins by default; kernels=generic keeps the portable kernels."""
    config = (
        GOOD_CFG.replace("target=x86", "target=ARM64") + f"[micro_options]\nkernels={kernels}\n"
    )
    result = digits_convert(tmp_path, config=config)
    assert result.returncode == 0, result.stderr
    net = (tmp_path / "out" / "src" / "net.c").read_text()
    kernels_dir = tmp_path / "out" / "src" / "kernels"
    if kernels == "auto":
        assert "(target ARM64)" in result.stdout
        assert "kernel calls: 5 (1 generic, 4 neon)" in result.stdout
        assert "micro_neon_conv2d_f32(" in net
        assert (kernels_dir / "conv2d_f32_neon.c").is_file()
    else:
        assert "(target ARM64, generic kernels only)" in result.stdout
        assert "kernel calls: 5," in result.stdout
        assert "micro_neon_" not in net
        assert not list(kernels_dir.glob("*_neon.*"))


def test_converter_lite_flag_spellings_are_accepted(tmp_path: Path) -> None:
    result = digits_convert(
        tmp_path, "--inputDataFormat=NHWC", "--fp16=off", "--inputShape=input:1,8,8,1"
    )
    assert result.returncode == 0, result.stderr


def test_reconverting_into_a_micro_project_replaces_it(tmp_path: Path) -> None:
    assert digits_convert(tmp_path).returncode == 0
    stale = tmp_path / "out" / "src" / "stale.c"
    stale.write_text("/* left over */\n")
    assert digits_convert(tmp_path).returncode == 0
    assert not stale.exists()


def _tree_digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize(
    "model",
    [
        DIGITS,
        MODELS / "tflite" / "kws_ref_model_float32.tflite",
        MODELS / "tflite" / "vww_96_float.tflite",
        MODELS / "onnx" / "mnist.onnx",
    ],
    ids=lambda p: p.name,
)
def test_generation_is_deterministic(model: Path, tmp_path: Path) -> None:
    """Two conversions (with different Python hash seeds) give byte-identical projects."""
    if not model.is_file():
        pytest.skip(f"{model} is absent (shared models folder missing)")
    fmk = "ONNX" if model.suffix == ".onnx" else "TFLITE"
    digests = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}"
        env = dict(os.environ, PYTHONHASHSEED=seed)
        result = tool(
            "micro-convert", f"--fmk={fmk}", f"--modelFile={model}", f"--outputFile={out}", env=env
        )
        assert result.returncode == 0, result.stderr
        digests.append(_tree_digest(out))
    assert digests[0] == digests[1]


# --------------------------------------------------------------------- bad models


def test_truncated_model(tmp_path: Path) -> None:
    model = tmp_path / "truncated.tflite"
    model.write_bytes(DIGITS.read_bytes()[:3000])
    result = convert(model, tmp_path / "out")
    assert_one_line_error(result, "truncated.tflite", "truncated or corrupted")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("seed", range(5))
def test_random_bytes_after_a_valid_header(tmp_path: Path, seed: int) -> None:
    rng = np.random.default_rng(seed)
    data = bytearray(DIGITS.read_bytes())
    body = rng.integers(0, 256, size=len(data) - 8, dtype=np.uint8).tobytes()
    model = tmp_path / "garbage.tflite"
    model.write_bytes(bytes(data[:8]) + body)
    assert_one_line_error(convert(model, tmp_path / "out"), "garbage.tflite")


def test_random_bytes(tmp_path: Path) -> None:
    model = tmp_path / "random.tflite"
    model.write_bytes(np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    assert_one_line_error(convert(model, tmp_path / "out"), "random.tflite", "not a TFLite model")


def test_missing_model(tmp_path: Path) -> None:
    assert_one_line_error(convert(tmp_path / "nope.tflite", tmp_path / "out"), "nope.tflite")


def test_unsupported_operator_names_it(tmp_path: Path) -> None:
    from micro.frontends.tflite_builder import TFLiteModelBuilder

    builder = TFLiteModelBuilder()
    x = builder.add_input("x", [1, 4], np.float32)
    y = builder.add_tensor("y", [1, 4], np.float32)
    builder.add_operator("EXP", [x], [y])
    builder.mark_output(y)
    model = tmp_path / "exp.tflite"
    model.write_bytes(builder.build())
    assert_one_line_error(
        convert(model, tmp_path / "out"), "exp.tflite", "operator #0 EXP is not supported"
    )


def _int8_model(tmp_path: Path, op: str, out_scale: float, out_zp: int) -> Path:
    from micro.frontends.tflite_builder import Quantization, TFLiteModelBuilder

    builder = TFLiteModelBuilder()
    q_in = Quantization([0.05], [3])
    x = builder.add_input("x", [1, 8], np.int8, q_in)
    inputs = [x]
    if op == "MAXIMUM":
        inputs.append(builder.add_input("x2", [1, 8], np.int8, q_in))
    y = builder.add_tensor("probs", [1, 8], np.int8, Quantization([out_scale], [out_zp]))
    builder.add_operator(op, inputs, [y], {"beta": 1.0} if op == "SOFTMAX" else None)
    builder.mark_output(y)
    model = tmp_path / f"{op.lower()}_int8.tflite"
    model.write_bytes(builder.build())
    return model


def _onnx_model(tmp_path: Path, op_type: str, elem: int = 1, **attrs: object) -> Path:
    """A one-node ONNX model y = op_type(x) on a 2x3 tensor."""
    import onnx
    from onnx import helper

    graph = helper.make_graph(
        [helper.make_node(op_type, ["x"], ["y"], **attrs)],
        "g",
        [helper.make_tensor_value_info("x", elem, [2, 3])],
        [helper.make_tensor_value_info("y", elem, [2, 3])],
    )
    path = tmp_path / f"{op_type.lower()}.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)]), str(path))
    return path


def test_onnx_truncated_and_random_bytes_are_one_line(tmp_path: Path) -> None:
    mnist = MODELS / "onnx" / "mnist.onnx"
    if not mnist.is_file():
        pytest.skip(f"{mnist} is absent (shared models folder missing)")
    truncated = tmp_path / "truncated.onnx"
    truncated.write_bytes(mnist.read_bytes()[:5000])
    noise = tmp_path / "noise.onnx"
    noise.write_bytes(np.random.default_rng(1).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    for model in (truncated, noise):
        result = convert(model, tmp_path / f"out_{model.stem}", fmk="ONNX")
        assert_one_line_error(result, model.name)


def test_onnx_unsupported_operator_names_it(tmp_path: Path) -> None:
    from onnx import TensorProto

    model = _onnx_model(tmp_path, "BitwiseNot", TensorProto.INT32)
    assert_one_line_error(
        convert(model, tmp_path / "out", fmk="ONNX"),
        "bitwisenot.onnx",
        "node #0 BitwiseNot",
        "operator BitwiseNot is not supported",
    )


def test_onnx_unsupported_element_type_names_it(tmp_path: Path) -> None:
    from onnx import TensorProto

    model = _onnx_model(tmp_path, "Relu", TensorProto.DOUBLE)
    assert_one_line_error(
        convert(model, tmp_path / "out", fmk="ONNX"), "relu.onnx", "element type double"
    )


def test_onnx_converts_and_runs_from_the_cli(tmp_path: Path) -> None:
    """A one-node ONNX model through micro-convert, CMake and the benchmark."""
    model = _onnx_model(tmp_path, "LeakyRelu", alpha=0.5)
    result = convert(model, tmp_path / "out", fmk="ONNX")
    assert result.returncode == 0, result.stderr
    build = cmake_build(tmp_path / "out", tmp_path / "build", "gcc")
    x = np.array([[-2.0, -1.0, 0.0], [1.0, 2.0, 3.0]], np.float32)
    (y,), _ = run_benchmark(build, [x], tmp_path, [np.dtype(np.float32)], [6])
    np.testing.assert_array_equal(y, [-1.0, -0.5, 0.0, 1.0, 2.0, 3.0])


def test_int8_quantization_tflite_rejects_is_named(tmp_path: Path) -> None:
    """An int8 softmax whose output is not scale 1/256, zero point -128 (LiteRT rejects)."""
    model = _int8_model(tmp_path, "SOFTMAX", 0.01, 0)
    assert_one_line_error(
        convert(model, tmp_path / "out"), "softmax_int8.tflite", "nn.softmax", "'probs'", "1/256"
    )


def test_int8_operator_without_int8_kernel_is_named(tmp_path: Path) -> None:
    model = _int8_model(tmp_path, "MAXIMUM", 0.05, 3)
    assert_one_line_error(
        convert(model, tmp_path / "out"), "maximum_int8.tflite", "nn.maximum", "no int8 kernel"
    )


# --------------------------------------------------------------------- bad configuration


@pytest.mark.parametrize(
    ("config", "fragments"),
    [
        (GOOD_CFG + "foo=1\n", ("micro.cfg:7", "unknown key 'foo' in [micro_param]")),
        (GOOD_CFG.replace("enable_micro=true", "enable_micro=yes"), ("enable_micro=yes",)),
        (GOOD_CFG.replace("target=x86", "target=riscv"), ("unknown target 'riscv'",)),
        (
            GOOD_CFG.replace("support_parallel=false", "support_parallel=true"),
            ("support_parallel=true is not supported yet",),
        ),
        (GOOD_CFG.replace("Inference", "Train"), ("codegen_mode=Train is not supported yet",)),
        ("[nonsense]\n", ("unknown section [nonsense]",)),
        ("enable_micro=true\n", ("before any [section]",)),
        ("[micro_param\n", ("micro.cfg:1", "cannot read")),
        (GOOD_CFG + "[full_quant_param]\n", ("[full_quant_param]", "not supported yet")),
        (GOOD_CFG + "target=x86\n", ("target is set twice",)),
        (
            GOOD_CFG + "[micro_options]\ncpu=cortex-a999\n",
            ("micro.cfg:8", "cpu=cortex-a999", "applies to ARM64 and ARM32"),
        ),
        (
            GOOD_CFG.replace("target=x86", "target=ARM64") + "[micro_options]\ncpu=cortex-a9\n",
            ("micro.cfg:8", "cpu=cortex-a9 is not a known ARM64 core", "cortex-a53"),
        ),
        (GOOD_CFG.replace("target=x86", "target=ARM32M"), ("target 'ARM32M' is not supported",)),
        (
            GOOD_CFG + "[micro_options]\nkernels=neon\n",
            ("micro.cfg:8", "kernels=neon: expected auto or generic"),
        ),
    ],
)
def test_bad_config_is_one_line(tmp_path: Path, config: str, fragments: tuple[str, ...]) -> None:
    assert_one_line_error(digits_convert(tmp_path, config=config), *fragments)


@pytest.mark.parametrize(
    ("flags", "fragments"),
    [
        (["--fmk=CAFFE"], ("--fmk=CAFFE",)),
        (["--fp16=on"], ("--fp16=on is not supported",)),
        (["--inputShape=input:1,a"], ("--inputShape",)),
        (["--inputShape=nope:1,8,8,1"], ("unknown input(s) nope", "input")),
        (["--bogusFlag=1"], ("unrecognized arguments: --bogusFlag=1",)),
    ],
)
def test_bad_flags_are_one_line(
    tmp_path: Path, flags: list[str], fragments: tuple[str, ...]
) -> None:
    argv = ["--fmk=TFLITE", f"--modelFile={DIGITS}", f"--outputFile={tmp_path / 'out'}"]
    argv = [a for a in argv if not any(a.split("=")[0] == f.split("=")[0] for f in flags)]
    assert_one_line_error(tool("micro-convert", *argv, *flags), *fragments)


def test_refuses_to_overwrite_a_foreign_directory(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "precious.txt").write_text("mine")
    assert_one_line_error(convert(DIGITS, out), "not empty")
    assert (out / "precious.txt").read_text() == "mine"


# --------------------------------------------------------------------- generated runtime


def test_build_rejects_wrong_or_corrupted_weights(tmp_path: Path) -> None:
    assert digits_convert(tmp_path).returncode == 0
    build = cmake_build(tmp_path / "out", tmp_path / "build", "gcc")
    sample = EXAMPLES / "digits" / "samples" / "digit_3.bin"
    weights = build.weights.read_bytes()

    short = tmp_path / "short.bin"
    short.write_bytes(weights[:-16])
    result = subprocess.run(
        [str(build.benchmark), str(sample), str(short)], capture_output=True, text=True
    )
    assert result.returncode != 0
    assert f"holds {len(weights) - 16} bytes" in result.stderr

    corrupt = tmp_path / "corrupt.bin"
    flipped = bytearray(weights)
    flipped[100] ^= 0x01
    corrupt.write_bytes(bytes(flipped))
    result = subprocess.run(
        [str(build.benchmark), str(sample), str(corrupt)], capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "corrupted" in result.stderr

    wrong_input = tmp_path / "input.bin"
    wrong_input.write_bytes(b"\0" * 100)
    result = subprocess.run(
        [str(build.benchmark), str(wrong_input), str(build.weights)], capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "256" in result.stderr
    assert "100" in result.stderr


# --------------------------------------------------------------------- the other tools


def test_micro_opt_lists_the_passes() -> None:
    result = tool("micro-opt", "--help")
    assert result.returncode == 0
    help_text = " ".join(result.stdout.split())
    for name in (
        "nn-fuse-activation",
        "convert-nn-to-kernel",
        "memory-plan",
        "convert-kernel-to-c",
    ):
        assert name in help_text.replace("- ", "-")


def test_translate_then_opt_then_translate(tmp_path: Path) -> None:
    """Every level can be printed, stopped at and resumed from."""
    nn_ir = tmp_path / "nn.mlir"
    assert tool("micro-translate", "--import-tflite", str(DIGITS), "-o", str(nn_ir)).returncode == 0
    assert "nn.conv2d" in nn_ir.read_text()
    c_ir = tmp_path / "c.mlir"
    result = tool(
        "micro-opt",
        str(nn_ir),
        "-p",
        "nn-fuse-activation,convert-nn-to-kernel,memory-plan,convert-kernel-to-c",
        "-o",
        str(c_ir),
    )
    assert result.returncode == 0, result.stderr
    printed = tool("micro-translate", "--emit-c", str(c_ir))
    assert printed.returncode == 0, printed.stderr
    assert "void net_inference(uint8_t *arena, const uint8_t *weights) {" in printed.stdout
    # The project micro-translate writes from the IR equals micro-convert's.
    assert (
        tool("micro-translate", "--emit-c", str(c_ir), "-o", str(tmp_path / "p1")).returncode == 0
    )
    assert digits_convert(tmp_path, config=None).returncode == 0
    assert _tree_digest(tmp_path / "p1") == _tree_digest(tmp_path / "out")


def test_translate_bad_ir_is_a_diagnostic_not_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mlir"
    bad.write_text("%x = nn.relu %y : (tensor<4xf32>) -> tensor<4xf32>\n")
    result = tool("micro-translate", "--emit-c", str(bad))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
