"""
The compile-time half of the int8 kernels' ABI (`kernels/generic/int8/`, and the type-
agnostic `kernels/generic/data/` PAD and TRANSPOSE).

TFLite's int8 kernels do their float work in Prepare(): they turn tensor scales into integer
multipliers and shifts, activation functions into clamp ranges, and (for some ops) whole
functions into lookup tables. Each function here mirrors one of those Prepare() steps
exactly -- same float32/double arithmetic in the same order, same rounding, same corner
cases -- and returns everything the matching C kernel needs: the field values of its
parameter struct (:class:`CStruct`, which can also be packed to bytes) and the arrays that
live in the weight blob (folded biases, per-channel multipliers, packed weights, tables).
The generated C then does no float math for int8 operators (QUANTIZE / DEQUANTIZE aside,
whose data is float).

Scales are taken as TFLite stores them: float32 (a Python float is first rounded to
float32). Zero points are ints. Activations are TFLite's fused activation names ("NONE",
"RELU", "RELU6", "RELU_N1_TO_1") or their ``tflite.ActivationFunctionType`` values.

The semantics were read from LiteRT's kernels (tflite/kernels/*.cc and
tflite/kernels/internal/reference/...) and are checked bit for bit against LiteRT 2.3.0's
BUILTIN_REF kernels by tests/test_kernels_int8.py. Functions raise ``ValueError`` where
LiteRT's Prepare() would fail (or abort) and ``NotImplementedError`` for valid TFLite
configurations these kernels do not cover.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math
import struct
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1

CONV_S8_NR = 16
"""Output channels per packed weight panel of micro_conv2d_s8 (`MICRO_CONV_S8_NR`)."""

CONV_S8_ZP_ROW = 256
"""Input channels micro_conv2d_s8's on-stack zero-point row covers (`MICRO_CONV_S8_ZP_ROW`)."""

MAX_DIMS = 6
"""`MICRO_BINARY_S8_MAX_DIMS`, `MICRO_MEAN_S8_MAX_DIMS`, `MICRO_PAD_MAX_DIMS`,
`MICRO_TRANSPOSE_MAX_DIMS`."""

ADD_LEFT_SHIFT = 20
"""TFLite's left shift of int8 ADD / SUB inputs before rescaling."""

# --------------------------------------------------------------------------------------------
# Parameter structs


@dataclass(frozen=True)
class CStruct:
    """Field values of one of the kernels' C parameter structs, in declaration order.

    ``fields`` holds ``(name, kind, value)`` with kind ``"i32"``, ``"u32"`` or ``"f32"``;
    array fields (e.g. ``out_shape[6]``) hold a tuple. Every field is 4 bytes, so the C
    layout has no padding and :meth:`pack` gives the struct's bytes (little-endian).
    """

    name: str
    fields: tuple[tuple[str, str, int | float | tuple[int, ...]], ...]

    def __getitem__(self, field: str) -> int | float | tuple[int, ...]:
        for name, _, value in self.fields:
            if name == field:
                return value
        raise KeyError(field)

    def as_dict(self) -> dict[str, int | float | tuple[int, ...]]:
        return {name: value for name, _, value in self.fields}

    def pack(self) -> bytes:
        codes = {"i32": "i", "u32": "I", "f32": "f"}
        fmt, values = "<", []
        for _, kind, value in self.fields:
            if isinstance(value, tuple):
                fmt += codes[kind] * len(value)
                values.extend(value)
            else:
                fmt += codes[kind]
                values.append(value)
        return struct.pack(fmt, *values)

    def c_initializer(self) -> str:
        """A C99 initializer for the struct, e.g. ``{1, 8, 8, {1, 2}, 0.5f}``."""

        def lit(kind: str, v: int | float) -> str:
            if kind == "f32":
                return f"{float(np.float32(v))!r}f" if math.isfinite(v) else "0.0f"
            if kind == "u32":
                return f"{int(v)}u"
            return str(int(v)) if v != INT32_MIN else "(-2147483647 - 1)"

        parts = []
        for _, kind, value in self.fields:
            if isinstance(value, tuple):
                parts.append("{" + ", ".join(lit(kind, v) for v in value) + "}")
            else:
                parts.append(lit(kind, value))
        return "{" + ", ".join(parts) + "}"


def _i32_fields(**values: int) -> list[tuple[str, str, int]]:
    return [(k, "i32", int(v)) for k, v in values.items()]


def _dims(values: Sequence[int]) -> tuple[int, ...]:
    """A dims array padded with zeros to MAX_DIMS entries."""
    values = [int(v) for v in values]
    if len(values) > MAX_DIMS:
        raise NotImplementedError(f"more than {MAX_DIMS} dims after simplification")
    return tuple(values) + (0,) * (MAX_DIMS - len(values))


# --------------------------------------------------------------------------------------------
# Scalars: TFLite's float32 scales, rounding, multipliers


def f32(x: float) -> float:
    """``x`` rounded to float32, as TFLite stores scales (returned as a Python float)."""
    return float(np.float32(x))


def round_half_away(x: float) -> float:
    """``std::round`` / TfLiteRound: nearest integer, ties away from zero."""
    r = math.floor(abs(x) + 0.5)
    # floor(|x| + 0.5) can round up |x| = 0.49999999999999994; std::round does not
    if r - abs(x) > 0.5:
        r -= 1
    return math.copysign(r, x)


def _roundf(x: np.float32) -> np.float32:
    """``roundf`` on a float32 value (exact: the result is representable)."""
    return np.float32(round_half_away(float(x)))


def wrap_i32(v: int) -> int:
    """``v`` reduced to int32 with two's-complement wraparound."""
    return (int(v) + 2**31) % 2**32 - 2**31


def quantize_multiplier(real: float) -> tuple[int, int]:
    """TFLite ``QuantizeMultiplier`` (quantization_util.cc, double-rounding build): ``real``
    (a double) as ``(multiplier, shift)`` with ``real ~= multiplier * 2^(shift - 31)``,
    multiplier in [2^30, 2^31): frexp, then round(q * 2^31) half away from zero; a
    multiplier that rounds up to 2^31 is halved (shift + 1); shifts below -31 (real below
    about 2^-32) flush to (0, 0); real == 0 gives (0, 0)."""
    real = float(real)
    if real == 0.0:
        return 0, 0
    q, shift = math.frexp(real)
    q_fixed = int(round_half_away(q * 2.0**31))
    if q_fixed > 2**31:
        raise ValueError(f"cannot quantize multiplier {real}")
    if q_fixed == 2**31:
        q_fixed //= 2
        shift += 1
    if q_fixed > INT32_MAX:
        raise ValueError(f"cannot quantize multiplier {real}")
    if shift < -31:
        shift, q_fixed = 0, 0
    return q_fixed, shift


def quantize_multiplier_smaller_than_one_exp(real: float) -> tuple[int, int]:
    """TFLite ``QuantizeMultiplierSmallerThanOneExp``: requires 0 < real < 1 (TFLite CHECK-
    fails, aborting, otherwise); shift <= 0."""
    if not 0.0 < real < 1.0:
        raise ValueError(f"multiplier {real} must be in (0, 1) (LiteRT aborts)")
    m, shift = quantize_multiplier(real)
    if shift > 0:
        raise ValueError(f"multiplier {real} rounds to >= 1 (LiteRT aborts)")
    return m, shift


def quantize_multiplier_greater_than_one(real: float) -> tuple[int, int]:
    """TFLite ``QuantizeMultiplierGreaterThanOne``: requires real > 1; shift >= 0."""
    if not real > 1.0:
        raise ValueError(f"multiplier {real} must be > 1 (LiteRT aborts)")
    m, shift = quantize_multiplier(real)
    if shift < 0:
        raise ValueError(f"multiplier {real} gives a negative shift (LiteRT aborts)")
    return m, shift


def float_scale_parts(scale: float) -> tuple[int, int]:
    """A double ``scale`` >= 0 as ``(mantissa, exponent)`` with scale == mantissa *
    2^exponent exactly and mantissa < 2^53: the form `micro_round_mul_double` takes."""
    scale = float(scale)
    if not (scale >= 0.0 and math.isfinite(scale)):
        raise ValueError(f"scale {scale} must be finite and >= 0")
    if scale == 0.0:
        return 0, 0
    m, e = math.frexp(scale)
    return int(m * 2.0**53), e - 53


_ACTIVATIONS = {"NONE": 0, "RELU": 1, "RELU_N1_TO_1": 2, "RELU6": 3, "TANH": 4, "SIGN_BIT": 5}


def _activation_code(activation: str | int) -> int:
    if isinstance(activation, str):
        try:
            return _ACTIVATIONS[activation.upper()]
        except KeyError:
            raise ValueError(f"unknown fused activation {activation!r}") from None
    return int(activation)


def _quantize_f32(scale: float, zero_point: int, value: float) -> int:
    """kernel_util.cc's Quantize(): zero_point + (int)roundf(value / scale), float32."""
    tmp = _roundf(np.float32(value) / np.float32(scale))
    if not (-(2.0**31) <= float(tmp) <= 2.0**31 - 1):
        raise ValueError("activation bound overflows int32 (LiteRT rejects the model)")
    return int(zero_point) + int(tmp)


def activation_range_s8(activation: str | int, scale: float, zero_point: int) -> tuple[int, int]:
    """TFLite ``CalculateActivationRangeQuantized`` for an int8 output: the quantized clamp
    range of a fused activation. RELU: [max(-128, q(0)), 127]; RELU6: [max(-128, q(0)),
    min(127, q(6))]; RELU_N1_TO_1: [max(-128, q(-1)), min(127, q(1))] with q(f) = zp +
    roundf(f / scale) in float32; anything else (NONE, and TANH / SIGN_BIT, which TFLite
    ignores here) gives [-128, 127]."""
    code = _activation_code(activation)
    scale = f32(scale)
    if code == 1:
        return max(-128, _quantize_f32(scale, zero_point, 0.0)), 127
    if code == 3:
        return (
            max(-128, _quantize_f32(scale, zero_point, 0.0)),
            min(127, _quantize_f32(scale, zero_point, 6.0)),
        )
    if code == 2:
        return (
            max(-128, _quantize_f32(scale, zero_point, -1.0)),
            min(127, _quantize_f32(scale, zero_point, 1.0)),
        )
    return -128, 127


Padding = str | tuple[int, int, int, int]
"""TFLite's "SAME" / "VALID", or explicit pixels (top, left, bottom, right) as micro's `nn`
level stores them."""


def _axis_padding(padding: Padding, axis: int) -> str | tuple[int, int]:
    """The padding of one spatial axis (0: height, 1: width)."""
    if isinstance(padding, str):
        return padding
    return (padding[axis], padding[axis + 2])


def compute_padding(
    in_size: int, k: int, stride: int, dilation: int, padding: str | tuple[int, int]
) -> tuple[int, int, int]:
    """TFLite ``ComputeOutSize`` / ``ComputePaddingWithOffset`` (padding.h):
    ``(out_size, pad_before, pad_after)`` for "SAME" or "VALID" (the extra odd padding goes
    after), or for explicit ``(before, after)`` pixels."""
    eff = (k - 1) * dilation + 1
    if not isinstance(padding, str):
        before, after = (int(v) for v in padding)
        out = (in_size + before + after - eff) // stride + 1
        if out <= 0 or before < 0 or after < 0:
            raise ValueError("empty output or negative padding")
        return out, before, after
    padding = padding.upper()
    if padding == "SAME":
        out = (in_size + stride - 1) // stride
    elif padding == "VALID":
        out = (in_size + stride - eff) // stride
    else:
        raise ValueError(f"unknown padding {padding!r}")
    if out <= 0:
        raise ValueError("empty output (LiteRT rejects the model)")
    total = max((out - 1) * stride + eff - in_size, 0)
    return out, total // 2, total - total // 2


def reads_padding(
    in_hw: tuple[int, int],
    out_hw: tuple[int, int],
    kernel: tuple[int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
    pad_top_left: tuple[int, int],
) -> bool:
    """Does some tap of some output pixel fall outside the input?"""
    top, left = pad_top_left
    last_y = (out_hw[0] - 1) * stride[0] - top + (kernel[0] - 1) * dilation[0]
    last_x = (out_hw[1] - 1) * stride[1] - left + (kernel[1] - 1) * dilation[1]
    return top > 0 or left > 0 or last_y >= in_hw[0] or last_x >= in_hw[1]


def _scales(scales: float | Sequence[float], n: int, what: str) -> list[float]:
    values = [f32(s) for s in np.atleast_1d(np.asarray(scales, dtype=np.float64)).ravel()]
    if len(values) == 1:
        return values * n
    if len(values) != n:
        raise ValueError(f"{what}: {len(values)} scales for {n} channels")
    return values


def _effective_scale(input_scale: float, filter_scale: float, output_scale: float) -> float:
    """(double)input_scale * (double)filter_scale / (double)output_scale, in that order."""
    return f32(input_scale) * f32(filter_scale) / f32(output_scale)


# --------------------------------------------------------------------------------------------
# CONV_2D


def pack_panels_s8(weights: np.ndarray, nr: int = CONV_S8_NR) -> np.ndarray:
    """Pack int8 weights with the output channel first (conv OHWI) into the panel layout
    micro_conv2d_s8 reads: ``packed[ob, k, j] = W[ob * nr + j][k]`` with K the other dims
    flattened, zero-padded to a multiple of nr outputs. Returns a flat int8 array of
    ceil(O / nr) * K * nr bytes."""
    w = np.asarray(weights)
    out_c = w.shape[0]
    k = int(np.prod(w.shape[1:]))
    blocks = -(-out_c // nr)
    padded = np.zeros((blocks * nr, k), dtype=np.int8)
    padded[:out_c] = w.reshape(out_c, k)
    return np.ascontiguousarray(padded.reshape(blocks, nr, k).transpose(0, 2, 1)).reshape(-1)


def conv2d_s8_scratch_size(in_c: int, padding_read: bool) -> int:
    """`micro_conv2d_s8_scratch_size`: a zero-point row for padding taps if in_c is large."""
    return in_c if padding_read and in_c > CONV_S8_ZP_ROW else 0


@dataclass(frozen=True)
class Conv2dS8:
    """Arguments of ``micro_conv2d_s8(in, packed_weights, folded_bias, multipliers, shifts,
    out, scratch, &params)``."""

    params: CStruct
    packed_weights: np.ndarray  # int8, pack_panels_s8 layout
    folded_bias: np.ndarray  # int32[out_c]
    multipliers: np.ndarray  # int32[out_c]
    shifts: np.ndarray  # int32[out_c]
    scratch_size: int
    output_shape: tuple[int, ...]
    function: str = "micro_conv2d_s8"


def _per_channel_requant(
    input_scale: float, filter_scales: list[float], output_scale: float
) -> tuple[np.ndarray, np.ndarray]:
    """PopulateConvolutionQuantizationParams' per-channel loop: QuantizeMultiplier of
    (double)input_scale * (double)filter_scale[c] / (double)output_scale."""
    pairs = [
        quantize_multiplier(_effective_scale(input_scale, s, output_scale)) for s in filter_scales
    ]
    return (
        np.array([m for m, _ in pairs], dtype=np.int32),
        np.array([s for _, s in pairs], dtype=np.int32),
    )


def _check_filter_zero_points(zero_points: Sequence[int] | int | None) -> None:
    if zero_points is not None and any(int(z) != 0 for z in np.atleast_1d(zero_points)):
        raise ValueError("int8 filters must have zero points 0 (LiteRT rejects the model)")


def _fold_bias(
    bias: np.ndarray | None, weight_sums: np.ndarray, input_zero_point: int
) -> np.ndarray:
    """bias - input_zero_point * weight_sums, wrapped to int32 like TFLite's accumulator."""
    b = np.zeros(len(weight_sums), np.int64) if bias is None else np.asarray(bias, np.int64)
    folded = b - int(input_zero_point) * weight_sums.astype(np.int64)
    return ((folded + 2**31) % 2**32 - 2**31).astype(np.int32)


def conv2d_s8(
    input_shape: Sequence[int],
    filter_ohwi: np.ndarray,
    bias: np.ndarray | None,
    *,
    input_scale: float,
    input_zero_point: int,
    filter_scales: float | Sequence[float],
    output_scale: float,
    output_zero_point: int,
    stride: tuple[int, int] = (1, 1),
    dilation: tuple[int, int] = (1, 1),
    padding: Padding = "SAME",
    activation: str | int = "NONE",
    filter_zero_points: Sequence[int] | int | None = None,
) -> Conv2dS8:
    """CONV_2D int8 (conv.cc Prepare + PopulateConvolutionQuantizationParams +
    reference_integer_ops::ConvPerChannel). ``filter_ohwi`` is the int8 OHWI filter,
    ``bias`` the int32 bias (scale input_scale * filter_scale[c], zero point 0) or None;
    ``filter_scales`` one per tensor or one per output channel (quantized_dimension 0).
    Folds the input zero point into the bias and packs the filter."""
    b, h, w, c = (int(d) for d in input_shape)
    wt = np.asarray(filter_ohwi)
    if wt.dtype != np.int8 or wt.ndim != 4:
        raise ValueError("filter must be an int8 OHWI array")
    oc, kh, kw, fc = wt.shape
    if fc != c:
        if c % fc == 0 and oc % (c // fc) == 0:
            raise NotImplementedError("grouped convolution (LiteRT runs it; micro does not)")
        raise ValueError("filter input channels do not divide the input's")
    _check_filter_zero_points(filter_zero_points)
    if min(stride) <= 0 or min(dilation) <= 0:
        raise ValueError("strides and dilations must be > 0")
    oh, pt, _ = compute_padding(h, kh, stride[0], dilation[0], _axis_padding(padding, 0))
    ow, pl, _ = compute_padding(w, kw, stride[1], dilation[1], _axis_padding(padding, 1))
    mult, shift = _per_channel_requant(
        input_scale, _scales(filter_scales, oc, "filter"), output_scale
    )
    if bias is not None and np.asarray(bias).shape != (oc,):
        raise ValueError("bias must have one int32 per output channel")
    folded = _fold_bias(bias, wt.reshape(oc, -1).astype(np.int64).sum(axis=1), input_zero_point)
    act_min, act_max = activation_range_s8(activation, output_scale, output_zero_point)
    params = CStruct(
        "MicroConv2dS8Params",
        tuple(
            _i32_fields(
                batch=b, in_h=h, in_w=w, in_c=c, out_h=oh, out_w=ow, out_c=oc, k_h=kh, k_w=kw,
                stride_h=stride[0], stride_w=stride[1], dilation_h=dilation[0],
                dilation_w=dilation[1], pad_top=pt, pad_left=pl,
                input_zero_point=input_zero_point, output_zero_point=output_zero_point,
                act_min=act_min, act_max=act_max,
            )
        ),
    )  # fmt: skip
    padding_read = reads_padding(
        (h, w), (oh, ow), (kh, kw), tuple(stride), tuple(dilation), (pt, pl)
    )
    return Conv2dS8(
        params=params,
        packed_weights=pack_panels_s8(wt),
        folded_bias=folded,
        multipliers=mult,
        shifts=shift,
        scratch_size=conv2d_s8_scratch_size(c, padding_read),
        output_shape=(b, oh, ow, oc),
    )


# --------------------------------------------------------------------------------------------
# DEPTHWISE_CONV_2D


@dataclass(frozen=True)
class DepthwiseConv2dS8:
    """Arguments of ``micro_depthwise_conv2d_s8(in, weights, folded_bias, multipliers,
    shifts, out, &params)``."""

    params: CStruct
    weights: np.ndarray  # int8, TFLite's [1, k_h, k_w, out_c] flattened
    folded_bias: np.ndarray  # int32[out_c]
    multipliers: np.ndarray  # int32[out_c]
    shifts: np.ndarray  # int32[out_c]
    output_shape: tuple[int, ...]
    scratch_size: int = 0
    function: str = "micro_depthwise_conv2d_s8"


def depthwise_conv2d_s8(
    input_shape: Sequence[int],
    filter_1hwc: np.ndarray,
    bias: np.ndarray | None,
    *,
    input_scale: float,
    input_zero_point: int,
    filter_scales: float | Sequence[float],
    output_scale: float,
    output_zero_point: int,
    stride: tuple[int, int] = (1, 1),
    dilation: tuple[int, int] = (1, 1),
    padding: Padding = "SAME",
    activation: str | int = "NONE",
    filter_zero_points: Sequence[int] | int | None = None,
) -> DepthwiseConv2dS8:
    """DEPTHWISE_CONV_2D int8 (depthwise_conv.cc Prepare + reference_integer_ops::
    DepthwiseConvPerChannel). ``filter_1hwc`` is the int8 [1, k_h, k_w, out_c] filter with
    per-channel scales along dim 3. As in TFLite, the depth multiplier is out_c / in_c (the
    option value is not used)."""
    b, h, w, c = (int(d) for d in input_shape)
    wt = np.asarray(filter_1hwc)
    if wt.dtype != np.int8 or wt.ndim != 4 or wt.shape[0] != 1:
        raise ValueError("filter must be an int8 [1, k_h, k_w, out_c] array")
    _, kh, kw, oc = wt.shape
    if oc % c != 0:
        raise ValueError("filter channels must be a multiple of input channels")
    _check_filter_zero_points(filter_zero_points)
    oh, pt, _ = compute_padding(h, kh, stride[0], dilation[0], _axis_padding(padding, 0))
    ow, pl, _ = compute_padding(w, kw, stride[1], dilation[1], _axis_padding(padding, 1))
    mult, shift = _per_channel_requant(
        input_scale, _scales(filter_scales, oc, "filter"), output_scale
    )
    if bias is not None and np.asarray(bias).shape != (oc,):
        raise ValueError("bias must have one int32 per output channel")
    folded = _fold_bias(bias, wt.reshape(-1, oc).astype(np.int64).sum(axis=0), input_zero_point)
    act_min, act_max = activation_range_s8(activation, output_scale, output_zero_point)
    params = CStruct(
        "MicroDepthwiseConv2dS8Params",
        tuple(
            _i32_fields(
                batch=b, in_h=h, in_w=w, in_c=c, out_h=oh, out_w=ow, out_c=oc,
                depth_multiplier=oc // c, k_h=kh, k_w=kw, stride_h=stride[0],
                stride_w=stride[1], dilation_h=dilation[0], dilation_w=dilation[1],
                pad_top=pt, pad_left=pl, input_zero_point=input_zero_point,
                output_zero_point=output_zero_point, act_min=act_min, act_max=act_max,
            )
        ),
    )  # fmt: skip
    return DepthwiseConv2dS8(
        params=params,
        weights=np.ascontiguousarray(wt).reshape(-1),
        folded_bias=folded,
        multipliers=mult,
        shifts=shift,
        output_shape=(b, oh, ow, oc),
    )


# --------------------------------------------------------------------------------------------
# FULLY_CONNECTED


@dataclass(frozen=True)
class FullyConnectedS8:
    """Arguments of ``micro_fully_connected_s8(in, weights, folded_bias, scale_mantissa,
    scale_exponent, out, &params)``."""

    params: CStruct
    weights: np.ndarray  # int8, TFLite's [out_features, in_features] flattened
    folded_bias: np.ndarray  # int32[out_features]
    scale_mantissa: np.ndarray  # int64[out_features]
    scale_exponent: np.ndarray  # int32[out_features]
    output_shape: tuple[int, ...]
    scratch_size: int = 0
    function: str = "micro_fully_connected_s8"


def fully_connected_s8(
    input_shape: Sequence[int],
    weights: np.ndarray,
    bias: np.ndarray | None,
    *,
    input_scale: float,
    input_zero_point: int,
    weight_scales: float | Sequence[float],
    output_scale: float,
    output_zero_point: int,
    activation: str | int = "NONE",
    weight_zero_points: Sequence[int] | int = 0,
    keep_num_dims: bool = False,
    bias_scale: float | None = None,
) -> FullyConnectedS8:
    """FULLY_CONNECTED int8 (fully_connected.cc Prepare + reference_integer_ops::
    FullyConnected / FullyConnectedPerChannel, which requantize in double:
    round(acc * (double)in_scale * (double)w_scale / (double)out_scale)). ``weights`` is the
    int8 [out, in] matrix; ``weight_scales`` one per tensor or one per output row. A
    per-tensor weight zero point is honoured (TFLite's weights_offset); with per-channel
    scales TFLite ignores weight zero points (assumes 0), and so does this. ``bias_scale``,
    if given for a per-tensor model with a bias, gets TFLite's check
    |input_scale * weight_scale - bias_scale| / output_scale <= 0.02."""
    wt = np.asarray(weights)
    if wt.dtype != np.int8 or wt.ndim != 2:
        raise ValueError("weights must be an int8 [out, in] array")
    o, k = wt.shape
    total = int(np.prod(input_shape))
    if k == 0 or total % k != 0:
        raise ValueError("input size is not a multiple of the weights' input dimension")
    batch = total // k
    scales = np.atleast_1d(np.asarray(weight_scales, dtype=np.float64)).ravel()
    per_channel = scales.size > 1
    zps = np.atleast_1d(np.asarray(weight_zero_points, dtype=np.int64)).ravel()
    wzp = 0 if per_channel else int(zps[0])
    if not per_channel and bias is not None and bias_scale is not None:
        product = f32(input_scale) * f32(scales[0])
        if abs(product - f32(bias_scale)) / f32(output_scale) > 0.02:
            raise ValueError("bias scale differs from input_scale * weight_scale (LiteRT rejects)")
    eff = [_effective_scale(input_scale, s, output_scale) for s in _scales(scales, o, "weights")]
    parts = [float_scale_parts(e) for e in eff]
    w64 = wt.astype(np.int64)
    # acc = sum (w - wzp)(x - xzp) + bias
    #     = sum w x - wzp sum x + [bias - xzp sum w + k xzp wzp]
    b = np.zeros(o, np.int64) if bias is None else np.asarray(bias, np.int64)
    folded = b - int(input_zero_point) * w64.sum(axis=1) + k * int(input_zero_point) * wzp
    act_min, act_max = activation_range_s8(activation, output_scale, output_zero_point)
    params = CStruct(
        "MicroFullyConnectedS8Params",
        tuple(
            _i32_fields(
                batch=batch, in_features=k, out_features=o, weights_zero_point=wzp,
                output_zero_point=output_zero_point, act_min=act_min, act_max=act_max,
            )
        ),
    )  # fmt: skip
    out_shape = (*tuple(input_shape[:-1]), o) if keep_num_dims else (batch, o)
    return FullyConnectedS8(
        params=params,
        weights=np.ascontiguousarray(wt).reshape(-1),
        folded_bias=((folded + 2**31) % 2**32 - 2**31).astype(np.int32),
        scale_mantissa=np.array([m for m, _ in parts], dtype=np.int64),
        scale_exponent=np.array([e for _, e in parts], dtype=np.int32),
        output_shape=tuple(int(d) for d in out_shape),
    )


# --------------------------------------------------------------------------------------------
# AVERAGE_POOL_2D / MAX_POOL_2D


@dataclass(frozen=True)
class Pool2dS8:
    """Arguments of ``micro_avg_pool2d_s8`` / ``micro_max_pool2d_s8(in, out, &params)``."""

    params: CStruct
    output_shape: tuple[int, ...]
    function: str
    scratch_size: int = 0


def pool2d_s8(
    kind: str,
    input_shape: Sequence[int],
    *,
    filter_hw: tuple[int, int],
    stride: tuple[int, int] = (1, 1),
    padding: Padding = "VALID",
    activation: str | int = "NONE",
    output_scale: float,
    output_zero_point: int,
) -> Pool2dS8:
    """AVERAGE_POOL_2D (``kind="avg"``) / MAX_POOL_2D (``kind="max"``) int8 (pooling.cc
    GenericPrepare + reference_integer_ops::AveragePool / MaxPool). The activation range is
    computed from the output's quantization; TFLite assumes input and output share it."""
    if kind not in ("avg", "max"):
        raise ValueError("kind must be 'avg' or 'max'")
    b, h, w, c = (int(d) for d in input_shape)
    kh, kw = (int(v) for v in filter_hw)
    if min(stride) <= 0 or kh <= 0 or kw <= 0:
        raise ValueError("strides and filter sizes must be > 0")
    oh, pt, _ = compute_padding(h, kh, stride[0], 1, _axis_padding(padding, 0))
    ow, pl, _ = compute_padding(w, kw, stride[1], 1, _axis_padding(padding, 1))
    for o_, n_, k_, s_, p_ in ((oh, h, kh, stride[0], pt), (ow, w, kw, stride[1], pl)):
        for i in range(o_):
            lo = max(0, p_ - i * s_)
            hi = min(k_, n_ - (i * s_ - p_))
            if hi <= lo:
                raise ValueError("a pooling window lies entirely in the padding (LiteRT fails)")
    if kind == "avg" and kh * kw > 2**23:
        raise NotImplementedError("average pooling windows above 2^23 elements")
    act_min, act_max = activation_range_s8(activation, output_scale, output_zero_point)
    params = CStruct(
        "MicroPool2dS8Params",
        tuple(
            _i32_fields(
                batch=b, in_h=h, in_w=w, channels=c, out_h=oh, out_w=ow, k_h=kh, k_w=kw,
                stride_h=stride[0], stride_w=stride[1], pad_top=pt, pad_left=pl,
                act_min=act_min, act_max=act_max,
            )
        ),
    )  # fmt: skip
    return Pool2dS8(params=params, output_shape=(b, oh, ow, c), function=f"micro_{kind}_pool2d_s8")


# --------------------------------------------------------------------------------------------
# ADD / SUB / MUL


def broadcast_shapes(
    a_shape: Sequence[int], b_shape: Sequence[int]
) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """numpy/TFLite broadcasting: (out_shape, a_strides, b_strides), the strides in
    elements with 0 along broadcast dims."""
    out = np.broadcast_shapes(tuple(a_shape), tuple(b_shape))
    nd = len(out)

    def strides(shape: Sequence[int]) -> tuple[int, ...]:
        full = (1,) * (nd - len(shape)) + tuple(int(d) for d in shape)
        st, acc = [0] * nd, 1
        for d in range(nd - 1, -1, -1):
            st[d] = acc if full[d] != 1 else 0
            acc *= full[d]
        return tuple(st)

    return tuple(int(d) for d in out), strides(a_shape), strides(b_shape)


@dataclass(frozen=True)
class BinaryS8:
    """Arguments of ``micro_add_s8`` / ``micro_sub_s8`` / ``micro_mul_s8(a, b, out,
    &params)``."""

    params: CStruct
    output_shape: tuple[int, ...]
    function: str
    scratch_size: int = 0


def _squeeze_broadcast(
    out: tuple[int, ...], sa: tuple[int, ...], sb: tuple[int, ...]
) -> tuple[list[int], list[int], list[int]]:
    """Drop size-1 dims and merge dims contiguous for out, a and b alike (as the kernel
    does), so that up to MAX_DIMS dims are left whenever possible."""
    shape: list[int] = []
    ra: list[int] = []
    rb: list[int] = []
    for n, x, y in zip(out, sa, sb, strict=True):
        if n == 1:
            continue
        if shape and ra[-1] == x * n and rb[-1] == y * n:
            shape[-1] *= n
            ra[-1], rb[-1] = x, y
            continue
        shape.append(n)
        ra.append(x)
        rb.append(y)
    return shape, ra, rb


def binary_s8(
    op: str,
    a_shape: Sequence[int],
    b_shape: Sequence[int],
    *,
    a_scale: float,
    a_zero_point: int,
    b_scale: float,
    b_zero_point: int,
    output_scale: float,
    output_zero_point: int,
    activation: str | int = "NONE",
) -> BinaryS8:
    """ADD / SUB / MUL int8 (add.cc, sub.cc PrepareGeneralSubOp, mul.cc Prepare).

    ADD and SUB: twice_max = 2 * max(a_scale, b_scale) (float32); each input's multiplier is
    QuantizeMultiplierSmallerThanOneExp(scale / twice_max), the output's
    twice_max / ((1 << 20) * output_scale) (the denominator a float32 product); LiteRT
    aborts if that is >= 1 for ADD; SUB then switches to QuantizeMultiplierGreaterThanOne,
    which its kernel cannot use without undefined behaviour -- rejected here.
    MUL: QuantizeMultiplier(a_scale * b_scale / output_scale), all float32 arithmetic."""
    op = op.lower()
    if op not in ("add", "sub", "mul"):
        raise ValueError("op must be 'add', 'sub' or 'mul'")
    for z in (a_zero_point, b_zero_point, output_zero_point):
        if not -128 <= int(z) <= 127:
            raise ValueError("int8 zero points must be in [-128, 127]")
    out_shape, sa, sb = broadcast_shapes(a_shape, b_shape)
    shape, ra, rb = _squeeze_broadcast(out_shape, sa, sb)
    if len(out_shape) > MAX_DIMS and len(shape) > MAX_DIMS:
        raise NotImplementedError(f"broadcasts over more than {MAX_DIMS} dims")
    if not shape:
        shape, ra, rb = [1], [0], [0]
    a_s, b_s, o_s = np.float32(a_scale), np.float32(b_scale), np.float32(output_scale)
    am = ash = bm = bsh = 0
    left_shift = 0
    if op in ("add", "sub"):
        left_shift = ADD_LEFT_SHIFT
        twice_max = float(np.float32(2) * max(a_s, b_s))
        am, ash = quantize_multiplier_smaller_than_one_exp(float(a_s) / twice_max)
        bm, bsh = quantize_multiplier_smaller_than_one_exp(float(b_s) / twice_max)
        real_out = twice_max / float(np.float32(1 << left_shift) * o_s)
        if op == "add":
            om, osh = quantize_multiplier_smaller_than_one_exp(real_out)
        elif real_out > 1:
            raise NotImplementedError(
                "SUB whose output multiplier exceeds 1 (LiteRT's kernel shifts by a negative "
                "amount there)"
            )
        else:
            om, osh = quantize_multiplier_smaller_than_one_exp(real_out)
    else:
        om, osh = quantize_multiplier(float(np.float32(a_s * b_s) / o_s))
    act_min, act_max = activation_range_s8(activation, output_scale, output_zero_point)
    fields = [
        ("ndim", "i32", len(shape)),
        ("out_shape", "i32", _dims(shape)),
        ("a_strides", "i32", _dims(ra)),
        ("b_strides", "i32", _dims(rb)),
        *_i32_fields(
            a_offset=-int(a_zero_point),
            b_offset=-int(b_zero_point),
            left_shift=left_shift,
            a_multiplier=am,
            a_shift=ash,
            b_multiplier=bm,
            b_shift=bsh,
            output_multiplier=om,
            output_shift=osh,
            output_zero_point=output_zero_point,
            act_min=act_min,
            act_max=act_max,
        ),
    ]
    return BinaryS8(
        params=CStruct("MicroBinaryS8Params", tuple(fields)),
        output_shape=out_shape,
        function=f"micro_{op}_s8",
    )


# --------------------------------------------------------------------------------------------
# gemmlowp fixed point (for the softmax table)


def _srdhm(a: int, b: int) -> int:
    if a == b == INT32_MIN:
        return INT32_MAX
    ab = a * b
    v = ab + ((1 << 30) if ab >= 0 else (1 - (1 << 30)))
    q = abs(v) >> 31
    return q if v >= 0 else -q


def _rdbpot(x: int, e: int) -> int:
    mask = (1 << e) - 1
    remainder = x & mask
    threshold = (mask >> 1) + (1 if x < 0 else 0)
    return (x >> e) + (1 if remainder > threshold else 0)


def _saturating_shl(x: int, e: int) -> int:
    threshold = (1 << (31 - e)) - 1
    if x > threshold:
        return INT32_MAX
    if x < -threshold:
        return INT32_MIN
    return x << e


def _exp_on_interval_between_negative_one_quarter_and_0_excl(a: int) -> int:
    constant_term = 1895147668  # exp(-1/8) in Q0.31
    constant_1_over_3 = 715827883
    x = wrap_i32(a + (1 << 28))
    x2 = _srdhm(x, x)
    x3 = _srdhm(x2, x)
    x4 = _srdhm(x2, x2)
    x4_over_4 = _rdbpot(x4, 2)
    poly = _rdbpot(wrap_i32(_srdhm(wrap_i32(x4_over_4 + x3), constant_1_over_3) + x2), 1)
    return wrap_i32(constant_term + _srdhm(constant_term, wrap_i32(x + poly)))


_EXP_BARREL = ((-2, 1672461947), (-1, 1302514674), (0, 790015084), (1, 290630308),
               (2, 39332535), (3, 720401), (4, 242))  # fmt: skip


def exp_on_negative_values_q5(a: int) -> int:
    """gemmlowp ``exp_on_negative_values`` for a Q5.26 input <= 0, as a Q0.31 raw value."""
    integer_bits, frac_bits = 5, 26
    one_quarter = 1 << (frac_bits - 2)
    a_mod_quarter_minus_one_quarter = wrap_i32((a & (one_quarter - 1)) - one_quarter)
    result = _exp_on_interval_between_negative_one_quarter_and_0_excl(
        _saturating_shl(a_mod_quarter_minus_one_quarter, integer_bits)
    )
    remainder = wrap_i32(a_mod_quarter_minus_one_quarter - a)
    for exponent, multiplier in _EXP_BARREL:
        if integer_bits > exponent and remainder & (1 << (frac_bits + exponent)):
            result = _srdhm(result, multiplier)
    return INT32_MAX if a == 0 else result


# --------------------------------------------------------------------------------------------
# SOFTMAX


@dataclass(frozen=True)
class SoftmaxS8:
    """Arguments of ``micro_softmax_s8(in, out, exp_table, &params)``."""

    params: CStruct
    exp_table: np.ndarray  # int32[256]
    input_multiplier: int
    input_left_shift: int
    diff_min: int
    output_shape: tuple[int, ...]
    scratch_size: int = 0
    function: str = "micro_softmax_s8"


def softmax_s8(
    input_shape: Sequence[int],
    *,
    input_scale: float,
    beta: float = 1.0,
    output_scale: float = 1.0 / 256,
    output_zero_point: int = -128,
) -> SoftmaxS8:
    """SOFTMAX int8 -> int8 (activations.cc SoftmaxPrepare for the reference kernel +
    reference_ops::Softmax): the output must have zero point -128 and a scale within
    0.001/256 of 1/256; PreprocessSoftmaxScaling(beta, input_scale, 5) gives the input
    multiplier (beta * input_scale * 2^26, capped at 2^31 - 1, must exceed 1) and
    diff_min = -floor(31 * 2^26 / 2^left_shift). The exp table holds, for d = 0..255,
    gemmlowp's exp of the rescaled difference -d (0 where -d < diff_min)."""
    if int(output_zero_point) != -128:
        raise ValueError(
            "an int8 softmax output needs scale 1/256 and zero point -128 (TFLite rejects "
            "any other; re-quantize the model with the TFLite converter)"
        )
    o = np.float32(output_scale)
    target, eps = (
        np.float32(1.0) / np.float32(256),
        np.float32(0.001) * np.float32(1.0) / np.float32(256),
    )
    if (o - target if o > target else target - o) > eps:
        raise ValueError(
            "an int8 softmax output needs scale 1/256 and zero point -128 (TFLite rejects "
            "any other; re-quantize the model with the TFLite converter)"
        )
    if len(input_shape) < 1:
        raise ValueError("softmax needs at least one dimension")
    real = min(f32(beta) * f32(input_scale) * float(1 << 26), float(2**31 - 1))
    mult, left_shift = quantize_multiplier_greater_than_one(real)
    diff_min = -math.floor(31.0 * float(1 << 26) / float(1 << left_shift))
    table = np.zeros(256, np.int32)
    for d in range(256):
        diff = -d
        if diff >= diff_min:
            rescaled = _srdhm(wrap_i32(diff * (1 << left_shift)), mult)
            table[d] = exp_on_negative_values_q5(rescaled)
    axis = int(input_shape[-1])
    outer = int(np.prod(input_shape[:-1])) if len(input_shape) > 1 else 1
    params = CStruct("MicroSoftmaxS8Params", tuple(_i32_fields(outer=outer, axis_size=axis)))
    return SoftmaxS8(
        params=params,
        exp_table=table,
        input_multiplier=mult,
        input_left_shift=left_shift,
        diff_min=diff_min,
        output_shape=tuple(int(d) for d in input_shape),
    )


# --------------------------------------------------------------------------------------------
# LOGISTIC / TANH (lookup tables)


def _libm() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("m")
    try:
        lib = ctypes.CDLL(name) if name else None
    except OSError:
        lib = None
    if lib is not None:
        for fn in ("expf", "tanhf"):
            getattr(lib, fn).restype = ctypes.c_float
            getattr(lib, fn).argtypes = [ctypes.c_float]
    return lib


_LIBM = _libm()


def _expf(x: np.float32) -> np.float32:
    """The C library's expf (what TFLite's std::exp(float) calls); correctly rounded
    double exp as a fallback."""
    if _LIBM is not None:
        return np.float32(_LIBM.expf(float(x)))
    with np.errstate(over="ignore"):
        return np.float32(np.exp(np.float64(x)))


def _tanhf(x: np.float32) -> np.float32:
    if _LIBM is not None:
        return np.float32(_LIBM.tanhf(float(x)))
    return np.float32(np.tanh(np.float64(x)))


def _lut_s8(
    fn, input_scale: float, input_zero_point: int, output_scale: float, output_zero_point: int
) -> np.ndarray:
    """TFLite ``LUTPopulateInt8`` (common.h): for each int8 q, in float32:
    clamp((int)(roundf(fn(in_scale * (q - in_zp)) * (1 / out_scale)) + out_zp)), stored at
    index (uint8_t)q."""
    in_s, out_s = np.float32(input_scale), np.float32(output_scale)
    inverse_scale = np.float32(1) / out_s
    table = np.zeros(256, np.int8)
    with np.errstate(over="ignore", under="ignore"):
        for q in range(-128, 128):
            dequantized = in_s * np.float32(q - int(input_zero_point))
            transformed = fn(dequantized)
            rescaled = _roundf(np.float32(transformed * inverse_scale))
            v = np.float32(rescaled + np.float32(int(output_zero_point)))
            quantized = int(v) if abs(float(v)) < 2.0**31 else (INT32_MIN if v < 0 else INT32_MAX)
            table[q & 0xFF] = min(127, max(-128, quantized))
    return table


def logistic_s8_table(
    input_scale: float, input_zero_point: int, output_scale: float, output_zero_point: int
) -> np.ndarray:
    """LOGISTIC int8 (activations.cc SigmoidPrepare, reference kernel): the 256-entry
    table micro_lut_s8 uses, f(x) = 1 / (1 + expf(-x)) in float32. The output scale must be
    exactly 1/256 (LiteRT rejects anything else)."""
    if f32(output_scale) != 1.0 / 256:
        raise ValueError("int8 logistic output scale must be 1/256 (LiteRT rejects)")

    def sigmoid(x: np.float32) -> np.float32:
        return np.float32(np.float32(1) / np.float32(np.float32(1) + _expf(np.float32(-x))))

    return _lut_s8(sigmoid, input_scale, input_zero_point, output_scale, output_zero_point)


def tanh_s8_table(
    input_scale: float, input_zero_point: int, output_scale: float, output_zero_point: int
) -> np.ndarray:
    """TANH int8 (activations.cc TanhPrepare, reference kernel): the 256-entry table
    micro_lut_s8 uses, f(x) = tanhf(x) in float32. LiteRT puts no constraint on the output
    quantization (converters use scale 1/128, zero point 0)."""
    return _lut_s8(_tanhf, input_scale, input_zero_point, output_scale, output_zero_point)


def multiply_by_quantized_multiplier(x: int, multiplier: int, shift: int) -> int:
    """TFLite ``MultiplyByQuantizedMultiplier`` (double-rounding build) on an int32."""
    left, right = max(shift, 0), max(-shift, 0)
    return _rdbpot(_srdhm(wrap_i32(x * (1 << left)), multiplier), right)


def relu_s8_table(
    activation: str,
    input_scale: float,
    input_zero_point: int,
    output_scale: float,
    output_zero_point: int,
) -> np.ndarray:
    """RELU / RELU6 / RELU_N1_TO_1 int8 (activations.cc ReluPrepare + QuantizedReluX) as
    the 256-entry table micro_lut_s8 uses: requantize q - in_zp by QuantizeMultiplier(
    in_scale / out_scale), add out_zp, clamp to the activation's quantized range
    (CalculateActivationRangeQuantized of the output). ReluPrepare divides the two float
    scales in float32 (unlike QUANTIZE and MEAN, which divide in double): e.g. 0.1 / (6 / 255)
    is 4.25 in float32 but 4.24999998... in double, which rounds ties differently."""
    act_min, act_max = activation_range_s8(activation, output_scale, output_zero_point)
    real = np.float32(input_scale) / np.float32(output_scale)
    multiplier, shift = quantize_multiplier(float(real))
    table = np.zeros(256, np.int8)
    for q in range(-128, 128):
        v = int(output_zero_point) + multiply_by_quantized_multiplier(
            q - int(input_zero_point), multiplier, shift
        )
        table[q & 0xFF] = min(act_max, max(act_min, v))
    return table


# --------------------------------------------------------------------------------------------
# MEAN


@dataclass(frozen=True)
class MeanS8:
    """Arguments of ``micro_mean_s8(in, out, &params)``."""

    params: CStruct
    output_shape: tuple[int, ...]
    scratch_size: int = 0
    function: str = "micro_mean_s8"


def mean_s8(
    input_shape: Sequence[int],
    axes: Sequence[int],
    *,
    keep_dims: bool,
    input_scale: float,
    input_zero_point: int,
    output_scale: float,
    output_zero_point: int,
) -> MeanS8:
    """MEAN int8 (reduce.cc PrepareMeanOrSum + reference_ops::QuantizedMeanOrSum, which
    LiteRT's reference kernel uses for every int8 MEAN). (multiplier, shift) =
    QuantizeMultiplier((double)input_scale / (double)output_scale), then, with n the number
    of reduced elements per output and k = min(floor(log2 n), 32, 31 + shift):
    multiplier = (multiplier << k) / n, shift -= k. Axes may be negative and repeat."""
    shape = [int(d) for d in input_shape]
    nd = len(shape)
    reduced = [False] * nd
    for a in axes:
        a = int(a)
        if not -nd <= a < nd:
            raise ValueError(f"axis {a} out of range for rank {nd}")
        reduced[a % nd] = True
    if any(d == 0 for d in shape):
        raise NotImplementedError("empty inputs")
    n = 1
    for d, r in zip(shape, reduced, strict=True):
        if r:
            n *= d
    mult, shift = quantize_multiplier(f32(input_scale) / f32(output_scale))
    k = min(n.bit_length() - 1, 32, 31 + shift)  # >= 0: QuantizeMultiplier's shift >= -31
    mult = (mult << k) // n
    shift -= k
    out_shape = (
        [1 if r else d for d, r in zip(shape, reduced, strict=True)]
        if keep_dims
        else [d for d, r in zip(shape, reduced, strict=True) if not r]
    )
    # normalise: drop size-1 dims, merge neighbours with the same role
    dims: list[int] = []
    flags: list[int] = []
    for d, r in zip(shape, reduced, strict=True):
        if d == 1:
            continue
        if flags and flags[-1] == int(r):
            dims[-1] *= d
        else:
            dims.append(d)
            flags.append(int(r))
    if not dims:
        dims, flags = [1], [0]
    if len(dims) > MAX_DIMS:
        raise NotImplementedError(f"more than {MAX_DIMS} alternating kept/reduced dims")
    fields = [
        ("ndim", "i32", len(dims)),
        ("in_shape", "i32", _dims(dims)),
        ("reduced", "i32", _dims(flags)),
        *_i32_fields(
            bias=wrap_i32(-int(input_zero_point) * n),
            multiplier=mult,
            shift=shift,
            output_zero_point=output_zero_point,
        ),
    ]
    return MeanS8(params=CStruct("MicroMeanS8Params", tuple(fields)), output_shape=tuple(out_shape))


# --------------------------------------------------------------------------------------------
# QUANTIZE / DEQUANTIZE


@dataclass(frozen=True)
class QuantizeS8:
    """Arguments of ``micro_quantize_f32_s8`` / ``micro_dequantize_s8_f32`` /
    ``micro_requantize_s8_s8(in, out, &params)``."""

    params: CStruct
    function: str
    scratch_size: int = 0


def _size(shape: Sequence[int]) -> int:
    return int(np.prod([int(d) for d in shape])) if len(shape) else 1


def quantize_f32_s8(shape: Sequence[int], *, scale: float, zero_point: int) -> QuantizeS8:
    """QUANTIZE float32 -> int8 (quantize.cc, reference_ops::AffineQuantize)."""
    fields = (
        ("size", "i32", _size(shape)),
        ("scale", "f32", f32(scale)),
        ("zero_point", "i32", int(zero_point)),
    )
    return QuantizeS8(CStruct("MicroQuantizeS8Params", fields), "micro_quantize_f32_s8")


def dequantize_s8_f32(shape: Sequence[int], *, scale: float, zero_point: int) -> QuantizeS8:
    """DEQUANTIZE int8 -> float32 (dequantize.cc, reference_integer_ops::Dequantize)."""
    fields = (
        ("size", "i32", _size(shape)),
        ("scale", "f32", f32(scale)),
        ("zero_point", "i32", int(zero_point)),
    )
    return QuantizeS8(CStruct("MicroQuantizeS8Params", fields), "micro_dequantize_s8_f32")


def requantize_s8_s8(
    shape: Sequence[int],
    *,
    input_scale: float,
    input_zero_point: int,
    output_scale: float,
    output_zero_point: int,
) -> QuantizeS8:
    """QUANTIZE int8 -> int8 (quantize.cc Prepare: QuantizeMultiplier((double)in_scale /
    (double)out_scale); reference_ops::Requantize)."""
    m, s = quantize_multiplier(f32(input_scale) / f32(output_scale))
    fields = _i32_fields(
        size=_size(shape),
        input_zero_point=input_zero_point,
        output_zero_point=output_zero_point,
        multiplier=m,
        shift=s,
    )
    return QuantizeS8(CStruct("MicroRequantizeS8Params", tuple(fields)), "micro_requantize_s8_s8")


# --------------------------------------------------------------------------------------------
# PAD / TRANSPOSE (any element type)


@dataclass(frozen=True)
class DataMove:
    """Arguments of ``micro_pad`` / ``micro_transpose(in, out, &params)``."""

    params: CStruct
    output_shape: tuple[int, ...]
    function: str
    scratch_size: int = 0


def pad_value_bits(value: int | float, dtype: np.dtype | type) -> int:
    """The ``pad_value`` field for a pad value of the given element type (its bit pattern,
    zero-extended to 32 bits; 8-byte types must have a pattern that fits in 32 bits)."""
    raw = np.asarray(value, dtype=dtype).tobytes()
    bits = int.from_bytes(raw, "little")
    if bits >= 2**32:
        raise NotImplementedError("8-byte pad values whose bit pattern exceeds 32 bits")
    return bits


def pad_params(
    in_shape: Sequence[int],
    paddings: Sequence[tuple[int, int]],
    *,
    elem_size: int,
    pad_value: int = 0,
) -> DataMove:
    """PAD / PADV2 (pad.cc): ``paddings[d] = (before, after)``, ``pad_value`` the value's
    bits (:func:`pad_value_bits`). For a quantized int8 tensor TFLite pads with the output
    zero point unless a constant_values input is given (see pad.h). Size-1 unpadded dims
    are dropped and unpadded dims merged into their outer neighbour."""
    if elem_size not in (1, 2, 4, 8):
        raise ValueError("element size must be 1, 2, 4 or 8")
    if len(paddings) != len(in_shape):
        raise ValueError("one (before, after) pair per dimension")
    dims = [[int(n), int(b), int(a)] for n, (b, a) in zip(in_shape, paddings, strict=True)]
    if any(b < 0 or a < 0 for _, b, a in dims):
        raise NotImplementedError("negative paddings")
    out_shape = tuple(n + b + a for n, b, a in dims)
    dims = [d for d in dims if not (d[0] == 1 and d[1] == 0 and d[2] == 0)]
    merged: list[list[int]] = []
    for n, b, a in dims:
        if merged and b == 0 and a == 0:
            # an unpadded dim joins its outer neighbour: every outer step is n elements
            merged[-1] = [merged[-1][0] * n, merged[-1][1] * n, merged[-1][2] * n]
        else:
            merged.append([n, b, a])
    if not merged:
        merged = [[1, 0, 0]]
    fields = (
        ("ndim", "i32", len(merged)),
        ("elem_size", "i32", elem_size),
        ("in_shape", "i32", _dims([d[0] for d in merged])),
        ("pad_before", "i32", _dims([d[1] for d in merged])),
        ("pad_after", "i32", _dims([d[2] for d in merged])),
        ("pad_value", "u32", int(pad_value)),
    )
    return DataMove(CStruct("MicroPadParams", fields), out_shape, "micro_pad")


def transpose_params(in_shape: Sequence[int], perm: Sequence[int], *, elem_size: int) -> DataMove:
    """TRANSPOSE (transpose.cc): ``out.shape[k] = in_shape[perm[k]]``. Size-1 dims are
    dropped and input axes that stay adjacent and in order are merged."""
    if elem_size not in (1, 2, 4, 8):
        raise ValueError("element size must be 1, 2, 4 or 8")
    shape = [int(d) for d in in_shape]
    perm = [int(p) % max(len(shape), 1) for p in perm]
    if sorted(perm) != list(range(len(shape))):
        raise ValueError(f"{perm} is not a permutation of {len(shape)} axes")
    out_shape = tuple(shape[p] for p in perm)
    keep = [d for d in range(len(shape)) if shape[d] != 1]
    # output order of the kept input axes, then merge runs of consecutive input axes
    order = [p for p in perm if shape[p] != 1]
    groups: list[list[int]] = []
    for p in order:
        if groups and groups[-1][-1] + 1 == p:
            groups[-1].append(p)
        else:
            groups.append([p])
    groups_by_input = sorted(groups, key=lambda g: g[0])
    new_shape = [int(np.prod([shape[a] for a in g])) for g in groups_by_input]
    index = {id(g): i for i, g in enumerate(groups_by_input)}
    new_perm = [index[id(g)] for g in groups]
    if not keep:
        new_shape, new_perm = [1], [0]
    fields = (
        ("ndim", "i32", len(new_shape)),
        ("elem_size", "i32", elem_size),
        ("in_shape", "i32", _dims(new_shape)),
        ("perm", "i32", _dims(new_perm)),
    )
    return DataMove(CStruct("MicroTransposeParams", fields), out_shape, "micro_transpose")
