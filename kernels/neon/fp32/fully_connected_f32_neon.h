/*
 * fully_connected_f32_neon.h - NEON version of micro_fully_connected_f32
 * (generic/fp32/fully_connected_f32.h): the same parameter struct, arguments and packed
 * weight panels (MICRO_FC_NR = 8 outputs per panel, abi.pack_panels_f32), no scratch; only
 * the name differs.
 *
 * Each output is its own sum over k = 0, 1, ... in order, then the bias is added, as in
 * the generic kernel. With MICRO_NEON_FP32_FUSE (the default on AArch64, see micro_neon.h)
 * the multiply-adds are fused, so results differ from the generic kernel in the last bits
 * (within 1e-5 relative); with -DMICRO_NEON_FP32_FUSE=0, and on 32-bit ARM without VFPv4,
 * they are bit-identical.
 */
#ifndef MICRO_FULLY_CONNECTED_F32_NEON_H_
#define MICRO_FULLY_CONNECTED_F32_NEON_H_

#include "fully_connected_f32.h"

#ifdef __cplusplus
extern "C" {
#endif

void micro_neon_fully_connected_f32(const float *in, const float *packed_w, const float *bias,
                                    float *out, const MicroFullyConnectedParams *p);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_FULLY_CONNECTED_F32_NEON_H_ */
