/*
 * fully_connected_s8_neon.c - int8 fully connected layer with NEON intrinsics
 * (fully_connected_s8_neon.h).
 *
 * Output rows go four at a time (one at a time for the last out_features % 4), so that
 * every 16 inputs loaded feed four dot products. Per 16 inputs and row: one weight load
 * and either SDOT (MICRO_NEON_DOTPROD: sixteen multiply-adds into four int32 lanes) or two
 * SMULL into 16-bit products (an int8 x int8 product always fits) and two SADALP that add
 * neighbouring products into four int32 lanes. Eight inputs at a time, then one by one,
 * finish a row. The four rows' lanes are summed pairwise into one vector (ADDP), then each
 * output gets the weight-zero-point term and its folded bias (wrapping) and is requantized
 * as TFLite's reference kernel does, round((double)acc * scale) half away from zero:
 *  - on AArch64 in double precision, four outputs at a time: the scale is
 *    scale_mantissa * 2^scale_exponent built exactly as a double (exponent in [-1022, 970]),
 *    FMUL rounds the product to nearest even (IEEE binary64, the FPCR default), FCVTAS
 *    rounds it half away from zero and SQXTN saturates to int32: what the generic kernel's
 *    integer emulation, micro_round_mul_double, computes;
 *  - elsewhere (32-bit ARM has no double-precision vectors), and for out-of-range
 *    exponents, by micro_round_mul_double itself.
 */
#include "fully_connected_s8_neon.h"

#include <string.h>

#include "micro_neon.h"

/* acc + the products x * w of 16 lanes, summed into 4 int32 lanes (exact). */
MICRO_ALWAYS_INLINE int32x4_t dot16(int32x4_t acc, int8x16_t x, int8x16_t w) {
#if MICRO_NEON_DOTPROD
  return vdotq_s32(acc, x, w);
#else
  acc = vpadalq_s16(acc, vmull_s8(vget_low_s8(x), vget_low_s8(w)));
#if defined(__aarch64__)
  return vpadalq_s16(acc, vmull_high_s8(x, w));
#else
  return vpadalq_s16(acc, vmull_s8(vget_high_s8(x), vget_high_s8(w)));
#endif
#endif
}

/* acc + the products x * w of 8 lanes, summed into 4 int32 lanes. */
MICRO_ALWAYS_INLINE int32x4_t dot8(int32x4_t acc, int8x8_t x, int8x8_t w) {
  return vpadalq_s16(acc, vmull_s8(x, w));
}

/* res[0..3] = the dot products of x (K values) with the four rows w, w + K, ... */
static void dot_rows4(const int8_t *x, const int8_t *w, int32_t K, int32_t *res) {
  const int8_t *w0 = w, *w1 = w + K, *w2 = w1 + K, *w3 = w2 + K;
  int32x4_t a0 = vdupq_n_s32(0), a1 = a0, a2 = a0, a3 = a0;
  int32_t k = 0;
  for (; k + 16 <= K; k += 16) {
    const int8x16_t xv = vld1q_s8(x + k);
    a0 = dot16(a0, xv, vld1q_s8(w0 + k));
    a1 = dot16(a1, xv, vld1q_s8(w1 + k));
    a2 = dot16(a2, xv, vld1q_s8(w2 + k));
    a3 = dot16(a3, xv, vld1q_s8(w3 + k));
  }
  if (k + 8 <= K) {
    const int8x8_t xv = vld1_s8(x + k);
    a0 = dot8(a0, xv, vld1_s8(w0 + k));
    a1 = dot8(a1, xv, vld1_s8(w1 + k));
    a2 = dot8(a2, xv, vld1_s8(w2 + k));
    a3 = dot8(a3, xv, vld1_s8(w3 + k));
    k += 8;
  }
  vst1q_s32(res, micro_neon_addv4_s32(a0, a1, a2, a3));
  for (; k < K; ++k) {
    const int32_t xv = x[k];
    res[0] = micro_wrap_add_i32(res[0], xv * w0[k]);
    res[1] = micro_wrap_add_i32(res[1], xv * w1[k]);
    res[2] = micro_wrap_add_i32(res[2], xv * w2[k]);
    res[3] = micro_wrap_add_i32(res[3], xv * w3[k]);
  }
}

/* The dot product of x (K values) with the row w. */
static int32_t dot_row(const int8_t *x, const int8_t *w, int32_t K) {
  int32x4_t a = vdupq_n_s32(0);
  int32_t k = 0, sum;
  for (; k + 16 <= K; k += 16) a = dot16(a, vld1q_s8(x + k), vld1q_s8(w + k));
  if (k + 8 <= K) {
    a = dot8(a, vld1_s8(x + k), vld1_s8(w + k));
    k += 8;
  }
  sum = micro_neon_addv_s32(a);
  for (; k < K; ++k) sum = micro_wrap_add_i32(sum, (int32_t)x[k] * w[k]);
  return sum;
}

/* The sum of the K values at x. */
static int32_t sum_s8(const int8_t *x, int32_t K) {
  int32x4_t a = vdupq_n_s32(0);
  int32_t k = 0, sum;
  for (; k + 16 <= K; k += 16) a = vpadalq_s16(a, vpaddlq_s8(vld1q_s8(x + k)));
  sum = micro_neon_addv_s32(a);
  for (; k < K; ++k) sum += x[k];
  return sum;
}

#if defined(__aarch64__)
/* micro_round_mul_double on four lanes, or 0 if an exponent is out of range (the scale as
 * a double would not be exact, or the product not a normal number). */
MICRO_ALWAYS_INLINE int round_mul4(int32x4_t acc, const int64_t *mantissa, const int32_t *exponent,
                                   int32x4_t *r) {
  const int32x4_t e = vld1q_s32(exponent);
  const int64x2_t bias = vdupq_n_s64(1023);
  float64x2_t s0, s1;
  int64x2_t r0, r1;
  if (vminvq_s32(e) < -1022 || vmaxvq_s32(e) > 970) return 0;
  /* scale = mantissa * 2^exponent, with 2^exponent a double built from its bits */
  s0 = vmulq_f64(vcvtq_f64_s64(vld1q_s64(mantissa)),
                 vreinterpretq_f64_s64(vshlq_n_s64(vaddq_s64(vmovl_s32(vget_low_s32(e)), bias), 52)));
  s1 = vmulq_f64(vcvtq_f64_s64(vld1q_s64(mantissa + 2)),
                 vreinterpretq_f64_s64(vshlq_n_s64(vaddq_s64(vmovl_high_s32(e), bias), 52)));
  r0 = vcvtaq_s64_f64(vmulq_f64(vcvtq_f64_s64(vmovl_s32(vget_low_s32(acc))), s0));
  r1 = vcvtaq_s64_f64(vmulq_f64(vcvtq_f64_s64(vmovl_high_s32(acc)), s1));
  *r = vcombine_s32(vqmovn_s64(r0), vqmovn_s64(r1));
  return 1;
}
#endif

static int8_t fc_output(int32_t acc, int64_t mantissa, int32_t exponent,
                        const MicroFullyConnectedS8Params *p) {
  int32_t v = micro_wrap_add_i32(micro_round_mul_double(acc, mantissa, exponent),
                                 p->output_zero_point);
  v = v < p->act_min ? p->act_min : v;
  v = v > p->act_max ? p->act_max : v;
  return (int8_t)v;
}

void micro_neon_fully_connected_s8(const int8_t *in, const int8_t *w, const int32_t *folded_bias,
                                   const int64_t *scale_mantissa, const int32_t *scale_exponent,
                                   int8_t *out, const MicroFullyConnectedS8Params *p) {
  const int32_t K = p->in_features, O = p->out_features;
#if defined(__aarch64__)
  const int16x8_t lo = vdupq_n_s16((int16_t)p->act_min), hi = vdupq_n_s16((int16_t)p->act_max);
#endif
  int32_t b, o, r;
  int32_t res[4];
  for (b = 0; b < p->batch; ++b) {
    const int8_t *x = in + (size_t)b * K;
    int8_t *y = out + (size_t)b * O;
    int32_t row_term = 0; /* -weights_zero_point * sum(x) */
    if (p->weights_zero_point != 0)
      row_term = micro_wrap_sub_i32(
          0, (int32_t)((uint32_t)sum_s8(x, K) * (uint32_t)p->weights_zero_point));
    for (o = 0; o + 4 <= O; o += 4) {
      dot_rows4(x, w + (size_t)o * K, K, res);
#if defined(__aarch64__)
      {
        const int32x4_t acc =
            vaddq_s32(vaddq_s32(vld1q_s32(res), vdupq_n_s32(row_term)), vld1q_s32(folded_bias + o));
        int32x4_t v;
        if (round_mul4(acc, scale_mantissa + o, scale_exponent + o, &v)) {
          int8_t t[8];
          v = vaddq_s32(v, vdupq_n_s32(p->output_zero_point));
          vst1_s8(t, micro_neon_narrow8_s8(v, v, lo, hi));
          memcpy(y + o, t, 4);
          continue;
        }
      }
#endif
      for (r = 0; r < 4; ++r)
        y[o + r] = fc_output(
            micro_wrap_add_i32(micro_wrap_add_i32(res[r], row_term), folded_bias[o + r]),
            scale_mantissa[o + r], scale_exponent[o + r], p);
    }
    for (; o < O; ++o)
      y[o] = fc_output(micro_wrap_add_i32(micro_wrap_add_i32(dot_row(x, w + (size_t)o * K, K),
                                                             row_term),
                                          folded_bias[o]),
                       scale_mantissa[o], scale_exponent[o], p);
  }
}
