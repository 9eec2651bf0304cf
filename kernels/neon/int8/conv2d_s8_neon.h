/*
 * conv2d_s8_neon.h - NEON version of micro_conv2d_s8 (generic/int8/conv2d_s8.h): the same
 * parameter struct, arguments, packed weight panels (MICRO_CONV_S8_NR = 16 output channels
 * per panel, int8_abi.pack_panels_s8), folded bias, per-channel multipliers, scratch size
 * and contract; only the name differs. Bit-exact with the generic kernel (and TFLite's
 * reference): int32 sums are exact in any order, and the requantization is TFLite's
 * MultiplyByQuantizedMultiplier on four lanes (micro_neon.h).
 *
 * With __ARM_FEATURE_DOTPROD (e.g. -march=armv8.2-a+dotprod) the inner product uses SDOT:
 * four k rows of a panel (64 bytes, [k][16 channels]) are transposed in registers into the
 * [channel][4 k] operands SDOT takes (the weight layout in memory is unchanged).
 */
#ifndef MICRO_CONV2D_S8_NEON_H_
#define MICRO_CONV2D_S8_NEON_H_

#include "conv2d_s8.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Equal to micro_conv2d_s8_scratch_size(p). */
size_t micro_neon_conv2d_s8_scratch_size(const MicroConv2dS8Params *p);

void micro_neon_conv2d_s8(const int8_t *in, const int8_t *packed_w, const int32_t *folded_bias,
                          const int32_t *out_mult, const int32_t *out_shift, int8_t *out,
                          int8_t *scratch, const MicroConv2dS8Params *p);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_CONV2D_S8_NEON_H_ */
