/*
 * pool2d_s8.h - average and max pooling, int8 NHWC, TFLite AVERAGE_POOL_2D / MAX_POOL_2D
 * int8 semantics (reference_integer_ops::AveragePool / MaxPool), bit-exact.
 * For each output pixel the window rows are iy = oy * stride_h - pad_top + [0, k_h),
 * clipped to [0, in_h) (likewise for columns); with n the number of elements of the
 * clipped window (never 0: int8_abi rejects geometries where it would be, which LiteRT
 * fails on at run time):
 *   avg: s = sum of the window;  q = (s + n/2) / n if s > 0 else (s - n/2) / n
 *        (C division, truncating toward zero), then clamp to [act_min, act_max]
 *   max: max(-128, max of the window), then clamp to [act_min, act_max]
 * Pooling never rescales: TFLite requires (but only checks in debug builds) that input and
 * output share scale and zero point; act_min/act_max come from the output's. No scratch.
 */
#ifndef MICRO_POOL2D_S8_H_
#define MICRO_POOL2D_S8_H_

#include "micro_common.h"
#include "micro_int8.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct MicroPool2dS8Params {
  int32_t batch;
  int32_t in_h, in_w, channels;
  int32_t out_h, out_w;
  int32_t k_h, k_w;
  int32_t stride_h, stride_w;
  int32_t pad_top, pad_left;
  int32_t act_min, act_max;
} MicroPool2dS8Params;

void micro_avg_pool2d_s8(const int8_t *in, int8_t *out, const MicroPool2dS8Params *p);
void micro_max_pool2d_s8(const int8_t *in, int8_t *out, const MicroPool2dS8Params *p);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_POOL2D_S8_H_ */
