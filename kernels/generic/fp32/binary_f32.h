/*
 * binary_f32.h - element-wise binary operations with numpy/TFLite broadcasting,
 * float32, followed by act() = clamp to [act_min, act_max].
 *   add: a + b   sub: a - b   mul: a * b   div: a / b   maximum: max(a, b)   minimum: min(a, b)
 *
 * The compiler normalises the broadcast into at most MICRO_BINARY_MAX_DIMS dims:
 * out_shape[ndim] (row-major, contiguous output) and element strides a_strides[],
 * b_strides[] (0 where that operand is broadcast along a dim). `out` may alias `a` or `b`
 * when that operand has the output's shape (in-place). No scratch.
 */
#ifndef MICRO_BINARY_F32_H_
#define MICRO_BINARY_F32_H_

#include "micro_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MICRO_BINARY_MAX_DIMS 6

typedef struct MicroBinaryParams {
  int32_t ndim;
  int32_t out_shape[MICRO_BINARY_MAX_DIMS];
  int32_t a_strides[MICRO_BINARY_MAX_DIMS];
  int32_t b_strides[MICRO_BINARY_MAX_DIMS];
  float act_min, act_max;
} MicroBinaryParams;

void micro_add_f32(const float *a, const float *b, float *out, const MicroBinaryParams *p);
void micro_sub_f32(const float *a, const float *b, float *out, const MicroBinaryParams *p);
void micro_mul_f32(const float *a, const float *b, float *out, const MicroBinaryParams *p);
void micro_div_f32(const float *a, const float *b, float *out, const MicroBinaryParams *p);
void micro_maximum_f32(const float *a, const float *b, float *out, const MicroBinaryParams *p);
void micro_minimum_f32(const float *a, const float *b, float *out, const MicroBinaryParams *p);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_BINARY_F32_H_ */
