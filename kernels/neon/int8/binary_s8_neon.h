/*
 * binary_s8_neon.h - NEON versions of micro_add_s8, micro_sub_s8 and micro_mul_s8
 * (generic/int8/binary_s8.h): the same parameter struct (normalised broadcast: out_shape,
 * a_strides, b_strides; offsets, multipliers and shifts from int8_abi.binary_s8), arguments
 * and in-place contract (`out` may alias an operand that has the output's shape); only the
 * names differ. Bit-exact with the generic kernels (TFLite's reference arithmetic, done on
 * four int32 lanes with micro_neon.h's MultiplyByQuantizedMultiplier) for operand offsets
 * in [-128, 128], which is every offset TFLite allows (minus an int8 zero point).
 */
#ifndef MICRO_BINARY_S8_NEON_H_
#define MICRO_BINARY_S8_NEON_H_

#include "binary_s8.h"

#ifdef __cplusplus
extern "C" {
#endif

void micro_neon_add_s8(const int8_t *a, const int8_t *b, int8_t *out,
                       const MicroBinaryS8Params *p);
void micro_neon_sub_s8(const int8_t *a, const int8_t *b, int8_t *out,
                       const MicroBinaryS8Params *p);
void micro_neon_mul_s8(const int8_t *a, const int8_t *b, int8_t *out,
                       const MicroBinaryS8Params *p);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_BINARY_S8_NEON_H_ */
