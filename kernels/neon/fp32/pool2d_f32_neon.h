/*
 * pool2d_f32_neon.h - NEON versions of micro_avg_pool2d_f32 and micro_max_pool2d_f32
 * (generic/fp32/pool2d_f32.h): the same parameter struct and arguments, no scratch; only
 * the names differ.
 *
 * Average: each channel's window is summed in (ky, kx) order from 0 and divided by the
 * divisor (a true division, VDIV on AArch64, per lane on 32-bit ARM), as the generic kernel
 * does: bit-identical. Max: the same maximum; on AArch64 FMAXNM ignores NaN inputs as the
 * generic `x > acc ? x : acc` does; 32-bit ARM's VMAX propagates NaN instead. The clamp and
 * the maximum may differ from the generic kernel only in the sign of a zero result.
 */
#ifndef MICRO_POOL2D_F32_NEON_H_
#define MICRO_POOL2D_F32_NEON_H_

#include "pool2d_f32.h"

#ifdef __cplusplus
extern "C" {
#endif

void micro_neon_avg_pool2d_f32(const float *in, float *out, const MicroPool2dParams *p);
void micro_neon_max_pool2d_f32(const float *in, float *out, const MicroPool2dParams *p);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_POOL2D_F32_NEON_H_ */
