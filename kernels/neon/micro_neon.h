/*
 * micro_neon.h - helpers shared by the NEON (Advanced SIMD) kernels in kernels/neon/.
 *
 * Every NEON kernel keeps the C ABI of the generic kernel it replaces (same parameter
 * struct, arguments, weight layout, scratch size and aliasing contract; it includes the
 * generic header) and is only renamed micro_neon_<name>. The kernels compile for AArch64
 * (any -march from armv8-a) and for 32-bit ARM with NEON (-mfpu=neon or later,
 * -mfloat-abi=softfp or hard). Intrinsics that only exist on AArch64 are behind
 * `#if defined(__aarch64__)` with a 32-bit path.
 *
 * Dot product: the int8 kernels use SDOT (MICRO_NEON_DOTPROD) only when the compiler
 * defines __ARM_FEATURE_DOTPROD, i.e. when the target core has it (-mcpu=cortex-a55,
 * cortex-a76, neoverse-n1, or -march=armv8.2-a+dotprod; on 32-bit ARM also with
 * -mfpu=neon-fp-armv8). A build for a core without it (cortex-a53, cortex-a72, armv8-a)
 * contains no SDOT instruction.
 *
 * fp32 fusion: MICRO_NEON_FP32_FUSE (default 1 when the target has a vector FMA, i.e. on
 * every AArch64 target) lets the fully connected and depthwise kernels, whose generic
 * versions round the product before adding it, use fused multiply-adds: results then
 * differ from the generic kernel in the last bits (well within 1e-5 relative). Build with
 * -DMICRO_NEON_FP32_FUSE=0 for results bit-identical to the generic kernels. The conv2d
 * kernel always fuses exactly when the generic conv2d_f32.c does (__FP_FAST_FMAF), so it is
 * bit-identical either way.
 *
 * int8 requantization: micro_neon_mbqm_s32 is TFLite's MultiplyByQuantizedMultiplier
 * (double rounding, micro_int8.h's micro_mbqm) on four lanes, bit for bit: a wrapping
 * left shift (SSHL), gemmlowp's SaturatingRoundingDoublingHighMul (SQRDMULH is exactly
 * floor((a * b + 2^30) / 2^31) with the same INT32_MIN * INT32_MIN saturation), then
 * RoundingDivideByPOT as in TFLite's optimized NEON kernels: a rounding shift (SRSHL,
 * which rounds ties up) after subtracting 1 from negative values (saturating), which turns
 * "ties up" into "ties away from zero".
 */
#ifndef MICRO_NEON_H_
#define MICRO_NEON_H_

#if !defined(__ARM_NEON) && !defined(__ARM_NEON__)
#error "kernels/neon needs Advanced SIMD: AArch64, or 32-bit ARM with -mfpu=neon (or later)"
#endif

#include <arm_neon.h>

#include "micro_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef MICRO_NEON_FP32_FUSE
#if defined(__aarch64__) || defined(__ARM_FEATURE_FMA)
#define MICRO_NEON_FP32_FUSE 1
#else
#define MICRO_NEON_FP32_FUSE 0
#endif
#endif

#if defined(__ARM_FEATURE_DOTPROD)
#define MICRO_NEON_DOTPROD 1
#else
#define MICRO_NEON_DOTPROD 0
#endif

#if MICRO_NEON_DOTPROD
/* acc[i] + the dot product of the four int8 of lane i of t with the four int8 of 32-bit
 * lane g (a literal 0..3) of a: SDOT by element (AArch64 indexes a q register, 32-bit ARM
 * a d register). */
#if defined(__aarch64__)
#define MICRO_NEON_SDOT_LANE(acc, t, a, g) vdotq_laneq_s32((acc), (t), (a), (g))
#else
#define MICRO_NEON_SDOT_LANE(acc, t, a, g) \
  vdotq_lane_s32((acc), (t), (g) < 2 ? vget_low_s8(a) : vget_high_s8(a), (g) & 1)
#endif
#endif

/* acc + a * b: fused when MICRO_NEON_FP32_FUSE (and the target has a vector FMA), else a
 * rounded product then a rounded sum (what the generic kernels compute). */
#if MICRO_NEON_FP32_FUSE && (defined(__aarch64__) || defined(__ARM_FEATURE_FMA))
#define MICRO_NEON_MADD_F32(acc, a, b) vfmaq_f32((acc), (a), (b))
#else
#define MICRO_NEON_MADD_F32(acc, a, b) vaddq_f32((acc), vmulq_f32((a), (b)))
#endif

/* Clamp to [lo, hi] as micro_clamp_f32 does (NaN stays NaN; only the sign of a zero that
 * equals a bound may differ). */
MICRO_ALWAYS_INLINE float32x4_t micro_neon_clamp_f32(float32x4_t x, float32x4_t lo,
                                                     float32x4_t hi) {
  return vminq_f32(vmaxq_f32(x, lo), hi);
}

/* ---------------------------------------------------------------------------------------
 * Horizontal sums (vaddvq_* and vpaddq_* are AArch64 only) */

/* The sum of the four lanes of v (wrapping). */
MICRO_ALWAYS_INLINE int32_t micro_neon_addv_s32(int32x4_t v) {
#if defined(__aarch64__)
  return vaddvq_s32(v);
#else
  const int32x2_t s = vadd_s32(vget_low_s32(v), vget_high_s32(v));
  return vget_lane_s32(vpadd_s32(s, s), 0);
#endif
}

/* The sums of the four lanes of a, b, c and d, in lanes 0, 1, 2 and 3 (wrapping). */
MICRO_ALWAYS_INLINE int32x4_t micro_neon_addv4_s32(int32x4_t a, int32x4_t b, int32x4_t c,
                                                   int32x4_t d) {
#if defined(__aarch64__)
  return vpaddq_s32(vpaddq_s32(a, b), vpaddq_s32(c, d));
#else
  const int32x2_t a2 = vadd_s32(vget_low_s32(a), vget_high_s32(a));
  const int32x2_t b2 = vadd_s32(vget_low_s32(b), vget_high_s32(b));
  const int32x2_t c2 = vadd_s32(vget_low_s32(c), vget_high_s32(c));
  const int32x2_t d2 = vadd_s32(vget_low_s32(d), vget_high_s32(d));
  return vcombine_s32(vpadd_s32(a2, b2), vpadd_s32(c2, d2));
#endif
}

/* ---------------------------------------------------------------------------------------
 * int8 fixed point */

/* gemmlowp RoundingDivideByPOT on four lanes: x / 2^e rounded to nearest, ties away from
 * zero, with neg_e = -e (0 <= e <= 31) in each lane. */
MICRO_ALWAYS_INLINE int32x4_t micro_neon_rdbpot_s32(int32x4_t x, int32x4_t neg_e) {
  /* -1 where x < 0 and e > 0 (the sign bit of x & neg_e), else 0 */
  const int32x4_t fixup = vshrq_n_s32(vandq_s32(x, neg_e), 31);
  return vrshlq_s32(vqaddq_s32(x, fixup), neg_e);
}

/* micro_mbqm on four lanes: RoundingDivideByPOT(SRDHM(x * 2^left, mult), right), with
 * left = max(shift, 0) and neg_right = min(shift, 0) per lane. */
MICRO_ALWAYS_INLINE int32x4_t micro_neon_mbqm_s32(int32x4_t x, int32x4_t mult, int32x4_t left,
                                                  int32x4_t neg_right) {
  return micro_neon_rdbpot_s32(vqrdmulhq_s32(vshlq_s32(x, left), mult), neg_right);
}

/* The same without the left shift (every lane's shift <= 0). */
MICRO_ALWAYS_INLINE int32x4_t micro_neon_mbqm_right_s32(int32x4_t x, int32x4_t mult,
                                                        int32x4_t neg_right) {
  return micro_neon_rdbpot_s32(vqrdmulhq_s32(x, mult), neg_right);
}

/* Per-lane requantization parameters for four output channels. */
typedef struct {
  int32x4_t mult, left, neg_right;
} MicroNeonRequant;

MICRO_ALWAYS_INLINE MicroNeonRequant micro_neon_requant_load(const int32_t *mult,
                                                             const int32_t *shift) {
  MicroNeonRequant r;
  const int32x4_t s = vld1q_s32(shift), zero = vdupq_n_s32(0);
  r.mult = vld1q_s32(mult);
  r.left = vmaxq_s32(s, zero);
  r.neg_right = vminq_s32(s, zero);
  return r;
}

/* Sixteen int32 accumulators (+ nothing else: bias already added) to int8 as
 * micro_output_s8 does: MBQM, wrapping add of the zero point, clamp to [lo, hi] (within
 * [-128, 127]). The clamp is done after a saturating narrowing to int16, which is the same
 * since [lo, hi] lies inside the int16 range. */
MICRO_ALWAYS_INLINE int8x16_t micro_neon_narrow_s8(int32x4_t v0, int32x4_t v1, int32x4_t v2,
                                                   int32x4_t v3, int16x8_t lo, int16x8_t hi) {
  int16x8_t h0 = vcombine_s16(vqmovn_s32(v0), vqmovn_s32(v1));
  int16x8_t h1 = vcombine_s16(vqmovn_s32(v2), vqmovn_s32(v3));
  h0 = vminq_s16(vmaxq_s16(h0, lo), hi);
  h1 = vminq_s16(vmaxq_s16(h1, lo), hi);
  return vcombine_s8(vmovn_s16(h0), vmovn_s16(h1));
}

/* Eight int32 lanes to int8 (the low half of the result holds them). */
MICRO_ALWAYS_INLINE int8x8_t micro_neon_narrow8_s8(int32x4_t v0, int32x4_t v1, int16x8_t lo,
                                                   int16x8_t hi) {
  int16x8_t h0 = vcombine_s16(vqmovn_s32(v0), vqmovn_s32(v1));
  h0 = vminq_s16(vmaxq_s16(h0, lo), hi);
  return vmovn_s16(h0);
}

#ifdef __cplusplus
}
#endif
#endif /* MICRO_NEON_H_ */
