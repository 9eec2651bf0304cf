/*
 * depthwise_conv2d_f32.c - float32 NHWC depthwise convolution (depthwise_conv2d_f32.h).
 *
 * For each output pixel the valid kernel taps are computed once ([ky_lo, ky_hi) x
 * [kx_lo, kx_hi)), so no bounds are checked per tap. Output channels are processed in
 * blocks of CB with the block's accumulators in a local array indexed by constants only
 * (kept in vector registers); the per-tap update is a contiguous CB-wide multiply-add
 * over channels. depth_multiplier == 1 reads input and weights at the same channel offset;
 * other multipliers go through a per-input-channel loop.
 *
 * Each output sums its taps from 0 in (ky, kx) order and adds the bias last, as TFLite's
 * reference DepthwiseConv does, so without FMA contraction the results equal the
 * reference's bit for bit (vectorizing across channels does not change any one sum).
 */
#include "depthwise_conv2d_f32.h"

/* c + a * b. Deliberately not fmaf(): GCC 12 fails to vectorize fmaf() when both factors
 * are vector loads, and these loops are bound by loads rather than arithmetic anyway. */
#define MADD(a, b, c) ((c) + (a) * (b))

#define CB 16 /* output channels per register block */

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

/* The taps t in [0, n) with 0 <= base + t * step < limit are [*lo, *hi). */
static void valid_taps(int32_t base, int32_t step, int32_t n, int32_t limit, int32_t *lo,
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

/* Geometry of one output pixel's valid window. */
typedef struct {
  const float *in0; /* input at the first valid tap (channel 0) */
  const float *w0;  /* weights at the first valid tap (channel 0) */
  int32_t nky, nkx; /* valid taps per column / row */
  size_t in_ky, in_kx; /* input step between taps (floats) */
  size_t w_ky;         /* weight step between kernel rows (floats); the kx step is out_c */
} Window;

/* depth_multiplier == 1: out[c] = act(bias[c] + sum_taps in[c] * w[c]). */
static void pixel_m1(const Window *win, const float *bias, float *restrict out, int32_t C,
                     float lo, float hi) {
  const size_t wkx = (size_t)C;
  int32_t c0, ky, kx, j;

  for (c0 = 0; c0 + CB <= C; c0 += CB) {
    float acc[CB];
    LANES
    for (j = 0; j < CB; ++j) acc[j] = 0.0f;
    for (ky = 0; ky < win->nky; ++ky) {
      for (kx = 0; kx < win->nkx; ++kx) {
        const float *restrict x = win->in0 + ky * win->in_ky + kx * win->in_kx + c0;
        const float *restrict w = win->w0 + ky * win->w_ky + kx * wkx + c0;
        LANES
        for (j = 0; j < CB; ++j) acc[j] = MADD(x[j], w[j], acc[j]);
      }
    }
    if (bias) {
      LANES
      for (j = 0; j < CB; ++j) acc[j] = acc[j] + bias[c0 + j];
    }
    LANES
    for (j = 0; j < CB; ++j) out[c0 + j] = micro_clamp_f32(acc[j], lo, hi);
  }
  if (c0 < C) { /* channel tail: accumulate in the output row */
    const int32_t n = C - c0;
    for (j = 0; j < n; ++j) out[c0 + j] = 0.0f;
    for (ky = 0; ky < win->nky; ++ky) {
      for (kx = 0; kx < win->nkx; ++kx) {
        const float *restrict x = win->in0 + ky * win->in_ky + kx * win->in_kx + c0;
        const float *restrict w = win->w0 + ky * win->w_ky + kx * wkx + c0;
        for (j = 0; j < n; ++j) out[c0 + j] = MADD(x[j], w[j], out[c0 + j]);
      }
    }
    for (j = 0; j < n; ++j)
      out[c0 + j] = micro_clamp_f32(out[c0 + j] + (bias ? bias[c0 + j] : 0.0f), lo, hi);
  }
}

/* General depth multiplier m: out[ic * m + j] += in[ic] * w[ic * m + j]. */
static void pixel_mult(const Window *win, const float *bias, float *restrict out, int32_t in_c,
                       int32_t m, float lo, float hi) {
  const int32_t C = in_c * m;
  const size_t wkx = (size_t)C;
  int32_t c, ic, j, ky, kx;

  for (c = 0; c < C; ++c) out[c] = 0.0f;
  for (ky = 0; ky < win->nky; ++ky) {
    for (kx = 0; kx < win->nkx; ++kx) {
      const float *restrict x = win->in0 + ky * win->in_ky + kx * win->in_kx;
      const float *restrict w = win->w0 + ky * win->w_ky + kx * wkx;
      if (m == 2) {
        for (ic = 0; ic < in_c; ++ic) {
          out[2 * ic] = MADD(x[ic], w[2 * ic], out[2 * ic]);
          out[2 * ic + 1] = MADD(x[ic], w[2 * ic + 1], out[2 * ic + 1]);
        }
      } else {
        for (ic = 0; ic < in_c; ++ic) {
          const float xv = x[ic];
          float *restrict o = out + (size_t)ic * m;
          const float *restrict wv = w + (size_t)ic * m;
          for (j = 0; j < m; ++j) o[j] = MADD(xv, wv[j], o[j]);
        }
      }
    }
  }
  for (c = 0; c < C; ++c) out[c] = micro_clamp_f32(out[c] + (bias ? bias[c] : 0.0f), lo, hi);
}

void micro_depthwise_conv2d_f32(const float *in, const float *w, const float *bias, float *out,
                                const MicroDepthwiseConv2dParams *p) {
  const int32_t in_c = p->in_c, out_c = p->out_c, m = p->depth_multiplier;
  const size_t in_row = (size_t)p->in_w * in_c;
  const size_t in_img = (size_t)p->in_h * in_row;
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
      for (ox = 0; ox < p->out_w; ++ox) {
        const int32_t ix0 = ox * p->stride_w - p->pad_left;
        int32_t kx_lo, kx_hi;
        valid_taps(ix0, p->dilation_w, p->k_w, p->in_w, &kx_lo, &kx_hi);
        win.nky = ky_hi - ky_lo;
        win.nkx = kx_hi - kx_lo;
        if (win.nky > 0 && win.nkx > 0) {
          win.in0 = in_b + (size_t)(iy0 + ky_lo * p->dilation_h) * in_row +
                    (size_t)(ix0 + kx_lo * p->dilation_w) * in_c;
          win.w0 = w + ((size_t)ky_lo * p->k_w + kx_lo) * out_c;
        } else { /* window entirely in the padding: bias only */
          win.nky = win.nkx = 0;
          win.in0 = in_b;
          win.w0 = w;
        }
        if (m == 1)
          pixel_m1(&win, bias, out, out_c, p->act_min, p->act_max);
        else
          pixel_mult(&win, bias, out, in_c, m, p->act_min, p->act_max);
        out += out_c;
      }
    }
  }
}
