"""
The compile-time half of the general tensor kernels' ABI (`kernels/generic/tensor/` and
the float32 kernels ONNX needs beyond TFLite's: math, reductions, matrix products,
normalizations, resize): how an `nn` operator's shapes and attributes become the fields
of the kernel's parameter struct and the tables it reads.

Every function is pure: shapes and attributes in, a `CStruct` (field values in C
declaration order, see `int8_abi.CStruct`) and arrays out. Shapes are collapsed before
they reach C: dimensions of size 1 are dropped and dimensions that stay contiguous for
every operand are merged, so that the kernels' odometers run over as few dimensions as
possible (and at most the `MAX_DIMS` their structs hold). A shape that cannot be
collapsed that far raises `NotImplementedError`, which the lowering reports naming the
operator.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from micro.backends.generic.int8_abi import CStruct
from micro.dialects import nn

MAX_DIMS = 6
"""`MICRO_DATA_MAX_DIMS`, `MICRO_ELEMENTWISE_MAX_DIMS`, `MICRO_REDUCE_MAX_DIMS`,
`MICRO_RESIZE_MAX_DIMS`."""

MATMUL_MAX_BATCH_DIMS = 4
"""`MICRO_MATMUL_MAX_BATCH_DIMS`."""

TYPE_CODES = {"f32": 0, "i64": 1, "i32": 2, "i1": 3, "i8": 4, "ui8": 5}
"""`MICRO_TYPE_*` of data_ops.h, by element type spelling."""


def product(values: Sequence[int]) -> int:
    result = 1
    for v in values:
        result *= int(v)
    return result


def row_major_strides(shape: Sequence[int]) -> list[int]:
    strides, step = [0] * len(shape), 1
    for i in range(len(shape) - 1, -1, -1):
        strides[i] = step
        step *= int(shape[i])
    return strides


def _padded(values: Sequence[int], length: int = MAX_DIMS) -> tuple[int, ...]:
    if len(values) > length:
        raise NotImplementedError(f"{len(values)} dimensions after collapsing (at most {length})")
    return tuple(int(v) for v in values) + (0,) * (length - len(values))


def collapse(
    shape: Sequence[int], strides: Sequence[Sequence[int]]
) -> tuple[list[int], list[list[int]]]:
    """
    Drop size-1 dimensions of an iteration `shape` and merge neighbours that every
    operand walks contiguously (outer stride = inner stride * inner size). `strides`
    holds one stride list per operand, in elements. Returns at least one dimension.
    """
    dims = [(int(n), [int(s[i]) for s in strides]) for i, n in enumerate(shape) if n != 1]
    merged: list[tuple[int, list[int]]] = []
    for size, ss in dims:
        if merged:
            psize, pss = merged[-1]
            if all(p == s * size for p, s in zip(pss, ss, strict=True)):
                merged[-1] = (psize * size, ss)
                continue
        merged.append((size, ss))
    if not merged:
        merged = [(1, [1] * len(strides))]
    return [m[0] for m in merged], [[m[1][k] for m in merged] for k in range(len(strides))]


def broadcast_strides(operand: Sequence[int], out: Sequence[int]) -> list[int]:
    """Element strides of `operand` read at every index of `out` (numpy broadcasting):
    0 along dimensions it is broadcast along."""
    rank = len(out)
    padded = [1] * (rank - len(operand)) + [int(d) for d in operand]
    natural = row_major_strides(padded)
    return [0 if padded[i] == 1 and out[i] != 1 else natural[i] for i in range(rank)]


# --------------------------------------------------------------------------------------------
# element-wise


def elementwise_params(operands: Sequence[Sequence[int]], out: Sequence[int], fn: int) -> CStruct:
    """`MicroElementwiseParams` of a broadcast binary operation (operand shapes, out)."""
    shape, (sa, sb) = collapse(out, [broadcast_strides(s, out) for s in operands])
    return CStruct(
        "MicroElementwiseParams",
        (
            ("ndim", "i32", len(shape)),
            ("out_shape", "i32", _padded(shape)),
            ("a_strides", "i32", _padded(sa)),
            ("b_strides", "i32", _padded(sb)),
            ("fn", "i32", fn),
        ),
    )


def where_params(
    cond: Sequence[int], a: Sequence[int], b: Sequence[int], out: Sequence[int], elem_size: int
) -> CStruct:
    shape, (sc, sa, sb) = collapse(out, [broadcast_strides(s, out) for s in (cond, a, b)])
    return CStruct(
        "MicroWhereParams",
        (
            ("ndim", "i32", len(shape)),
            ("elem_size", "i32", elem_size),
            ("out_shape", "i32", _padded(shape)),
            ("cond_strides", "i32", _padded(sc)),
            ("a_strides", "i32", _padded(sa)),
            ("b_strides", "i32", _padded(sb)),
        ),
    )


def math_params(count: int, fn: int, alpha: float = 0.0, beta: float = 0.0) -> CStruct:
    return CStruct(
        "MicroMathParams",
        (
            ("count", "i32", count),
            ("fn", "i32", fn),
            ("alpha", "f32", alpha),
            ("beta", "f32", beta),
        ),
    )


def cast_params(count: int, from_type: str, to_type: str) -> CStruct:
    return CStruct(
        "MicroCastParams",
        (
            ("count", "i32", count),
            ("from", "i32", TYPE_CODES[from_type]),
            ("to", "i32", TYPE_CODES[to_type]),
        ),
    )


# --------------------------------------------------------------------------------------------
# element moves


def strided_copy_params(
    shape: Sequence[int],
    in_strides: Sequence[int],
    out_strides: Sequence[int],
    elem_size: int,
    in_offset: int = 0,
    out_offset: int = 0,
) -> CStruct:
    """`MicroStridedCopyParams`: out[out_offset + i.out_strides] = in[in_offset + i.in_strides]."""
    collapsed, (si, so) = collapse(shape, [in_strides, out_strides])
    return CStruct(
        "MicroStridedCopyParams",
        (
            ("ndim", "i32", len(collapsed)),
            ("elem_size", "i32", elem_size),
            ("shape", "i32", _padded(collapsed)),
            ("in_strides", "i32", _padded(si)),
            ("out_strides", "i32", _padded(so)),
            ("in_offset", "i32", in_offset),
            ("out_offset", "i32", out_offset),
        ),
    )


def slice_params(
    in_shape: Sequence[int],
    starts: Sequence[int],
    steps: Sequence[int],
    counts: Sequence[int],
    elem_size: int,
) -> CStruct:
    """A strided slice: element i (per axis) of the result is input element start + i*step."""
    natural = row_major_strides(in_shape)
    in_strides = [s * t for s, t in zip(natural, steps, strict=True)]
    offset = sum(s * st for s, st in zip(natural, starts, strict=True))
    return strided_copy_params(counts, in_strides, row_major_strides(counts), elem_size, offset)


def broadcast_copy_params(in_shape: Sequence[int], out: Sequence[int], elem_size: int) -> CStruct:
    """Expand: the input broadcast to `out` (stride 0 along broadcast dimensions)."""
    return strided_copy_params(
        out, broadcast_strides(in_shape, out), row_major_strides(out), elem_size
    )


def concat_part_params(
    part: Sequence[int], out: Sequence[int], axis: int, offset: int, elem_size: int
) -> CStruct:
    """One input of a concatenation: copied into `out` from `offset` along `axis`."""
    out_strides = row_major_strides(out)
    return strided_copy_params(
        part,
        row_major_strides(part),
        out_strides,
        elem_size,
        out_offset=offset * out_strides[axis],
    )


def gather_params(
    data: Sequence[int], axis: int, index_count: int, elem_size: int, index_bytes: int
) -> CStruct:
    return CStruct(
        "MicroGatherParams",
        (
            ("outer", "i32", product(data[:axis])),
            ("axis_size", "i32", int(data[axis])),
            ("inner", "i32", product(data[axis + 1 :])),
            ("index_count", "i32", index_count),
            ("elem_size", "i32", elem_size),
            ("index_bytes", "i32", index_bytes),
        ),
    )


PAD_MODES = {"constant": 0, "reflect": 1, "edge": 2, "wrap": 3}


def pad_mode_params(
    in_shape: Sequence[int],
    paddings: Sequence[tuple[int, int]],
    mode: str,
    value_bytes: bytes,
    elem_size: int,
) -> CStruct:
    """`MicroPadModeParams`: unpadded size-1 dimensions dropped; in constant mode
    unpadded dimensions also merge into their outer neighbour (any other mode pads
    dimension by dimension, so they must stay apart)."""
    dims = [
        (int(n), int(b), int(a))
        for n, (b, a) in zip(in_shape, paddings, strict=True)
        if not (n == 1 and b == 0 and a == 0)
    ]
    if mode == "constant":
        merged: list[tuple[int, int, int]] = []
        for n, b, a in dims:
            if merged and b == 0 and a == 0:
                pn, pb, pa = merged[-1]
                merged[-1] = (pn * n, pb * n, pa * n)
            else:
                merged.append((n, b, a))
        dims = merged
    dims = dims or [(1, 0, 0)]
    raw = value_bytes.ljust(8, b"\0")
    return CStruct(
        "MicroPadModeParams",
        (
            ("ndim", "i32", len(dims)),
            ("elem_size", "i32", elem_size),
            ("in_shape", "i32", _padded([d[0] for d in dims])),
            ("pad_before", "i32", _padded([d[1] for d in dims])),
            ("pad_after", "i32", _padded([d[2] for d in dims])),
            ("mode", "i32", PAD_MODES[mode]),
            ("value_lo", "u32", int.from_bytes(raw[:4], "little")),
            ("value_hi", "u32", int.from_bytes(raw[4:8], "little")),
        ),
    )


# --------------------------------------------------------------------------------------------
# reductions and axis kernels


def reduce_params(in_shape: Sequence[int], axes: Sequence[int], fn: str) -> CStruct:
    """`MicroReduceParams`: size-1 dimensions dropped, neighbours with the same
    reduce flag merged."""
    dims = [(int(n), int(i in axes)) for i, n in enumerate(in_shape) if n != 1]
    merged: list[tuple[int, int]] = []
    for n, flag in dims:
        if merged and merged[-1][1] == flag:
            merged[-1] = (merged[-1][0] * n, flag)
        else:
            merged.append((n, flag))
    merged = merged or [(1, 0)]
    return CStruct(
        "MicroReduceParams",
        (
            ("ndim", "i32", len(merged)),
            ("in_shape", "i32", _padded([m[0] for m in merged])),
            ("reduce", "i32", _padded([m[1] for m in merged])),
            ("fn", "i32", nn.REDUCE_FUNCTIONS.index(fn)),  # MICRO_REDUCE_*, same order
        ),
    )


def axis_params(
    shape: Sequence[int], axis: int, k: int = 0, flag: int = 0, select_last: int = 0
) -> CStruct:
    """`MicroAxisParams`: the tensor seen as [outer, axis, inner]."""
    return CStruct(
        "MicroAxisParams",
        (
            ("outer", "i32", product(shape[:axis])),
            ("axis", "i32", int(shape[axis])),
            ("inner", "i32", product(shape[axis + 1 :])),
            ("k", "i32", k),
            ("flag", "i32", flag),
            ("select_last", "i32", select_last),
        ),
    )


def lrn_params(
    shape: Sequence[int], axis: int, size: int, alpha: float, beta: float, bias: float
) -> CStruct:
    return CStruct(
        "MicroLrnParams",
        (
            ("outer", "i32", product(shape[:axis])),
            ("channels", "i32", int(shape[axis])),
            ("inner", "i32", product(shape[axis + 1 :])),
            ("size", "i32", size),
            ("alpha", "f32", alpha),
            ("beta", "f32", beta),
            ("bias", "f32", bias),
        ),
    )


def layer_norm_params(shape: Sequence[int], axis: int, epsilon: float) -> CStruct:
    return CStruct(
        "MicroLayerNormParams",
        (
            ("rows", "i32", product(shape[:axis])),
            ("inner", "i32", product(shape[axis:])),
            ("epsilon", "f32", epsilon),
        ),
    )


def quantize_linear_params(shape: Sequence[int], axis: int, channels: int, kind: int) -> CStruct:
    """`MicroQuantizeLinearParams`: [outer, channels, inner] (one channel per tensor)."""
    if channels == 1:
        outer, inner = 1, product(shape)
    else:
        outer, inner = product(shape[:axis]), product(shape[axis + 1 :])
    return CStruct(
        "MicroQuantizeLinearParams",
        (
            ("outer", "i32", outer),
            ("channels", "i32", channels),
            ("inner", "i32", inner),
            ("kind", "i32", kind),
        ),
    )


# --------------------------------------------------------------------------------------------
# matrices


def matmul_params(a: Sequence[int], b: Sequence[int], out: Sequence[int]) -> CStruct:
    """`MicroMatMulParams` of a batched product (rank >= 2 operands, broadcast batch)."""
    m, k, n = int(a[-2]), int(a[-1]), int(b[-1])
    batch = list(out[:-2])
    strides = [broadcast_strides(s[:-2], batch) for s in (a, b)]
    shape, (sa, sb) = collapse(batch, strides) if batch else ([1], [[0], [0]])
    if len(shape) > MATMUL_MAX_BATCH_DIMS:
        raise NotImplementedError(
            f"{len(shape)} batch dimensions after collapsing (at most {MATMUL_MAX_BATCH_DIMS})"
        )
    return CStruct(
        "MicroMatMulParams",
        (
            ("batch_ndim", "i32", len(shape)),
            ("batch_shape", "i32", _padded(shape, MATMUL_MAX_BATCH_DIMS)),
            ("a_strides", "i32", _padded(sa, MATMUL_MAX_BATCH_DIMS)),
            ("b_strides", "i32", _padded(sb, MATMUL_MAX_BATCH_DIMS)),
            ("m", "i32", m),
            ("k", "i32", k),
            ("n", "i32", n),
        ),
    )


def _window_fields(
    x: Sequence[int],
    kernel: Sequence[int],
    out: Sequence[int],
    strides: Sequence[int],
    dilations: Sequence[int],
    pads: Sequence[int],
    group: int,
) -> tuple[tuple[str, str, int], ...]:
    """The NHWC window fields the transposed and splat convolutions' structs share."""
    values = (
        ("batch", x[0]),
        ("in_h", x[1]),
        ("in_w", x[2]),
        ("in_c", x[3]),
        ("out_h", out[1]),
        ("out_w", out[2]),
        ("out_c", out[3]),
        ("k_h", kernel[0]),
        ("k_w", kernel[1]),
        ("stride_h", strides[0]),
        ("stride_w", strides[1]),
        ("dilation_h", dilations[0]),
        ("dilation_w", dilations[1]),
        ("pad_top", pads[0]),
        ("pad_left", pads[1]),
        ("group", group),
    )
    return tuple((name, "i32", int(v)) for name, v in values)


def conv_transpose_params(
    x: Sequence[int],
    filter_shape: Sequence[int],
    out: Sequence[int],
    strides: Sequence[int],
    dilations: Sequence[int],
    pads: Sequence[int],
    group: int,
) -> CStruct:
    """`MicroConvTransposeParams`; the filter is [in_c, k_h, k_w, out_c / group]."""
    kernel = (filter_shape[1], filter_shape[2])
    return CStruct(
        "MicroConvTransposeParams",
        _window_fields(x, kernel, out, strides, dilations, pads, group),
    )


def conv_splat_params(
    x: Sequence[int],
    kernel: Sequence[int],
    out: Sequence[int],
    strides: Sequence[int],
    dilations: Sequence[int],
    pads: Sequence[int],
    group: int,
    weight: float,
    bias_value: float,
    act: tuple[float, float],
) -> CStruct:
    return CStruct(
        "MicroConvSplatParams",
        (
            *_window_fields(x, kernel, out, strides, dilations, pads, group),
            ("weight", "f32", weight),
            ("bias_value", "f32", bias_value),
            ("act_min", "f32", act[0]),
            ("act_max", "f32", act[1]),
        ),
    )


def fully_connected_splat_params(
    batch: int,
    in_features: int,
    out_features: int,
    weight: float,
    bias_value: float,
    act: tuple[float, float],
) -> CStruct:
    return CStruct(
        "MicroFullyConnectedSplatParams",
        (
            ("batch", "i32", batch),
            ("in_features", "i32", in_features),
            ("out_features", "i32", out_features),
            ("weight", "f32", weight),
            ("bias_value", "f32", bias_value),
            ("act_min", "f32", act[0]),
            ("act_max", "f32", act[1]),
        ),
    )


# --------------------------------------------------------------------------------------------
# resize


@dataclass(frozen=True)
class ResizeTables:
    params: CStruct
    indices: np.ndarray  # int32, every axis's taps concatenated
    weights: np.ndarray  # float32, matching `indices`


def _nearest_taps(x: float, n: int) -> list[int]:
    """The `n` indices nearest to `x`, ties to the smaller (an even window starts at
    floor(x) - n/2 + 1, or x - n/2 when x is whole; an odd one is centred on the
    nearest index, ties down); indices may fall outside the axis (edge-clamped later)."""
    if n % 2 == 0:
        start = math.floor(x) - n // 2 + (0 if float(x).is_integer() else 1)
    else:
        base = math.floor(x)
        start = base - (n - 1) // 2 + (0 if x - base <= 0.5 else 1)
    return list(range(start, start + n))


def _cubic(a: float, d: float) -> float:
    d = abs(d)
    if d <= 1:
        return (a + 2) * d**3 - (a + 3) * d**2 + 1
    if d < 2:
        return a * d**3 - 5 * a * d**2 + 8 * a * d - 4 * a
    return 0.0


def _coefficients(
    mode: str, ratio: float, nearest_mode: str, a: float, antialias: bool, scale: float
) -> list[float]:
    """The weights of the taps around an input coordinate whose distance past the tap
    before it is `ratio` (in (0, 1]); antialiasing widens linear and cubic kernels by
    1 / scale when downsampling."""
    if mode == "nearest":
        if ratio == 1:
            return [0.0, 1.0]
        up = {
            "round_prefer_floor": ratio > 0.5,
            "round_prefer_ceil": ratio >= 0.5,
            "floor": False,
            "ceil": True,
        }[nearest_mode]
        return [0.0, 1.0] if up else [1.0, 0.0]
    if antialias:
        s = min(scale, 1.0)
        if mode == "linear":
            start = math.floor(-1 / s) + 1
            offsets = range(start, start + 2 - 2 * start)
            raw = [min(max(1 - abs((i - ratio) * s), 0.0), 1.0) for i in offsets]
        else:
            start = math.floor(-2 / s) + 1
            raw = [_cubic(a, s * (i - ratio)) for i in range(start, 2 - start)]
        total = sum(raw)
        return [c / total for c in raw]
    if mode == "linear":
        return [1.0 - ratio, ratio]
    return [_cubic(a, ratio + 1), _cubic(a, ratio), _cubic(a, 1 - ratio), _cubic(a, 2 - ratio)]


def resize_axis(
    in_size: int,
    out_size: int,
    scale: float,
    mode: str,
    coordinate_mode: str,
    nearest_mode: str,
    cubic_coeff_a: float,
    exclude_outside: bool,
    antialias: bool = False,
    roi: tuple[float, float] = (0.0, 1.0),
) -> tuple[np.ndarray, np.ndarray]:
    """Per output index along one axis, the input indices it reads and their weights:
    arrays [out_size, taps] (taps with zero weight everywhere are dropped)."""
    rows_i: list[list[int]] = []
    rows_w: list[list[float]] = []
    for o in range(out_size):
        if out_size == in_size and scale == 1.0 and roi == (0.0, 1.0):
            rows_i.append([o])
            rows_w.append([1.0])
            continue
        x = nn.resize_source_coordinate(coordinate_mode, o, scale, in_size, out_size, roi)
        ratio = 1.0 if float(x).is_integer() else x - math.floor(x)
        coeffs = _coefficients(mode, ratio, nearest_mode, cubic_coeff_a, antialias, scale)
        taps = _nearest_taps(x, len(coeffs))
        if exclude_outside:
            coeffs = [0.0 if not 0 <= t < in_size else c for t, c in zip(taps, coeffs, strict=True)]
            total = sum(coeffs) or 1.0
            coeffs = [c / total for c in coeffs]
        rows_i.append([min(max(t, 0), in_size - 1) for t in taps])
        rows_w.append(coeffs)
    width = max(len(r) for r in rows_w)
    indices = np.array([r + [r[-1]] * (width - len(r)) for r in rows_i], np.int64)
    weights = np.array([r + [0.0] * (width - len(r)) for r in rows_w], np.float64)
    used = np.any(weights != 0.0, axis=0)
    if not used.any():
        used[0] = True
    return indices[:, used], weights[:, used]


def resize_tables(
    in_shape: Sequence[int],
    out_shape: Sequence[int],
    scales: Sequence[float],
    mode: str,
    coordinate_mode: str,
    nearest_mode: str,
    cubic_coeff_a: float,
    exclude_outside: bool,
    antialias: bool = False,
    roi: Sequence[float] | None = None,
) -> ResizeTables:
    """The tables of `micro_resize_f32`: unchanged size-1 axes are dropped."""
    keep = [d for d in range(len(in_shape)) if not (in_shape[d] == 1 and out_shape[d] == 1)] or [0]
    index_parts: list[np.ndarray] = []
    weight_parts: list[np.ndarray] = []
    taps: list[int] = []
    offsets: list[int] = []
    offset = 0
    for d in keep:
        idx, w = resize_axis(
            int(in_shape[d]),
            int(out_shape[d]),
            float(scales[d]),
            mode,
            coordinate_mode,
            nearest_mode,
            cubic_coeff_a,
            exclude_outside,
            antialias,
            (roi[d], roi[len(in_shape) + d]) if roi is not None else (0.0, 1.0),
        )
        taps.append(idx.shape[1])
        offsets.append(offset)
        offset += idx.size
        index_parts.append(idx.reshape(-1))
        weight_parts.append(w.reshape(-1))
    params = CStruct(
        "MicroResizeParams",
        (
            ("ndim", "i32", len(keep)),
            ("in_shape", "i32", _padded([in_shape[d] for d in keep])),
            ("out_shape", "i32", _padded([out_shape[d] for d in keep])),
            ("taps", "i32", _padded(taps)),
            ("offset", "i32", _padded(offsets)),
        ),
    )
    return ResizeTables(
        params,
        np.concatenate(index_parts).astype(np.int32),
        np.concatenate(weight_parts).astype(np.float32),
    )
