/*
 * fully_connected_s8_neon.c - int8 fully connected layer with NEON intrinsics
 * (fully_connected_s8_neon.h).
 *
 * Output rows go four at a time (the last out_features % 4 two and one at a time), so
 * that every 16 inputs loaded feed several dot products. Per 16 inputs and row: one weight
 * load and either SDOT (MICRO_NEON_DOTPROD: sixteen multiply-adds into four int32 lanes)
 * or two SMULL into 16-bit products (an int8 x int8 product always fits) and two SADALP
 * that add neighbouring products into four int32 lanes; 8 inputs at a time, then one by
 * one, finish a row. The rows' lanes are summed (ADDP),
 * then each output gets the weight-zero-point term and its folded bias (wrapping) and is
 * requantized as TFLite's reference kernel does, round((double)acc * scale) half away
 * from zero:
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

/* res[0 .. NRW) = the dot products of x (K values) with the NRW (4, 2 or 1) rows w,
 * w + K, ...; always inlined with a constant NRW. */
MICRO_ALWAYS_INLINE void dot_rows(const int8_t *x, const int8_t *w, int32_t K, int32_t *res,
                                  const int NRW) {
  const int8_t *wr[4];
  int32x4_t a[4];
  int32_t k = 0, r;
  for (r = 0; r < NRW; ++r) {
    wr[r] = w + (size_t)r * K;
    a[r] = vdupq_n_s32(0);
  }
  for (; k + 16 <= K; k += 16) {
    const int8x16_t xv = vld1q_s8(x + k);
    for (r = 0; r < NRW; ++r) a[r] = dot16(a[r], xv, vld1q_s8(wr[r] + k));
  }
  if (k + 8 <= K) {
    const int8x8_t xv = vld1_s8(x + k);
    for (r = 0; r < NRW; ++r) a[r] = dot8(a[r], xv, vld1_s8(wr[r] + k));
    k += 8;
  }
  if (NRW == 4) {
    vst1q_s32(res, micro_neon_addv4_s32(a[0], a[1], a[2], a[3]));
  } else {
    for (r = 0; r < NRW; ++r) res[r] = micro_neon_addv_s32(a[r]);
  }
  for (; k < K; ++k)
    for (r = 0; r < NRW; ++r) res[r] = micro_wrap_add_i32(res[r], (int32_t)x[k] * wr[r][k]);
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
/* micro_round_mul_double on four lanes (mantissas m01, m23; exponents e), or 0 if an
 * exponent is out of range (the scale as a double would not be exact, or the product not
 * a normal number). */
MICRO_ALWAYS_INLINE int round_mul4(int32x4_t acc, int64x2_t m01, int64x2_t m23, int32x4_t e,
                                   int32x4_t *r) {
  const int64x2_t bias = vdupq_n_s64(1023);
  float64x2_t s0, s1;
  int64x2_t r0, r1;
  if (vminvq_s32(e) < -1022 || vmaxvq_s32(e) > 970) return 0;
  /* scale = mantissa * 2^exponent, with 2^exponent a double built from its bits */
  s0 = vmulq_f64(vcvtq_f64_s64(m01),
                 vreinterpretq_f64_s64(vshlq_n_s64(vaddq_s64(vmovl_s32(vget_low_s32(e)), bias), 52)));
  s1 = vmulq_f64(vcvtq_f64_s64(m23),
                 vreinterpretq_f64_s64(vshlq_n_s64(vaddq_s64(vmovl_high_s32(e), bias), 52)));
  r0 = vcvtaq_s64_f64(vmulq_f64(vcvtq_f64_s64(vmovl_s32(vget_low_s32(acc))), s0));
  r1 = vcvtaq_s64_f64(vmulq_f64(vcvtq_f64_s64(vmovl_high_s32(acc)), s1));
  *r = vcombine_s32(vqmovn_s64(r0), vqmovn_s64(r1));
  return 1;
}

/* p[0 .. n) (1 <= n <= 4) in the low lanes of a zeroed vector. */
MICRO_ALWAYS_INLINE int32x4_t load_s32(const int32_t *p, int32_t n) {
  int32x4_t v;
  if (n == 4) return vld1q_s32(p);
  v = vsetq_lane_s32(p[0], vdupq_n_s32(0), 0);
  if (n > 1) v = vsetq_lane_s32(p[1], v, 1);
  if (n > 2) v = vsetq_lane_s32(p[2], v, 2);
  return v;
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

/* Outputs y[0 .. n) (n <= 4) from their dot products res: the weight-zero-point term and
 * the folded bias (wrapping), the requantization, the output zero point and the clamp. */
MICRO_ALWAYS_INLINE void outputs(const int32_t *res, int32_t n, int32_t row_term, const int32_t *bias,
                    const int64_t *mantissa, const int32_t *exponent, int8_t *y,
                    const MicroFullyConnectedS8Params *p) {
  int32_t r;
#if defined(__aarch64__)
  /* lanes past n (zero mantissa and exponent) compute 0 and are not stored */
  const int64x2_t m01 =
      n >= 2 ? vld1q_s64(mantissa) : vsetq_lane_s64(mantissa[0], vdupq_n_s64(0), 0);
  const int64x2_t m23 = n == 4   ? vld1q_s64(mantissa + 2)
                        : n == 3 ? vsetq_lane_s64(mantissa[2], vdupq_n_s64(0), 0)
                                 : vdupq_n_s64(0);
  int32x4_t v;
  if (round_mul4(vaddq_s32(vaddq_s32(load_s32(res, n), vdupq_n_s32(row_term)), load_s32(bias, n)),
                 m01, m23, load_s32(exponent, n), &v)) {
    const int16x8_t lo = vdupq_n_s16((int16_t)p->act_min), hi = vdupq_n_s16((int16_t)p->act_max);
    const int8x8_t q = micro_neon_narrow8_s8(vaddq_s32(v, vdupq_n_s32(p->output_zero_point)),
                                             v, lo, hi);
    if (n == 4) {
      const int32_t four = vget_lane_s32(vreinterpret_s32_s8(q), 0);
      memcpy(y, &four, 4);
    } else {
      y[0] = vget_lane_s8(q, 0);
      if (n > 1) y[1] = vget_lane_s8(q, 1);
      if (n > 2) y[2] = vget_lane_s8(q, 2);
    }
    return;
  }
#endif
  for (r = 0; r < n; ++r)
    y[r] = fc_output(micro_wrap_add_i32(micro_wrap_add_i32(res[r], row_term), bias[r]),
                     mantissa[r], exponent[r], p);
}

void micro_neon_fully_connected_s8(const int8_t *in, const int8_t *w, const int32_t *folded_bias,
                                   const int64_t *scale_mantissa, const int32_t *scale_exponent,
                                   int8_t *out, const MicroFullyConnectedS8Params *p) {
  const int32_t K = p->in_features, O = p->out_features;
  int32_t b, o, left;
  int32_t res[4];
  for (b = 0; b < p->batch; ++b) {
    const int8_t *x = in + (size_t)b * K;
    int8_t *y = out + (size_t)b * O;
    int32_t row_term = 0; /* -weights_zero_point * sum(x) */
    if (p->weights_zero_point != 0)
      row_term = micro_wrap_sub_i32(
          0, (int32_t)((uint32_t)sum_s8(x, K) * (uint32_t)p->weights_zero_point));
    for (o = 0; o + 4 <= O; o += 4) {
      dot_rows(x, w + (size_t)o * K, K, res, 4);
      outputs(res, 4, row_term, folded_bias + o, scale_mantissa + o, scale_exponent + o, y + o,
              p);
    }
    left = O - o; /* 0 to 3 rows: two, then one */
    if (left == 0) continue;
    if (left >= 2) dot_rows(x, w + (size_t)o * K, K, res, 2);
    if (left != 2) dot_rows(x, w + (size_t)(O - 1) * K, K, res + left - 1, 1);
    outputs(res, left, row_term, folded_bias + o, scale_mantissa + o, scale_exponent + o, y + o,
            p);
  }
}
