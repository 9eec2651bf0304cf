/*
 * fully_connected_s8.c - int8 fully connected layer (fully_connected_s8.h).
 *
 * Output rows are processed NRW at a time so that every input element loaded (and widened)
 * feeds NRW dot products; each dot product is a plain int32 reduction over blocks of a
 * constant length, which GCC and clang vectorize at -O2 and -O3 (the lane layout of an
 * earlier version spilled its accumulators on SSE2 and ran 2x slower at -O3). Integer sums
 * are exact in any order.
 */
#include "fully_connected_s8.h"

#define KL 64 /* inputs per vectorized block */

static int8_t fc_output(int32_t acc, int64_t mantissa, int32_t exponent,
                        const MicroFullyConnectedS8Params *p) {
  int32_t v = micro_wrap_add_i32(micro_round_mul_double(acc, mantissa, exponent),
                                 p->output_zero_point);
  v = v < p->act_min ? p->act_min : v;
  v = v > p->act_max ? p->act_max : v;
  return (int8_t)v;
}

#define NRW 4 /* weight rows per pass over the input */

/* s[r] += sum over j < n of x[j] * w_r[j] for the NRW rows w_r = w + r * K. Inlined with a
 * constant n, its loop has a known trip count and vectorizes even at -O2 (four int32
 * reductions sharing each widened input load). */
MICRO_ALWAYS_INLINE void dot4(const int8_t *x, const int8_t *w, size_t K, int32_t n,
                              int32_t *s) {
  int32_t s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3];
  int32_t j;
  for (j = 0; j < n; ++j) {
    const int32_t xv = x[j];
    s0 += xv * w[j];
    s1 += xv * w[K + j];
    s2 += xv * w[2 * K + j];
    s3 += xv * w[3 * K + j];
  }
  s[0] = s0;
  s[1] = s1;
  s[2] = s2;
  s[3] = s3;
}

/* Dot products of x with the nr (<= NRW) weight rows at w: blocks of KL, then of 16, then
 * one by one. Integer sums are exact in any order. */
static void dots(const int8_t *x, const int8_t *w, int32_t K, int32_t nr, int32_t *res) {
  int32_t s[NRW] = {0, 0, 0, 0};
  int32_t k = 0, r;
  if (nr == NRW) {
    for (; k + KL <= K; k += KL) dot4(x + k, w + k, (size_t)K, KL, s);
    for (; k + 16 <= K; k += 16) dot4(x + k, w + k, (size_t)K, 16, s);
    for (; k < K; ++k) dot4(x + k, w + k, (size_t)K, 1, s);
    for (r = 0; r < NRW; ++r) res[r] = s[r];
    return;
  }
  for (r = 0; r < nr; ++r) {
    int32_t sum = 0;
    for (k = 0; k < K; ++k) sum += (int32_t)x[k] * w[(size_t)r * K + k];
    res[r] = sum;
  }
}

void micro_fully_connected_s8(const int8_t *in, const int8_t *w, const int32_t *folded_bias,
                              const int64_t *scale_mantissa, const int32_t *scale_exponent,
                              int8_t *out, const MicroFullyConnectedS8Params *p) {
  const int32_t K = p->in_features, O = p->out_features;
  int32_t b, o, k, r;
  int32_t res[NRW];
  for (b = 0; b < p->batch; ++b) {
    const int8_t *x = in + (size_t)b * K;
    int8_t *y = out + (size_t)b * O;
    int32_t row_term = 0;
    if (p->weights_zero_point != 0) {
      int32_t sum = 0;
      for (k = 0; k < K; ++k) sum += x[k];
      row_term =
          micro_wrap_sub_i32(0, (int32_t)((uint32_t)sum * (uint32_t)p->weights_zero_point));
    }
    for (o = 0; o < O; o += NRW) {
      const int32_t nr = micro_min_i32(NRW, O - o);
      dots(x, w + (size_t)o * K, K, nr, res);
      for (r = 0; r < nr; ++r)
        y[o + r] = fc_output(micro_wrap_add_i32(micro_wrap_add_i32(res[r], row_term),
                                                folded_bias[o + r]),
                             scale_mantissa[o + r], scale_exponent[o + r], p);
    }
  }
}
