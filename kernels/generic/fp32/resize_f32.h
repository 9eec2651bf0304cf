/*
 * resize_f32.h - float32 resize (ONNX Resize/Upsample: nearest, linear, cubic) from
 * per-axis tables the compiler computes: output index o along axis d reads `taps[d]`
 * input indices `indices[offset[d] + o * taps[d] + t]` weighted by the matching
 * `weights`; the output element is the sum over all combinations of the taps of the
 * product of the weights times the input element (separable interpolation).
 */
#ifndef MICRO_RESIZE_F32_H_
#define MICRO_RESIZE_F32_H_

#include "micro_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MICRO_RESIZE_MAX_DIMS 6

typedef struct MicroResizeParams {
  int32_t ndim;
  int32_t in_shape[MICRO_RESIZE_MAX_DIMS];
  int32_t out_shape[MICRO_RESIZE_MAX_DIMS];
  int32_t taps[MICRO_RESIZE_MAX_DIMS];
  int32_t offset[MICRO_RESIZE_MAX_DIMS];
} MicroResizeParams;
void micro_resize_f32(const float *in, float *out, const int32_t *indices, const float *weights,
                      const MicroResizeParams *p);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_RESIZE_F32_H_ */
