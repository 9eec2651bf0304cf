/*
 * conv2d_s8.h - 2-D convolution, int8 NHWC activations, int8 per-channel weights,
 * TFLite CONV_2D int8 semantics (reference_integer_ops::ConvPerChannel), bit-exact.
 *
 * TFLite computes, for every output (b, oy, ox, oc),
 *   acc = bias[oc] + sum over in-image taps (ky, kx) and ic of
 *           W[oc, ky, kx, ic] * (in[b, iy, ix, ic] - input_zero_point)
 *   out = clamp(MBQM(acc, mult[oc], shift[oc]) + output_zero_point, act_min, act_max)
 *   iy = oy * stride_h - pad_top + ky * dilation_h, ix likewise
 * with MBQM the double-rounding MultiplyByQuantizedMultiplier (micro_int8.h) and mult/shift
 * from QuantizeMultiplier(input_scale * filter_scale[oc] / output_scale).
 *
 * This kernel evaluates the same value as
 *   acc = folded_bias[oc] + sum over *all* taps of W[oc, ky, kx, ic] * x(iy, ix, ic)
 * where folded_bias[oc] = bias[oc] - input_zero_point * sum(W[oc]) (computed by the
 * compiler, int8_abi.conv2d_s8) and a tap outside the image reads x = input_zero_point,
 * so it contributes W * zp, cancelling its share of the fold exactly. The inner loop is a
 * pure int8 x int8 -> int32 dot product; int32 addition wraps identically in any order,
 * so the result is bit-identical to TFLite's whenever TFLite's own int32 accumulator does
 * not overflow (k_h * k_w * in_c <= 65536 guarantees it).
 *
 * Weights are *packed by the compiler* (int8_abi.pack_panels_s8), never in TFLite's OHWI
 * order. With K = k_h * k_w * in_c and NR = MICRO_CONV_S8_NR:
 *   packed[(ob * K + k) * NR + j] = W[ob * NR + j][k]   for ob < ceil(out_c / NR), k < K, j < NR
 * where k enumerates (ky, kx, ic) in that order (ic fastest), and lanes with
 * ob * NR + j >= out_c are 0. The packed buffer holds ceil(out_c / NR) * K * NR bytes.
 * folded_bias, out_mult and out_shift hold out_c int32 each.
 *
 * Scratch: micro_conv2d_s8_scratch_size(p) bytes: 0, unless some tap of some output falls
 * outside the input and in_c > MICRO_CONV_S8_ZP_ROW, when it is a row of in_c bytes the
 * kernel fills with input_zero_point for the padding taps to read (smaller rows live on the
 * stack). scratch may be NULL when its size is 0.
 */
#ifndef MICRO_CONV2D_S8_H_
#define MICRO_CONV2D_S8_H_

#include "micro_common.h"
#include "micro_int8.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MICRO_CONV_S8_NR 16      /* output channels per packed weight panel */
#define MICRO_CONV_S8_ZP_ROW 256 /* input channels the on-stack zero-point row covers */

typedef struct MicroConv2dS8Params {
  int32_t batch;
  int32_t in_h, in_w, in_c;
  int32_t out_h, out_w, out_c;
  int32_t k_h, k_w;
  int32_t stride_h, stride_w;
  int32_t dilation_h, dilation_w;
  int32_t pad_top, pad_left;
  int32_t input_zero_point;  /* what padding taps read */
  int32_t output_zero_point;
  int32_t act_min, act_max;  /* quantized activation range, within [-128, 127] */
} MicroConv2dS8Params;

/* Bytes of scratch micro_conv2d_s8 needs: in_c if in_c > MICRO_CONV_S8_ZP_ROW and some tap
 * of some output pixel lies in the padding (pad_top or pad_left > 0, or
 * (out_h - 1) * stride_h - pad_top + (k_h - 1) * dilation_h >= in_h, or the same along the
 * width), else 0. */
size_t micro_conv2d_s8_scratch_size(const MicroConv2dS8Params *p);

void micro_conv2d_s8(const int8_t *in, const int8_t *packed_w, const int32_t *folded_bias,
                     const int32_t *out_mult, const int32_t *out_shift, int8_t *out,
                     int8_t *scratch, const MicroConv2dS8Params *p);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_CONV2D_S8_H_ */
