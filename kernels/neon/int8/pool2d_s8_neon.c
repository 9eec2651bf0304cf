/*
 * pool2d_s8_neon.c - int8 average and max pooling with NEON intrinsics (pool2d_s8_neon.h).
 *
 * Channels are the vector dimension: for each output pixel the clipped window (one run of
 * pixels when it is as wide as the image, e.g. a global pooling) is walked once per block
 * of 16 channels (64 at a time for 16-bit average sums; a block past the last channel
 * goes through zero-padded local copies).
 *
 * Max: SMAX over the window from -128, then the clamp.
 *
 * Average: the window is summed in 16-bit lanes (SADDW) while it has at most 256 elements
 * (|sum| <= 128 * 256 fits), else in 32-bit lanes. The rounding division by the window size
 * n is the generic kernel's exact reciprocal multiply, q = ((|s| + n/2) * magic) >> shift
 * with the sign of s put back (magic = floor((2^shift - 1) / n) + 1, shift = 8 + 2l,
 * l = ceil(log2 n)). For n <= 256 (l <= 8) the product fits 32-bit lanes (MUL):
 * (|s| + n/2) * magic <= 128.5 n * (2^(8+2l) / n + 1) <= 128.5 * 2^24 + 2^15 < 2^32. Up to
 * n = 2^16 it is formed in 64-bit lanes (UMULL), beyond that per channel as in the generic
 * kernel.
 */
#include "pool2d_s8_neon.h"

#include <string.h>

#include "micro_neon.h"

#define BIG_WINDOW 65536 /* larger windows divide channel by channel */

/* The clipped window [*lo, *hi) of taps base + [0, k) inside [0, limit). */
static void pool_window(int32_t base, int32_t k, int32_t limit, int32_t *lo, int32_t *hi) {
  *lo = base < 0 ? -base : 0;
  *hi = limit - base < k ? limit - base : k;
  if (*hi < *lo) *hi = *lo;
}

/* 16 channels from p (nc < 16 of them, zero-padded, when PART). */
MICRO_ALWAYS_INLINE int8x16_t load16(const int8_t *p, int32_t nc, const int PART) {
  int8_t t[16];
  if (!PART) return vld1q_s8(p);
  memset(t, 0, sizeof t);
  memcpy(t, p, (size_t)nc);
  return vld1q_s8(t);
}

MICRO_ALWAYS_INLINE void store16(int8_t *p, int8x16_t v, int32_t nc, const int PART) {
  int8_t t[16];
  if (!PART) {
    vst1q_s8(p, v);
    return;
  }
  vst1q_s8(t, v);
  memcpy(p, t, (size_t)nc);
}

/* The window of one output pixel: rows x cols input pixels from x0, row_step bytes
 * between rows, C between pixels. */
typedef struct {
  const int8_t *x0;
  int32_t rows, cols;
  size_t row_step, C;
} Window;

/* The window of rows x cols input pixels from (iy, ix); a window as wide as the image is
 * one run of rows * cols consecutive pixels. */
static void set_window(Window *win, const int8_t *in_b, const MicroPool2dS8Params *p, int32_t iy,
                       int32_t ix, int32_t rows, int32_t cols) {
  win->x0 = in_b + ((size_t)iy * p->in_w + (size_t)ix) * p->channels;
  win->rows = rows;
  win->cols = cols;
  if (cols == p->in_w) {
    win->rows = 1;
    win->cols = rows * cols;
  }
}

/* ---------------------------------------------------------------------------- max */

MICRO_ALWAYS_INLINE void max_block(const Window *win, int32_t c0, int32_t nc, int8_t *o,
                                   int8x16_t lo, int8x16_t hi, const int PART) {
  int8x16_t m = vdupq_n_s8(-128);
  int32_t ky, kx;
  for (ky = 0; ky < win->rows; ++ky) {
    const int8_t *x = win->x0 + (size_t)ky * win->row_step + c0;
    for (kx = 0; kx < win->cols; ++kx, x += win->C) m = vmaxq_s8(m, load16(x, nc, PART));
  }
  store16(o + c0, vminq_s8(vmaxq_s8(m, lo), hi), nc, PART);
}

void micro_neon_max_pool2d_s8(const int8_t *in, int8_t *out, const MicroPool2dS8Params *p) {
  const int32_t C = p->channels;
  const int8x16_t lo = vdupq_n_s8((int8_t)p->act_min), hi = vdupq_n_s8((int8_t)p->act_max);
  int32_t b, oy, ox, c0;
  Window win;
  win.row_step = (size_t)p->in_w * C;
  win.C = (size_t)C;
  for (b = 0; b < p->batch; ++b) {
    const int8_t *in_b = in + (size_t)b * p->in_h * p->in_w * C;
    for (oy = 0; oy < p->out_h; ++oy) {
      const int32_t iy0 = oy * p->stride_h - p->pad_top;
      int32_t ky0, ky1;
      pool_window(iy0, p->k_h, p->in_h, &ky0, &ky1);
      for (ox = 0; ox < p->out_w; ++ox) {
        const int32_t ix0 = ox * p->stride_w - p->pad_left;
        int8_t *o = out + (((size_t)b * p->out_h + oy) * p->out_w + ox) * C;
        int32_t kx0, kx1;
        pool_window(ix0, p->k_w, p->in_w, &kx0, &kx1);
        if (ky1 <= ky0 || kx1 <= kx0) continue; /* rejected at compile time */
        set_window(&win, in_b, p, iy0 + ky0, ix0 + kx0, ky1 - ky0, kx1 - kx0);
        for (c0 = 0; c0 + 16 <= C; c0 += 16) max_block(&win, c0, 16, o, lo, hi, 0);
        if (c0 < C) max_block(&win, c0, C - c0, o, lo, hi, 1);
      }
    }
  }
}

/* ---------------------------------------------------------------------------- average */

/* The division of one pixel's window sums by its size n (the generic kernel's constants). */
typedef struct {
  int32_t n, shift;
  uint32_t half;
  uint64_t magic;
} Divisor;

static void make_divisor(int32_t n, Divisor *d) {
  int32_t l = 0;
  while (((int64_t)1 << l) < n) ++l;
  d->n = n;
  d->shift = 8 + 2 * l;
  d->magic = (((uint64_t)1 << d->shift) - 1) / (uint64_t)n + 1;
  d->half = (uint32_t)(n / 2);
}

/* round(s / n) half away from zero, on four lanes (n <= BIG_WINDOW). */
MICRO_ALWAYS_INLINE int32x4_t divide4(int32x4_t s, const Divisor *d) {
  const int32x4_t sign = vshrq_n_s32(s, 31); /* -1 where s < 0 */
  const uint32x4_t mag =
      vaddq_u32(vreinterpretq_u32_s32(vabsq_s32(s)), vdupq_n_u32(d->half));
  uint32x4_t q;
  if (d->n <= 256) {
    q = vshlq_u32(vmulq_u32(mag, vdupq_n_u32((uint32_t)d->magic)), vdupq_n_s32(-d->shift));
  } else {
    const uint32x2_t m = vdup_n_u32((uint32_t)d->magic);
    const int64x2_t sh = vdupq_n_s64(-d->shift);
    const uint64x2_t p0 = vshlq_u64(vmull_u32(vget_low_u32(mag), m), sh);
    const uint64x2_t p1 = vshlq_u64(vmull_u32(vget_high_u32(mag), m), sh);
    q = vcombine_u32(vmovn_u64(p0), vmovn_u64(p1));
  }
  /* (q ^ sign) - sign: q, negated where s < 0 */
  return vsubq_s32(veorq_s32(vreinterpretq_s32_u32(q), sign), sign);
}

/* The generic kernel's division, one channel (windows above BIG_WINDOW). */
static int32_t divide1(int32_t s, const Divisor *d) {
  const uint32_t mag = (uint32_t)(s < 0 ? -s : s) + d->half;
  const int32_t q = (int32_t)(((uint64_t)mag * d->magic) >> d->shift);
  return s < 0 ? -q : q;
}

/* The window sums of NB blocks of 16 channels from c0 (nc < 16 of them when PART, NB = 1)
 * in 16-bit lanes (n <= 256), then divided, clamped and stored. */
MICRO_ALWAYS_INLINE void avg_blocks16(const Window *win, int32_t c0, int32_t nc, int8_t *o,
                                      const Divisor *d, int16x8_t lo, int16x8_t hi,
                                      const int NB, const int PART) {
  int16x8_t s[4][2];
  int32_t ky, kx, b;
  for (b = 0; b < NB; ++b) s[b][0] = s[b][1] = vdupq_n_s16(0);
  for (ky = 0; ky < win->rows; ++ky) {
    const int8_t *x = win->x0 + (size_t)ky * win->row_step + c0;
    for (kx = 0; kx < win->cols; ++kx, x += win->C)
      for (b = 0; b < NB; ++b) {
        const int8x16_t xv = load16(x + 16 * b, nc, PART);
        s[b][0] = vaddw_s8(s[b][0], vget_low_s8(xv));
#if defined(__aarch64__)
        s[b][1] = vaddw_high_s8(s[b][1], xv);
#else
        s[b][1] = vaddw_s8(s[b][1], vget_high_s8(xv));
#endif
      }
  }
  for (b = 0; b < NB; ++b) {
    int32x4_t v[4];
    v[0] = divide4(vmovl_s16(vget_low_s16(s[b][0])), d);
    v[1] = divide4(vmovl_s16(vget_high_s16(s[b][0])), d);
    v[2] = divide4(vmovl_s16(vget_low_s16(s[b][1])), d);
    v[3] = divide4(vmovl_s16(vget_high_s16(s[b][1])), d);
    store16(o + c0 + 16 * b, micro_neon_narrow_s8(v[0], v[1], v[2], v[3], lo, hi), nc, PART);
  }
}

/* One block of 16 channels (nc < 16 when PART) of a window of more than 256 elements:
 * sums in 32-bit lanes. */
MICRO_ALWAYS_INLINE void avg_block32(const Window *win, int32_t c0, int32_t nc, int8_t *o,
                                     const Divisor *d, int16x8_t lo, int16x8_t hi,
                                     const int PART) {
  int32x4_t s[4], v[4];
  int32_t ky, kx, q;
  s[0] = s[1] = s[2] = s[3] = vdupq_n_s32(0);
  for (ky = 0; ky < win->rows; ++ky) {
    const int8_t *x = win->x0 + (size_t)ky * win->row_step + c0;
    for (kx = 0; kx < win->cols; ++kx, x += win->C) {
      const int8x16_t xv = load16(x, nc, PART);
      const int16x8_t w0 = vmovl_s8(vget_low_s8(xv)), w1 = vmovl_s8(vget_high_s8(xv));
      s[0] = vaddw_s16(s[0], vget_low_s16(w0));
      s[1] = vaddw_s16(s[1], vget_high_s16(w0));
      s[2] = vaddw_s16(s[2], vget_low_s16(w1));
      s[3] = vaddw_s16(s[3], vget_high_s16(w1));
    }
  }
  if (d->n <= BIG_WINDOW) {
    for (q = 0; q < 4; ++q) v[q] = divide4(s[q], d);
  } else {
    int32_t t[16], j;
    for (q = 0; q < 4; ++q) vst1q_s32(t + 4 * q, s[q]);
    for (j = 0; j < 16; ++j) t[j] = divide1(t[j], d);
    for (q = 0; q < 4; ++q) v[q] = vld1q_s32(t + 4 * q);
  }
  store16(o + c0, micro_neon_narrow_s8(v[0], v[1], v[2], v[3], lo, hi), nc, PART);
}

/* Every channel of one output pixel: 64 at a time (16-bit sums), then 16, then the rest. */
static void avg_pixel(const Window *win, int32_t C, int8_t *o, const Divisor *d, int16x8_t lo,
                      int16x8_t hi) {
  int32_t c0 = 0;
  if (d->n <= 256) {
    for (; c0 + 64 <= C; c0 += 64) avg_blocks16(win, c0, 64, o, d, lo, hi, 4, 0);
    for (; c0 + 16 <= C; c0 += 16) avg_blocks16(win, c0, 16, o, d, lo, hi, 1, 0);
    if (c0 < C) avg_blocks16(win, c0, C - c0, o, d, lo, hi, 1, 1);
  } else {
    for (; c0 + 16 <= C; c0 += 16) avg_block32(win, c0, 16, o, d, lo, hi, 0);
    if (c0 < C) avg_block32(win, c0, C - c0, o, d, lo, hi, 1);
  }
}

void micro_neon_avg_pool2d_s8(const int8_t *in, int8_t *out, const MicroPool2dS8Params *p) {
  const int32_t C = p->channels;
  const int16x8_t lo = vdupq_n_s16((int16_t)p->act_min), hi = vdupq_n_s16((int16_t)p->act_max);
  int32_t b, oy, ox;
  Divisor d = {0, 0, 0, 0}; /* n = 0: computed for the first window */
  Window win;
  win.row_step = (size_t)p->in_w * C;
  win.C = (size_t)C;
  for (b = 0; b < p->batch; ++b) {
    const int8_t *in_b = in + (size_t)b * p->in_h * p->in_w * C;
    for (oy = 0; oy < p->out_h; ++oy) {
      const int32_t iy0 = oy * p->stride_h - p->pad_top;
      int32_t ky0, ky1;
      pool_window(iy0, p->k_h, p->in_h, &ky0, &ky1);
      for (ox = 0; ox < p->out_w; ++ox) {
        const int32_t ix0 = ox * p->stride_w - p->pad_left;
        int8_t *o = out + (((size_t)b * p->out_h + oy) * p->out_w + ox) * C;
        int32_t kx0, kx1, n;
        pool_window(ix0, p->k_w, p->in_w, &kx0, &kx1);
        n = (ky1 - ky0) * (kx1 - kx0);
        if (n <= 0) continue; /* rejected at compile time (LiteRT fails) */
        if (n != d.n) make_divisor(n, &d);
        set_window(&win, in_b, p, iy0 + ky0, ix0 + kx0, ky1 - ky0, kx1 - kx0);
        avg_pixel(&win, C, o, &d, lo, hi);
      }
    }
  }
}
