/*
 * fully_connected_s8_neon.h - NEON version of micro_fully_connected_s8
 * (generic/int8/fully_connected_s8.h): the same parameter struct, arguments, weight layout
 * (TFLite's [out_features][in_features]), folded bias, double-precision requantization
 * (scale_mantissa * 2^scale_exponent per output) and contract (no scratch); only the name
 * differs. Bit-exact with the generic kernel: int32 dot products are exact in any order and
 * each output is requantized by the same micro_round_mul_double.
 *
 * With __ARM_FEATURE_DOTPROD the dot products use SDOT (16 multiply-adds per instruction).
 */
#ifndef MICRO_FULLY_CONNECTED_S8_NEON_H_
#define MICRO_FULLY_CONNECTED_S8_NEON_H_

#include "fully_connected_s8.h"

#ifdef __cplusplus
extern "C" {
#endif

void micro_neon_fully_connected_s8(const int8_t *in, const int8_t *w, const int32_t *folded_bias,
                                   const int64_t *scale_mantissa, const int32_t *scale_exponent,
                                   int8_t *out, const MicroFullyConnectedS8Params *p);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_FULLY_CONNECTED_S8_NEON_H_ */
