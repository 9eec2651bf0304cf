/*
 * softmax_s8.c - int8 softmax (softmax_s8.h): per row one pass for the maximum, one for
 * the sum of the tabulated exponentials, one for the outputs.
 */
#include "softmax_s8.h"

static int clz_u32(uint32_t v) {
#if defined(__GNUC__) || defined(__clang__)
  return __builtin_clz(v);
#else
  int n = 0;
  while (!(v & 0x80000000u)) {
    v <<= 1;
    ++n;
  }
  return n;
#endif
}

/* gemmlowp one_over_one_plus_x_for_x_in_0_1: 1 / (1 + a) for a Q0.31 value a in [0, 1),
 * as a Q0.31 value, by three Newton-Raphson steps in Q2.29. */
static int32_t one_over_one_plus_x(int32_t a) {
  const int64_t s = (int64_t)a + MICRO_INT32_MAX;
  const int32_t half_denominator = (int32_t)((s + (s >= 0 ? 1 : -1)) / 2);
  int32_t x = micro_wrap_add_i32(1515870810, micro_srdhm(half_denominator, -1010580540));
  int i;
  for (i = 0; i < 3; ++i) {
    const int32_t one_minus =
        micro_wrap_sub_i32((int32_t)1 << 29, micro_srdhm(half_denominator, x));
    x = micro_wrap_add_i32(x, micro_saturating_shl(micro_srdhm(x, one_minus), 2));
  }
  return micro_saturating_shl(x, 1);
}

void micro_softmax_s8(const int8_t *in, int8_t *out, const int32_t *exp_table,
                      const MicroSoftmaxS8Params *p) {
  const int32_t n = p->axis_size;
  int32_t r, c;
  for (r = 0; r < p->outer; ++r) {
    const int8_t *x = in + (size_t)r * n;
    int8_t *y = out + (size_t)r * n;
    int32_t mx = -128, sum = 0, recip, exponent, headroom;
    for (c = 0; c < n; ++c) mx = x[c] > mx ? x[c] : mx;
    for (c = 0; c < n; ++c)
      sum = micro_wrap_add_i32(sum, micro_rounding_divide_by_pot(exp_table[mx - x[c]], 12));
    headroom = clz_u32((uint32_t)sum);
    recip = one_over_one_plus_x((int32_t)(((uint32_t)sum << headroom) - 0x80000000u));
    exponent = 12 - headroom + 23;
    for (c = 0; c < n; ++c) {
      int32_t v = -128;
      if (exponent <= 31)
        v += micro_rounding_divide_by_pot(micro_srdhm(recip, exp_table[mx - x[c]]), exponent);
      y[c] = (int8_t)(v > 127 ? 127 : v);
    }
  }
}
