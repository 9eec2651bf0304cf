/*
 * binary_s8.h - element-wise ADD, SUB and MUL of int8 tensors with numpy/TFLite
 * broadcasting, TFLite int8 semantics (reference_integer_ops::Add, reference_ops::Sub /
 * BroadcastQuantSubSlow, reference_integer_ops::Mul), bit-exact. With MBQM from
 * micro_int8.h (every add/sub shift is <= 0, the "SmallerThanOneExp" case):
 *   add/sub: ua = MBQM((a + a_offset) * 2^left_shift, a_multiplier, a_shift)
 *            ub = MBQM((b + b_offset) * 2^left_shift, b_multiplier, b_shift)
 *            out = clamp(MBQM(ua +- ub, output_multiplier, output_shift)
 *                        + output_zero_point, act_min, act_max)
 *   mul:     out = clamp(MBQM((a + a_offset) * (b + b_offset), output_multiplier,
 *                             output_shift) + output_zero_point, act_min, act_max)
 * (a_offset = -a's zero point, b_offset likewise; left_shift = 20.)
 *
 * The compiler normalises the broadcast into at most MICRO_BINARY_S8_MAX_DIMS dims:
 * out_shape[ndim] (row-major, contiguous output) and element strides a_strides[],
 * b_strides[] (0 where that operand is broadcast along a dim). `out` may alias `a` or `b`
 * when that operand has the output's shape (in-place). No scratch. With GCC, ADD and SUB
 * precompute ua and ub for all 256 input values in stack tables (2 KiB) when the output has
 * at least MICRO_BINARY_S8_TABLE_MIN (512) elements (see binary_s8.c).
 */
#ifndef MICRO_BINARY_S8_H_
#define MICRO_BINARY_S8_H_

#include "micro_common.h"
#include "micro_int8.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MICRO_BINARY_S8_MAX_DIMS 6

typedef struct MicroBinaryS8Params {
  int32_t ndim;
  int32_t out_shape[MICRO_BINARY_S8_MAX_DIMS];
  int32_t a_strides[MICRO_BINARY_S8_MAX_DIMS];
  int32_t b_strides[MICRO_BINARY_S8_MAX_DIMS];
  int32_t a_offset, b_offset;
  int32_t left_shift;                 /* add/sub: 20; mul: unused */
  int32_t a_multiplier, a_shift;      /* add/sub only */
  int32_t b_multiplier, b_shift;      /* add/sub only */
  int32_t output_multiplier, output_shift;
  int32_t output_zero_point;
  int32_t act_min, act_max;
} MicroBinaryS8Params;

void micro_add_s8(const int8_t *a, const int8_t *b, int8_t *out, const MicroBinaryS8Params *p);
void micro_sub_s8(const int8_t *a, const int8_t *b, int8_t *out, const MicroBinaryS8Params *p);
void micro_mul_s8(const int8_t *a, const int8_t *b, int8_t *out, const MicroBinaryS8Params *p);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_BINARY_S8_H_ */
