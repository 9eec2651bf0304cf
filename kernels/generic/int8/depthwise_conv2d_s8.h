/*
 * depthwise_conv2d_s8.h - depthwise 2-D convolution, int8 NHWC, int8 per-channel weights,
 * TFLite DEPTHWISE_CONV_2D int8 semantics (reference_integer_ops::DepthwiseConvPerChannel),
 * bit-exact. out_c = in_c * depth_multiplier and, for output channel c = ic * m + j,
 *   acc = bias[c] + sum over in-image taps (ky, kx) of
 *           W[0, ky, kx, c] * (in[b, iy, ix, ic] - input_zero_point)
 *   out = clamp(MBQM(acc, mult[c], shift[c]) + output_zero_point, act_min, act_max)
 * with iy, ix as in conv2d_s8.h and MBQM from micro_int8.h.
 *
 * The kernel evaluates it as folded_bias[c] + sum over all taps of W * x, where
 * folded_bias[c] = bias[c] - input_zero_point * sum_taps W[., ., c] (int8_abi) and a tap
 * outside the image counts as x = input_zero_point. Exact in int32 (see conv2d_s8.h).
 *
 * W keeps TFLite's layout [1][k_h][k_w][out_c] (channels contiguous, which is what the
 * channel-vectorized loops want). folded_bias, out_mult, out_shift: out_c int32 each.
 * No scratch.
 */
#ifndef MICRO_DEPTHWISE_CONV2D_S8_H_
#define MICRO_DEPTHWISE_CONV2D_S8_H_

#include "micro_common.h"
#include "micro_int8.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct MicroDepthwiseConv2dS8Params {
  int32_t batch;
  int32_t in_h, in_w, in_c;
  int32_t out_h, out_w, out_c;
  int32_t depth_multiplier;
  int32_t k_h, k_w;
  int32_t stride_h, stride_w;
  int32_t dilation_h, dilation_w;
  int32_t pad_top, pad_left;
  int32_t input_zero_point;
  int32_t output_zero_point;
  int32_t act_min, act_max;
} MicroDepthwiseConv2dS8Params;

void micro_depthwise_conv2d_s8(const int8_t *in, const int8_t *w, const int32_t *folded_bias,
                               const int32_t *out_mult, const int32_t *out_shift, int8_t *out,
                               const MicroDepthwiseConv2dS8Params *p);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_DEPTHWISE_CONV2D_S8_H_ */
