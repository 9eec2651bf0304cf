/*
 * fully_connected_f32.c - float32 fully connected layer (fully_connected_f32.h).
 *
 * A matrix-vector product over the compiler's panel-packed weights: for each input row,
 * FP panels (FP * 8 outputs) are computed at once, broadcasting x[k] against one
 * contiguous 8-wide weight row per panel. The FP independent accumulator vectors hide
 * the add latency and every weight is read once, in order. Each output is its own
 * sequential sum from k = 0, so the result equals TFLite's reference kernel bit for bit
 * (the multiply-add is deliberately not fused).
 */
#include "fully_connected_f32.h"

#define NR MICRO_FC_NR
#define FP 4 /* panels per pass */

#define MADD(a, b, c) ((c) + (a) * (b))

/* Loop pragmas (see conv2d_f32.c): keep GCC from unrolling the lane loops before it
 * vectorizes them. */
#if defined(__clang__)
#define UNROLL _Pragma("unroll")
#define LANES
#elif defined(__GNUC__)
#define UNROLL _Pragma("GCC unroll 16")
#define LANES _Pragma("GCC unroll 4")
#else
#define UNROLL
#define LANES
#endif

/* y[0 .. nc) for the (at most FP) panels starting at w. */
static void gemv_panels(const float *restrict x, int32_t K, const float *w, int32_t np,
                        const float *bias, float *restrict y, int32_t nc, float lo, float hi) {
  const size_t panel = (size_t)K * NR;
  const float *wp[FP];
  float acc[FP][NR];
  int32_t q, j, k;

  /* Panels past the last valid one repeat it: fixed trip counts, results not stored. */
  for (q = 0; q < FP; ++q) wp[q] = w + (size_t)(q < np ? q : np - 1) * panel;
  for (q = 0; q < FP; ++q)
    for (j = 0; j < NR; ++j) acc[q][j] = 0.0f;

  for (k = 0; k < K; ++k) {
    const float xk = x[k];
    UNROLL
    for (q = 0; q < FP; ++q) {
      const float *restrict wk = wp[q] + (size_t)k * NR;
      LANES
      for (j = 0; j < NR; ++j) acc[q][j] = MADD(xk, wk[j], acc[q][j]);
    }
  }

  for (q = 0; q < np; ++q) {
    for (j = 0; j < NR && q * NR + j < nc; ++j) {
      const int32_t o = q * NR + j;
      y[o] = micro_clamp_f32(acc[q][j] + (bias ? bias[o] : 0.0f), lo, hi);
    }
  }
}

void micro_fully_connected_f32(const float *in, const float *packed_w, const float *bias,
                               float *out, const MicroFullyConnectedParams *p) {
  const int32_t K = p->in_features, n_out = p->out_features;
  const int32_t n_panels = (n_out + NR - 1) / NR;
  const size_t panel = (size_t)K * NR;
  int32_t b, ob;

  for (b = 0; b < p->batch; ++b) {
    const float *x = in + (size_t)b * K;
    float *y = out + (size_t)b * n_out;
    for (ob = 0; ob < n_panels; ob += FP) {
      const int32_t np = micro_min_i32(FP, n_panels - ob);
      const int32_t o0 = ob * NR;
      gemv_panels(x, K, packed_w + (size_t)ob * panel, np, bias ? bias + o0 : NULL, y + o0,
                  micro_min_i32(np * NR, n_out - o0), p->act_min, p->act_max);
    }
  }
}
