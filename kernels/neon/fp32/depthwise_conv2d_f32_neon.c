/*
 * depthwise_conv2d_f32_neon.c - float32 NHWC depthwise convolution with NEON intrinsics
 * (depthwise_conv2d_f32_neon.h).
 *
 * For each output pixel the valid taps [ky_lo, ky_hi) x [kx_lo, kx_hi) are computed once.
 * Depth multiplier 1: channels go in blocks of 16 (four q registers per pixel; one 64-byte
 * load of inputs and one of weights per tap), then 4, then one by one. Two horizontally
 * adjacent output pixels whose windows are the same taps (always the case away from the
 * borders) are computed together, sharing every weight load. Other depth multipliers:
 * per tap, the input value of each output channel (channel c reads input channel c / m) is
 * gathered into a small row, then multiplied in blocks of 4 (1 input channel: broadcast).
 *
 * Each output sums its valid taps in (ky, kx) order from 0 and adds the bias last, as the
 * generic kernel (and TFLite's reference) does; see the header for fused multiply-adds.
 */
#include "depthwise_conv2d_f32_neon.h"

#include "micro_neon.h"

#define MADD MICRO_NEON_MADD_F32

/* Scalar acc + a * b, rounded like MADD. */
MICRO_ALWAYS_INLINE float madd1(float acc, float a, float b) {
  return vgetq_lane_f32(MADD(vdupq_n_f32(acc), vdupq_n_f32(a), vdupq_n_f32(b)), 0);
}

/* The taps t in [0, n) with 0 <= base + t * step < limit are [*lo, *hi). */
MICRO_ALWAYS_INLINE void valid_taps(int32_t base, int32_t step, int32_t n, int32_t limit, int32_t *lo,
                       int32_t *hi) {
  int32_t a = 0, b = n;
  if (step == 1) {
    if (base < 0) a = -base;
    if (base + n > limit) b = limit - base;
  } else {
    if (base < 0) a = (-base + step - 1) / step;
    if (base + (n - 1) * step >= limit) b = limit <= base ? 0 : (limit - base + step - 1) / step;
  }
  if (a > n) a = n;
  if (b < a) b = a;
  *lo = a;
  *hi = b;
}

/* One output pixel's (or a pair's) window: nky x nkx valid taps from x0 / w0 on. */
typedef struct {
  const float *x0;     /* input at the first valid tap, channel 0 */
  const float *w0;     /* weights at the first valid tap, channel 0 */
  int32_t nky, nkx;    /* valid taps per column / row */
  size_t in_ky, in_kx; /* input step between taps (floats) */
  size_t w_ky;         /* weight step between kernel rows (floats); the kx step is out_c */
} Window;

/* Depth multiplier 1, NPX (1 or 2) pixels with the same window, the second pixel's input
 * px_step floats after the first's: out[p][c] = act(bias[c] + sum_taps x[c] * w[c]). */
MICRO_ALWAYS_INLINE void pixels_m1(const Window *win, size_t px_step, const float *bias,
                                   float *out, int32_t C, float32x4_t lo, float32x4_t hi,
                                   const int NPX) {
  const size_t wkx = (size_t)C;
  int32_t c0, ky, kx;

  for (c0 = 0; c0 + 16 <= C; c0 += 16) {
    float32x4_t a0 = vdupq_n_f32(0.0f), a1 = a0, a2 = a0, a3 = a0;
    float32x4_t b0 = a0, b1 = a0, b2 = a0, b3 = a0;
    for (ky = 0; ky < win->nky; ++ky) {
      const float *x = win->x0 + ky * win->in_ky + c0;
      const float *w = win->w0 + ky * win->w_ky + c0;
      /* one tap: x (and x + px_step) times w; then on to the next tap */
#if defined(__aarch64__)
#define LOAD16(v, ptr) v = vld1q_f32_x4(ptr)
#else
#define LOAD16(v, ptr)                                           \
  v.val[0] = vld1q_f32(ptr), v.val[1] = vld1q_f32((ptr) + 4),    \
  v.val[2] = vld1q_f32((ptr) + 8), v.val[3] = vld1q_f32((ptr) + 12)
#endif
#define TAP16()                                \
  do {                                         \
    float32x4x4_t wv, xv;                      \
    LOAD16(wv, w);                             \
    LOAD16(xv, x);                             \
    a0 = MADD(a0, xv.val[0], wv.val[0]);       \
    a1 = MADD(a1, xv.val[1], wv.val[1]);       \
    a2 = MADD(a2, xv.val[2], wv.val[2]);       \
    a3 = MADD(a3, xv.val[3], wv.val[3]);       \
    if (NPX == 2) {                            \
      LOAD16(xv, x + px_step);                 \
      b0 = MADD(b0, xv.val[0], wv.val[0]);     \
      b1 = MADD(b1, xv.val[1], wv.val[1]);     \
      b2 = MADD(b2, xv.val[2], wv.val[2]);     \
      b3 = MADD(b3, xv.val[3], wv.val[3]);     \
    }                                          \
    x += win->in_kx;                           \
    w += wkx;                                  \
  } while (0)
      if (win->nkx == 3) { /* the common 3-wide kernel row, unrolled */
        TAP16();
        TAP16();
        TAP16();
      } else {
        for (kx = 0; kx < win->nkx; ++kx) TAP16();
      }
#undef TAP16
#undef LOAD16
    }
    if (bias) {
#if defined(__aarch64__)
      const float32x4x4_t bv = vld1q_f32_x4(bias + c0);
#else
      float32x4x4_t bv;
      bv.val[0] = vld1q_f32(bias + c0), bv.val[1] = vld1q_f32(bias + c0 + 4);
      bv.val[2] = vld1q_f32(bias + c0 + 8), bv.val[3] = vld1q_f32(bias + c0 + 12);
#endif
      a0 = vaddq_f32(a0, bv.val[0]), a1 = vaddq_f32(a1, bv.val[1]);
      a2 = vaddq_f32(a2, bv.val[2]), a3 = vaddq_f32(a3, bv.val[3]);
      if (NPX == 2) {
        b0 = vaddq_f32(b0, bv.val[0]), b1 = vaddq_f32(b1, bv.val[1]);
        b2 = vaddq_f32(b2, bv.val[2]), b3 = vaddq_f32(b3, bv.val[3]);
      }
    }
    vst1q_f32(out + c0, micro_neon_clamp_f32(a0, lo, hi));
    vst1q_f32(out + c0 + 4, micro_neon_clamp_f32(a1, lo, hi));
    vst1q_f32(out + c0 + 8, micro_neon_clamp_f32(a2, lo, hi));
    vst1q_f32(out + c0 + 12, micro_neon_clamp_f32(a3, lo, hi));
    if (NPX == 2) {
      vst1q_f32(out + C + c0, micro_neon_clamp_f32(b0, lo, hi));
      vst1q_f32(out + C + c0 + 4, micro_neon_clamp_f32(b1, lo, hi));
      vst1q_f32(out + C + c0 + 8, micro_neon_clamp_f32(b2, lo, hi));
      vst1q_f32(out + C + c0 + 12, micro_neon_clamp_f32(b3, lo, hi));
    }
  }
  /* blocks of 4; the generic kernel adds a zero bias here when there is none, as below */
  for (; c0 + 4 <= C; c0 += 4) {
    float32x4_t a = vdupq_n_f32(0.0f), b = a;
    for (ky = 0; ky < win->nky; ++ky) {
      const float *x = win->x0 + ky * win->in_ky + c0;
      const float *w = win->w0 + ky * win->w_ky + c0;
      for (kx = 0; kx < win->nkx; ++kx, x += win->in_kx, w += wkx) {
        const float32x4_t wv = vld1q_f32(w);
        a = MADD(a, vld1q_f32(x), wv);
        if (NPX == 2) b = MADD(b, vld1q_f32(x + px_step), wv);
      }
    }
    {
      const float32x4_t bv = bias ? vld1q_f32(bias + c0) : vdupq_n_f32(0.0f);
      vst1q_f32(out + c0, micro_neon_clamp_f32(vaddq_f32(a, bv), lo, hi));
      if (NPX == 2) vst1q_f32(out + C + c0, micro_neon_clamp_f32(vaddq_f32(b, bv), lo, hi));
    }
  }
  for (; c0 < C; ++c0) {
    float a = 0.0f, b = 0.0f;
    for (ky = 0; ky < win->nky; ++ky) {
      const float *x = win->x0 + ky * win->in_ky + c0;
      const float *w = win->w0 + ky * win->w_ky + c0;
      for (kx = 0; kx < win->nkx; ++kx, x += win->in_kx, w += wkx) {
        a = madd1(a, x[0], w[0]);
        if (NPX == 2) b = madd1(b, x[px_step], w[0]);
      }
    }
    {
      const float bv = bias ? bias[c0] : 0.0f;
      out[c0] = micro_clamp_f32(a + bv, vgetq_lane_f32(lo, 0), vgetq_lane_f32(hi, 0));
      if (NPX == 2)
        out[C + c0] = micro_clamp_f32(b + bv, vgetq_lane_f32(lo, 0), vgetq_lane_f32(hi, 0));
    }
  }
}

static void pixel_m1(const Window *win, const float *bias, float *out, int32_t C,
                     float32x4_t lo, float32x4_t hi) {
  pixels_m1(win, 0, bias, out, C, lo, hi, 1);
}

static void pair_m1(const Window *win, size_t px_step, const float *bias, float *out, int32_t C,
                    float32x4_t lo, float32x4_t hi) {
  pixels_m1(win, px_step, bias, out, C, lo, hi, 2);
}

#define GATHER 64 /* output channels gathered per pass (depth multiplier > 1) */

/* Depth multiplier m > 1: out[c] = act(bias[c] + sum_taps x[c / m] * w[c]). */
static void pixel_mult(const Window *win, const float *bias, float *out, int32_t in_c, int32_t m,
                       float32x4_t lo, float32x4_t hi) {
  const int32_t C = in_c * m;
  const size_t wkx = (size_t)C;
  int32_t c0, ky, kx, j;
  for (c0 = 0; c0 < C; c0 += GATHER) {
    const int32_t n = micro_min_i32(GATHER, C - c0), n4 = n & ~3;
    float32x4_t acc[GATHER / 4];
    float tail[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    float xg[GATHER];
    for (j = 0; j < n4; j += 4) acc[j / 4] = vdupq_n_f32(0.0f);
    for (ky = 0; ky < win->nky; ++ky) {
      for (kx = 0; kx < win->nkx; ++kx) {
        const float *x = win->x0 + ky * win->in_ky + kx * win->in_kx;
        const float *w = win->w0 + ky * win->w_ky + kx * wkx + c0;
        if (in_c == 1) {
          const float32x4_t xv = vdupq_n_f32(x[0]);
          for (j = 0; j < n4; j += 4) acc[j / 4] = MADD(acc[j / 4], xv, vld1q_f32(w + j));
          for (j = n4; j < n; ++j) tail[j - n4] = madd1(tail[j - n4], x[0], w[j]);
        } else {
          int32_t src = c0 / m, r = c0 - src * m;
          for (j = 0; j < n; ++j) {
            xg[j] = x[src];
            if (++r == m) {
              r = 0;
              ++src;
            }
          }
          for (j = 0; j < n4; j += 4)
            acc[j / 4] = MADD(acc[j / 4], vld1q_f32(xg + j), vld1q_f32(w + j));
          for (j = n4; j < n; ++j) tail[j - n4] = madd1(tail[j - n4], xg[j], w[j]);
        }
      }
    }
    for (j = 0; j < n4; j += 4) {
      const float32x4_t bv = bias ? vld1q_f32(bias + c0 + j) : vdupq_n_f32(0.0f);
      vst1q_f32(out + c0 + j, micro_neon_clamp_f32(vaddq_f32(acc[j / 4], bv), lo, hi));
    }
    for (j = n4; j < n; ++j)
      out[c0 + j] = micro_clamp_f32(tail[j - n4] + (bias ? bias[c0 + j] : 0.0f),
                                    vgetq_lane_f32(lo, 0), vgetq_lane_f32(hi, 0));
  }
}

void micro_neon_depthwise_conv2d_f32(const float *in, const float *w, const float *bias,
                                     float *out, const MicroDepthwiseConv2dParams *p) {
  const int32_t in_c = p->in_c, out_c = p->out_c, m = p->depth_multiplier;
  const size_t in_row = (size_t)p->in_w * in_c;
  const size_t in_img = (size_t)p->in_h * in_row;
  const size_t px_step = (size_t)p->stride_w * in_c;
  const float32x4_t lo = vdupq_n_f32(p->act_min), hi = vdupq_n_f32(p->act_max);
  int32_t b, oy, ox;
  Window win;

  win.in_ky = (size_t)p->dilation_h * in_row;
  win.in_kx = (size_t)p->dilation_w * in_c;
  win.w_ky = (size_t)p->k_w * out_c;

  for (b = 0; b < p->batch; ++b) {
    const float *in_b = in + (size_t)b * in_img;
    for (oy = 0; oy < p->out_h; ++oy) {
      const int32_t iy0 = oy * p->stride_h - p->pad_top;
      int32_t ky_lo, ky_hi;
      valid_taps(iy0, p->dilation_h, p->k_h, p->in_h, &ky_lo, &ky_hi);
      for (ox = 0; ox < p->out_w;) {
        const int32_t ix0 = ox * p->stride_w - p->pad_left;
        int32_t kx_lo, kx_hi;
        valid_taps(ix0, p->dilation_w, p->k_w, p->in_w, &kx_lo, &kx_hi);
        win.nky = ky_hi - ky_lo;
        win.nkx = kx_hi - kx_lo;
        if (win.nky > 0 && win.nkx > 0) {
          win.x0 = in_b + (size_t)(iy0 + ky_lo * p->dilation_h) * in_row +
                   (size_t)(ix0 + kx_lo * p->dilation_w) * in_c;
          win.w0 = w + ((size_t)ky_lo * p->k_w + kx_lo) * out_c;
        } else { /* window entirely in the padding: bias only */
          win.nky = win.nkx = 0;
          win.x0 = in_b;
          win.w0 = w;
        }
        if (m == 1) {
          /* the next pixel, if it has the same valid taps, goes along */
          int32_t kx_lo2 = -1, kx_hi2 = -1;
          if (ox + 1 < p->out_w)
            valid_taps(ix0 + p->stride_w, p->dilation_w, p->k_w, p->in_w, &kx_lo2, &kx_hi2);
          if (kx_lo2 == kx_lo && kx_hi2 == kx_hi && win.nky > 0 && win.nkx > 0) {
            pair_m1(&win, px_step, bias, out, out_c, lo, hi);
            out += 2 * (size_t)out_c;
            ox += 2;
            continue;
          }
          pixel_m1(&win, bias, out, out_c, lo, hi);
        } else {
          pixel_mult(&win, bias, out, in_c, m, lo, hi);
        }
        out += out_c;
        ++ox;
      }
    }
  }
}
