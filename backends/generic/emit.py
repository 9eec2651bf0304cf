"""
How each `kernel` op of the generic backend is called in C: function name, arguments,
parameter struct (field names as in the kernel headers) and the library files it needs.

`convert-kernel-to-c` asks `kernel_call(op)` for this and turns it into `c` dialect ops;
addresses of buffers are resolved there, since they depend on the memory plan and the
weight placement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from xdsl.dialects.builtin import (
    ArrayAttr,
    FloatAttr,
    IntegerAttr,
    f32,
    i8,
    i32,
)
from xdsl.ir import Attribute, Operation, SSAValue

from micro.backends.c.printer import c_float
from micro.dialects import c, kernel
from micro.errors import MicroError


@dataclass(frozen=True)
class BufferArg:
    """A pointer to a buffer (activation, weight or scratch), as `const T *` or `T *`."""

    value: SSAValue
    element: Attribute
    const: bool


@dataclass(frozen=True)
class LiteralArg:
    text: str
    type: Attribute


@dataclass(frozen=True)
class ParamsArg:
    """A pointer to this call's constant parameter struct."""


@dataclass
class KernelCall:
    function: str
    args: list[BufferArg | LiteralArg | ParamsArg]
    header: str
    sources: list[str]
    params_type: str | None = None
    params: list[tuple[str, Attribute]] = field(default_factory=list[tuple[str, Attribute]])


VOID = c.OpaqueType("void")
MAX_BINARY_DIMS = 6


def _int(value: int) -> IntegerAttr:
    return IntegerAttr(value, i32)


def _float(value: float) -> FloatAttr:
    return FloatAttr(value, f32)


def _act_fields(op: Operation) -> list[tuple[str, Attribute]]:
    lo, hi = kernel.get_activation(op).bounds()
    return [("act_min", _float(lo)), ("act_max", _float(hi))]


def _buf(value: SSAValue | None, const: bool, element: Attribute = f32) -> BufferArg | LiteralArg:
    if value is None:
        return LiteralArg("NULL", c.PtrType(element, const))
    return BufferArg(value, element, const)


def _fp32(name: str) -> tuple[str, list[str]]:
    return f"generic/fp32/{name}.h", [f"generic/fp32/{name}.c"]


def _window_fields(op: kernel._WindowKernelOp) -> list[tuple[str, Attribute]]:
    n, in_h, in_w, in_c = kernel.memref_shape(op.input)
    _, out_h, out_w, out_c = kernel.memref_shape(op.output)
    kh, kw = kernel.ints(op.kernel_size)
    sh, sw = kernel.ints(op.strides)
    dh, dw = kernel.ints(op.dilations)
    top, left, _, _ = kernel.ints(op.pads)
    fields = [
        ("batch", n),
        ("in_h", in_h),
        ("in_w", in_w),
        ("in_c", in_c),
        ("out_h", out_h),
        ("out_w", out_w),
        ("out_c", out_c),
    ]
    if isinstance(op, kernel.DepthwiseConv2DOp):
        fields.append(("depth_multiplier", op.depth_multiplier.value.data))
    fields += [
        ("k_h", kh),
        ("k_w", kw),
        ("stride_h", sh),
        ("stride_w", sw),
        ("dilation_h", dh),
        ("dilation_w", dw),
        ("pad_top", top),
        ("pad_left", left),
    ]
    return [(k, _int(v)) for k, v in fields] + _act_fields(op)


def _conv2d(op: kernel.Conv2DOp) -> KernelCall:
    header, sources = _fp32("conv2d_f32")
    return KernelCall(
        "micro_conv2d_f32",
        [
            _buf(op.input, True),
            _buf(op.filter, True),
            _buf(op.bias, True),
            _buf(op.output, False),
            _buf(op.scratch, False),
            ParamsArg(),
        ],
        header,
        sources,
        "MicroConv2dParams",
        _window_fields(op),
    )


def _conv2d_hybrid(op: kernel.Conv2DHybridOp) -> KernelCall:
    header, sources = _fp32("conv2d_hybrid")
    return KernelCall(
        "micro_conv2d_hybrid_f32",
        [
            _buf(op.input, True),
            _buf(op.filter, True, i8),
            LiteralArg(c_float(op.filter_scale.value.data), f32),
            _buf(op.bias, True),
            _buf(op.output, False),
            _buf(op.scratch, False, VOID),
            ParamsArg(),
        ],
        header,
        sources,
        "MicroConv2dParams",
        _window_fields(op),
    )


def _depthwise(op: kernel.DepthwiseConv2DOp) -> KernelCall:
    header, sources = _fp32("depthwise_conv2d_f32")
    return KernelCall(
        "micro_depthwise_conv2d_f32",
        [
            _buf(op.input, True),
            _buf(op.filter, True),
            _buf(op.bias, True),
            _buf(op.output, False),
            ParamsArg(),
        ],
        header,
        sources,
        "MicroDepthwiseConv2dParams",
        _window_fields(op),
    )


def _fully_connected(op: kernel.FullyConnectedOp) -> KernelCall:
    header, sources = _fp32("fully_connected_f32")
    _, in_features, _ = kernel.memref_shape(op.weights)
    out_shape = kernel.memref_shape(op.output)
    out_features = out_shape[-1] if out_shape else 1
    elements = 1
    for d in kernel.memref_shape(op.input):
        elements *= d
    fields = [
        ("batch", _int(elements // in_features)),
        ("in_features", _int(in_features)),
        ("out_features", _int(out_features)),
        *_act_fields(op),
    ]
    return KernelCall(
        "micro_fully_connected_f32",
        [
            _buf(op.input, True),
            _buf(op.weights, True),
            _buf(op.bias, True),
            _buf(op.output, False),
            ParamsArg(),
        ],
        header,
        sources,
        "MicroFullyConnectedParams",
        fields,
    )


def _pool(op: kernel.Pool2DOp) -> KernelCall:
    header, sources = _fp32("pool2d_f32")
    n, in_h, in_w, channels = kernel.memref_shape(op.input)
    _, out_h, out_w, _ = kernel.memref_shape(op.output)
    kh, kw = kernel.ints(op.kernel_size)
    sh, sw = kernel.ints(op.strides)
    top, left, _, _ = kernel.ints(op.pads)
    values = [
        ("batch", n),
        ("in_h", in_h),
        ("in_w", in_w),
        ("channels", channels),
        ("out_h", out_h),
        ("out_w", out_w),
        ("k_h", kh),
        ("k_w", kw),
        ("stride_h", sh),
        ("stride_w", sw),
        ("pad_top", top),
        ("pad_left", left),
        ("count_include_pad", op.count_include_pad.value.data),
    ]
    return KernelCall(
        f"micro_{op.mode.data}_pool2d_f32",
        [_buf(op.input, True), _buf(op.output, False), ParamsArg()],
        header,
        sources,
        "MicroPool2dParams",
        [(k, _int(v)) for k, v in values] + _act_fields(op),
    )


def broadcast_layout(
    a: Sequence[int], b: Sequence[int], out: Sequence[int]
) -> tuple[list[int], list[int], list[int]]:
    """
    Collapse a numpy broadcast into (out_shape, a_strides, b_strides) in elements, with
    stride 0 along broadcast dims, merging dims that stay contiguous for both operands
    and dropping unit dims.
    """
    rank = len(out)
    pa = [1] * (rank - len(a)) + list(a)
    pb = [1] * (rank - len(b)) + list(b)

    def strides(shape: list[int]) -> list[int]:
        result, step = [0] * rank, 1
        for i in range(rank - 1, -1, -1):
            result[i] = step if shape[i] != 1 else 0
            step *= shape[i]
        return result

    dims = [
        (out[i], sa, sb) for i, sa, sb in zip(range(rank), strides(pa), strides(pb), strict=True)
    ]
    dims = [d for d in dims if d[0] != 1]
    merged: list[tuple[int, int, int]] = []
    for size, sa, sb in dims:
        if merged:
            psize, psa, psb = merged[-1]
            if psa == sa * size and psb == sb * size:
                merged[-1] = (psize * size, sa, sb)
                continue
        merged.append((size, sa, sb))
    if not merged:
        merged = [(1, 1, 1)]
    return [m[0] for m in merged], [m[1] for m in merged], [m[2] for m in merged]


def _binary(op: kernel.BinaryOp) -> KernelCall:
    header, sources = _fp32("binary_f32")
    shape, sa, sb = broadcast_layout(
        kernel.memref_shape(op.lhs), kernel.memref_shape(op.rhs), kernel.memref_shape(op.output)
    )
    if len(shape) > MAX_BINARY_DIMS:
        raise MicroError(
            f"{op.name} '{op.fn.data}': broadcasting needs {len(shape)} dimensions, "
            f"the kernel supports {MAX_BINARY_DIMS}"
        )

    def padded(values: list[int]) -> ArrayAttr[Attribute]:
        return ArrayAttr([_int(v) for v in values])

    fields: list[tuple[str, Attribute]] = [
        ("ndim", _int(len(shape))),
        ("out_shape", padded(shape)),
        ("a_strides", padded(sa)),
        ("b_strides", padded(sb)),
        *_act_fields(op),
    ]
    return KernelCall(
        f"micro_{op.fn.data}_f32",
        [_buf(op.lhs, True), _buf(op.rhs, True), _buf(op.output, False), ParamsArg()],
        header,
        sources,
        "MicroBinaryParams",
        fields,
    )


def _unary(op: kernel.UnaryOp) -> KernelCall:
    header, sources = _fp32("unary_f32")
    count = 1
    for d in kernel.memref_shape(op.input):
        count *= d
    args: list[BufferArg | LiteralArg | ParamsArg] = [
        _buf(op.input, True),
        _buf(op.output, False),
        LiteralArg(str(count), i32),
    ]
    fn = op.fn.data
    if fn in ("relu", "relu6", "relu_n1_to_1"):
        lo, hi = {"relu": (0.0, float("inf")), "relu6": (0.0, 6.0), "relu_n1_to_1": (-1.0, 1.0)}[fn]
        args += [LiteralArg(c_float(lo), f32), LiteralArg(c_float(hi), f32)]
        return KernelCall("micro_clip_f32", args, header, sources)
    return KernelCall(f"micro_{fn}_f32", args, header, sources)


def _softmax(op: kernel.SoftmaxOp) -> KernelCall:
    header, sources = _fp32("softmax_f32")
    shape = kernel.memref_shape(op.input)
    outer = 1
    for d in shape[:-1]:
        outer *= d
    fields: list[tuple[str, Attribute]] = [
        ("outer", _int(outer)),
        ("axis_size", _int(shape[-1] if shape else 1)),
        ("beta", _float(op.beta.value.data)),
    ]
    return KernelCall(
        "micro_softmax_f32",
        [_buf(op.input, True), _buf(op.output, False), ParamsArg()],
        header,
        sources,
        "MicroSoftmaxParams",
        fields,
    )


_CALLS = {
    kernel.Conv2DOp: _conv2d,
    kernel.Conv2DHybridOp: _conv2d_hybrid,
    kernel.DepthwiseConv2DOp: _depthwise,
    kernel.FullyConnectedOp: _fully_connected,
    kernel.Pool2DOp: _pool,
    kernel.BinaryOp: _binary,
    kernel.UnaryOp: _unary,
    kernel.SoftmaxOp: _softmax,
}


def _abi_call(op: kernel.CallOp) -> KernelCall:
    """A `kernel.call` spelled from its recorded ABI: arguments in order, then &params."""
    from importlib.resources import files

    writes = {op.args[i] for i in kernel.ints(op.writes)}
    args: list[BufferArg | LiteralArg | ParamsArg] = [
        LiteralArg(arg, VOID)
        if isinstance(arg, str)
        else BufferArg(arg, kernel.memref_element_type(arg), arg not in writes)
        for arg in op.c_arguments()
    ]
    params: list[tuple[str, Attribute]] = []
    if op.params is not None:
        args.append(ParamsArg())
        params = list(op.params.data.items())
    header = op.header.data
    source = header[: -len(".h")] + ".c"
    sources = [source] if files("micro.kernels").joinpath(*source.split("/")).is_file() else []
    return KernelCall(
        op.callee.data,
        args,
        header,
        sources,
        op.params_type.data if op.params_type is not None else None,
        params,
    )


def kernel_call(op: Operation) -> KernelCall | None:
    """The C call implementing kernel op `op` on the generic backend (None: not a call)."""
    if isinstance(op, kernel.CallOp):
        return _abi_call(op)
    spell = _CALLS.get(type(op))
    return spell(op) if spell is not None else None  # type: ignore[operator]
