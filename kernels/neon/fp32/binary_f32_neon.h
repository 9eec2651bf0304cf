/*
 * binary_f32_neon.h - NEON versions of micro_add_f32, micro_sub_f32 and micro_mul_f32
 * (generic/fp32/binary_f32.h): the same parameter struct (normalised broadcast: out_shape,
 * a_strides, b_strides), arguments and in-place contract (`out` may alias an operand that
 * has the output's shape); only the names differ. Each element is one IEEE operation then
 * the clamp, as in the generic kernel: bit-identical (the clamp may differ only in the sign
 * of a zero that equals a bound; 32-bit NEON flushes denormal results to zero).
 */
#ifndef MICRO_BINARY_F32_NEON_H_
#define MICRO_BINARY_F32_NEON_H_

#include "binary_f32.h"

#ifdef __cplusplus
extern "C" {
#endif

void micro_neon_add_f32(const float *a, const float *b, float *out, const MicroBinaryParams *p);
void micro_neon_sub_f32(const float *a, const float *b, float *out, const MicroBinaryParams *p);
void micro_neon_mul_f32(const float *a, const float *b, float *out, const MicroBinaryParams *p);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_BINARY_F32_NEON_H_ */
