"""
The generic backend's kernel selection: which portable C kernel implements each `nn`
operator, in which weight layout, with how much scratch.

Each rule lowers one operator through the `LoweringContext` and returns True, or
returns False when the generic kernels cannot implement it (another backend may). An
operator that *no* kernel can implement for a reason the user should know (an int8
graph before int8 kernels exist, a hybrid operator LiteRT computes differently) raises a
MicroError naming the operator.
"""

from __future__ import annotations

from collections.abc import Callable

from xdsl.dialects.builtin import (
    ArrayAttr,
    Float32Type,
    FloatAttr,
    IntegerAttr,
    MemRefType,
    f32,
    i32,
)
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.utils.hints import isa

from micro.backends.generic import abi, int8_abi, lower_tensor
from micro.backends.generic.lower_int8 import lower_int8
from micro.backends.generic.lower_tensor import broadcast_operand, dense, splat_scalar
from micro.dialects import kernel, nn
from micro.dialects.quant import (
    UniformQuantizedPerAxisType,
    UniformQuantizedType,
    storage_type_of,
)
from micro.lowering.convert_nn_to_kernel import LoweringContext, numpy_dtype
from micro.lowering.quant_compute_params import struct_attr

BACKEND = "generic"


def _all_float(*values: SSAValue | None) -> bool:
    return all(v is None or isinstance(nn.element_type(v), Float32Type) for v in values)


def _require_float_activations(ctx: LoweringContext, op: Operation) -> None:
    for value in (*op.operands, *op.results):
        elem = nn.element_type(value)
        if isinstance(elem, UniformQuantizedType | UniformQuantizedPerAxisType) and not (
            isinstance(value.owner, nn.ConstantOp)
        ):
            raise ctx.fail(
                op,
                "no int8 kernel implements this operator with quantized activations "
                "(int8 kernels: conv2d, depthwise_conv2d, fully_connected, pooling, add, sub, "
                "mul, softmax, logistic, tanh, relu*, mean, pad, transpose, reshape)",
            )


def _require_constant(ctx: LoweringContext, op: Operation, value: SSAValue, what: str) -> None:
    if ctx.constant_array(value) is None:
        raise ctx.fail(op, f"the {what} must be a constant tensor")


def _bias(ctx: LoweringContext, op: Operation, bias: SSAValue | None) -> SSAValue | None:
    if bias is None:
        return None
    if splat_scalar(bias) is not None:
        return dense(ctx, bias)
    _require_constant(ctx, op, bias, "bias")
    if not _all_float(bias):
        raise ctx.fail(op, f"a float operator needs a float bias, got {nn.element_type(bias)}")
    return ctx.weight(bias)


def _per_tensor_scale(filter_type: object) -> float | None:
    """The single scale of a per-tensor (or all-equal per-axis) quantized type."""
    if isinstance(filter_type, UniformQuantizedType):
        return filter_type.scale.data
    if isinstance(filter_type, UniformQuantizedPerAxisType):
        scales = filter_type.get_scales()
        if all(s == scales[0] for s in scales):
            return scales[0]
    return None


def _conv2d(ctx: LoweringContext, op: nn.Conv2DOp) -> bool:
    _require_float_activations(ctx, op)
    if (weight := splat_scalar(op.filter)) is not None:
        return lower_tensor.conv_splat(ctx, op, float(weight))
    _require_constant(ctx, op, op.filter, "filter")
    strides = kernel.ints(op.strides)
    dilations = kernel.ints(op.dilations)
    pads = kernel.ints(op.pads)
    _, out_h, out_w, _ = nn.tensor_shape(op.result)
    _, kh, kw, in_c = nn.tensor_shape(op.filter)
    filter_elem = nn.element_type(op.filter)
    common = {
        "backend": BACKEND,
        "kernel_size": (kh, kw),
        "strides": strides,
        "dilations": dilations,
        "pads": pads,
        "activation": nn.get_activation(op),
    }
    if isinstance(filter_elem, Float32Type):
        packed = ctx.weight(op.filter, "conv_panels", abi.pack_conv2d_f32)
        bias = _bias(ctx, op, op.bias)
        x = ctx.buffer(op.input)
        y = ctx.result_buffer(op.result)
        _, in_h, in_w, _ = nn.tensor_shape(op.input)
        reads_padding = abi.conv_reads_padding(
            (in_h, in_w), (out_h, out_w), (kh, kw), strides, dilations, pads
        )
        scratch = ctx.scratch(abi.conv2d_f32_scratch_size(in_c, reads_padding))
        ctx.insert(kernel.Conv2DOp(x, packed, bias, y, scratch, **common))
        return True
    scale = _per_tensor_scale(filter_elem)
    if scale is None:
        raise ctx.fail(
            op,
            "hybrid convolution with per-channel weight scales is not supported yet "
            "(only per-tensor int8 weights)",
        )
    assert isinstance(filter_elem, UniformQuantizedType | UniformQuantizedPerAxisType)
    if filter_elem.storage_type.width.data != 8 or _zero_points(filter_elem) != {0}:
        raise ctx.fail(op, "hybrid convolution needs symmetric int8 weights (zero point 0)")
    if dilations != (1, 1):
        raise ctx.fail(
            op,
            "hybrid convolution with dilation is not supported "
            "(LiteRT's hybrid kernel ignores the dilation, so there is no reference to match)",
        )
    w = ctx.weight(op.filter)
    bias = _bias(ctx, op, op.bias)
    x = ctx.buffer(op.input)
    y = ctx.result_buffer(op.result)
    in_n, in_h, in_w, _ = nn.tensor_shape(op.input)
    pointwise = abi.conv_is_pointwise(kh, kw, strides, pads, dilations)
    scratch = ctx.scratch(
        abi.conv2d_hybrid_scratch_size(in_n, in_h, in_w, in_c, out_h, out_w, kh, kw, pointwise)
    )
    ctx.insert(
        kernel.Conv2DHybridOp(
            x,
            w,
            bias,
            y,
            scratch,
            **common,
            extra={"filter_scale": FloatAttr(scale, f32)},
        )
    )
    return True


def _zero_points(elem: UniformQuantizedType | UniformQuantizedPerAxisType) -> set[int]:
    if isinstance(elem, UniformQuantizedType):
        return {elem.zero_point.data}
    return set(elem.get_zero_points())


def _depthwise_conv2d(ctx: LoweringContext, op: nn.DepthwiseConv2DOp) -> bool:
    _require_float_activations(ctx, op)
    if (weight := splat_scalar(op.filter)) is not None:
        return lower_tensor.conv_splat(ctx, op, float(weight))
    _require_constant(ctx, op, op.filter, "filter")
    if not _all_float(op.filter):
        raise ctx.fail(op, "hybrid depthwise convolution (int8 weights) is not supported yet")
    _, kh, kw, _ = nn.tensor_shape(op.filter)
    w = ctx.weight(op.filter)
    bias = _bias(ctx, op, op.bias)
    x = ctx.buffer(op.input)
    y = ctx.result_buffer(op.result)
    ctx.insert(
        kernel.DepthwiseConv2DOp(
            x,
            w,
            bias,
            y,
            None,
            backend=BACKEND,
            kernel_size=(kh, kw),
            strides=kernel.ints(op.strides),
            dilations=kernel.ints(op.dilations),
            pads=kernel.ints(op.pads),
            activation=nn.get_activation(op),
            extra={"depth_multiplier": op.depth_multiplier},
        )
    )
    return True


def _fully_connected(ctx: LoweringContext, op: nn.FullyConnectedOp) -> bool:
    _require_float_activations(ctx, op)
    if (weight := splat_scalar(op.weights)) is not None:
        return lower_tensor.fully_connected_splat(ctx, op, float(weight))
    if not _all_float(op.weights):
        raise ctx.fail(op, "hybrid fully connected (int8 weights) is not supported yet")
    if ctx.constant_array(op.weights) is None:
        raise ctx.fail(op, "the weights must be a constant tensor")
    w = ctx.weight(op.weights, "fc_panels", abi.pack_panels_f32)
    bias = _bias(ctx, op, op.bias)
    x = ctx.buffer(op.input)
    y = ctx.result_buffer(op.result)
    ctx.insert(
        kernel.FullyConnectedOp(x, w, bias, y, backend=BACKEND, activation=nn.get_activation(op))
    )
    return True


def _pool(ctx: LoweringContext, op: nn.AvgPool2DOp | nn.MaxPool2DOp) -> bool:
    _require_float_activations(ctx, op)
    count_include_pad = False
    if isinstance(op, nn.AvgPool2DOp) and op.count_include_pad is not None:
        count_include_pad = bool(op.count_include_pad.value.data)
    x = ctx.buffer(op.input)
    y = ctx.result_buffer(op.result)
    ctx.insert(
        kernel.Pool2DOp(
            x,
            y,
            backend=BACKEND,
            mode="avg" if isinstance(op, nn.AvgPool2DOp) else "max",
            kernel_size=kernel.ints(op.kernel),
            strides=kernel.ints(op.strides),
            pads=kernel.ints(op.pads),
            count_include_pad=count_include_pad,
            activation=nn.get_activation(op),
        )
    )
    return True


_BINARY_FN = {
    nn.AddOp: "add",
    nn.SubOp: "sub",
    nn.MulOp: "mul",
    nn.DivOp: "div",
    nn.MaximumOp: "maximum",
    nn.MinimumOp: "minimum",
}


def _binary(ctx: LoweringContext, op: Operation) -> bool:
    _require_float_activations(ctx, op)
    lhs, rhs = op.operands
    (a, _), (b, _) = broadcast_operand(ctx, lhs), broadcast_operand(ctx, rhs)
    y = ctx.result_buffer(op.results[0])
    ctx.insert(
        kernel.BinaryOp(
            a, b, y, backend=BACKEND, fn=_BINARY_FN[type(op)], activation=nn.get_activation(op)
        )
    )
    return True


_UNARY_FN = {
    nn.ReluOp: "relu",
    nn.Relu6Op: "relu6",
    nn.ReluN1To1Op: "relu_n1_to_1",
    nn.LogisticOp: "logistic",
    nn.TanhOp: "tanh",
}


def _unary(ctx: LoweringContext, op: Operation) -> bool:
    _require_float_activations(ctx, op)
    x = ctx.buffer(op.operands[0])
    y = ctx.result_buffer(op.results[0])
    ctx.insert(kernel.UnaryOp(x, y, backend=BACKEND, fn=_UNARY_FN[type(op)]))
    return True


def _softmax(ctx: LoweringContext, op: nn.SoftmaxOp) -> bool:
    _require_float_activations(ctx, op)
    if op.is_log() or op.axis_index() != len(nn.tensor_shape(op.input)) - 1:
        return lower_tensor.softmax_axis(ctx, op)
    x = ctx.buffer(op.input)
    y = ctx.result_buffer(op.result)
    ctx.insert(kernel.SoftmaxOp(x, y, backend=BACKEND, beta=op.beta.value.data))
    return True


def _reshape(ctx: LoweringContext, op: nn.ReshapeOp) -> bool:
    source = ctx.buffer(op.input)
    assert isa(source.type, MemRefType[Attribute])
    view = ctx.insert(
        kernel.ReshapeOp(source, MemRefType(source.type.element_type, nn.tensor_shape(op.result)))
    )
    view.results[0].name_hint = op.result.name_hint
    ctx.buffers[op.result] = view.results[0]
    return True


def _i32(value: int) -> IntegerAttr:
    return IntegerAttr(value, i32)


def _i32_array(values: list[int], length: int) -> ArrayAttr[Attribute]:
    return ArrayAttr([_i32(v) for v in values] + [_i32(0)] * (length - len(values)))


MEAN_MAX_DIMS = 6


def _mean(ctx: LoweringContext, op: nn.MeanOp) -> bool:
    if not _all_float(op.input, op.result):
        return False
    shape = list(nn.tensor_shape(op.input))
    if len(shape) > MEAN_MAX_DIMS:
        raise ctx.fail(op, f"MEAN of a {len(shape)}-D tensor (at most {MEAN_MAX_DIMS}-D)")
    axes = set(kernel.ints(op.axes))
    x = ctx.buffer(op.input)
    y = ctx.result_buffer(op.result)
    ctx.insert(
        kernel.CallOp(
            "micro_mean_f32",
            [x, y],
            backend=BACKEND,
            header="generic/fp32/mean_f32.h",
            writes=[1],
            params_type="MicroMeanParams",
            params={
                "ndim": _i32(len(shape)),
                "in_shape": _i32_array(shape, MEAN_MAX_DIMS),
                "reduce": _i32_array([int(d in axes) for d in range(len(shape))], MEAN_MAX_DIMS),
            },
        )
    )
    return True


def _elem_size(value: SSAValue) -> int:
    return numpy_dtype(storage_type_of(nn.element_type(value))).itemsize


def _data_move(ctx: LoweringContext, op: Operation, move: int8_abi.DataMove, name: str) -> bool:
    if tuple(move.output_shape) != nn.tensor_shape(op.results[0]):
        raise ctx.fail(op, f"internal: {name} computes shape {list(move.output_shape)}")
    x = ctx.buffer(op.operands[0])
    y = ctx.result_buffer(op.results[0])
    ctx.insert(
        kernel.CallOp(
            move.function,
            [x, y],
            backend=BACKEND,
            header=f"generic/data/{name}.h",
            writes=[1],
            params_type=move.params.name,
            params=dict(struct_attr(move.params).data),
        )
    )
    return True


def _pad(ctx: LoweringContext, op: nn.PadOp) -> bool:
    if op.pad_mode() != "constant" or op.pad_value() != 0.0:
        return lower_tensor.pad_mode(ctx, op)
    flat = kernel.ints(op.paddings)
    paddings = [(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)]
    elem = nn.element_type(op.result)
    in_elem = nn.element_type(op.input)
    if elem != in_elem:
        raise ctx.fail(op, "PAD must keep the element type and quantization of its input")
    dtype = numpy_dtype(storage_type_of(elem))
    # Zero means the real value 0: the zero point of a quantized tensor.
    value = elem.zero_point.data if isinstance(elem, UniformQuantizedType) else 0
    if isinstance(elem, UniformQuantizedPerAxisType):
        raise ctx.fail(op, "PAD of a per-channel quantized tensor")
    try:
        move = int8_abi.pad_params(
            nn.tensor_shape(op.input),
            paddings,
            elem_size=dtype.itemsize,
            pad_value=int8_abi.pad_value_bits(value, dtype),
        )
    except (ValueError, NotImplementedError) as error:
        raise ctx.fail(op, str(error)) from None
    return _data_move(ctx, op, move, "pad")


def _transpose(ctx: LoweringContext, op: nn.TransposeOp) -> bool:
    if nn.element_type(op.result) != nn.element_type(op.input):
        raise ctx.fail(op, "TRANSPOSE must keep the element type and quantization of its input")
    try:
        move = int8_abi.transpose_params(
            nn.tensor_shape(op.input), kernel.ints(op.perm), elem_size=_elem_size(op.input)
        )
    except (ValueError, NotImplementedError) as error:
        raise ctx.fail(op, str(error)) from None
    return _data_move(ctx, op, move, "transpose")


_RULES: dict[type[Operation], Callable[[LoweringContext, Operation], bool]] = {
    nn.Conv2DOp: _conv2d,  # type: ignore[dict-item]
    nn.DepthwiseConv2DOp: _depthwise_conv2d,  # type: ignore[dict-item]
    nn.FullyConnectedOp: _fully_connected,  # type: ignore[dict-item]
    nn.AvgPool2DOp: _pool,  # type: ignore[dict-item]
    nn.MaxPool2DOp: _pool,  # type: ignore[dict-item]
    nn.SoftmaxOp: _softmax,  # type: ignore[dict-item]
    nn.ReshapeOp: _reshape,  # type: ignore[dict-item]
    nn.MeanOp: _mean,  # type: ignore[dict-item]
    nn.PadOp: _pad,  # type: ignore[dict-item]
    nn.TransposeOp: _transpose,  # type: ignore[dict-item]
    **{kind: _binary for kind in _BINARY_FN},
    **{kind: _unary for kind in _UNARY_FN},
}


_SPLAT_AWARE = (
    nn.SplatOp,
    nn.BinaryOp,
    nn.CompareOp,
    nn.WhereOp,
    nn.BroadcastOp,
    nn.Conv2DOp,
    nn.DepthwiseConv2DOp,
    nn.FullyConnectedOp,
    nn.LayerNormOp,
    *_BINARY_FN,
)
"""Operators whose rules read a splat operand as its one value (the others get it
expanded into a buffer first)."""


def lower_op(ctx: LoweringContext, op: Operation) -> bool:
    if lower_int8(ctx, op):
        return True
    rule = _RULES.get(type(op)) or lower_tensor.RULES.get(type(op))
    if rule is None:
        return False
    if not isinstance(op, _SPLAT_AWARE):
        for operand in op.operands:
            if splat_scalar(operand) is not None:
                dense(ctx, operand)
    return rule(ctx, op)
