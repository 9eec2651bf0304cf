/*
 * depthwise_conv2d_f32.h - depthwise 2-D convolution, float32, NHWC, TFLite
 * DEPTHWISE_CONV_2D semantics. out_c = in_c * depth_multiplier and
 *   out[b, oy, ox, ic * m + j] = act(bias[ic*m+j] + sum_{ky,kx} in[b, iy, ix, ic] * W[0, ky, kx, ic*m+j])
 * with iy, ix, padding and act() as in conv2d_f32.h. W keeps TFLite's layout
 * [1][k_h][k_w][out_c]. No scratch.
 */
#ifndef MICRO_DEPTHWISE_CONV2D_F32_H_
#define MICRO_DEPTHWISE_CONV2D_F32_H_

#include "micro_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct MicroDepthwiseConv2dParams {
  int32_t batch;
  int32_t in_h, in_w, in_c;
  int32_t out_h, out_w, out_c;
  int32_t depth_multiplier;
  int32_t k_h, k_w;
  int32_t stride_h, stride_w;
  int32_t dilation_h, dilation_w;
  int32_t pad_top, pad_left;
  float act_min, act_max;
} MicroDepthwiseConv2dParams;

void micro_depthwise_conv2d_f32(const float *in, const float *w, const float *bias, float *out,
                                const MicroDepthwiseConv2dParams *p);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_DEPTHWISE_CONV2D_F32_H_ */
