/*
 * pool2d_f32_neon.c - float32 NHWC average / max pooling with NEON intrinsics
 * (pool2d_f32_neon.h).
 *
 * For each output pixel the window is clipped once to the input (a window as wide as the
 * image, e.g. a global pooling, is then one run of pixels, visited in the same order);
 * channels then go in blocks of 16 (four q registers, one 64-byte load per tap on
 * AArch64), then 4, then one by one, with the taps inner (two per loop iteration).
 */
#include "pool2d_f32_neon.h"

#include <float.h>

#include "micro_neon.h"

/* Clip the window [base, base + n) to [0, limit): taps [*lo, *hi). */
MICRO_ALWAYS_INLINE void clip_window(int32_t base, int32_t n, int32_t limit, int32_t *lo,
                                     int32_t *hi) {
  int32_t a = base < 0 ? -base : 0, b = base + n > limit ? limit - base : n;
  if (a > n) a = n;
  if (b < a) b = a;
  *lo = a;
  *hi = b;
}

#if defined(__aarch64__)
#define LOAD16(v, ptr) v = vld1q_f32_x4(ptr)
#define STORE16(ptr, v) vst1q_f32_x4((ptr), v)
#define MAX4(a, b) vmaxnmq_f32((a), (b)) /* a number beats NaN, like x > acc ? x : acc */
MICRO_ALWAYS_INLINE float32x4_t div4(float32x4_t a, float32x4_t d) { return vdivq_f32(a, d); }
#else
#define LOAD16(v, ptr)                                                          \
  v.val[0] = vld1q_f32(ptr), v.val[1] = vld1q_f32((ptr) + 4),                   \
  v.val[2] = vld1q_f32((ptr) + 8), v.val[3] = vld1q_f32((ptr) + 12)
#define STORE16(ptr, v)                                                         \
  vst1q_f32((ptr), v.val[0]), vst1q_f32((ptr) + 4, v.val[1]),                   \
  vst1q_f32((ptr) + 8, v.val[2]), vst1q_f32((ptr) + 12, v.val[3])
#define MAX4(a, b) vmaxq_f32((a), (b))
/* no vector division on 32-bit ARM: lane by lane (VFP, IEEE) */
MICRO_ALWAYS_INLINE float32x4_t div4(float32x4_t a, float32x4_t d) {
  const float dv = vgetq_lane_f32(d, 0);
  a = vsetq_lane_f32(vgetq_lane_f32(a, 0) / dv, a, 0);
  a = vsetq_lane_f32(vgetq_lane_f32(a, 1) / dv, a, 1);
  a = vsetq_lane_f32(vgetq_lane_f32(a, 2) / dv, a, 2);
  return vsetq_lane_f32(vgetq_lane_f32(a, 3) / dv, a, 3);
}
#endif

/* One pixel: the window's nky x nkx taps from x0 on (rows in_row floats apart, columns C). */
typedef struct {
  const float *x0;
  int32_t nky, nkx;
  size_t in_row;
} Win;

/* out[c] = act(sum of the window / divisor) */
static void avg_pixel(const Win *win, int32_t C, float divisor, float *out, float32x4_t lo,
                      float32x4_t hi) {
  const float32x4_t dv = vdupq_n_f32(divisor);
  const size_t step = (size_t)C;
  int32_t c0, ky, kx;
  for (c0 = 0; c0 + 16 <= C; c0 += 16) {
    float32x4x4_t acc, v;
    acc.val[0] = acc.val[1] = acc.val[2] = acc.val[3] = vdupq_n_f32(0.0f);
    for (ky = 0; ky < win->nky; ++ky) {
      const float *x = win->x0 + ky * win->in_row + c0;
#define TAP()                                        \
  LOAD16(v, x);                                      \
  acc.val[0] = vaddq_f32(acc.val[0], v.val[0]);      \
  acc.val[1] = vaddq_f32(acc.val[1], v.val[1]);      \
  acc.val[2] = vaddq_f32(acc.val[2], v.val[2]);      \
  acc.val[3] = vaddq_f32(acc.val[3], v.val[3]);      \
  x += step
      for (kx = 0; kx + 2 <= win->nkx; kx += 2) {
        TAP();
        TAP();
      }
      if (kx < win->nkx) {
        TAP();
      }
#undef TAP
    }
    acc.val[0] = micro_neon_clamp_f32(div4(acc.val[0], dv), lo, hi);
    acc.val[1] = micro_neon_clamp_f32(div4(acc.val[1], dv), lo, hi);
    acc.val[2] = micro_neon_clamp_f32(div4(acc.val[2], dv), lo, hi);
    acc.val[3] = micro_neon_clamp_f32(div4(acc.val[3], dv), lo, hi);
    STORE16(out + c0, acc);
  }
  for (; c0 + 4 <= C; c0 += 4) {
    float32x4_t acc = vdupq_n_f32(0.0f);
    for (ky = 0; ky < win->nky; ++ky) {
      const float *x = win->x0 + ky * win->in_row + c0;
      for (kx = 0; kx < win->nkx; ++kx, x += step) acc = vaddq_f32(acc, vld1q_f32(x));
    }
    vst1q_f32(out + c0, micro_neon_clamp_f32(div4(acc, dv), lo, hi));
  }
  for (; c0 < C; ++c0) {
    float acc = 0.0f;
    for (ky = 0; ky < win->nky; ++ky) {
      const float *x = win->x0 + ky * win->in_row + c0;
      for (kx = 0; kx < win->nkx; ++kx, x += step) acc += x[0];
    }
    out[c0] = micro_clamp_f32(acc / divisor, vgetq_lane_f32(lo, 0), vgetq_lane_f32(hi, 0));
  }
}

/* out[c] = act(max of the window); an empty window yields act(-FLT_MAX). */
static void max_pixel(const Win *win, int32_t C, float *out, float32x4_t lo, float32x4_t hi) {
  const size_t step = (size_t)C;
  int32_t c0, ky, kx;
  for (c0 = 0; c0 + 16 <= C; c0 += 16) {
    float32x4x4_t acc, v;
    acc.val[0] = acc.val[1] = acc.val[2] = acc.val[3] = vdupq_n_f32(-FLT_MAX);
    for (ky = 0; ky < win->nky; ++ky) {
      const float *x = win->x0 + ky * win->in_row + c0;
#define TAP()                                    \
  LOAD16(v, x);                                  \
  acc.val[0] = MAX4(acc.val[0], v.val[0]);       \
  acc.val[1] = MAX4(acc.val[1], v.val[1]);       \
  acc.val[2] = MAX4(acc.val[2], v.val[2]);       \
  acc.val[3] = MAX4(acc.val[3], v.val[3]);       \
  x += step
      for (kx = 0; kx + 2 <= win->nkx; kx += 2) {
        TAP();
        TAP();
      }
      if (kx < win->nkx) {
        TAP();
      }
#undef TAP
    }
    acc.val[0] = micro_neon_clamp_f32(acc.val[0], lo, hi);
    acc.val[1] = micro_neon_clamp_f32(acc.val[1], lo, hi);
    acc.val[2] = micro_neon_clamp_f32(acc.val[2], lo, hi);
    acc.val[3] = micro_neon_clamp_f32(acc.val[3], lo, hi);
    STORE16(out + c0, acc);
  }
  for (; c0 + 4 <= C; c0 += 4) {
    float32x4_t acc = vdupq_n_f32(-FLT_MAX);
    for (ky = 0; ky < win->nky; ++ky) {
      const float *x = win->x0 + ky * win->in_row + c0;
      for (kx = 0; kx < win->nkx; ++kx, x += step) acc = MAX4(acc, vld1q_f32(x));
    }
    vst1q_f32(out + c0, micro_neon_clamp_f32(acc, lo, hi));
  }
  for (; c0 < C; ++c0) {
    float acc = -FLT_MAX;
    for (ky = 0; ky < win->nky; ++ky) {
      const float *x = win->x0 + ky * win->in_row + c0;
      for (kx = 0; kx < win->nkx; ++kx, x += step) acc = x[0] > acc ? x[0] : acc;
    }
    out[c0] = micro_clamp_f32(acc, vgetq_lane_f32(lo, 0), vgetq_lane_f32(hi, 0));
  }
}

/* The walk over output pixels; is_avg selects the pixel function. */
MICRO_ALWAYS_INLINE void pool(const float *in, float *out, const MicroPool2dParams *p,
                              const int is_avg) {
  const int32_t C = p->channels;
  const size_t in_row = (size_t)p->in_w * C;
  const size_t in_img = (size_t)p->in_h * in_row;
  const float32x4_t lo = vdupq_n_f32(p->act_min), hi = vdupq_n_f32(p->act_max);
  const float full = (float)(p->k_h * p->k_w);
  int32_t b, oy, ox;
  Win win;
  win.in_row = in_row;
  for (b = 0; b < p->batch; ++b) {
    const float *in_b = in + (size_t)b * in_img;
    for (oy = 0; oy < p->out_h; ++oy) {
      const int32_t iy0 = oy * p->stride_h - p->pad_top;
      int32_t ky_lo, ky_hi;
      clip_window(iy0, p->k_h, p->in_h, &ky_lo, &ky_hi);
      for (ox = 0; ox < p->out_w; ++ox) {
        const int32_t ix0 = ox * p->stride_w - p->pad_left;
        int32_t kx_lo, kx_hi;
        clip_window(ix0, p->k_w, p->in_w, &kx_lo, &kx_hi);
        win.nky = ky_hi - ky_lo;
        win.nkx = kx_hi - kx_lo;
        win.x0 = in_b;
        if (win.nky > 0 && win.nkx > 0)
          win.x0 = in_b + (size_t)(iy0 + ky_lo) * in_row + (size_t)(ix0 + kx_lo) * C;
        else
          win.nky = win.nkx = 0;
        if (win.nkx == p->in_w) { /* image-wide: one run of pixels */
          win.nkx *= win.nky;
          win.nky = win.nky > 0;
        }
        if (is_avg) {
          const int32_t n = win.nky * win.nkx;
          avg_pixel(&win, C, p->count_include_pad ? full : (n > 0 ? (float)n : 1.0f), out, lo,
                    hi);
        } else {
          max_pixel(&win, C, out, lo, hi);
        }
        out += C;
      }
    }
  }
}

void micro_neon_avg_pool2d_f32(const float *in, float *out, const MicroPool2dParams *p) {
  pool(in, out, p, 1);
}

void micro_neon_max_pool2d_f32(const float *in, float *out, const MicroPool2dParams *p) {
  pool(in, out, p, 0);
}
