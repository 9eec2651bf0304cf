/*
 * pool2d_s8_neon.h - NEON versions of micro_avg_pool2d_s8 and micro_max_pool2d_s8
 * (generic/int8/pool2d_s8.h): the same parameter struct and arguments, no scratch; only
 * the names differ. Bit-exact with the generic kernels: the same window sums (exact) and
 * maxima, the same rounding division (an exact reciprocal multiply) and clamp.
 */
#ifndef MICRO_POOL2D_S8_NEON_H_
#define MICRO_POOL2D_S8_NEON_H_

#include "pool2d_s8.h"

#ifdef __cplusplus
extern "C" {
#endif

void micro_neon_avg_pool2d_s8(const int8_t *in, int8_t *out, const MicroPool2dS8Params *p);
void micro_neon_max_pool2d_s8(const int8_t *in, int8_t *out, const MicroPool2dS8Params *p);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_POOL2D_S8_NEON_H_ */
