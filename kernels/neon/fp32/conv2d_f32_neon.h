/*
 * conv2d_f32_neon.h - NEON version of micro_conv2d_f32 (generic/fp32/conv2d_f32.h): the
 * same parameter struct, arguments, packed weight panels (MICRO_CONV_NR = 8 output
 * channels per panel, abi.pack_panels_f32), scratch size and contract; only the name
 * differs. Bit-identical to the generic kernel compiled for the same target (both fuse the
 * multiply-add exactly when the target has FMA, and both sum k = (ky, kx, ic) in order
 * from 0, then add the bias).
 */
#ifndef MICRO_CONV2D_F32_NEON_H_
#define MICRO_CONV2D_F32_NEON_H_

#include "conv2d_f32.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Equal to micro_conv2d_f32_scratch_size(p). */
size_t micro_neon_conv2d_f32_scratch_size(const MicroConv2dParams *p);

void micro_neon_conv2d_f32(const float *in, const float *packed_w, const float *bias, float *out,
                           float *scratch, const MicroConv2dParams *p);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_CONV2D_F32_NEON_H_ */
