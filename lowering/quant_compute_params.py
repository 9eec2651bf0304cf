"""
`quant-compute-params`: compute, at compile time, everything an integer kernel needs to
run an int8 operator, and record it on the operator.

Before:
    %y = nn.conv2d %x, %w, %b {strides = array<i64: 1, 1>, ...}
        : (tensor<1x8x8x3x!quant.uniform<i8:f32, 0.5:-3>>, tensor<4x3x3x3x!quant.uniform<
           i8:f32:0, {...}>>, tensor<4xi32>) -> tensor<1x8x8x4x!quant.uniform<i8:f32, 0.25:1>>
After:
    %y = nn.conv2d %x, %w, %b {..., micro.int8 = {
           function = "micro_conv2d_s8", params_type = "MicroConv2dS8Params",
           params = {batch = 1 : i32, ..., input_zero_point = -3 : i32, act_min = ...},
           folded_bias = dense<[...]> : tensor<4xi32>,
           multipliers = dense<[...]> : tensor<4xi32>, shifts = dense<[...]> : tensor<4xi32>,
           scratch_size = 0 : i64}} : ...

For each quantized operator this is TFLite's own Prepare step, reproduced bit for bit
(`micro.backends.generic.int8_abi`): per-output-channel fixed-point multipliers and shifts
(QuantizeMultiplier of input_scale * filter_scale / output_scale), the input zero point
folded into the bias (bias - zp_in * sum(w)), the quantized clamp of the fused
activation, softmax's exp table and the 256-entry tables of LOGISTIC, TANH and the
stand-alone clamps. The generated C then does no float math for these operators.

The record is a `micro.int8` dictionary: the kernel (`function`), its parameter struct
(`params_type`, `params`: field name -> i32/ui32/f32 value or array) and the constant
arrays the kernel reads, by name. Backends turn it into a `kernel.call`.

An operator whose quantization TFLite itself rejects (e.g. an int8 softmax whose output
is not scale 1/256, zero point -128) fails here with a one-line error naming it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    ArrayAttr,
    BytesAttr,
    DenseIntOrFPElementsAttr,
    DictionaryAttr,
    Float32Type,
    FloatAttr,
    IntegerAttr,
    IntegerType,
    ModuleOp,
    Signedness,
    StringAttr,
    TensorType,
    f32,
    i32,
    i64,
)
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.utils.hints import isa

from micro.backends.generic import int8_abi
from micro.dialects import kernel, nn, quant
from micro.dialects.quant import UniformQuantizedPerAxisType, UniformQuantizedType
from micro.errors import MicroError

ATTR = "micro.int8"
"""The attribute this pass sets on each int8 operator."""

UI32 = IntegerType(32, Signedness.UNSIGNED)

_ARRAY_TYPES: dict[str, Attribute] = {
    "int8": IntegerType(8),
    "int32": i32,
    "int64": i64,
}


def _dense(array: np.ndarray) -> DenseIntOrFPElementsAttr:
    array = np.ascontiguousarray(array)
    elem = _ARRAY_TYPES[array.dtype.name]
    return DenseIntOrFPElementsAttr(
        TensorType(elem, list(array.shape) or [1]), BytesAttr(array.tobytes())
    )


def dense_array(attr: Attribute) -> np.ndarray:
    """The numpy array of a dense attribute this pass wrote."""
    assert isinstance(attr, DenseIntOrFPElementsAttr)
    assert isa(attr.type, TensorType[Attribute])
    dtype = {"i8": np.int8, "i32": np.int32, "i64": np.int64}[str(attr.type.element_type)]
    return np.frombuffer(attr.data.data, dtype=dtype).reshape(tuple(attr.type.get_shape()))


def struct_attr(struct: int8_abi.CStruct) -> DictionaryAttr:
    """A kernel parameter struct as IR: field name -> typed value (arrays as ArrayAttr)."""

    def scalar(kind: str, value: int | float) -> Attribute:
        if kind == "f32":
            return FloatAttr(float(value), f32)
        return IntegerAttr(int(value), UI32 if kind == "u32" else i32)

    fields: dict[str, Attribute] = {}
    for name, kind, value in struct.fields:
        if isinstance(value, tuple):
            fields[name] = ArrayAttr([scalar(kind, v) for v in value])
        else:
            fields[name] = scalar(kind, value)
    return DictionaryAttr(fields)


def _record(
    function: str,
    struct: int8_abi.CStruct | None,
    arrays: dict[str, np.ndarray] | None = None,
    **extra: int,
) -> DictionaryAttr:
    entries: dict[str, Attribute] = {"function": StringAttr(function)}
    if struct is not None:
        entries["params_type"] = StringAttr(struct.name)
        entries["params"] = struct_attr(struct)
    for name, array in (arrays or {}).items():
        entries[name] = _dense(array)
    for name, value in extra.items():
        entries[name] = IntegerAttr(value, i64)
    return DictionaryAttr(entries)


# ----------------------------------------------------------------------------------------
# Reading quantization off the IR
# ----------------------------------------------------------------------------------------


def per_tensor(value: SSAValue) -> UniformQuantizedType | None:
    elem = nn.element_type(value)
    return elem if isinstance(elem, UniformQuantizedType) else None


def _is_i8(elem: Attribute) -> bool:
    return (
        isinstance(elem, UniformQuantizedType | UniformQuantizedPerAxisType)
        and elem.storage_type.width.data == 8
        and elem.storage_type.signedness.data != Signedness.UNSIGNED
    )


def _scale_zp(q: UniformQuantizedType) -> tuple[float, int]:
    return q.scale.data, q.zero_point.data


def _filter_quant(value: SSAValue, axis: int) -> tuple[list[float], list[int]]:
    """Scales and zero points of an int8 filter, per channel along `axis` or per tensor."""
    elem = nn.element_type(value)
    if isinstance(elem, UniformQuantizedType):
        return [elem.scale.data], [elem.zero_point.data]
    assert isinstance(elem, UniformQuantizedPerAxisType)
    channels = nn.tensor_shape(value)[axis]
    scales, zps = elem.get_scales(), elem.get_zero_points()
    if len(scales) == 1:
        return scales, zps
    if elem.quantized_dimension.data != axis or len(scales) != channels:
        raise ValueError(
            f"per-channel quantization along dimension {elem.quantized_dimension.data} with "
            f"{len(scales)} scales; the kernel needs one scale per output channel "
            f"(dimension {axis}, {channels} channels)"
        )
    return scales, zps


def _constant(value: SSAValue | None) -> np.ndarray | None:
    if value is None:
        return None
    owner = value.owner
    if not isinstance(owner, nn.ConstantOp):
        raise ValueError(f"'{value.name_hint or 'operand'}' must be a constant tensor")
    attr = owner.value
    assert isa(attr.type, TensorType[Attribute])
    storage = str(quant.storage_type_of(attr.type.element_type))
    dtype = {"i8": np.int8, "i32": np.int32, "i64": np.int64, "f32": np.float32}.get(storage)
    if dtype is None:
        raise ValueError(f"constant of element type {storage} is not supported here")
    return np.frombuffer(attr.data.data, dtype=dtype).reshape(tuple(attr.type.get_shape()))


def _bias(value: SSAValue | None) -> np.ndarray | None:
    array = _constant(value)
    if array is None:
        return None
    if array.dtype != np.int32:
        raise ValueError(f"an int8 operator needs an int32 bias, got {array.dtype}")
    return array.reshape(-1)


def _activation(op: Operation) -> str:
    return nn.get_activation(op).name


# ----------------------------------------------------------------------------------------
# One function per operator kind
# ----------------------------------------------------------------------------------------


def _conv2d(op: nn.Conv2DOp, q_in: UniformQuantizedType, q_out: UniformQuantizedType):
    weights = _constant(op.filter)
    assert weights is not None
    scales, zps = _filter_quant(op.filter, 0)
    in_scale, in_zp = _scale_zp(q_in)
    out_scale, out_zp = _scale_zp(q_out)
    result = int8_abi.conv2d_s8(
        nn.tensor_shape(op.input),
        weights,
        _bias(op.bias),
        input_scale=in_scale,
        input_zero_point=in_zp,
        filter_scales=scales,
        output_scale=out_scale,
        output_zero_point=out_zp,
        stride=_pair(op.strides),
        dilation=_pair(op.dilations),
        padding=_quad(op.pads),
        activation=_activation(op),
        filter_zero_points=zps,
    )
    _check_shape(result.output_shape, op.result)
    return _record(
        result.function,
        result.params,
        {
            "folded_bias": result.folded_bias,
            "multipliers": result.multipliers,
            "shifts": result.shifts,
        },
        scratch_size=result.scratch_size,
    )


def _depthwise(op: nn.DepthwiseConv2DOp, q_in: UniformQuantizedType, q_out):
    weights = _constant(op.filter)
    assert weights is not None
    scales, zps = _filter_quant(op.filter, 3)
    in_scale, in_zp = _scale_zp(q_in)
    out_scale, out_zp = _scale_zp(q_out)
    result = int8_abi.depthwise_conv2d_s8(
        nn.tensor_shape(op.input),
        weights,
        _bias(op.bias),
        input_scale=in_scale,
        input_zero_point=in_zp,
        filter_scales=scales,
        output_scale=out_scale,
        output_zero_point=out_zp,
        stride=_pair(op.strides),
        dilation=_pair(op.dilations),
        padding=_quad(op.pads),
        activation=_activation(op),
        filter_zero_points=zps,
    )
    _check_shape(result.output_shape, op.result)
    return _record(
        result.function,
        result.params,
        {
            "folded_bias": result.folded_bias,
            "multipliers": result.multipliers,
            "shifts": result.shifts,
        },
    )


def _fully_connected(op: nn.FullyConnectedOp, q_in: UniformQuantizedType, q_out):
    weights = _constant(op.weights)
    assert weights is not None
    scales, zps = _filter_quant(op.weights, 0)
    in_scale, in_zp = _scale_zp(q_in)
    out_scale, out_zp = _scale_zp(q_out)
    result = int8_abi.fully_connected_s8(
        nn.tensor_shape(op.input),
        weights,
        _bias(op.bias),
        input_scale=in_scale,
        input_zero_point=in_zp,
        weight_scales=scales,
        output_scale=out_scale,
        output_zero_point=out_zp,
        activation=_activation(op),
        weight_zero_points=zps,
    )
    return _record(
        result.function,
        result.params,
        {
            "folded_bias": result.folded_bias,
            "scale_mantissa": result.scale_mantissa,
            "scale_exponent": result.scale_exponent,
        },
    )


def _pool(op: nn.AvgPool2DOp | nn.MaxPool2DOp, q_in: UniformQuantizedType, q_out):
    if q_in != q_out:
        raise ValueError("int8 pooling needs the same quantization on its input and output")
    if isinstance(op, nn.AvgPool2DOp) and op.count_include_pad is not None:
        if op.count_include_pad.value.data:
            raise NotImplementedError("int8 average pooling that counts the padding")
    out_scale, out_zp = _scale_zp(q_out)
    result = int8_abi.pool2d_s8(
        "avg" if isinstance(op, nn.AvgPool2DOp) else "max",
        nn.tensor_shape(op.input),
        filter_hw=_pair(op.kernel),
        stride=_pair(op.strides),
        padding=_quad(op.pads),
        activation=_activation(op),
        output_scale=out_scale,
        output_zero_point=out_zp,
    )
    _check_shape(result.output_shape, op.result)
    return _record(result.function, result.params)


_BINARY = {nn.AddOp: "add", nn.SubOp: "sub", nn.MulOp: "mul"}


def _binary(op: Operation, q_out: UniformQuantizedType):
    lhs, rhs = op.operands
    q_a, q_b = per_tensor(lhs), per_tensor(rhs)
    if q_a is None or q_b is None:
        raise ValueError("both inputs of an int8 operator must be per-tensor quantized")
    a_scale, a_zp = _scale_zp(q_a)
    b_scale, b_zp = _scale_zp(q_b)
    out_scale, out_zp = _scale_zp(q_out)
    result = int8_abi.binary_s8(
        _BINARY[type(op)],
        nn.tensor_shape(lhs),
        nn.tensor_shape(rhs),
        a_scale=a_scale,
        a_zero_point=a_zp,
        b_scale=b_scale,
        b_zero_point=b_zp,
        output_scale=out_scale,
        output_zero_point=out_zp,
        activation=_activation(op),
    )
    _check_shape(result.output_shape, op.results[0])
    return _record(result.function, result.params)


def _softmax(op: nn.SoftmaxOp, q_in: UniformQuantizedType, q_out: UniformQuantizedType):
    in_scale, _ = _scale_zp(q_in)
    out_scale, out_zp = _scale_zp(q_out)
    result = int8_abi.softmax_s8(
        nn.tensor_shape(op.input),
        input_scale=in_scale,
        beta=op.beta.value.data,
        output_scale=out_scale,
        output_zero_point=out_zp,
    )
    return _record(result.function, result.params, {"exp_table": result.exp_table})


def _lut(op: Operation, q_in: UniformQuantizedType, q_out: UniformQuantizedType):
    in_scale, in_zp = _scale_zp(q_in)
    out_scale, out_zp = _scale_zp(q_out)
    if isinstance(op, nn.LogisticOp):
        table = int8_abi.logistic_s8_table(in_scale, in_zp, out_scale, out_zp)
    elif isinstance(op, nn.TanhOp):
        table = int8_abi.tanh_s8_table(in_scale, in_zp, out_scale, out_zp)
    else:
        activation = nn.CLAMP_OPS[type(op)].name  # type: ignore[index]
        table = int8_abi.relu_s8_table(activation, in_scale, in_zp, out_scale, out_zp)
    return _record("micro_lut_s8", None, {"table": table})


def _mean(op: nn.MeanOp, q_in: UniformQuantizedType, q_out: UniformQuantizedType):
    in_scale, in_zp = _scale_zp(q_in)
    out_scale, out_zp = _scale_zp(q_out)
    result = int8_abi.mean_s8(
        nn.tensor_shape(op.input),
        kernel.ints(op.axes),
        keep_dims=bool(op.keep_dims.value.data),
        input_scale=in_scale,
        input_zero_point=in_zp,
        output_scale=out_scale,
        output_zero_point=out_zp,
    )
    return _record(result.function, result.params)


def _convert(op: Operation) -> DictionaryAttr | None:
    shape = nn.tensor_shape(op.results[0])
    q_in, q_out = per_tensor(op.operands[0]), per_tensor(op.results[0])
    if isinstance(op, quant.QuantizeOp):
        if not isinstance(nn.element_type(op.input), Float32Type):
            raise NotImplementedError("QUANTIZE from a non-float32 tensor")
        assert q_out is not None
        result = int8_abi.quantize_f32_s8(
            shape, scale=q_out.scale.data, zero_point=q_out.zero_point.data
        )
    elif isinstance(op, quant.DequantizeOp):
        if q_in is None:
            raise NotImplementedError("DEQUANTIZE of a per-channel quantized activation")
        if not isinstance(nn.element_type(op.result), Float32Type):
            raise NotImplementedError("DEQUANTIZE to a non-float32 tensor")
        result = int8_abi.dequantize_s8_f32(
            shape, scale=q_in.scale.data, zero_point=q_in.zero_point.data
        )
    else:
        assert q_in is not None
        assert q_out is not None
        result = int8_abi.requantize_s8_s8(
            shape,
            input_scale=q_in.scale.data,
            input_zero_point=q_in.zero_point.data,
            output_scale=q_out.scale.data,
            output_zero_point=q_out.zero_point.data,
        )
    return _record(result.function, result.params)


def _pair(attr) -> tuple[int, int]:
    a, b = kernel.ints(attr)
    return a, b


def _quad(attr) -> tuple[int, int, int, int]:
    top, left, bottom, right = kernel.ints(attr)
    return top, left, bottom, right


def _check_shape(expected: Sequence[int], value: SSAValue) -> None:
    if tuple(expected) != nn.tensor_shape(value):
        raise ValueError(
            f"the kernel computes shape {list(expected)}, the model says "
            f"{list(nn.tensor_shape(value))}"
        )


def _storage_i8_activations(op: Operation) -> bool:
    """Is every non-constant operand and every result an int8 quantized tensor?"""
    values = [v for v in op.operands if not isinstance(v.owner, nn.ConstantOp)]
    return all(_is_i8(nn.element_type(v)) for v in (*values, *op.results))


def compute(op: Operation) -> DictionaryAttr | None:
    """The `micro.int8` record of `op`, or None when `op` is not an int8 operator."""
    if isinstance(op, quant.QuantizeOp | quant.DequantizeOp | quant.RequantizeOp):
        return _convert(op)
    if isinstance(op, nn.ConstantOp | nn.ReshapeOp) or not op.results:
        return None
    if not _storage_i8_activations(op):
        return None
    q_out = per_tensor(op.results[0])
    q_in = per_tensor(op.operands[0]) if op.operands else None
    if q_out is None or q_in is None:
        raise ValueError("int8 activations must be quantized per tensor")
    if isinstance(op, nn.Conv2DOp):
        return _conv2d(op, q_in, q_out)
    if isinstance(op, nn.DepthwiseConv2DOp):
        return _depthwise(op, q_in, q_out)
    if isinstance(op, nn.FullyConnectedOp):
        return _fully_connected(op, q_in, q_out)
    if isinstance(op, nn.AvgPool2DOp | nn.MaxPool2DOp):
        return _pool(op, q_in, q_out)
    if type(op) in _BINARY:
        return _binary(op, q_out)
    if isinstance(op, nn.SoftmaxOp):
        return _softmax(op, q_in, q_out)
    if isinstance(op, nn.LogisticOp | nn.TanhOp) or type(op) in nn.CLAMP_OPS:
        return _lut(op, q_in, q_out)
    if isinstance(op, nn.MeanOp):
        return _mean(op, q_in, q_out)
    return None  # data movement (reshape, pad, transpose) needs no quantization math


@dataclass(frozen=True)
class QuantComputeParamsPass(ModulePass):
    """Record TFLite's compile-time quantization math on every int8 operator."""

    name = "quant-compute-params"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        source_attr = op.attributes.get("micro.source")
        source = source_attr.data if isinstance(source_attr, StringAttr) else "<module>"
        for function in [f for f in op.ops if isinstance(f, func.FuncOp)]:
            for nn_op in function.body.block.ops:
                try:
                    record = compute(nn_op)
                except (ValueError, NotImplementedError) as error:
                    raise MicroError(f"{source}: {_describe(nn_op)}: {error}") from None
                if record is not None:
                    nn_op.attributes[ATTR] = record


def _describe(op: Operation) -> str:
    hint = op.results[0].name_hint if op.results and op.results[0].name_hint else ""
    return f"{op.name} (producing '{hint}')" if hint else op.name
