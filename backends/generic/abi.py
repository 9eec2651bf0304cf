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

CONV_MC = 64
"""Output pixels per im2col tile (`MICRO_CONV_MC`)."""


def align_up(n: int, alignment: int = MICRO_ALIGN) -> int:
    return (n + alignment - 1) // alignment * alignment


def conv_is_pointwise(
    k_h: int,
    k_w: int,
    stride: tuple[int, int],
    pads: tuple[int, int, int, int],
    dilation: tuple[int, int],
) -> bool:
    """True when the convolution multiplies the input in place (no im2col)."""
    return (k_h, k_w) == (1, 1) and stride == (1, 1) and not any(pads) and dilation == (1, 1)


def conv2d_f32_scratch_size(
    out_h: int, out_w: int, k_h: int, k_w: int, in_c: int, pointwise: bool
) -> int:
    """`micro_conv2d_f32_scratch_size`: bytes of im2col tile."""
    if pointwise:
        return 0
    return min(out_h * out_w, CONV_MC) * k_h * k_w * in_c * 4


def conv2d_hybrid_scratch_size(
    batch: int, in_h: int, in_w: int, in_c: int, out_h: int, out_w: int, k_h: int, k_w: int
) -> int:
    """`micro_conv2d_hybrid_scratch_size`: quantized input, then int8 im2col rows."""
    quantized = align_up(batch * in_h * in_w * in_c)
    return quantized + min(out_h * out_w, CONV_MC) * k_h * k_w * in_c


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
