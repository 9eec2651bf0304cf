/*
 * conv2d_f32.h - 2-D convolution, float32, NHWC, TFLite CONV_2D semantics.
 *
 *   out[b, oy, ox, oc] = act(bias[oc] + sum_{ky, kx, ic} in[b, iy, ix, ic] * W[oc, ky, kx, ic])
 *   iy = oy * stride_h - pad_top  + ky * dilation_h   (taps outside the input contribute 0)
 *   ix = ox * stride_w - pad_left + kx * dilation_w
 *   act(x) = min(max(x, act_min), act_max)   (act_min=-INFINITY, act_max=INFINITY for none)
 *
 * Weights are *packed by the compiler* (micro.backends.generic.abi.pack_panels_f32),
 * never in TFLite's OHWI order. With K = k_h * k_w * in_c and NR = MICRO_CONV_NR:
 *   packed[(ob * K + k) * NR + j] = W[ob * NR + j][k]   for ob < ceil(out_c / NR), k < K, j < NR
 * where k enumerates (ky, kx, ic) in that order (ic fastest), and lanes with
 * ob * NR + j >= out_c are 0. The packed buffer holds ceil(out_c / NR) * K * NR floats.
 *
 * Scratch: micro_conv2d_f32_scratch_size(p) bytes: 0, unless some tap of some output
 * falls outside the input (padding) and in_c > MICRO_CONV_ZEROS, when it is a row of in_c
 * floats the kernel zero-fills for the padding taps to read. The input is read in place
 * (an implicit GEMM: no im2col copy); scratch may be NULL when its size is 0.
 * bias may be NULL. Each output sums from 0 over k in order and adds the bias last
 * (TFLite's reference order).
 */
#ifndef MICRO_CONV2D_F32_H_
#define MICRO_CONV2D_F32_H_

#include "micro_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MICRO_CONV_NR 8      /* output channels per packed weight panel */
#define MICRO_CONV_ZEROS 256 /* input channels the built-in zero row covers */

typedef struct MicroConv2dParams {
  int32_t batch;
  int32_t in_h, in_w, in_c;
  int32_t out_h, out_w, out_c;
  int32_t k_h, k_w;
  int32_t stride_h, stride_w;
  int32_t dilation_h, dilation_w;
  int32_t pad_top, pad_left;
  float act_min, act_max;
} MicroConv2dParams;

/* Bytes of scratch micro_conv2d_f32 needs: in_c * sizeof(float) if in_c > MICRO_CONV_ZEROS
 * and some tap of some output pixel lies in the padding (pad_top or pad_left > 0, or
 * (out_h - 1) * stride_h - pad_top + (k_h - 1) * dilation_h >= in_h, or the same along the
 * width), else 0. */
size_t micro_conv2d_f32_scratch_size(const MicroConv2dParams *p);

void micro_conv2d_f32(const float *in, const float *packed_w, const float *bias, float *out,
                      float *scratch, const MicroConv2dParams *p);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_CONV2D_F32_H_ */
