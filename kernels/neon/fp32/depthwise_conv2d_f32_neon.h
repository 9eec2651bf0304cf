/*
 * depthwise_conv2d_f32_neon.h - NEON version of micro_depthwise_conv2d_f32
 * (generic/fp32/depthwise_conv2d_f32.h): the same parameter struct, arguments, weight
 * layout ([1][k_h][k_w][out_c]), no scratch; only the name differs.
 *
 * Each output sums its valid taps in (ky, kx) order from 0 and adds the bias last, as the
 * generic kernel does. With MICRO_NEON_FP32_FUSE (the default on AArch64, see
 * micro_neon.h) the multiply-adds are fused, so results differ from the generic kernel in
 * the last bits (within 1e-5 relative); built with -DMICRO_NEON_FP32_FUSE=0, and on 32-bit
 * ARM without VFPv4, they are bit-identical.
 */
#ifndef MICRO_DEPTHWISE_CONV2D_F32_NEON_H_
#define MICRO_DEPTHWISE_CONV2D_F32_NEON_H_

#include "depthwise_conv2d_f32.h"

#ifdef __cplusplus
extern "C" {
#endif

void micro_neon_depthwise_conv2d_f32(const float *in, const float *w, const float *bias,
                                     float *out, const MicroDepthwiseConv2dParams *p);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_DEPTHWISE_CONV2D_F32_NEON_H_ */
