"""Tests for micro.frontends.tflite_builder: models it writes load and run in LiteRT and match
small numpy references, and read back with the `tflite` flatbuffer classes."""

import math
from collections.abc import Sequence

import numpy as np
import pytest
import tflite

from micro.frontends.tflite_builder import Quantization, TFLiteModelBuilder

Interpreter = pytest.importorskip("ai_edge_litert.interpreter").Interpreter
OpResolverType = pytest.importorskip("ai_edge_litert.interpreter").OpResolverType

ACTIVATIONS = {
    "NONE": lambda v: v,
    "RELU": lambda v: np.maximum(v, 0.0),
    "RELU6": lambda v: np.clip(v, 0.0, 6.0),
}


# --------------------------------------------------------------------------- helpers
def run_litert(data: bytes, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
    interp = Interpreter(
        model_content=data, experimental_op_resolver_type=OpResolverType.BUILTIN_REF
    )
    interp.allocate_tensors()
    for detail, value in zip(interp.get_input_details(), inputs, strict=True):
        interp.set_tensor(detail["index"], value)
    interp.invoke()
    return [interp.get_tensor(d["index"]) for d in interp.get_output_details()]


def assert_close(actual: np.ndarray, expected: np.ndarray) -> None:
    assert actual.shape == expected.shape
    scale = float(np.max(np.abs(expected))) if expected.size else 0.0
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-5 * max(scale, 1e-6))


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def rand(shape: Sequence[int], seed: int = 0) -> np.ndarray:
    return rng(seed).standard_normal(shape).astype(np.float32)


def pads(size: int, k: int, stride: int, dilation: int, padding: str) -> tuple[int, int, int]:
    """(output size, pad before, pad after) with TFLite's SAME/VALID rule."""
    eff = (k - 1) * dilation + 1
    if padding == "SAME":
        out = math.ceil(size / stride)
        total = max((out - 1) * stride + eff - size, 0)
        return out, total // 2, total - total // 2
    return math.ceil((size - eff + 1) / stride), 0, 0


def patches(
    x: np.ndarray, kh: int, kw: int, stride: int, dilation: int, padding: str, fill: float = 0.0
) -> np.ndarray:
    """[N, OH, OW, KH, KW, C] windows of an NHWC array (padding filled with ``fill``)."""
    n, h, w, c = x.shape
    oh, pt, pb = pads(h, kh, stride, dilation, padding)
    ow, pl, pr = pads(w, kw, stride, dilation, padding)
    xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)), constant_values=fill)
    out = np.empty((n, oh, ow, kh, kw, c), x.dtype)
    for i in range(kh):
        for j in range(kw):
            hi, wj = i * dilation, j * dilation
            out[:, :, :, i, j, :] = xp[
                :, hi : hi + stride * oh : stride, wj : wj + stride * ow : stride
            ]
    return out


def conv_ref(x, w_ohwi, b, stride, padding, dilation=1, act="NONE"):
    p = patches(x.astype(np.float64), w_ohwi.shape[1], w_ohwi.shape[2], stride, dilation, padding)
    y = np.einsum("nhwijc,oijc->nhwo", p, w_ohwi.astype(np.float64)) + b
    return ACTIVATIONS[act](y).astype(np.float32)


def depthwise_ref(x, w_1hwo, b, stride, padding, multiplier, act="NONE"):
    p = patches(x.astype(np.float64), w_1hwo.shape[1], w_1hwo.shape[2], stride, 1, padding)
    p = np.repeat(p, multiplier, axis=-1)  # output channel o reads input channel o // multiplier
    y = np.einsum("nhwijo,ijo->nhwo", p, w_1hwo[0].astype(np.float64)) + b
    return ACTIVATIONS[act](y).astype(np.float32)


def pool_ref(x, k, stride, padding, mode):
    if mode == "max":
        p = patches(x, k, k, stride, 1, padding, fill=-np.inf)
        return p.max(axis=(3, 4))
    p = patches(x.astype(np.float64), k, k, stride, 1, padding)
    ones = patches(np.ones_like(x, dtype=np.float64), k, k, stride, 1, padding)
    return (p.sum(axis=(3, 4)) / ones.sum(axis=(3, 4))).astype(np.float32)  # TFLite: valid count


def softmax_ref(x, beta=1.0):
    z = beta * x.astype(np.float64)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return (e / e.sum(axis=-1, keepdims=True)).astype(np.float32)


def single_op_model(
    op: str,
    x_shape: Sequence[int],
    consts: Sequence[np.ndarray],
    out_shape: Sequence[int],
    options: dict | None = None,
) -> bytes:
    b = TFLiteModelBuilder(description=f"test {op}")
    x = b.add_input("input", x_shape)
    ins = [x] + [b.add_constant(f"c{i}", c) for i, c in enumerate(consts)]
    y = b.add_tensor("output", out_shape)
    b.add_operator(op, inputs=ins, outputs=[y], options=options)
    b.mark_output(y)
    return b.build()


# --------------------------------------------------------------------------- float single-op models
@pytest.mark.parametrize(
    ("in_hw", "padding", "stride", "dilation", "act"),
    [
        (8, "SAME", 1, 1, "RELU"),
        (7, "SAME", 2, 1, "NONE"),
        (8, "SAME", 2, 1, "RELU6"),
        (9, "VALID", 2, 1, "NONE"),
        (9, "SAME", 1, 2, "NONE"),
    ],
)
def test_conv2d(in_hw: int, padding: str, stride: int, dilation: int, act: str) -> None:
    x = rand([1, in_hw, in_hw, 3], 1)
    w = rand([5, 3, 3, 3], 2)
    bias = rand([5], 3)
    expected = conv_ref(x, w, bias, stride, padding, dilation, act)
    data = single_op_model(
        "CONV_2D",
        x.shape,
        [w, bias],
        expected.shape,
        {
            "padding": padding,
            "stride_w": stride,
            "stride_h": stride,
            "dilation_w_factor": dilation,
            "dilation_h_factor": dilation,
            "fused_activation_function": act,
        },
    )
    assert_close(run_litert(data, [x])[0], expected)


@pytest.mark.parametrize(("padding", "stride"), [("SAME", 1), ("VALID", 2), ("SAME", 2)])
def test_depthwise_conv2d_multiplier_2(padding: str, stride: int) -> None:
    x = rand([1, 7, 7, 3], 4)
    w = rand([1, 3, 3, 6], 5)  # 1 x KH x KW x (C * multiplier)
    bias = rand([6], 6)
    expected = depthwise_ref(x, w, bias, stride, padding, 2, "RELU")
    data = single_op_model(
        "DEPTHWISE_CONV_2D",
        x.shape,
        [w, bias],
        expected.shape,
        {
            "padding": padding,
            "stride_w": stride,
            "stride_h": stride,
            "depth_multiplier": 2,
            "fused_activation_function": "RELU",
        },
    )
    assert_close(run_litert(data, [x])[0], expected)


@pytest.mark.parametrize("act", ["NONE", "RELU"])
def test_fully_connected(act: str) -> None:
    x = rand([2, 12], 7)
    w = rand([5, 12], 8)  # [out, in]
    bias = rand([5], 9)
    expected = ACTIVATIONS[act](x.astype(np.float64) @ w.T.astype(np.float64) + bias)
    data = single_op_model(
        "FULLY_CONNECTED", x.shape, [w, bias], [2, 5], {"fused_activation_function": act}
    )
    assert_close(run_litert(data, [x])[0], expected.astype(np.float32))


def test_fully_connected_without_bias() -> None:
    x, w = rand([1, 6], 10), rand([4, 6], 11)
    b = TFLiteModelBuilder()
    xi = b.add_input("input", x.shape)
    wi = b.add_constant("w", w)
    y = b.add_tensor("output", [1, 4])
    b.add_operator("FULLY_CONNECTED", inputs=[xi, wi, -1], outputs=[y])
    b.mark_output(y)
    assert_close(run_litert(b.build(), [x])[0], (x @ w.T).astype(np.float32))


@pytest.mark.parametrize(
    ("op", "mode", "k", "stride", "padding"),
    [
        ("AVERAGE_POOL_2D", "avg", 2, 2, "VALID"),
        ("AVERAGE_POOL_2D", "avg", 3, 2, "SAME"),
        ("MAX_POOL_2D", "max", 2, 2, "VALID"),
        ("MAX_POOL_2D", "max", 3, 2, "SAME"),
    ],
)
def test_pool(op: str, mode: str, k: int, stride: int, padding: str) -> None:
    x = rand([1, 7, 7, 4], 12)
    expected = pool_ref(x, k, stride, padding, mode)
    options = {
        "padding": padding,
        "stride_w": stride,
        "stride_h": stride,
        "filter_width": k,
        "filter_height": k,
    }
    data = single_op_model(op, x.shape, [], expected.shape, options)
    assert_close(run_litert(data, [x])[0], expected)


@pytest.mark.parametrize(
    ("op", "fn"),
    [("ADD", np.add), ("SUB", np.subtract), ("MUL", np.multiply)],
)
def test_binary_broadcast(op: str, fn) -> None:
    x = rand([1, 4, 4, 3], 13)
    c = rand([1, 1, 4, 3], 14)  # constant, broadcast over H
    expected = fn(x.astype(np.float64), c.astype(np.float64))
    data = single_op_model(op, x.shape, [c], x.shape, {"fused_activation_function": "NONE"})
    assert_close(run_litert(data, [x])[0], expected.astype(np.float32))


def test_add_two_inputs_rank_broadcast_relu() -> None:
    x, y = rand([1, 4, 4, 3], 15), rand([3], 16)
    b = TFLiteModelBuilder()
    xi, yi = b.add_input("x", x.shape), b.add_input("y", y.shape)
    out = b.add_tensor("sum", x.shape)
    b.add_operator("ADD", [xi, yi], [out], {"fused_activation_function": "RELU"})
    b.mark_output(out)
    assert_close(run_litert(b.build(), [x, y])[0], np.maximum(x + y, 0).astype(np.float32))


def test_reshape_new_shape_option() -> None:
    x = rand([1, 2, 2, 4], 17)
    data = single_op_model("RESHAPE", x.shape, [], [1, 16], {"new_shape": [1, 16]})
    assert_close(run_litert(data, [x])[0], x.reshape(1, 16))


def test_reshape_shape_tensor() -> None:
    x = rand([1, 2, 2, 4], 18)
    data = single_op_model("RESHAPE", x.shape, [np.array([4, -1], np.int32)], [4, 4])
    assert_close(run_litert(data, [x])[0], x.reshape(4, 4))


@pytest.mark.parametrize("beta", [1.0, 0.5])
def test_softmax(beta: float) -> None:
    x = rand([2, 10], 19) * 3
    options = None if beta == 1.0 else {"beta": beta}  # beta defaults to 1.0
    data = single_op_model("SOFTMAX", x.shape, [], x.shape, options)
    assert_close(run_litert(data, [x])[0], softmax_ref(x, beta))


@pytest.mark.parametrize(
    ("op", "fn"),
    [
        ("LOGISTIC", lambda v: 1.0 / (1.0 + np.exp(-v))),
        ("TANH", np.tanh),
        ("RELU", lambda v: np.maximum(v, 0.0)),
        ("RELU6", lambda v: np.clip(v, 0.0, 6.0)),
    ],
)
def test_activation_ops(op: str, fn) -> None:
    x = rand([1, 3, 5], 20) * 4
    data = single_op_model(op, x.shape, [], x.shape)
    assert_close(run_litert(data, [x])[0], fn(x.astype(np.float64)).astype(np.float32))


# --------------------------------------------------------------------------- int8 per-channel
def test_int8_per_channel_conv() -> None:
    r = rng(21)
    s_in, zp_in, s_out, zp_out = 0.05, -3, 0.08, 2
    w_scales = np.array([0.010, 0.020, 0.005, 0.015], np.float32)
    x_q = r.integers(-128, 128, size=(1, 6, 6, 3), dtype=np.int8)
    w_q = r.integers(-127, 128, size=(4, 3, 3, 3), dtype=np.int8)
    b_q = r.integers(-2000, 2000, size=4).astype(np.int32)
    bias_scales = (np.float32(s_in) * w_scales).astype(np.float32)

    b = TFLiteModelBuilder()
    x = b.add_input("input", x_q.shape, np.int8, Quantization([s_in], [zp_in]))
    w = b.add_constant("conv/w", w_q, Quantization(w_scales.tolist(), [0] * 4, 0))
    bias = b.add_constant("conv/b", b_q, Quantization(bias_scales.tolist(), [0] * 4, 0))
    y = b.add_tensor("output", [1, 3, 3, 4], np.int8, Quantization([s_out], [zp_out]))
    b.add_operator(
        "CONV_2D",
        [x, w, bias],
        [y],
        {"padding": "SAME", "stride_w": 2, "stride_h": 2, "fused_activation_function": "RELU"},
        version=3,
    )
    b.mark_output(y)
    got = run_litert(b.build(), [x_q])[0]

    p = patches(x_q.astype(np.int64) - zp_in, 3, 3, 2, 1, "SAME")  # padding is real zero
    acc = np.einsum("nhwijc,oijc->nhwo", p, w_q.astype(np.int64)) + b_q
    real_mult = float(s_in) * w_scales.astype(np.float64) / s_out
    expected = np.clip(np.round(acc * real_mult) + zp_out, zp_out, 127)  # RELU clamps at zp_out
    assert got.dtype == np.int8
    assert got.shape == expected.shape
    assert np.max(np.abs(got.astype(np.int64) - expected)) <= 1  # fixed-point rounding


# --------------------------------------------------------------------------- read back
def _str(v: bytes | str) -> str:
    return v.decode() if isinstance(v, bytes) else v


def test_read_back_with_tflite_package() -> None:
    b = TFLiteModelBuilder(description="read back")
    x = b.add_input("input", [1, 4, 4, 2])
    w = b.add_constant("conv/w", rand([3, 3, 3, 2], 22))
    bias = b.add_constant("conv/b", np.arange(3, dtype=np.float32))
    shape = b.add_constant("shape", np.array([1, 48], np.int32))
    c = b.add_tensor("conv/out", [1, 4, 4, 3])
    a = b.add_tensor("add/out", [1, 4, 4, 3])
    r = b.add_tensor("reshape/out", [1, 48])
    q = b.add_tensor("q", [1, 48], np.int8, Quantization([0.5], [-1]))
    conv_opts = {
        "padding": "VALID",
        "stride_w": 1,
        "stride_h": 2,
        "fused_activation_function": "RELU6",
    }
    b.add_operator("CONV_2D", [x, w, bias], [c], conv_opts)
    b.add_operator("ADD", [c, c], [a])
    b.add_operator("ADD", [a, c], [a])  # same opcode again: deduplicated
    b.add_operator("RESHAPE", [a, shape], [r], {"new_shape": [1, 48]})
    b.add_operator("QUANTIZE", [r], [q])
    bc = b.add_tensor("bcast", [2, 48], np.int8, Quantization([0.5], [-1]))
    bcast_shape = b.add_constant("bcast_shape", np.array([2, 48], np.int32))
    # given by code; BROADCAST_TO = 130 > 127, so its deprecated_builtin_code is 127
    b.add_operator(tflite.BuiltinOperator.BROADCAST_TO, [q, bcast_shape], [bc])
    b.mark_output(bc)
    data = b.build()

    assert data[4:8] == b"TFL3"
    model = tflite.Model.GetRootAs(data, 0)
    assert model.Version() == 3
    assert _str(model.Description()) == "read back"
    assert model.BuffersLength() == 5  # empty buffer 0 + four constants
    assert model.Buffers(0).DataLength() == 0
    for i in range(1, model.BuffersLength()):
        buf = model.Buffers(i)
        start = buf._tab.Vector(buf._tab.Offset(4))
        assert start % 16 == 0, f"buffer {i} data at offset {start}"
    assert model.Buffers(2).DataAsNumpy().view(np.float32).tolist() == [0.0, 1.0, 2.0]

    codes = [
        (model.OperatorCodes(i).BuiltinCode(), model.OperatorCodes(i).DeprecatedBuiltinCode())
        for i in range(model.OperatorCodesLength())
    ]
    op = tflite.BuiltinOperator
    assert codes == [
        (op.CONV_2D, op.CONV_2D),
        (op.ADD, op.ADD),
        (op.RESHAPE, op.RESHAPE),
        (op.QUANTIZE, op.QUANTIZE),
        (op.BROADCAST_TO, 127),
    ]

    assert model.SubgraphsLength() == 1
    sg = model.Subgraphs(0)
    names = [_str(sg.Tensors(i).Name()) for i in range(sg.TensorsLength())]
    assert names == [
        "input", "conv/w", "conv/b", "shape", "conv/out", "add/out", "reshape/out", "q", "bcast",
        "bcast_shape",
    ]  # fmt: skip
    assert sg.Tensors(1).ShapeAsNumpy().tolist() == [3, 3, 3, 2]
    assert sg.Tensors(0).Buffer() == 0
    assert sg.Tensors(1).Buffer() == 1
    assert sg.Tensors(3).Type() == tflite.TensorType.INT32
    assert sg.InputsAsNumpy().tolist() == [0]
    assert sg.OutputsAsNumpy().tolist() == [8]
    quant = sg.Tensors(7).Quantization()
    assert sg.Tensors(7).Type() == tflite.TensorType.INT8
    assert quant.ScaleAsNumpy().tolist() == [0.5]
    assert quant.ZeroPointAsNumpy().tolist() == [-1]

    assert [sg.Operators(i).OpcodeIndex() for i in range(sg.OperatorsLength())] == [
        0,
        1,
        1,
        2,
        3,
        4,
    ]
    conv = sg.Operators(0)
    assert conv.InputsAsNumpy().tolist() == [0, 1, 2]
    assert conv.BuiltinOptionsType() == tflite.BuiltinOptions.Conv2DOptions
    opts = tflite.Conv2DOptions()
    opts.Init(conv.BuiltinOptions().Bytes, conv.BuiltinOptions().Pos)
    assert (opts.Padding(), opts.StrideW(), opts.StrideH()) == (tflite.Padding.VALID, 1, 2)
    assert opts.FusedActivationFunction() == tflite.ActivationFunctionType.RELU6
    assert (opts.DilationWFactor(), opts.DilationHFactor()) == (1, 1)
    reshape = sg.Operators(3)
    assert reshape.BuiltinOptionsType() == tflite.BuiltinOptions.ReshapeOptions
    ropts = tflite.ReshapeOptions()
    ropts.Init(reshape.BuiltinOptions().Bytes, reshape.BuiltinOptions().Pos)
    assert ropts.NewShapeAsNumpy().tolist() == [1, 48]
    assert sg.Operators(4).BuiltinOptionsType() == tflite.BuiltinOptions.NONE


def test_per_channel_quantization_read_back() -> None:
    b = TFLiteModelBuilder()
    w = b.add_constant("w", np.ones((2, 1, 1, 3), np.int8), Quantization([0.1, 0.2], [0, 0], 0))
    b.mark_output(w)
    sg = tflite.Model.GetRootAs(b.build(), 0).Subgraphs(0)
    quant = sg.Tensors(0).Quantization()
    np.testing.assert_allclose(quant.ScaleAsNumpy(), [0.1, 0.2], rtol=1e-7)
    assert quant.ZeroPointAsNumpy().tolist() == [0, 0]
    assert quant.QuantizedDimension() == 0


def test_build_is_deterministic() -> None:
    def make() -> bytes:
        return single_op_model("SOFTMAX", [1, 4], [], [1, 4])

    assert make() == make()


# --------------------------------------------------------------------------- errors
def test_invalid_options_are_rejected() -> None:
    b = TFLiteModelBuilder()
    x = b.add_input("x", [1, 4, 4, 1])
    y = b.add_tensor("y", [1, 2, 2, 1])
    with pytest.raises(ValueError, match="unknown options"):
        b.add_operator("MAX_POOL_2D", [x], [y], {"filter_width": 2, "filter_height": 2, "k": 1})
    with pytest.raises(ValueError, match="missing required"):
        b.add_operator("MAX_POOL_2D", [x], [y], {"filter_width": 2})
    with pytest.raises(ValueError, match="invalid padding"):
        b.add_operator("CONV_2D", [x], [y], {"padding": "FULL"})
    with pytest.raises(ValueError, match="unknown builtin operator"):
        b.add_operator("NOT_AN_OP", [x], [y])
    with pytest.raises(IndexError):
        b.add_operator("RELU", [x], [5])
    with pytest.raises(ValueError, match="scales do not match"):
        b.add_tensor("q", [3, 2], np.int8, Quantization([1.0, 1.0], [0, 0], 0))
    with pytest.raises(ValueError, match="no outputs"):
        b.build()
