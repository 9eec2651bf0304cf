/*
 * depthwise_conv2d_s8_neon.h - NEON version of micro_depthwise_conv2d_s8
 * (generic/int8/depthwise_conv2d_s8.h): the same parameter struct, arguments, weight layout
 * ([1][k_h][k_w][out_c], TFLite's), folded bias, per-channel multipliers and contract (no
 * scratch); only the name differs. Bit-exact with the generic kernel (and TFLite's
 * reference): int32 sums are exact in any order, padding taps add input_zero_point * W as
 * the generic kernel does, and the requantization is TFLite's MultiplyByQuantizedMultiplier
 * on four lanes (micro_neon.h).
 */
#ifndef MICRO_DEPTHWISE_CONV2D_S8_NEON_H_
#define MICRO_DEPTHWISE_CONV2D_S8_NEON_H_

#include "depthwise_conv2d_s8.h"

#ifdef __cplusplus
extern "C" {
#endif

void micro_neon_depthwise_conv2d_s8(const int8_t *in, const int8_t *w, const int32_t *folded_bias,
                                    const int32_t *out_mult, const int32_t *out_shift,
                                    int8_t *out, const MicroDepthwiseConv2dS8Params *p);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_DEPTHWISE_CONV2D_S8_NEON_H_ */
