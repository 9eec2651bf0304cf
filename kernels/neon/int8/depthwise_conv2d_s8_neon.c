/*
 * depthwise_conv2d_s8_neon.c - int8 NHWC depthwise convolution with NEON intrinsics
 * (depthwise_conv2d_s8_neon.h).
 *
 * The output is computed one row at a time and, within a row, one block of output
 * channels at a time (16 lanes, then 8, then what is left through zero-padded copies), so
 * that a block's per-channel requantization constants (and, for a 3x3 kernel, its nine
 * weight vectors) are loaded once per row and stay in registers while the block runs
 * along the row. Per pixel and tap: one load of the inputs, SMULL into 16-bit products
 * (an int8 x int8 product always fits) and SADDW into the int32 accumulators. A pixel whose
 * taps all lie inside the image takes them straight; at the border, each kernel row is cut
 * into its taps left of the image, inside it and right of it, and a tap in the padding
 * reads a vector of input_zero_point (as in the generic kernel, whose folded bias assumes
 * every tap). The block then gets its folded bias (wrapping),
 * TFLite's requantization on four lanes (micro_neon_mbqm_s32), the output zero point and
 * the clamp, and is stored.
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

/* One output row: what its blocks share. */
typedef struct {
  const MicroDepthwiseConv2dS8Params *p;
  const int8_t *in_b; /* the batch's input image */
  const int8_t *w;
  const int32_t *bias, *mult, *shift;
  int8_t *out_row;                 /* output pixel (oy, 0), channel 0 */
  int32_t iy0, ky_lo, ky_hi;       /* the row's first input row; its kernel rows in the image */
  size_t in_row, in_ky, in_kx;     /* input bytes per image row, kernel row, kernel column */
  int32x4_t zp_out;
  int16x8_t lo, hi;                /* the activation clamp */
  int8_t zp_in[16];                /* the input zero point: what a padding tap reads */
} Row;

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

/* NC (16 or 8) bytes from p into the low lanes (nc < 8 of them, zero-padded, when PART). */
MICRO_ALWAYS_INLINE int8x16_t load(const int8_t *p, int32_t nc, const int NC, const int PART) {
  if (PART) {
    int8_t t[16];
    memset(t, 0, sizeof t);
    memcpy(t, p, (size_t)nc);
    return vld1q_s8(t);
  }
  return NC == 16 ? vld1q_s8(p) : vcombine_s8(vld1_s8(p), vdup_n_s8(0));
}

/* acc[0 .. NC/4) += x * w on NC lanes. */
MICRO_ALWAYS_INLINE void mac(int32x4_t *acc, int8x16_t x, int8x16_t w, const int NC) {
  const int16x8_t lo = vmull_s8(vget_low_s8(x), vget_low_s8(w));
  acc[0] = vaddw_s16(acc[0], vget_low_s16(lo));
#if defined(__aarch64__)
  acc[1] = vaddw_high_s16(acc[1], lo);
  if (NC == 16) {
    const int16x8_t hi = vmull_high_s8(x, w);
    acc[2] = vaddw_s16(acc[2], vget_low_s16(hi));
    acc[3] = vaddw_high_s16(acc[3], hi);
  }
#else
  acc[1] = vaddw_s16(acc[1], vget_high_s16(lo));
  if (NC == 16) {
    const int16x8_t hi = vmull_s8(vget_high_s8(x), vget_high_s8(w));
    acc[2] = vaddw_s16(acc[2], vget_low_s16(hi));
    acc[3] = vaddw_s16(acc[3], vget_high_s16(hi));
  }
#endif
}

/* The input values of the block's output channels at input pixel xp (channel 0). */
MICRO_ALWAYS_INLINE int8x16_t input(const int8_t *xp, int32_t c0, const int32_t *src, int32_t nc,
                                    const int NC, const int PART, const int MODE) {
  int8_t g[16];
  int32_t j;
  if (MODE == DIRECT) return load(xp + c0, nc, NC, PART);
  if (MODE == BROADCAST) return vld1q_dup_s8(xp);
  memset(g, 0, sizeof g);
  for (j = 0; j < nc; ++j) g[j] = xp[src[j]];
  return vld1q_s8(g);
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

/*
 * Output channels c0 .. c0 + nc - 1 of every pixel of the row: NC = 16 or 8 lanes, nc = NC
 * (or nc < 8 with PART); K3: the kernel is 3x3 (its taps unrolled, its weights in
 * registers).
 */
MICRO_ALWAYS_INLINE void row_block(const Row *r, int32_t c0, int32_t nc, const int NC,
                                   const int PART, const int MODE, const int K3) {
  const MicroDepthwiseConv2dS8Params *p = r->p;
  const int32_t KH = K3 ? 3 : p->k_h, KW = K3 ? 3 : p->k_w, C = p->out_c, NQ = NC / 4;
  int32x4_t bias[4], mult[4], left[4], neg_right[4];
  int8x16_t wk[9];
  int32_t src[16];
  int32_t q, ox, ky, kx;

  { /* the block's requantization constants (zero-padded copies past the last channel) */
    const int32_t *b = r->bias + c0, *m = r->mult + c0, *s = r->shift + c0;
    int32_t tb[8], tm[8], ts[8];
    if (PART) {
      memset(tb, 0, sizeof tb), memset(tm, 0, sizeof tm), memset(ts, 0, sizeof ts);
      memcpy(tb, b, (size_t)nc * sizeof *b);
      memcpy(tm, m, (size_t)nc * sizeof *m);
      memcpy(ts, s, (size_t)nc * sizeof *s);
      b = tb, m = tm, s = ts;
    }
    for (q = 0; q < NQ; ++q) {
      const MicroNeonRequant rq = micro_neon_requant_load(m + 4 * q, s + 4 * q);
      bias[q] = vld1q_s32(b + 4 * q);
      mult[q] = rq.mult;
      left[q] = rq.left;
      neg_right[q] = rq.neg_right;
    }
  }
  if (K3)
    for (q = 0; q < 9; ++q) wk[q] = load(r->w + (size_t)q * C + c0, nc, NC, PART);
  if (MODE == GATHER) gather_sources(c0, p->depth_multiplier, nc, src);

  for (ox = 0; ox < p->out_w; ++ox) {
    const int32_t ix0 = ox * p->stride_w - p->pad_left;
    int32x4_t acc[4], v[4];
    int32_t kx_lo, kx_hi;
    valid_taps(ix0, p->dilation_w, KW, p->in_w, &kx_lo, &kx_hi);
    acc[0] = acc[1] = acc[2] = acc[3] = vdupq_n_s32(0);
    if (r->ky_lo == 0 && r->ky_hi == KH && kx_lo == 0 && kx_hi == KW) {
      /* every tap inside the image */
      const int8_t *x = r->in_b + (size_t)r->iy0 * r->in_row + (size_t)ix0 * p->in_c;
      for (ky = 0; ky < KH; ++ky)
        for (kx = 0; kx < KW; ++kx)
          mac(acc, input(x + ky * r->in_ky + kx * r->in_kx, c0, src, nc, NC, PART, MODE),
              K3 ? wk[ky * 3 + kx] : load(r->w + ((size_t)ky * KW + kx) * C + c0, nc, NC, PART),
              NC);
    } else {
      /* per kernel row: the taps left of the image, inside it, right of it (a row above
       * or below the image: all in the padding) */
      const int8x16_t zp = vld1q_s8(r->zp_in);
      for (ky = 0; ky < KH; ++ky) {
        const int inside = ky >= r->ky_lo && ky < r->ky_hi;
        const int32_t a = inside ? kx_lo : KW, e = inside ? kx_hi : KW;
        const int8_t *w = r->w + (size_t)ky * KW * C + c0;
        const int8_t *x = r->in_b;
        if (inside)
          x += (size_t)(r->iy0 + ky * p->dilation_h) * r->in_row +
               (size_t)(ix0 + a * p->dilation_w) * p->in_c;
        for (kx = 0; kx < a; ++kx)
          mac(acc, zp, K3 ? wk[ky * 3 + kx] : load(w + (size_t)kx * C, nc, NC, PART), NC);
        for (; kx < e; ++kx, x += r->in_kx)
          mac(acc, input(x, c0, src, nc, NC, PART, MODE),
              K3 ? wk[ky * 3 + kx] : load(w + (size_t)kx * C, nc, NC, PART), NC);
        for (; kx < KW; ++kx)
          mac(acc, zp, K3 ? wk[ky * 3 + kx] : load(w + (size_t)kx * C, nc, NC, PART), NC);
      }
    }
    for (q = 0; q < NQ; ++q)
      v[q] = vaddq_s32(micro_neon_mbqm_s32(vaddq_s32(acc[q], bias[q]), mult[q], left[q],
                                           neg_right[q]),
                       r->zp_out);
    {
      int8_t *o = r->out_row + (size_t)ox * C + c0;
      if (NC == 16) {
        vst1q_s8(o, micro_neon_narrow_s8(v[0], v[1], v[2], v[3], r->lo, r->hi));
      } else if (!PART) {
        vst1_s8(o, micro_neon_narrow8_s8(v[0], v[1], r->lo, r->hi));
      } else {
        int8_t t[8];
        vst1_s8(t, micro_neon_narrow8_s8(v[0], v[1], r->lo, r->hi));
        memcpy(o, t, (size_t)nc);
      }
    }
  }
}

/* Every output channel of the row, in blocks. */
MICRO_ALWAYS_INLINE void row(const Row *r, const int MODE, const int K3) {
  const int32_t C = r->p->out_c;
  int32_t c0 = 0;
  for (; c0 + 16 <= C; c0 += 16) row_block(r, c0, 16, 16, 0, MODE, K3);
  if (C - c0 >= 8) {
    row_block(r, c0, 8, 8, 0, MODE, K3);
    c0 += 8;
  }
  if (c0 < C) row_block(r, c0, C - c0, 8, 1, MODE, 0);
}

static void row_direct_3x3(const Row *r) { row(r, DIRECT, 1); }
static void row_direct(const Row *r) { row(r, DIRECT, 0); }
static void row_broadcast(const Row *r) { row(r, BROADCAST, 0); }
static void row_gather(const Row *r) { row(r, GATHER, 0); }

void micro_neon_depthwise_conv2d_s8(const int8_t *in, const int8_t *w, const int32_t *folded_bias,
                                    const int32_t *out_mult, const int32_t *out_shift,
                                    int8_t *out, const MicroDepthwiseConv2dS8Params *p) {
  const size_t in_img = (size_t)p->in_h * p->in_w * p->in_c;
  void (*run)(const Row *) = row_gather;
  int32_t b, oy;
  Row r;

  if (p->depth_multiplier == 1)
    run = p->k_h == 3 && p->k_w == 3 ? row_direct_3x3 : row_direct;
  else if (p->in_c == 1)
    run = row_broadcast;
  r.p = p;
  r.w = w;
  r.bias = folded_bias;
  r.mult = out_mult;
  r.shift = out_shift;
  r.zp_out = vdupq_n_s32(p->output_zero_point);
  r.lo = vdupq_n_s16((int16_t)p->act_min);
  r.hi = vdupq_n_s16((int16_t)p->act_max);
  memset(r.zp_in, (int8_t)p->input_zero_point, sizeof r.zp_in);
  r.in_row = (size_t)p->in_w * p->in_c;
  r.in_ky = (size_t)p->dilation_h * r.in_row;
  r.in_kx = (size_t)p->dilation_w * p->in_c;

  for (b = 0; b < p->batch; ++b) {
    r.in_b = in + (size_t)b * in_img;
    for (oy = 0; oy < p->out_h; ++oy) {
      r.iy0 = oy * p->stride_h - p->pad_top;
      valid_taps(r.iy0, p->dilation_h, p->k_h, p->in_h, &r.ky_lo, &r.ky_hi);
      r.out_row = out + ((size_t)b * p->out_h + oy) * p->out_w * p->out_c;
      run(&r);
    }
  }
}
