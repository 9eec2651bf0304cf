/*
 * pool2d_s8.c - int8 average and max pooling (pool2d_s8.h).
 *
 * Channels are the vectorized dimension: for each output pixel the clipped window is
 * walked once per block of CB channels. The average's rounding division by the window
 * size n (the same for every channel of a pixel) uses an exact reciprocal multiply:
 * with l = ceil(log2 n), N = 8 + l and m = ceil(2^(N + l) / n),
 * floor(v / n) = (v * m) >> (N + l) for all 0 <= v < 2^N, and |s| + n/2 < 128.5 * n < 2^N.
 */
#include "pool2d_s8.h"

#define CB 32 /* channels per block */

/* The clipped window [*lo, *hi) of taps base + [0, k) inside [0, limit). */
static void pool_window(int32_t base, int32_t k, int32_t limit, int32_t *lo, int32_t *hi) {
  *lo = base < 0 ? -base : 0;
  *hi = limit - base < k ? limit - base : k;
  if (*hi < *lo) *hi = *lo;
}

/* One output pixel's block of nc channels over its clipped window of rows x cols pixels,
 * x0 pointing at the window's first pixel (always inlined with nc = CB for full blocks:
 * constant trip counts). */
MICRO_ALWAYS_INLINE void avg_block(const MicroPool2dS8Params *p, const int8_t *x0, int8_t *o,
                                   int32_t rows, int32_t cols, uint64_t magic, int32_t shift,
                                   uint32_t half, int32_t nc) {
  const int32_t C = p->channels;
  int32_t acc[CB];
  int32_t ky, kx, j;
  for (j = 0; j < nc; ++j) acc[j] = 0;
  for (ky = 0; ky < rows; ++ky)
    for (kx = 0; kx < cols; ++kx) {
      const int8_t *x = x0 + ((size_t)ky * p->in_w + kx) * C;
      for (j = 0; j < nc; ++j) acc[j] += x[j];
    }
  for (j = 0; j < nc; ++j) {
    const int32_t s = acc[j];
    const uint32_t mag = (uint32_t)(s < 0 ? -s : s) + half;
    const int32_t q = (int32_t)(((uint64_t)mag * magic) >> shift);
    int32_t v = s < 0 ? -q : q;
    v = v < p->act_min ? p->act_min : v;
    v = v > p->act_max ? p->act_max : v;
    o[j] = (int8_t)v;
  }
}

MICRO_ALWAYS_INLINE void max_block(const MicroPool2dS8Params *p, const int8_t *x0, int8_t *o,
                                   int32_t rows, int32_t cols, int32_t nc) {
  const int32_t C = p->channels;
  int8_t mx[CB];
  int32_t ky, kx, j;
  for (j = 0; j < nc; ++j) mx[j] = -128;
  for (ky = 0; ky < rows; ++ky)
    for (kx = 0; kx < cols; ++kx) {
      const int8_t *x = x0 + ((size_t)ky * p->in_w + kx) * C;
      for (j = 0; j < nc; ++j) mx[j] = x[j] > mx[j] ? x[j] : mx[j];
    }
  for (j = 0; j < nc; ++j) {
    int32_t v = mx[j];
    v = v < p->act_min ? p->act_min : v;
    v = v > p->act_max ? p->act_max : v;
    o[j] = (int8_t)v;
  }
}

void micro_avg_pool2d_s8(const int8_t *in, int8_t *out, const MicroPool2dS8Params *p) {
  const int32_t C = p->channels;
  int32_t b, oy, ox, c0;
  for (b = 0; b < p->batch; ++b) {
    const int8_t *in_b = in + (size_t)b * p->in_h * p->in_w * C;
    for (oy = 0; oy < p->out_h; ++oy) {
      const int32_t iy0 = oy * p->stride_h - p->pad_top;
      int32_t ky0, ky1;
      pool_window(iy0, p->k_h, p->in_h, &ky0, &ky1);
      for (ox = 0; ox < p->out_w; ++ox) {
        const int32_t ix0 = ox * p->stride_w - p->pad_left;
        int8_t *o = out + (((size_t)b * p->out_h + oy) * p->out_w + ox) * C;
        const int8_t *x0;
        int32_t kx0, kx1, n, l = 0, shift;
        uint32_t half;
        uint64_t magic;
        pool_window(ix0, p->k_w, p->in_w, &kx0, &kx1);
        n = (ky1 - ky0) * (kx1 - kx0);
        if (n <= 0) continue; /* rejected at compile time (LiteRT fails) */
        while (((int64_t)1 << l) < n) ++l;
        shift = 8 + 2 * l;
        magic = (((uint64_t)1 << shift) - 1) / (uint64_t)n + 1;
        half = (uint32_t)(n / 2);
        x0 = in_b + ((size_t)(iy0 + ky0) * p->in_w + (size_t)(ix0 + kx0)) * C;
        for (c0 = 0; c0 + CB <= C; c0 += CB)
          avg_block(p, x0 + c0, o + c0, ky1 - ky0, kx1 - kx0, magic, shift, half, CB);
        if (c0 < C)
          avg_block(p, x0 + c0, o + c0, ky1 - ky0, kx1 - kx0, magic, shift, half, C - c0);
      }
    }
  }
}

void micro_max_pool2d_s8(const int8_t *in, int8_t *out, const MicroPool2dS8Params *p) {
  const int32_t C = p->channels;
  int32_t b, oy, ox, c0;
  for (b = 0; b < p->batch; ++b) {
    const int8_t *in_b = in + (size_t)b * p->in_h * p->in_w * C;
    for (oy = 0; oy < p->out_h; ++oy) {
      const int32_t iy0 = oy * p->stride_h - p->pad_top;
      int32_t ky0, ky1;
      pool_window(iy0, p->k_h, p->in_h, &ky0, &ky1);
      for (ox = 0; ox < p->out_w; ++ox) {
        const int32_t ix0 = ox * p->stride_w - p->pad_left;
        int8_t *o = out + (((size_t)b * p->out_h + oy) * p->out_w + ox) * C;
        const int8_t *x0;
        int32_t kx0, kx1;
        pool_window(ix0, p->k_w, p->in_w, &kx0, &kx1);
        if (ky1 <= ky0 || kx1 <= kx0) continue; /* rejected at compile time */
        x0 = in_b + ((size_t)(iy0 + ky0) * p->in_w + (size_t)(ix0 + kx0)) * C;
        for (c0 = 0; c0 + CB <= C; c0 += CB)
          max_block(p, x0 + c0, o + c0, ky1 - ky0, kx1 - kx0, CB);
        if (c0 < C) max_block(p, x0 + c0, o + c0, ky1 - ky0, kx1 - kx0, C - c0);
      }
    }
  }
}
