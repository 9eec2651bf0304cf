/*
 * softmax_f32.c - float32 softmax over the innermost axis (softmax_f32.h).
 *
 * Per row: the maximum (SL partial maxima), then e_i = expf((x_i - max) * beta) written
 * to out while summing, then out /= sum (a division, as TFLite's reference kernel does,
 * so the results are bit-identical). Every element is read before the same
 * element of out is written, so out may alias in.
 */
#include "softmax_f32.h"

#include <math.h>

#define SL 16 /* lanes of the partial maxima / the scaling blocks */

/* Loop pragma (measured with GCC 12 and clang 14):
 * LANES marks the loop over the lanes of a register block. GCC must not unroll it early:
 * at -O3 it would, and then vectorize the enclosing loop across iterations with lots of
 * shuffles; "unroll 4" (less than the trip count) keeps it a loop until the vectorizer has
 * turned it into whole-vector operations, then lets the leftover vector loop be unrolled.
 * clang fully unrolls early regardless and its SLP vectorizer finds the lanes. */
#if defined(__clang__)
#define LANES
#elif defined(__GNUC__)
#define LANES _Pragma("GCC unroll 4")
#else
#define LANES
#endif

static float row_max(const float *x, int32_t n) {
  float m[SL];
  int32_t i, j;
  for (j = 0; j < SL; ++j) m[j] = x[0];
  for (i = 0; i + SL <= n; i += SL) {
    LANES
    for (j = 0; j < SL; ++j) m[j] = x[i + j] > m[j] ? x[i + j] : m[j];
  }
  for (; i < n; ++i) m[0] = x[i] > m[0] ? x[i] : m[0];
  for (j = 1; j < SL; ++j) m[0] = m[j] > m[0] ? m[j] : m[0];
  return m[0];
}

void micro_softmax_f32(const float *in, float *out, const MicroSoftmaxParams *p) {
  const int32_t n = p->axis_size;
  const float beta = p->beta;
  int32_t r, i, j;

  if (n <= 0) return;
  for (r = 0; r < p->outer; ++r) {
    const float *x = in + (size_t)r * n;
    float *y = out + (size_t)r * n;
    const float mx = row_max(x, n);
    float sum = 0.0f;
    for (i = 0; i < n; ++i) {
      const float e = expf((x[i] - mx) * beta);
      y[i] = e;
      sum += e;
    }
    for (i = 0; i + SL <= n; i += SL) {
      LANES
      for (j = 0; j < SL; ++j) y[i + j] /= sum;
    }
    for (; i < n; ++i) y[i] /= sum;
  }
}
