/*
 * fully_connected_s8.c - int8 fully connected layer (fully_connected_s8.h).
 *
 * Output rows are processed NRW at a time so that every input element loaded feeds NRW
 * dot products. Each dot product accumulates KL lanes of partial sums over full blocks of
 * KL inputs (a constant trip count, so GCC and clang vectorize it even at -O2; int8 x int8
 * products fit in 16 bits), then reduces the lanes and adds the tail. Integer sums are
 * exact in any order.
 */
#include "fully_connected_s8.h"

#define KL 16 /* lanes of the partial dot products */

static int8_t fc_output(int32_t acc, int64_t mantissa, int32_t exponent,
                        const MicroFullyConnectedS8Params *p) {
  int32_t v = micro_wrap_add_i32(micro_round_mul_double(acc, mantissa, exponent),
                                 p->output_zero_point);
  v = v < p->act_min ? p->act_min : v;
  v = v > p->act_max ? p->act_max : v;
  return (int8_t)v;
}

/* Dot products of x with NRW consecutive weight rows: KL-lane partial sums over full
 * blocks of KL inputs (a constant trip count: vectorizes at -O2), then the tail. */
#define NRW 4
MICRO_ALWAYS_INLINE void dots(const int8_t *x, const int8_t *w, int32_t K, int32_t nr,
                              int32_t *res) {
  int32_t acc[NRW][KL];
  int32_t r, j, k;
  for (r = 0; r < NRW; ++r)
    for (j = 0; j < KL; ++j) acc[r][j] = 0;
  for (k = 0; k + KL <= K; k += KL)
    for (r = 0; r < nr; ++r) {
      const int8_t *wr = w + (size_t)r * K + k;
      for (j = 0; j < KL; ++j) acc[r][j] += (int16_t)((int16_t)x[k + j] * wr[j]);
    }
  for (r = 0; r < nr; ++r) {
    int32_t s = 0;
    for (j = 0; j < KL; ++j) s += acc[r][j];
    for (j = k; j < K; ++j) s += (int16_t)((int16_t)x[j] * w[(size_t)r * K + j]);
    res[r] = s;
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
      if (nr == NRW)
        dots(x, w + (size_t)o * K, K, NRW, res);
      else
        dots(x, w + (size_t)o * K, K, nr, res);
      for (r = 0; r < nr; ++r)
        y[o + r] = fc_output(micro_wrap_add_i32(micro_wrap_add_i32(res[r], row_term),
                                                folded_bias[o + r]),
                             scale_mantissa[o + r], scale_exponent[o + r], p);
    }
  }
}
