"""
The compile-time half of the generic C kernels' ABI.

Each C kernel header in `kernels/generic/` documents a weight layout and a scratch-size
formula. The compiler must produce exactly that layout and reserve exactly that much
scratch in the arena, so both live here, next to each other, and
`tests/test_kernels_generic.py` checks every formula against the C function of the same
name.
"""

from __future__ import annotations

import numpy as np

MICRO_ALIGN = 16
"""Alignment of arena slices and of the weight blob (`MICRO_ALIGN` in micro_common.h)."""

CONV_NR = 8
"""Output channels per packed weight panel (`MICRO_CONV_NR`)."""

HYBRID_MC = 64
"""Output pixels per int8 im2col tile of the hybrid convolution (`MICRO_HYBRID_MC`)."""


def align_up(n: int, alignment: int = MICRO_ALIGN) -> int:
    return (n + alignment - 1) // alignment * alignment


def conv_is_pointwise(
    k_h: int,
    k_w: int,
    stride: tuple[int, int],
    pads: tuple[int, int, int, int],
    dilation: tuple[int, int],
) -> bool:
    """1x1, stride 1, no padding on any side, no dilation."""
    return (k_h, k_w) == (1, 1) and stride == (1, 1) and not any(pads) and dilation == (1, 1)


def conv_reads_padding(
    in_hw: tuple[int, int],
    out_hw: tuple[int, int],
    kernel: tuple[int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
    pads: tuple[int, int, int, int],
) -> bool:
    """Does some tap of some output pixel fall outside the input?"""
    top, left = pads[0], pads[1]
    last_y = (out_hw[0] - 1) * stride[0] - top + (kernel[0] - 1) * dilation[0]
    last_x = (out_hw[1] - 1) * stride[1] - left + (kernel[1] - 1) * dilation[1]
    return top > 0 or left > 0 or last_y >= in_hw[0] or last_x >= in_hw[1]


CONV_ZEROS = 256
"""Input channels the conv kernel's built-in zero row covers (`MICRO_CONV_ZEROS`)."""


def conv2d_f32_scratch_size(in_c: int, reads_padding: bool) -> int:
    """`micro_conv2d_f32_scratch_size`: a zero row for padding taps, if in_c is large."""
    return in_c * 4 if reads_padding and in_c > CONV_ZEROS else 0


def conv2d_hybrid_scratch_size(
    batch: int,
    in_h: int,
    in_w: int,
    in_c: int,
    out_h: int,
    out_w: int,
    k_h: int,
    k_w: int,
    pointwise: bool,
) -> int:
    """`micro_conv2d_hybrid_scratch_size`: quantized input, then int8 im2col rows."""
    quantized = align_up(batch * in_h * in_w * in_c)
    if pointwise:
        return quantized
    return quantized + min(out_h * out_w, HYBRID_MC) * k_h * k_w * in_c


def pack_panels_f32(weights: np.ndarray) -> np.ndarray:
    """
    Pack float weights with the output channel first (conv OHWI, fully connected
    [out, in]) into the panel layout `micro_conv2d_f32` and `micro_fully_connected_f32`
    read: `packed[ob, k, j] = W[ob * NR + j][k]` with K the other dims flattened,
    zero-padded to a multiple of NR outputs. Returns shape [ceil(O / NR), K, NR].
    """
    out_c = weights.shape[0]
    k = int(np.prod(weights.shape[1:]))
    blocks = -(-out_c // CONV_NR)
    padded = np.zeros((blocks * CONV_NR, k), dtype=np.float32)
    padded[:out_c] = weights.reshape(out_c, k)
    # [ob, j, k] -> [ob, k, j]
    return np.ascontiguousarray(padded.reshape(blocks, CONV_NR, k).transpose(0, 2, 1))


def pack_conv2d_f32(filter_ohwi: np.ndarray) -> np.ndarray:
    """An OHWI filter in `micro_conv2d_f32`'s panel layout, flat (see conv2d_f32.h)."""
    return pack_panels_f32(filter_ohwi).reshape(-1)
