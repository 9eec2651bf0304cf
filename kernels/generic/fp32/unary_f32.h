/*
 * unary_f32.h - element-wise activations, float32, TFLite semantics:
 *   clip:     out = min(max(in, lo), hi)       (RELU: [0, inf), RELU6: [0, 6], RELU_N1_TO_1: [-1, 1])
 *   logistic: out = 1 / (1 + exp(-in))
 *   tanh:     out = tanh(in)
 * over n contiguous elements. `out` may alias `in`. No scratch.
 */
#ifndef MICRO_UNARY_F32_H_
#define MICRO_UNARY_F32_H_

#include "micro_common.h"

#ifdef __cplusplus
extern "C" {
#endif

void micro_clip_f32(const float *in, float *out, int32_t n, float lo, float hi);
void micro_logistic_f32(const float *in, float *out, int32_t n);
void micro_tanh_f32(const float *in, float *out, int32_t n);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_UNARY_F32_H_ */
