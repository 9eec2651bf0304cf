/*
 * depthwise_conv2d_s8_neon.c - int8 NHWC depthwise convolution with NEON intrinsics
 * (depthwise_conv2d_s8_neon.h).
 *
 * For each output pixel the valid taps [ky_lo, ky_hi) x [kx_lo, kx_hi) are computed once
 * (with any dilation they are a contiguous range in each direction). The output channels
 * go in blocks of 16, then 8, then what is left (through zero-padded 8-lane copies). Per
 * block and tap: one load of the inputs and one of the weights, SMULL into 16-bit products
 * (an int8 x int8 product always fits) and SADDW into four int32x4 accumulators. A pixel
 * with taps in the padding first adds input_zero_point * W for those taps, as the generic
 * kernel does. The block then gets its folded bias (wrapping), TFLite's requantization on
 * four lanes (micro_neon_mbqm_s32), the output zero point and the clamp, and is stored.
 *
 * The input value of output channel c is input channel c / m: read in place for depth
 * multiplier m = 1, broadcast for a single input channel, gathered into a small row
 * otherwise (any m and in_c).
 */
#include "depthwise_conv2d_s8_neon.h"

#include <string.h>

#include "micro_neon.h"

/* How a block gets the input values of its output channels. */
enum {
  DIRECT = 0,    /* depth multiplier 1: channel c of the input pixel */
  BROADCAST = 1, /* one input channel: its value for every output channel */
  GATHER = 2     /* input channel c / m, gathered */
};

/* What every block of a call shares. */
typedef struct {
  const MicroDepthwiseConv2dS8Params *p;
  const int8_t *w;
  const int32_t *bias, *mult, *shift;
  int32x4_t zp_out;
  int16x8_t lo, hi;  /* the activation clamp */
  int8x16_t zp_in;   /* the input zero point: the value of a padding tap */
} Ctx;

/* One output pixel's taps. */
typedef struct {
  const int8_t *x0;                   /* input pixel of tap (ky_lo, kx_lo), channel 0 */
  int32_t ky_lo, ky_hi, kx_lo, kx_hi; /* the taps inside the image */
  size_t in_ky, in_kx;                /* input bytes between taps down / across */
  int border;                         /* some taps lie in the padding */
} Window;

/* The taps t in [0, n) with 0 <= base + t * step < limit are [*lo, *hi). */
static void valid_taps(int32_t base, int32_t step, int32_t n, int32_t limit, int32_t *lo,
                       int32_t *hi) {
  int32_t a = 0, b = n;
  if (base < 0) a = (-base + step - 1) / step;
  if (base + (n - 1) * step >= limit) b = limit <= base ? 0 : (limit - base + step - 1) / step;
  if (a > n) a = n;
  if (b < a) b = a;
  *lo = a;
  *hi = b;
}

/* acc[0..3] += x * w on 16 lanes; acc[0..1] += x * w on 8 lanes. */
MICRO_ALWAYS_INLINE void mac16(int32x4_t *acc, int8x16_t x, int8x16_t w) {
  const int16x8_t lo = vmull_s8(vget_low_s8(x), vget_low_s8(w));
#if defined(__aarch64__)
  const int16x8_t hi = vmull_high_s8(x, w);
  acc[0] = vaddw_s16(acc[0], vget_low_s16(lo));
  acc[1] = vaddw_high_s16(acc[1], lo);
  acc[2] = vaddw_s16(acc[2], vget_low_s16(hi));
  acc[3] = vaddw_high_s16(acc[3], hi);
#else
  const int16x8_t hi = vmull_s8(vget_high_s8(x), vget_high_s8(w));
  acc[0] = vaddw_s16(acc[0], vget_low_s16(lo));
  acc[1] = vaddw_s16(acc[1], vget_high_s16(lo));
  acc[2] = vaddw_s16(acc[2], vget_low_s16(hi));
  acc[3] = vaddw_s16(acc[3], vget_high_s16(hi));
#endif
}

MICRO_ALWAYS_INLINE void mac8(int32x4_t *acc, int8x8_t x, int8x8_t w) {
  const int16x8_t prod = vmull_s8(x, w);
  acc[0] = vaddw_s16(acc[0], vget_low_s16(prod));
#if defined(__aarch64__)
  acc[1] = vaddw_high_s16(acc[1], prod);
#else
  acc[1] = vaddw_s16(acc[1], vget_high_s16(prod));
#endif
}

/* n (< 8) bytes from p in the low lanes of a zeroed vector. */
MICRO_ALWAYS_INLINE int8x8_t load_part(const int8_t *p, int32_t n) {
  int8_t t[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  memcpy(t, p, (size_t)n);
  return vld1_s8(t);
}

/* The input values of the output channels of src[0 .. NC) (GATHER) or c0 .. c0 + NC at the
 * input pixel xp. */
MICRO_ALWAYS_INLINE int8x16_t input16(const int8_t *xp, int32_t c0, const int32_t *src,
                                      const int MODE) {
  int8_t g[16];
  int32_t j;
  if (MODE == DIRECT) return vld1q_s8(xp + c0);
  if (MODE == BROADCAST) return vld1q_dup_s8(xp);
  for (j = 0; j < 16; ++j) g[j] = xp[src[j]];
  return vld1q_s8(g);
}

MICRO_ALWAYS_INLINE int8x8_t input8(const int8_t *xp, int32_t c0, const int32_t *src, int32_t nc,
                                    const int MODE, const int PART) {
  int8_t g[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int32_t j;
  if (MODE == BROADCAST) return vld1_dup_s8(xp);
  if (MODE == DIRECT) return PART ? load_part(xp + c0, nc) : vld1_s8(xp + c0);
  for (j = 0; j < nc; ++j) g[j] = xp[src[j]];
  return vld1_s8(g);
}

/* The requantized outputs of four channels from their accumulators (bias, mult and shift
 * point at the first channel's): micro_output_s8 before its clamp. */
MICRO_ALWAYS_INLINE int32x4_t requant4(const Ctx *c, int32x4_t acc, const int32_t *bias,
                                       const int32_t *mult, const int32_t *shift) {
  const MicroNeonRequant r = micro_neon_requant_load(mult, shift);
  const int32x4_t v = vaddq_s32(acc, vld1q_s32(bias));
  return vaddq_s32(micro_neon_mbqm_s32(v, r.mult, r.left, r.neg_right), c->zp_out);
}

/* Output channels c0 .. c0 + 15 of the pixel whose window is win, stored at o + c0. */
MICRO_ALWAYS_INLINE void block16(const Ctx *c, const Window *win, int32_t c0, const int32_t *src,
                                 int8_t *o, const int MODE) {
  const MicroDepthwiseConv2dS8Params *p = c->p;
  const size_t C = (size_t)p->out_c;
  int32x4_t acc[4], v[4];
  int32_t ky, kx, q;
  acc[0] = acc[1] = acc[2] = acc[3] = vdupq_n_s32(0);
  if (win->border) /* padding taps: x = input_zero_point */
    for (ky = 0; ky < p->k_h; ++ky)
      for (kx = 0; kx < p->k_w; ++kx)
        if (ky < win->ky_lo || ky >= win->ky_hi || kx < win->kx_lo || kx >= win->kx_hi)
          mac16(acc, c->zp_in, vld1q_s8(c->w + ((size_t)ky * p->k_w + kx) * C + c0));
  for (ky = win->ky_lo; ky < win->ky_hi; ++ky) {
    const int8_t *x = win->x0 + (size_t)(ky - win->ky_lo) * win->in_ky;
    const int8_t *w = c->w + ((size_t)ky * p->k_w + win->kx_lo) * C + c0;
    for (kx = win->kx_lo; kx < win->kx_hi; ++kx, x += win->in_kx, w += C)
      mac16(acc, input16(x, c0, src, MODE), vld1q_s8(w));
  }
  for (q = 0; q < 4; ++q)
    v[q] = requant4(c, acc[q], c->bias + c0 + 4 * q, c->mult + c0 + 4 * q, c->shift + c0 + 4 * q);
  vst1q_s8(o + c0, micro_neon_narrow_s8(v[0], v[1], v[2], v[3], c->lo, c->hi));
}

/* Output channels c0 .. c0 + nc - 1 (nc = 8, or PART and nc < 8), stored at o + c0. */
MICRO_ALWAYS_INLINE void block8(const Ctx *c, const Window *win, int32_t c0, const int32_t *src,
                                int32_t nc, int8_t *o, const int MODE, const int PART) {
  const MicroDepthwiseConv2dS8Params *p = c->p;
  const size_t C = (size_t)p->out_c;
  int32x4_t acc[2], v0, v1;
  int32_t ky, kx;
  int8x8_t y;
  acc[0] = acc[1] = vdupq_n_s32(0);
  if (win->border)
    for (ky = 0; ky < p->k_h; ++ky)
      for (kx = 0; kx < p->k_w; ++kx)
        if (ky < win->ky_lo || ky >= win->ky_hi || kx < win->kx_lo || kx >= win->kx_hi) {
          const int8_t *w = c->w + ((size_t)ky * p->k_w + kx) * C + c0;
          mac8(acc, vget_low_s8(c->zp_in), PART ? load_part(w, nc) : vld1_s8(w));
        }
  for (ky = win->ky_lo; ky < win->ky_hi; ++ky) {
    const int8_t *x = win->x0 + (size_t)(ky - win->ky_lo) * win->in_ky;
    const int8_t *w = c->w + ((size_t)ky * p->k_w + win->kx_lo) * C + c0;
    for (kx = win->kx_lo; kx < win->kx_hi; ++kx, x += win->in_kx, w += C)
      mac8(acc, input8(x, c0, src, nc, MODE, PART), PART ? load_part(w, nc) : vld1_s8(w));
  }
  if (PART) {
    int32_t bias[8] = {0}, mult[8] = {0}, shift[8] = {0};
    int8_t t[8];
    memcpy(bias, c->bias + c0, (size_t)nc * sizeof(int32_t));
    memcpy(mult, c->mult + c0, (size_t)nc * sizeof(int32_t));
    memcpy(shift, c->shift + c0, (size_t)nc * sizeof(int32_t));
    v0 = requant4(c, acc[0], bias, mult, shift);
    v1 = requant4(c, acc[1], bias + 4, mult + 4, shift + 4);
    y = micro_neon_narrow8_s8(v0, v1, c->lo, c->hi);
    vst1_s8(t, y);
    memcpy(o + c0, t, (size_t)nc);
  } else {
    v0 = requant4(c, acc[0], c->bias + c0, c->mult + c0, c->shift + c0);
    v1 = requant4(c, acc[1], c->bias + c0 + 4, c->mult + c0 + 4, c->shift + c0 + 4);
    vst1_s8(o + c0, micro_neon_narrow8_s8(v0, v1, c->lo, c->hi));
  }
}

/* src[0 .. n): the input channel of output channels c0 .. c0 + n - 1 (GATHER). */
static void gather_sources(int32_t c0, int32_t m, int32_t n, int32_t *src) {
  int32_t q = c0 / m, r = c0 % m, j;
  for (j = 0; j < n; ++j) {
    src[j] = q;
    if (++r == m) {
      r = 0;
      ++q;
    }
  }
}

/* Every output channel of one pixel. */
MICRO_ALWAYS_INLINE void pixel(const Ctx *c, const Window *win, int8_t *o, const int MODE) {
  const int32_t C = c->p->out_c, m = c->p->depth_multiplier;
  int32_t src[16];
  int32_t c0 = 0;
  for (; c0 + 16 <= C; c0 += 16) {
    if (MODE == GATHER) gather_sources(c0, m, 16, src);
    block16(c, win, c0, src, o, MODE);
  }
  if (C - c0 >= 8) {
    if (MODE == GATHER) gather_sources(c0, m, 8, src);
    block8(c, win, c0, src, 8, o, MODE, 0);
    c0 += 8;
  }
  if (c0 < C) {
    if (MODE == GATHER) gather_sources(c0, m, C - c0, src);
    block8(c, win, c0, src, C - c0, o, MODE, 1);
  }
}

static void pixel_direct(const Ctx *c, const Window *win, int8_t *o) {
  pixel(c, win, o, DIRECT);
}
static void pixel_broadcast(const Ctx *c, const Window *win, int8_t *o) {
  pixel(c, win, o, BROADCAST);
}
static void pixel_gather(const Ctx *c, const Window *win, int8_t *o) {
  pixel(c, win, o, GATHER);
}

void micro_neon_depthwise_conv2d_s8(const int8_t *in, const int8_t *w, const int32_t *folded_bias,
                                    const int32_t *out_mult, const int32_t *out_shift,
                                    int8_t *out, const MicroDepthwiseConv2dS8Params *p) {
  const size_t in_img = (size_t)p->in_h * p->in_w * p->in_c;
  void (*run)(const Ctx *, const Window *, int8_t *) =
      p->depth_multiplier == 1 ? pixel_direct : p->in_c == 1 ? pixel_broadcast : pixel_gather;
  int32_t b, oy, ox;
  Ctx c;
  Window win;

  c.p = p;
  c.w = w;
  c.bias = folded_bias;
  c.mult = out_mult;
  c.shift = out_shift;
  c.zp_out = vdupq_n_s32(p->output_zero_point);
  c.lo = vdupq_n_s16((int16_t)p->act_min);
  c.hi = vdupq_n_s16((int16_t)p->act_max);
  c.zp_in = vdupq_n_s8((int8_t)p->input_zero_point);
  win.in_ky = (size_t)p->dilation_h * p->in_w * p->in_c;
  win.in_kx = (size_t)p->dilation_w * p->in_c;

  for (b = 0; b < p->batch; ++b) {
    const int8_t *in_b = in + (size_t)b * in_img;
    for (oy = 0; oy < p->out_h; ++oy) {
      const int32_t iy0 = oy * p->stride_h - p->pad_top;
      valid_taps(iy0, p->dilation_h, p->k_h, p->in_h, &win.ky_lo, &win.ky_hi);
      for (ox = 0; ox < p->out_w; ++ox) {
        const int32_t ix0 = ox * p->stride_w - p->pad_left;
        int8_t *o = out + (((size_t)b * p->out_h + oy) * p->out_w + ox) * p->out_c;
        valid_taps(ix0, p->dilation_w, p->k_w, p->in_w, &win.kx_lo, &win.kx_hi);
        win.border =
            win.ky_lo > 0 || win.ky_hi < p->k_h || win.kx_lo > 0 || win.kx_hi < p->k_w;
        win.x0 = in_b;
        if (win.ky_lo < win.ky_hi && win.kx_lo < win.kx_hi)
          win.x0 += ((size_t)(iy0 + win.ky_lo * p->dilation_h) * p->in_w +
                     (size_t)(ix0 + win.kx_lo * p->dilation_w)) *
                    p->in_c;
        run(&c, &win, o);
      }
    }
  }
}
