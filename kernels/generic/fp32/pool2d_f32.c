/*
 * pool2d_f32.c - float32 NHWC average / max pooling (pool2d_f32.h).
 *
 * For each output pixel the window is clipped once to the input ([ky_lo, ky_hi) x
 * [kx_lo, kx_hi)); channels are then processed in blocks of PB held in a local array
 * indexed by constants only (kept in vector registers), so the per-tap update is a
 * contiguous PB-wide add / max over channels with no bounds checks.
 */
#include "pool2d_f32.h"

#include <float.h>

#define PB 16 /* channels per register block */

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

/* Clip the window [base, base + n) to [0, limit): taps [*lo, *hi). */
static void clip_window(int32_t base, int32_t n, int32_t limit, int32_t *lo, int32_t *hi) {
  int32_t a = base < 0 ? -base : 0, b = base + n > limit ? limit - base : n;
  if (a > n) a = n;
  if (b < a) b = a;
  *lo = a;
  *hi = b;
}

/* Shared walk over output pixels; POOL_PIXEL(x0, nky, nkx, out) does one pixel, where x0
 * points at the first valid tap. */
#define POOL_LOOP(POOL_PIXEL)                                                              \
  do {                                                                                     \
    const int32_t C = p->channels;                                                         \
    const size_t in_row = (size_t)p->in_w * C;                                             \
    const size_t in_img = (size_t)p->in_h * in_row;                                        \
    int32_t b, oy, ox;                                                                     \
    for (b = 0; b < p->batch; ++b) {                                                       \
      const float *in_b = in + (size_t)b * in_img;                                         \
      for (oy = 0; oy < p->out_h; ++oy) {                                                  \
        const int32_t iy0 = oy * p->stride_h - p->pad_top;                                 \
        int32_t ky_lo, ky_hi;                                                              \
        clip_window(iy0, p->k_h, p->in_h, &ky_lo, &ky_hi);                                 \
        for (ox = 0; ox < p->out_w; ++ox) {                                                \
          const int32_t ix0 = ox * p->stride_w - p->pad_left;                              \
          int32_t kx_lo, kx_hi, nky, nkx;                                                  \
          const float *x0 = in_b;                                                          \
          clip_window(ix0, p->k_w, p->in_w, &kx_lo, &kx_hi);                               \
          nky = ky_hi - ky_lo;                                                             \
          nkx = kx_hi - kx_lo;                                                             \
          if (nky > 0 && nkx > 0)                                                          \
            x0 = in_b + (size_t)(iy0 + ky_lo) * in_row + (size_t)(ix0 + kx_lo) * C;        \
          else                                                                             \
            nky = nkx = 0;                                                                 \
          POOL_PIXEL(x0, nky, nkx, out);                                                   \
          out += C;                                                                        \
        }                                                                                  \
      }                                                                                    \
    }                                                                                      \
  } while (0)

/* out[c] = act(sum of the window / divisor) */
static void avg_pixel(const float *x0, int32_t nky, int32_t nkx, size_t in_row, int32_t C,
                      float divisor, float *restrict out, float lo, float hi) {
  int32_t c0, ky, kx, j;
  for (c0 = 0; c0 + PB <= C; c0 += PB) {
    float acc[PB];
    LANES
    for (j = 0; j < PB; ++j) acc[j] = 0.0f;
    for (ky = 0; ky < nky; ++ky)
      for (kx = 0; kx < nkx; ++kx) {
        const float *restrict x = x0 + ky * in_row + (size_t)kx * C + c0;
        LANES
        for (j = 0; j < PB; ++j) acc[j] += x[j];
      }
    LANES
    for (j = 0; j < PB; ++j) out[c0 + j] = micro_clamp_f32(acc[j] / divisor, lo, hi);
  }
  if (c0 < C) {
    const int32_t n = C - c0;
    for (j = 0; j < n; ++j) out[c0 + j] = 0.0f;
    for (ky = 0; ky < nky; ++ky)
      for (kx = 0; kx < nkx; ++kx) {
        const float *restrict x = x0 + ky * in_row + (size_t)kx * C + c0;
        for (j = 0; j < n; ++j) out[c0 + j] += x[j];
      }
    for (j = 0; j < n; ++j) out[c0 + j] = micro_clamp_f32(out[c0 + j] / divisor, lo, hi);
  }
}

/* out[c] = act(max of the window); an empty window yields act(-FLT_MAX). */
static void max_pixel(const float *x0, int32_t nky, int32_t nkx, size_t in_row, int32_t C,
                      float *restrict out, float lo, float hi) {
  int32_t c0, ky, kx, j;
  for (c0 = 0; c0 + PB <= C; c0 += PB) {
    float acc[PB];
    LANES
    for (j = 0; j < PB; ++j) acc[j] = -FLT_MAX;
    for (ky = 0; ky < nky; ++ky)
      for (kx = 0; kx < nkx; ++kx) {
        const float *restrict x = x0 + ky * in_row + (size_t)kx * C + c0;
        LANES
        for (j = 0; j < PB; ++j) acc[j] = x[j] > acc[j] ? x[j] : acc[j];
      }
    LANES
    for (j = 0; j < PB; ++j) out[c0 + j] = micro_clamp_f32(acc[j], lo, hi);
  }
  if (c0 < C) {
    const int32_t n = C - c0;
    for (j = 0; j < n; ++j) out[c0 + j] = -FLT_MAX;
    for (ky = 0; ky < nky; ++ky)
      for (kx = 0; kx < nkx; ++kx) {
        const float *restrict x = x0 + ky * in_row + (size_t)kx * C + c0;
        for (j = 0; j < n; ++j) out[c0 + j] = x[j] > out[c0 + j] ? x[j] : out[c0 + j];
      }
    for (j = 0; j < n; ++j) out[c0 + j] = micro_clamp_f32(out[c0 + j], lo, hi);
  }
}

void micro_avg_pool2d_f32(const float *in, float *out, const MicroPool2dParams *p) {
  const float full = (float)(p->k_h * p->k_w);
#define AVG_PIXEL(x0, nky, nkx, o)                                                       \
  avg_pixel(x0, nky, nkx, in_row, C,                                                     \
            p->count_include_pad ? full : (nky * nkx > 0 ? (float)(nky * nkx) : 1.0f), o, \
            p->act_min, p->act_max)
  POOL_LOOP(AVG_PIXEL);
#undef AVG_PIXEL
}

void micro_max_pool2d_f32(const float *in, float *out, const MicroPool2dParams *p) {
#define MAX_PIXEL(x0, nky, nkx, o) max_pixel(x0, nky, nkx, in_row, C, o, p->act_min, p->act_max)
  POOL_LOOP(MAX_PIXEL);
#undef MAX_PIXEL
}
