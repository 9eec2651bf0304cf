/*
 * conv2d_hybrid_neon.c - float32 activations x int8 OHWI weights (LiteRT's dynamic-range
 * "hybrid" convolution) with NEON intrinsics (conv2d_hybrid_neon.h).
 *
 * The steps of generic/fp32/conv2d_hybrid.c, vectorized:
 *  - the image's range: the same 16 running minima and maxima (x < m ? x : m, so NaN is
 *    never selected), as four vectors, reduced in the same order;
 *  - its quantization, 16 values at a time (loaded before they are stored over, so the
 *    scratch may be the input itself): x * inv, clamped to [-127, 127], rounded half away
 *    from zero (FCVTAS on AArch64; on 32-bit ARM the generic kernel's truncate-and-step);
 *  - for each tile of MICRO_HYBRID_MC output pixels the same int8 im2col rows (or the
 *    quantized rows themselves for a pointwise convolution), then int32 dot products of
 *    HR pixel rows with HC = 4 weight rows at a time: per 16 k, SDOT
 *    (MICRO_NEON_DOTPROD) or SMULL into 16-bit products and SADALP into int32 lanes;
 *  - the epilogue on four channels: (float)acc (SCVTF), times scale, plus the bias (two
 *    roundings, never fused), the clamp.
 */
#include "conv2d_hybrid_neon.h"

#include <string.h>

#include "micro_neon.h"

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

#if defined(__aarch64__)
#define HR 4 /* output pixels per dot-product block (16 accumulators of 32) */
#else
#define HR 2 /* (8 of 16 q registers) */
#endif
#define HC 4 /* output channels per dot-product block */

static size_t align_up(size_t n) { return (n + MICRO_ALIGN - 1) / MICRO_ALIGN * MICRO_ALIGN; }

static int hybrid_is_pointwise(const MicroConv2dParams *p) {
  return p->k_h == 1 && p->k_w == 1 && p->stride_h == 1 && p->stride_w == 1 && p->pad_top == 0 &&
         p->pad_left == 0 && p->out_h == p->in_h && p->out_w == p->in_w;
}

size_t micro_neon_conv2d_hybrid_scratch_size(const MicroConv2dParams *p) {
  const size_t M = (size_t)p->out_h * p->out_w;
  const size_t K = (size_t)p->k_h * p->k_w * p->in_c;
  const size_t quantized = align_up((size_t)p->batch * p->in_h * p->in_w * p->in_c);
  if (hybrid_is_pointwise(p)) return quantized;
  return quantized + (M < MICRO_HYBRID_MC ? M : MICRO_HYBRID_MC) * K;
}

/* ------------------------------------------------------------------ quantization */

/* m updated with x as the generic kernel's x < m ? x : m (NaN never selected). */
MICRO_ALWAYS_INLINE float32x4_t min_sel(float32x4_t m, float32x4_t x) {
  return vbslq_f32(vcltq_f32(x, m), x, m);
}
MICRO_ALWAYS_INLINE float32x4_t max_sel(float32x4_t m, float32x4_t x) {
  return vbslq_f32(vcgtq_f32(x, m), x, m);
}

/* One value as the generic kernel quantizes it. */
static int8_t quantize_one(float x, float inv) {
  const float t = micro_clamp_f32(x * inv, -127.0f, 127.0f);
  int32_t r = (int32_t)t;
  const float f = t - (float)r;
  r += (f >= 0.5f) - (f <= -0.5f);
  return (int8_t)r;
}

/* Four values: x * inv clamped to [-127, 127], rounded half away from zero. */
MICRO_ALWAYS_INLINE int32x4_t quantize4(float32x4_t x, float32x4_t inv) {
  const float32x4_t t =
      vminq_f32(vmaxq_f32(vmulq_f32(x, inv), vdupq_n_f32(-127.0f)), vdupq_n_f32(127.0f));
#if defined(__aarch64__)
  return vcvtaq_s32_f32(t);
#else
  const int32x4_t r = vcvtq_s32_f32(t); /* toward zero */
  const float32x4_t f = vsubq_f32(t, vcvtq_f32_s32(r));
  /* + 1 where f >= 0.5, - 1 where f <= -0.5 (the masks are -1 where true) */
  return vaddq_s32(vsubq_s32(r, vreinterpretq_s32_u32(vcgeq_f32(f, vdupq_n_f32(0.5f)))),
                   vreinterpretq_s32_u32(vcleq_f32(f, vdupq_n_f32(-0.5f))));
#endif
}

/* Symmetric per-image quantization of n values; returns s_in. */
static float quantize_image(const float *x, int8_t *q, size_t n) {
  float lo[16], hi[16], range, inv;
  float32x4_t l[4], h[4], iv;
  size_t i;
  int32_t j;
  for (j = 0; j < 4; ++j) l[j] = h[j] = vdupq_n_f32(n > 0 ? x[0] : 0.0f);
  for (i = 0; i + 16 <= n; i += 16)
    for (j = 0; j < 4; ++j) {
      const float32x4_t v = vld1q_f32(x + i + 4 * j);
      l[j] = min_sel(l[j], v);
      h[j] = max_sel(h[j], v);
    }
  for (j = 0; j < 4; ++j) {
    vst1q_f32(lo + 4 * j, l[j]);
    vst1q_f32(hi + 4 * j, h[j]);
  }
  for (; i < n; ++i) {
    lo[0] = x[i] < lo[0] ? x[i] : lo[0];
    hi[0] = x[i] > hi[0] ? x[i] : hi[0];
  }
  for (j = 1; j < 16; ++j) {
    lo[0] = lo[j] < lo[0] ? lo[j] : lo[0];
    hi[0] = hi[j] > hi[0] ? hi[j] : hi[0];
  }
  lo[0] = lo[0] < 0.0f ? -lo[0] : lo[0];
  hi[0] = hi[0] < 0.0f ? -hi[0] : hi[0];
  range = lo[0] > hi[0] ? lo[0] : hi[0];
  if (range == 0.0f) {
    memset(q, 0, n);
    return 1.0f;
  }
  inv = 127.0f / range;
  iv = vdupq_n_f32(inv);
  for (i = 0; i + 16 <= n; i += 16) { /* all 16 loaded before q[i..] is stored */
    const int32x4_t r0 = quantize4(vld1q_f32(x + i), iv), r1 = quantize4(vld1q_f32(x + i + 4), iv);
    const int32x4_t r2 = quantize4(vld1q_f32(x + i + 8), iv);
    const int32x4_t r3 = quantize4(vld1q_f32(x + i + 12), iv);
    const int16x8_t a = vcombine_s16(vmovn_s32(r0), vmovn_s32(r1));
    const int16x8_t b = vcombine_s16(vmovn_s32(r2), vmovn_s32(r3));
    vst1q_s8(q + i, vcombine_s8(vmovn_s16(a), vmovn_s16(b)));
  }
  for (; i < n; ++i) q[i] = quantize_one(x[i], inv);
  return range / 127.0f;
}

/* ------------------------------------------------------------------ im2col */

/* The taps t in [0, n) with 0 <= base + t < limit are [*lo, *hi) (dilation is always 1). */
static void valid_taps(int32_t base, int32_t n, int32_t limit, int32_t *lo, int32_t *hi) {
  int32_t a = base < 0 ? -base : 0, b = base + n > limit ? limit - base : n;
  if (a > n) a = n;
  if (b < a) b = a;
  *lo = a;
  *hi = b;
}

/* int8 im2col rows m0 .. m0 + mc - 1 of one quantized image (row stride K; 0 for padding,
 * the symmetric quantization's zero point). */
static void im2col_tile_i8(const int8_t *in, int8_t *col, int32_t m0, int32_t mc,
                           const MicroConv2dParams *p) {
  const int32_t in_c = p->in_c, k_w = p->k_w;
  const size_t tap_row = (size_t)k_w * in_c;
  const size_t K = (size_t)p->k_h * tap_row;
  int32_t oy = m0 / p->out_w, ox = m0 % p->out_w;
  int32_t m, ky;
  for (m = 0; m < mc; ++m) {
    int8_t *row = col + (size_t)m * K;
    const int32_t iy0 = oy * p->stride_h - p->pad_top;
    const int32_t ix0 = ox * p->stride_w - p->pad_left;
    int32_t ky_lo, ky_hi, kx_lo, kx_hi;
    valid_taps(iy0, p->k_h, p->in_h, &ky_lo, &ky_hi);
    valid_taps(ix0, k_w, p->in_w, &kx_lo, &kx_hi);
    memset(row, 0, (size_t)ky_lo * tap_row);
    for (ky = ky_lo; ky < ky_hi; ++ky) {
      int8_t *dst = row + (size_t)ky * tap_row;
      memset(dst, 0, (size_t)kx_lo * in_c);
      if (kx_lo < kx_hi)
        memcpy(dst + (size_t)kx_lo * in_c,
               in + ((size_t)(iy0 + ky) * p->in_w + (ix0 + kx_lo)) * in_c,
               (size_t)(kx_hi - kx_lo) * in_c);
      memset(dst + (size_t)kx_hi * in_c, 0, (size_t)(k_w - kx_hi) * in_c);
    }
    memset(row + (size_t)ky_hi * tap_row, 0, (size_t)(p->k_h - ky_hi) * tap_row);
    if (++ox == p->out_w) {
      ox = 0;
      ++oy;
    }
  }
}

/* ------------------------------------------------------------------ dot products */

/* acc + the products x * w of 16 lanes, summed into 4 int32 lanes (exact). */
MICRO_ALWAYS_INLINE int32x4_t dot16(int32x4_t acc, int8x16_t x, int8x16_t w) {
#if MICRO_NEON_DOTPROD
  return vdotq_s32(acc, x, w);
#else
  acc = vpadalq_s16(acc, vmull_s8(vget_low_s8(x), vget_low_s8(w)));
#if defined(__aarch64__)
  return vpadalq_s16(acc, vmull_high_s8(x, w));
#else
  return vpadalq_s16(acc, vmull_s8(vget_high_s8(x), vget_high_s8(w)));
#endif
#endif
}

/* What the dot-product blocks of one channel block share. */
typedef struct {
  int32_t K, out_c, nc; /* nc (<= HC) valid channels */
  const int8_t *w;      /* the block's first weight row */
  int has_bias;
  float32x4_t bias;
  float32x4_t scale, lo, hi;
} Channels;

/* out[i * out_c + j] = act((float)(a_i . w_j) * scale + bias[j]) for i < mr, j < nc. Rows
 * past mr / channels past nc re-read the last valid one and are not stored. */
static void dot_block(const Channels *ch, const int8_t *a, int32_t mr, float *out) {
  const int32_t K = ch->K;
  const int8_t *ap[HR], *wp[HC];
  int32x4_t acc[HR][HC];
  int32_t sums[HR][HC];
  int32_t i, j, k = 0;
  for (i = 0; i < HR; ++i) ap[i] = a + (size_t)(i < mr ? i : mr - 1) * K;
  for (j = 0; j < HC; ++j) wp[j] = ch->w + (size_t)(j < ch->nc ? j : ch->nc - 1) * K;
  for (i = 0; i < HR; ++i)
    for (j = 0; j < HC; ++j) acc[i][j] = vdupq_n_s32(0);
  for (; k + 16 <= K; k += 16) {
    int8x16_t x[HR];
    for (i = 0; i < HR; ++i) x[i] = vld1q_s8(ap[i] + k);
    for (j = 0; j < HC; ++j) {
      const int8x16_t wv = vld1q_s8(wp[j] + k);
      for (i = 0; i < HR; ++i) acc[i][j] = dot16(acc[i][j], x[i], wv);
    }
  }
  if (k + 8 <= K) {
    for (j = 0; j < HC; ++j) {
      const int8x8_t wv = vld1_s8(wp[j] + k);
      for (i = 0; i < HR; ++i) acc[i][j] = vpadalq_s16(acc[i][j], vmull_s8(vld1_s8(ap[i] + k), wv));
    }
    k += 8;
  }
  for (i = 0; i < HR; ++i)
    vst1q_s32(sums[i], micro_neon_addv4_s32(acc[i][0], acc[i][1], acc[i][2], acc[i][3]));
  for (; k < K; ++k)
    for (i = 0; i < HR; ++i)
      for (j = 0; j < HC; ++j) sums[i][j] += (int32_t)ap[i][k] * wp[j][k];
  for (i = 0; i < mr; ++i) {
    float *o = out + (size_t)i * ch->out_c;
    float32x4_t y = vmulq_f32(vcvtq_f32_s32(vld1q_s32(sums[i])), ch->scale);
    if (ch->has_bias) y = vaddq_f32(y, ch->bias);
    y = micro_neon_clamp_f32(y, ch->lo, ch->hi);
    if (ch->nc == HC) {
      vst1q_f32(o, y);
    } else {
      o[0] = vgetq_lane_f32(y, 0);
      if (ch->nc > 1) o[1] = vgetq_lane_f32(y, 1);
      if (ch->nc > 2) o[2] = vgetq_lane_f32(y, 2);
    }
  }
}

void micro_neon_conv2d_hybrid_f32(const float *in, const int8_t *w, float w_scale,
                                  const float *bias, float *out, void *scratch,
                                  const MicroConv2dParams *p) {
  const int32_t M = p->out_h * p->out_w;
  const int32_t K = p->k_h * p->k_w * p->in_c;
  const int32_t out_c = p->out_c;
  const size_t in_img = (size_t)p->in_h * p->in_w * p->in_c;
  const size_t out_img = (size_t)M * out_c;
  int8_t *quant = (int8_t *)scratch;
  int8_t *col = quant + align_up((size_t)p->batch * in_img);
  const int pointwise = hybrid_is_pointwise(p);
  int32_t b, m0, m, n, j;
  Channels ch;

  ch.K = K;
  ch.out_c = out_c;
  ch.has_bias = bias != NULL;
  ch.lo = vdupq_n_f32(p->act_min);
  ch.hi = vdupq_n_f32(p->act_max);
  for (b = 0; b < p->batch; ++b) {
    int8_t *q_b = quant + (size_t)b * in_img;
    float *out_b = out + (size_t)b * out_img;
    const float s_in = quantize_image(in + (size_t)b * in_img, q_b, in_img);
    ch.scale = vdupq_n_f32(s_in * w_scale);

    for (m0 = 0; m0 < M; m0 += MICRO_HYBRID_MC) {
      const int32_t mc = micro_min_i32(MICRO_HYBRID_MC, M - m0);
      const int8_t *a;
      if (pointwise) {
        a = q_b + (size_t)m0 * K;
      } else {
        im2col_tile_i8(q_b, col, m0, mc, p);
        a = col;
      }
      for (n = 0; n < out_c; n += HC) {
        float bv[HC] = {0.0f, 0.0f, 0.0f, 0.0f};
        ch.nc = micro_min_i32(HC, out_c - n);
        ch.w = w + (size_t)n * K;
        if (bias)
          for (j = 0; j < ch.nc; ++j) bv[j] = bias[n + j];
        ch.bias = vld1q_f32(bv);
        for (m = 0; m < mc; m += HR)
          dot_block(&ch, a + (size_t)m * K, micro_min_i32(HR, mc - m),
                    out_b + (size_t)(m0 + m) * out_c + n);
      }
    }
  }
}
