/*
 * pool2d_f32.h - average and max pooling, float32, NHWC, TFLite semantics.
 * For each output pixel the window rows are iy = oy*stride_h - pad_top + [0, k_h),
 * clipped to [0, in_h) (likewise for columns).
 *   avg: sum of the clipped window / number of elements in the clipped window
 *        (count_include_pad = 1 divides by k_h * k_w instead, for ONNX)
 *   max: maximum of the clipped window
 * then act() = clamp to [act_min, act_max]. No scratch.
 */
#ifndef MICRO_POOL2D_F32_H_
#define MICRO_POOL2D_F32_H_

#include "micro_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct MicroPool2dParams {
  int32_t batch;
  int32_t in_h, in_w, channels;
  int32_t out_h, out_w;
  int32_t k_h, k_w;
  int32_t stride_h, stride_w;
  int32_t pad_top, pad_left;
  int32_t count_include_pad;
  float act_min, act_max;
} MicroPool2dParams;

void micro_avg_pool2d_f32(const float *in, float *out, const MicroPool2dParams *p);
void micro_max_pool2d_f32(const float *in, float *out, const MicroPool2dParams *p);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_POOL2D_F32_H_ */
