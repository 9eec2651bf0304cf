"""
The generic backend's rules for the general tensor operators (what ONNX adds to
TFLite's set): element-wise math of any function, broadcast arithmetic, comparisons and
logic on f32/i32/i64/bool tensors, casts, reductions, axis kernels (arg-max, softmax
over any axis, top-k), element moves (concat, slice, gather, expand, pad modes), matrix
products, normalizations, resize, transposed convolution, quantize/dequantize, and the
convolutions and fully connected layers whose weights are a splat.

Each rule turns one operator into `kernel.call`s of the C kernels in
`kernels/generic/tensor/` and `kernels/generic/fp32/`, with the parameter struct
computed by `tensor_abi` (shapes collapsed at compile time). A splat (`nn.splat`) reaches
a kernel as one element with stride 0 wherever the kernel broadcasts, as the scalar of a
splat kernel for weights, and is expanded into a buffer only where a kernel needs every
element.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from xdsl.dialects.builtin import IntegerType, MemRefType
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.utils.hints import isa

from micro.backends.generic import tensor_abi
from micro.backends.generic.int8_abi import CStruct
from micro.dialects import kernel, nn
from micro.dialects.quant import storage_type_of
from micro.lowering.convert_nn_to_kernel import LoweringContext, numpy_dtype
from micro.lowering.quant_compute_params import struct_attr

BACKEND = "generic"

_ELEMENT_SUFFIX = {"f32": "f32", "i32": "i32", "i64": "i64", "i1": "bool"}


def _elem(value: SSAValue) -> Attribute:
    return storage_type_of(nn.element_type(value))


def _elem_name(value: SSAValue) -> str:
    return str(_elem(value))


def _elem_size(value: SSAValue) -> int:
    return numpy_dtype(_elem(value)).itemsize


def _count(value: SSAValue) -> int:
    return tensor_abi.product(nn.tensor_shape(value))


def call(
    ctx: LoweringContext,
    op: Operation,
    callee: str,
    header: str,
    args: Sequence[SSAValue | None],
    writes: Sequence[int],
    params: CStruct | None,
    *,
    scratch: int | None = None,
    in_place: Sequence[tuple[int, int, bool]] = (),
) -> None:
    """
    Insert `callee(args..., &params)`. An absent optional buffer (None) is passed as
    NULL; `writes`, `scratch` and `in_place` name arguments by their C position.
    """
    absent = [i for i, a in enumerate(args) if a is None]

    def operand(position: int) -> int:
        return position - sum(1 for i in absent if i < position)

    ctx.insert(
        kernel.CallOp(
            callee,
            [a for a in args if a is not None],
            backend=BACKEND,
            header=header,
            writes=[operand(w) for w in writes],
            scratch=operand(scratch) if scratch is not None else None,
            in_place=[(operand(t), operand(o), same) for t, o, same in in_place],
            literals={i: "NULL" for i in absent} or None,
            params_type=params.name if params is not None else None,
            params=dict(struct_attr(params).data) if params is not None else None,
        )
    )


def _abi(ctx: LoweringContext, op: Operation, compute: Callable[[], CStruct]) -> CStruct:
    try:
        return compute()
    except NotImplementedError as error:
        raise ctx.fail(op, str(error)) from None


# ------------------------------------------------------------------------------ splats


def splat_scalar(value: SSAValue) -> float | int | None:
    """The one value of a splat (`nn.splat`), else None."""
    owner = value.owner
    return owner.scalar() if isinstance(owner, nn.SplatOp) else None


def scalar_buffer(ctx: LoweringContext, value: SSAValue) -> SSAValue:
    """A one-element constant buffer holding a splat's value."""
    scalar = splat_scalar(value)
    assert scalar is not None
    dtype = numpy_dtype(_elem(value))
    return ctx.constant(np.array([scalar], dtype=dtype), f"{value.name_hint or 'splat'}_value")


def broadcast_operand(ctx: LoweringContext, value: SSAValue) -> tuple[SSAValue, tuple[int, ...]]:
    """The buffer a broadcasting kernel reads for `value`, and the shape it reads it as:
    a splat is one element broadcast everywhere."""
    if splat_scalar(value) is not None:
        return scalar_buffer(ctx, value), ()
    return dense(ctx, value), nn.tensor_shape(value)


def dense(ctx: LoweringContext, value: SSAValue) -> SSAValue:
    """The buffer of `value` with every element present (a splat expanded into one)."""
    if splat_scalar(value) is None:
        return ctx.buffer(value)
    if value in ctx.buffers:
        return ctx.buffers[value]
    one = scalar_buffer(ctx, value)
    shape = nn.tensor_shape(value)
    out = ctx.alloc(shape, _elem(value), value.name_hint or "splat")
    params = tensor_abi.broadcast_copy_params((), shape, _elem_size(value))
    call(ctx, value.owner, "micro_strided_copy", _DATA, [one, out], [1], params)
    ctx.buffers[value] = out
    return out


# ------------------------------------------------------------------------------ headers

_DATA = "generic/tensor/data_ops.h"
_ELEMENTWISE = "generic/tensor/elementwise.h"
_MATH = "generic/fp32/math_f32.h"
_REDUCE = "generic/fp32/reduce_f32.h"
_MATMUL = "generic/fp32/matmul_f32.h"
_NORM = "generic/fp32/norm_f32.h"
_RESIZE = "generic/fp32/resize_f32.h"
_QUANTIZE = "generic/tensor/quantize_linear.h"


# ------------------------------------------------------------------------------ element-wise


def _unary(ctx: LoweringContext, op: nn.UnaryOp) -> bool:
    fn = op.fn.data
    suffix = _ELEMENT_SUFFIX.get(_elem_name(op.input))
    if suffix is None:
        return False
    x = dense(ctx, op.input)
    y = ctx.result_buffer(op.result)
    alpha = op.param("alpha") if op.alpha is not None else 0.0
    beta = op.param("beta") if op.beta is not None else 0.0
    code = list(nn.UNARY_FUNCTIONS).index(fn)
    params = tensor_abi.math_params(_count(op.input), code, alpha, beta)
    call(ctx, op, f"micro_math_{suffix}", _MATH, [x, y], [1], params, in_place=[(1, 0, True)])
    return True


def _in_place_pairs(
    op_operands: Sequence[SSAValue], result: SSAValue, out_index: int
) -> list[tuple[int, int, bool]]:
    shape = nn.tensor_shape(result)
    return [
        (out_index, i, True)
        for i, v in enumerate(op_operands)
        if splat_scalar(v) is None
        and nn.tensor_shape(v) == shape
        and _elem_size(v) == _elem_size(result)
    ]


def _binary(ctx: LoweringContext, op: nn.BinaryOp) -> bool:
    fn = op.fn.data
    elem = _elem_name(op.lhs)
    if fn in nn.LOGICAL_FUNCTIONS:
        callee, code = "micro_logical_bool", nn.LOGICAL_FUNCTIONS.index(fn)
    else:
        suffix = _ELEMENT_SUFFIX.get(elem)
        if suffix is None or suffix == "bool":
            return False
        callee, code = f"micro_binary_{suffix}", nn.BINARY_FUNCTIONS.index(fn)
    (a, sa), (b, sb) = broadcast_operand(ctx, op.lhs), broadcast_operand(ctx, op.rhs)
    y = ctx.result_buffer(op.result)
    out = nn.tensor_shape(op.result)
    params = _abi(ctx, op, lambda: tensor_abi.elementwise_params([sa, sb], out, code))
    in_place = _in_place_pairs([op.lhs, op.rhs], op.result, 2)
    call(ctx, op, callee, _ELEMENTWISE, [a, b, y], [2], params, in_place=in_place)
    return True


def _compare(ctx: LoweringContext, op: nn.CompareOp) -> bool:
    suffix = _ELEMENT_SUFFIX.get(_elem_name(op.lhs))
    if suffix is None:
        return False
    (a, sa), (b, sb) = broadcast_operand(ctx, op.lhs), broadcast_operand(ctx, op.rhs)
    y = ctx.result_buffer(op.result)
    out = nn.tensor_shape(op.result)
    code = nn.COMPARE_FUNCTIONS.index(op.fn.data)
    params = _abi(ctx, op, lambda: tensor_abi.elementwise_params([sa, sb], out, code))
    call(ctx, op, f"micro_compare_{suffix}", _ELEMENTWISE, [a, b, y], [2], params)
    return True


def _where(ctx: LoweringContext, op: nn.WhereOp) -> bool:
    (c, sc) = broadcast_operand(ctx, op.condition)
    (a, sa), (b, sb) = broadcast_operand(ctx, op.lhs), broadcast_operand(ctx, op.rhs)
    y = ctx.result_buffer(op.result)
    out = nn.tensor_shape(op.result)
    size = _elem_size(op.result)
    params = _abi(ctx, op, lambda: tensor_abi.where_params(sc, sa, sb, out, size))
    call(ctx, op, "micro_where", _DATA, [c, a, b, y], [3], params)
    return True


def _cast(ctx: LoweringContext, op: nn.CastOp) -> bool:
    source, target = _elem_name(op.input), _elem_name(op.result)
    if source not in tensor_abi.TYPE_CODES or target not in tensor_abi.TYPE_CODES:
        return False
    if source == target:
        return _alias(ctx, op.input, op.result)
    x = dense(ctx, op.input)
    y = ctx.result_buffer(op.result)
    params = tensor_abi.cast_params(_count(op.input), source, target)
    same = _elem_size(op.input) == _elem_size(op.result)
    call(ctx, op, "micro_cast", _DATA, [x, y], [1], params, in_place=[(1, 0, True)] if same else [])
    return True


def _alias(ctx: LoweringContext, source: SSAValue, result: SSAValue) -> bool:
    """`result` is `source`'s bytes under another shape: a view."""
    buffer = dense(ctx, source)
    assert isa(buffer.type, MemRefType[Attribute])
    view = ctx.insert(
        kernel.ReshapeOp(buffer, MemRefType(buffer.type.element_type, nn.tensor_shape(result)))
    )
    view.results[0].name_hint = result.name_hint
    ctx.buffers[result] = view.results[0]
    return True


# ------------------------------------------------------------------------------ moves


def _broadcast(ctx: LoweringContext, op: nn.BroadcastOp) -> bool:
    x, shape = broadcast_operand(ctx, op.input)
    y = ctx.result_buffer(op.result)
    out = nn.tensor_shape(op.result)
    size = _elem_size(op.result)
    params = _abi(ctx, op, lambda: tensor_abi.broadcast_copy_params(shape, out, size))
    call(ctx, op, "micro_strided_copy", _DATA, [x, y], [1], params)
    return True


def _slice(ctx: LoweringContext, op: nn.SliceOp) -> bool:
    x = dense(ctx, op.input)
    y = ctx.result_buffer(op.result)
    in_shape, counts = nn.tensor_shape(op.input), nn.tensor_shape(op.result)
    starts, steps = kernel.ints(op.starts), kernel.ints(op.steps)
    size = _elem_size(op.result)
    params = _abi(ctx, op, lambda: tensor_abi.slice_params(in_shape, starts, steps, counts, size))
    call(ctx, op, "micro_strided_copy", _DATA, [x, y], [1], params)
    return True


def _concat(ctx: LoweringContext, op: nn.ConcatOp) -> bool:
    axis = op.axis.value.data
    out = nn.tensor_shape(op.result)
    size = _elem_size(op.result)
    parts = [(dense(ctx, v), nn.tensor_shape(v)) for v in op.inputs]
    y = ctx.result_buffer(op.result)
    offset = 0
    for buffer, shape in parts:
        start = offset
        params = _abi(
            ctx, op, lambda s=shape, o=start: tensor_abi.concat_part_params(s, out, axis, o, size)
        )
        call(ctx, op, "micro_strided_copy", _DATA, [buffer, y], [1], params)
        offset += shape[axis]
    return True


def _gather(ctx: LoweringContext, op: nn.GatherOp) -> bool:
    data = dense(ctx, op.data)
    indices = dense(ctx, op.indices)
    y = ctx.result_buffer(op.result)
    axis = op.axis.value.data
    params = tensor_abi.gather_params(
        nn.tensor_shape(op.data),
        axis,
        _count(op.indices),
        _elem_size(op.result),
        _elem_size(op.indices),
    )
    call(ctx, op, "micro_gather", _DATA, [data, indices, y], [2], params)
    return True


def pad_mode(ctx: LoweringContext, op: nn.PadOp) -> bool:
    """ONNX Pad: reflect/edge/wrap, or constant with a value other than zero."""
    flat = kernel.ints(op.paddings)
    paddings = [(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)]
    elem = _elem(op.input)
    dtype = numpy_dtype(elem)
    value = op.pad_value()
    value_bytes = np.asarray(value if dtype.kind == "f" else int(value), dtype=dtype).tobytes()
    x = dense(ctx, op.input)
    y = ctx.result_buffer(op.result)
    params = _abi(
        ctx,
        op,
        lambda: tensor_abi.pad_mode_params(
            nn.tensor_shape(op.input), paddings, op.pad_mode(), value_bytes, dtype.itemsize
        ),
    )
    call(ctx, op, "micro_pad_mode", _DATA, [x, y], [1], params)
    return True


# ------------------------------------------------------------------------------ reductions


def _reduce(ctx: LoweringContext, op: nn.ReduceOp) -> bool:
    x = dense(ctx, op.input)
    y = ctx.result_buffer(op.result)
    axes = kernel.ints(op.axes)
    params = _abi(
        ctx, op, lambda: tensor_abi.reduce_params(nn.tensor_shape(op.input), axes, op.fn.data)
    )
    scratch = ctx.scratch(8 * max(_count(op.result), 1))
    assert scratch is not None
    call(ctx, op, "micro_reduce_f32", _REDUCE, [x, y, scratch], [1, 2], params, scratch=2)
    return True


def _arg_reduce(ctx: LoweringContext, op: nn.ArgReduceOp) -> bool:
    x = dense(ctx, op.input)
    y = ctx.result_buffer(op.result)
    params = tensor_abi.axis_params(
        nn.tensor_shape(op.input),
        op.axis.value.data,
        flag=int(op.fn.data == "min"),
        select_last=op.select_last_index.value.data,
    )
    call(ctx, op, "micro_arg_reduce_f32", _REDUCE, [x, y], [1], params)
    return True


def softmax_axis(ctx: LoweringContext, op: nn.SoftmaxOp) -> bool:
    """Softmax or log-softmax over any axis (beta 1, ONNX's)."""
    if op.beta.value.data != 1.0:
        raise ctx.fail(op, "softmax over an inner axis or log-softmax with beta != 1")
    x = dense(ctx, op.input)
    y = ctx.result_buffer(op.result)
    params = tensor_abi.axis_params(
        nn.tensor_shape(op.input), op.axis_index(), flag=int(op.is_log())
    )
    call(ctx, op, "micro_softmax_axis_f32", _REDUCE, [x, y], [1], params)
    return True


def _topk(ctx: LoweringContext, op: nn.TopKOp) -> bool:
    x = dense(ctx, op.input)
    values = ctx.result_buffer(op.values)
    indices = ctx.result_buffer(op.indices)
    axis = op.axis.value.data
    k = nn.tensor_shape(op.values)[axis]
    params = tensor_abi.axis_params(
        nn.tensor_shape(op.input), axis, k=k, flag=op.largest.value.data
    )
    call(ctx, op, "micro_topk_f32", _REDUCE, [x, values, indices], [1, 2], params)
    return True


def _lrn(ctx: LoweringContext, op: nn.LRNOp) -> bool:
    x = dense(ctx, op.input)
    y = ctx.result_buffer(op.result)
    params = tensor_abi.lrn_params(
        nn.tensor_shape(op.input),
        op.axis.value.data,
        op.size.value.data,
        op.alpha.value.data,
        op.beta.value.data,
        op.bias.value.data,
    )
    call(ctx, op, "micro_lrn_f32", _NORM, [x, y], [1], params)
    return True


def _row_operand(
    ctx: LoweringContext, op: Operation, value: SSAValue, inner: Sequence[int]
) -> SSAValue:
    """`value` broadcast to the normalized shape `inner`: a constant is broadcast at
    compile time, a run-time tensor of another shape by a copy."""
    if nn.tensor_shape(value)[-len(inner) :] == tuple(inner) and _count(
        value
    ) == tensor_abi.product(inner):
        return dense(ctx, value)
    array = ctx.constant_array(value)
    scalar = splat_scalar(value)
    if scalar is not None:
        array = np.full(nn.tensor_shape(value), scalar, numpy_dtype(_elem(value)))
    if array is not None:
        expanded = np.ascontiguousarray(np.broadcast_to(array, tuple(inner)))
        return ctx.constant(expanded, f"{value.name_hint or 'row'}_full")
    source = dense(ctx, value)
    out = ctx.alloc(inner, _elem(value), "row")
    params = tensor_abi.broadcast_copy_params(nn.tensor_shape(value), inner, _elem_size(value))
    call(ctx, op, "micro_strided_copy", _DATA, [source, out], [1], params)
    return out


def _layer_norm(ctx: LoweringContext, op: nn.LayerNormOp) -> bool:
    shape = nn.tensor_shape(op.input)
    axis = op.axis.value.data
    inner = shape[axis:]
    x = dense(ctx, op.input)
    scale = _row_operand(ctx, op, op.scale, inner)
    bias = _row_operand(ctx, op, op.bias, inner) if op.bias is not None else None
    y = ctx.result_buffer(op.result)
    mean = ctx.result_buffer(op.mean)
    inv_std = ctx.result_buffer(op.inv_std)
    params = tensor_abi.layer_norm_params(shape, axis, op.epsilon.value.data)
    call(
        ctx,
        op,
        "micro_layer_norm_f32",
        _NORM,
        [x, scale, bias, y, mean, inv_std],
        [3, 4, 5],
        params,
    )
    return True


# ------------------------------------------------------------------------------ matrices


def _matmul(ctx: LoweringContext, op: nn.MatMulOp) -> bool:
    a, b = dense(ctx, op.lhs), dense(ctx, op.rhs)
    y = ctx.result_buffer(op.result)
    params = _abi(
        ctx,
        op,
        lambda: tensor_abi.matmul_params(
            nn.tensor_shape(op.lhs), nn.tensor_shape(op.rhs), nn.tensor_shape(op.result)
        ),
    )
    call(ctx, op, "micro_matmul_f32", _MATMUL, [a, b, y], [2], params)
    return True


def _conv_transpose(ctx: LoweringContext, op: nn.ConvTranspose2DOp) -> bool:
    x = dense(ctx, op.input)
    if ctx.constant_array(op.filter) is None and splat_scalar(op.filter) is None:
        raise ctx.fail(op, "the filter must be a constant tensor")
    w = dense(ctx, op.filter) if splat_scalar(op.filter) is not None else ctx.weight(op.filter)
    bias = dense(ctx, op.bias) if op.bias is not None else None
    y = ctx.result_buffer(op.result)
    params = tensor_abi.conv_transpose_params(
        nn.tensor_shape(op.input),
        nn.tensor_shape(op.filter),
        nn.tensor_shape(op.result),
        kernel.ints(op.strides),
        kernel.ints(op.dilations),
        kernel.ints(op.pads),
        op.group.value.data,
    )
    call(ctx, op, "micro_conv_transpose2d_f32", _MATMUL, [x, w, bias, y], [3], params)
    return True


def _bias_splat(
    ctx: LoweringContext, op: Operation, bias: SSAValue | None
) -> tuple[SSAValue | None, float]:
    """A layer's bias as (array buffer, None) or (None, the one value of a splat / 0)."""
    if bias is None:
        return None, 0.0
    scalar = splat_scalar(bias)
    if scalar is not None:
        return None, float(scalar)
    if ctx.constant_array(bias) is None:
        raise ctx.fail(op, "the bias must be a constant tensor")
    return ctx.weight(bias), 0.0


def conv_splat(ctx: LoweringContext, op: nn.Conv2DOp | nn.DepthwiseConv2DOp, weight: float) -> bool:
    """A convolution whose weights are all one value: window sums, no weight array."""
    x = dense(ctx, op.input)
    bias, bias_value = _bias_splat(ctx, op, op.bias)
    y = ctx.result_buffer(op.result)
    in_shape, out_shape = nn.tensor_shape(op.input), nn.tensor_shape(op.result)
    _, kh, kw, _ = nn.tensor_shape(op.filter)
    group = in_shape[3] if isinstance(op, nn.DepthwiseConv2DOp) else 1
    params = tensor_abi.conv_splat_params(
        in_shape,
        (kh, kw),
        out_shape,
        kernel.ints(op.strides),
        kernel.ints(op.dilations),
        kernel.ints(op.pads),
        group,
        weight,
        bias_value,
        nn.get_activation(op).bounds(),
    )
    scratch = ctx.scratch(4 * in_shape[1] * in_shape[2] * group)
    assert scratch is not None
    call(
        ctx,
        op,
        "micro_conv2d_splat_f32",
        _MATMUL,
        [x, bias, y, scratch],
        [2, 3],
        params,
        scratch=3,
    )
    return True


def fully_connected_splat(ctx: LoweringContext, op: nn.FullyConnectedOp, weight: float) -> bool:
    x = dense(ctx, op.input)
    bias, bias_value = _bias_splat(ctx, op, op.bias)
    y = ctx.result_buffer(op.result)
    out_features, in_features = nn.tensor_shape(op.weights)
    batch = _count(op.input) // in_features
    params = tensor_abi.fully_connected_splat_params(
        batch, in_features, out_features, weight, bias_value, nn.get_activation(op).bounds()
    )
    call(ctx, op, "micro_fully_connected_splat_f32", _MATMUL, [x, bias, y], [2], params)
    return True


# ------------------------------------------------------------------------------ resize


def _resize(ctx: LoweringContext, op: nn.ResizeOp) -> bool:
    in_shape, out_shape = nn.tensor_shape(op.input), nn.tensor_shape(op.result)
    tables = _abi(
        ctx,
        op,
        lambda: tensor_abi.resize_tables(
            in_shape,
            out_shape,
            op.scale_values(),
            op.mode.data,
            op.coordinate_mode.data,
            op.nearest_mode.data,
            op.cubic_coeff_a.value.data,
            bool(op.exclude_outside.value.data),
            op.is_antialiased(),
            op.roi_values(),
        ),
    )
    x = dense(ctx, op.input)
    hint = op.result.name_hint or "resize"
    indices = ctx.constant(tables.indices, f"{hint}_indices")
    weights = ctx.constant(tables.weights, f"{hint}_weights")
    y = ctx.result_buffer(op.result)
    call(ctx, op, "micro_resize_f32", _RESIZE, [x, y, indices, weights], [1], tables.params)
    return True


# ------------------------------------------------------------------------------ quantization


def _quant_kind(elem: Attribute) -> int:
    assert isinstance(elem, IntegerType)
    if elem.width.data == 32:
        return 2
    return 1 if str(elem) == "ui8" else 0


def _quantize_linear(ctx: LoweringContext, op: nn.QuantizeLinearOp) -> bool:
    return _quant_linear(ctx, op, "micro_quantize_linear_f32", _elem(op.result))


def _dequantize_linear(ctx: LoweringContext, op: nn.DequantizeLinearOp) -> bool:
    return _quant_linear(ctx, op, "micro_dequantize_linear_f32", _elem(op.input))


def _quant_linear(
    ctx: LoweringContext,
    op: nn.QuantizeLinearOp | nn.DequantizeLinearOp,
    callee: str,
    quantized: Attribute,
) -> bool:
    scales = np.array(op.scales.get_values(), np.float32)
    zero_points = np.array(kernel.ints(op.zero_points), np.int32)
    x = dense(ctx, op.input)
    hint = op.result.name_hint or "q"
    s = ctx.constant(scales, f"{hint}_scales")
    z = ctx.constant(zero_points, f"{hint}_zero_points")
    y = ctx.result_buffer(op.result)
    params = tensor_abi.quantize_linear_params(
        nn.tensor_shape(op.input), op.axis.value.data, scales.size, _quant_kind(quantized)
    )
    call(ctx, op, callee, _QUANTIZE, [x, y, s, z], [1], params)
    return True


# ------------------------------------------------------------------------------ table


def _splat(ctx: LoweringContext, op: nn.SplatOp) -> bool:
    """Nothing to run: a splat is materialized where it is used, as its users need."""
    return True


RULES: dict[type[Operation], Callable[[LoweringContext, Operation], bool]] = {
    nn.UnaryOp: _unary,  # type: ignore[dict-item]
    nn.BinaryOp: _binary,  # type: ignore[dict-item]
    nn.CompareOp: _compare,  # type: ignore[dict-item]
    nn.WhereOp: _where,  # type: ignore[dict-item]
    nn.CastOp: _cast,  # type: ignore[dict-item]
    nn.SplatOp: _splat,  # type: ignore[dict-item]
    nn.BroadcastOp: _broadcast,  # type: ignore[dict-item]
    nn.SliceOp: _slice,  # type: ignore[dict-item]
    nn.ConcatOp: _concat,  # type: ignore[dict-item]
    nn.GatherOp: _gather,  # type: ignore[dict-item]
    nn.ReduceOp: _reduce,  # type: ignore[dict-item]
    nn.ArgReduceOp: _arg_reduce,  # type: ignore[dict-item]
    nn.TopKOp: _topk,  # type: ignore[dict-item]
    nn.LRNOp: _lrn,  # type: ignore[dict-item]
    nn.LayerNormOp: _layer_norm,  # type: ignore[dict-item]
    nn.MatMulOp: _matmul,  # type: ignore[dict-item]
    nn.ConvTranspose2DOp: _conv_transpose,  # type: ignore[dict-item]
    nn.ResizeOp: _resize,  # type: ignore[dict-item]
    nn.QuantizeLinearOp: _quantize_linear,  # type: ignore[dict-item]
    nn.DequantizeLinearOp: _dequantize_linear,  # type: ignore[dict-item]
}


__all__ = [
    "RULES",
    "broadcast_operand",
    "conv_splat",
    "dense",
    "fully_connected_splat",
    "pad_mode",
    "softmax_axis",
    "splat_scalar",
]
