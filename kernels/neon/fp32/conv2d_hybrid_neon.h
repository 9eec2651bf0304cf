/*
 * conv2d_hybrid_neon.h - NEON version of micro_conv2d_hybrid_f32
 * (generic/fp32/conv2d_hybrid.h): float32 activations, int8 OHWI weights with a
 * per-tensor scale. The same parameter struct, arguments, weight layout, scratch size and
 * in-place contract (`scratch` may be the input buffer itself when batch == 1); only the
 * names differ. The same arithmetic: the input image is quantized with the same range,
 * reciprocal and half-away rounding (identical int8 values), the int32 dot products are
 * exact in any order, and each output is (float)acc * scale, then + bias, then the clamp,
 * two separately rounded operations as in the generic kernel: results equal the generic
 * kernel's (the clamp may differ only in the sign of a zero that equals a bound).
 *
 * With __ARM_FEATURE_DOTPROD the dot products use SDOT.
 */
#ifndef MICRO_CONV2D_HYBRID_NEON_H_
#define MICRO_CONV2D_HYBRID_NEON_H_

#include "conv2d_hybrid.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Equal to micro_conv2d_hybrid_scratch_size(p). */
size_t micro_neon_conv2d_hybrid_scratch_size(const MicroConv2dParams *p);

void micro_neon_conv2d_hybrid_f32(const float *in, const int8_t *w, float w_scale,
                                  const float *bias, float *out, void *scratch,
                                  const MicroConv2dParams *p);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_CONV2D_HYBRID_NEON_H_ */
