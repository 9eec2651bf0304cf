/*
 * softmax_f32.h - softmax over the innermost axis, float32, TFLite SOFTMAX semantics:
 *   out[r, i] = exp((in[r, i] - max_r) * beta) / sum_j exp((in[r, j] - max_r) * beta)
 * for r < outer rows of axis_size contiguous elements. No scratch; out may alias in.
 */
#ifndef MICRO_SOFTMAX_F32_H_
#define MICRO_SOFTMAX_F32_H_

#include "micro_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct MicroSoftmaxParams {
  int32_t outer;
  int32_t axis_size;
  float beta;
} MicroSoftmaxParams;

void micro_softmax_f32(const float *in, float *out, const MicroSoftmaxParams *p);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_SOFTMAX_F32_H_ */
