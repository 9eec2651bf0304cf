/*
 * conv2d_hybrid.c - float32 activations x int8 OHWI weights, LiteRT's dynamic-range
 * ("hybrid") convolution with a per-tensor weight scale (conv2d_hybrid.h).
 *
 * Per image: find the symmetric range, quantize the image into the scratch buffer, then
 * for each tile of MICRO_HYBRID_MC output pixels build int8 im2col rows (or use the
 * quantized input directly for a pointwise convolution) and take int32 dot products
 * against the weight rows, a block of HR pixels x HC output channels at a time.
 * The float epilogue is exactly (float)acc * scale, then + bias, then the clamp.
 */
#include "conv2d_hybrid.h"

#include <string.h>

/* The epilogue must round the product before adding the bias (see conv2d_hybrid.h).
 * GCC keeps contraction off under -std=c99; this covers compilers that honour the pragma. */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

/* Loop pragmas (measured with GCC 12 and clang 14):
 * UNROLL fully unrolls the loop that follows (the rows of a register block), so the
 * accumulators are indexed by constants only and stay in registers.
 * LANES marks the loop over the lanes of a register block. GCC must not unroll it early:
 * at -O3 it would, and then vectorize the enclosing loop across iterations with lots of
 * shuffles; "unroll 4" (less than the trip count) keeps it a loop until the vectorizer has
 * turned it into whole-vector operations, then lets the leftover vector loop be unrolled.
 * clang would unroll it early and then SLP-vectorize across the wrong dimension,
 * so it is kept rolled for clang's loop vectorizer. */
#if defined(__clang__)
#define UNROLL _Pragma("unroll")
#define LANES _Pragma("clang loop unroll(disable)")
#elif defined(__GNUC__)
#define UNROLL _Pragma("GCC unroll 16")
#define LANES _Pragma("GCC unroll 4")
#else
#define UNROLL
#define LANES
#endif

#define HR 2 /* output pixels per dot-product block */
#define HC 4 /* output channels per dot-product block */

static size_t align_up(size_t n) {
  return (n + MICRO_ALIGN - 1) / MICRO_ALIGN * MICRO_ALIGN;
}

/* 1x1, stride 1, no padding: the quantized input rows are the dot products' A. */
static int hybrid_is_pointwise(const MicroConv2dParams *p) {
  return p->k_h == 1 && p->k_w == 1 && p->stride_h == 1 && p->stride_w == 1 && p->pad_top == 0 &&
         p->pad_left == 0 && p->out_h == p->in_h && p->out_w == p->in_w;
}

size_t micro_conv2d_hybrid_scratch_size(const MicroConv2dParams *p) {
  const size_t M = (size_t)p->out_h * p->out_w;
  const size_t K = (size_t)p->k_h * p->k_w * p->in_c;
  const size_t quantized = align_up((size_t)p->batch * p->in_h * p->in_w * p->in_c);
  if (hybrid_is_pointwise(p)) return quantized;
  return quantized + (M < MICRO_HYBRID_MC ? M : MICRO_HYBRID_MC) * K;
}

/* Symmetric per-image quantization; returns s_in. Loops run in blocks of QL lanes so
 * they vectorize whatever the trip count. */
#define QL 16
static float quantize_image(const float *x, int8_t *q, size_t n) {
  float lo[QL], hi[QL], range, inv;
  size_t i;
  int32_t j;
  for (j = 0; j < QL; ++j) lo[j] = hi[j] = n > 0 ? x[0] : 0.0f;
  for (i = 0; i + QL <= n; i += QL) {
    LANES
    for (j = 0; j < QL; ++j) {
      lo[j] = x[i + j] < lo[j] ? x[i + j] : lo[j];
      hi[j] = x[i + j] > hi[j] ? x[i + j] : hi[j];
    }
  }
  for (; i < n; ++i) {
    lo[0] = x[i] < lo[0] ? x[i] : lo[0];
    hi[0] = x[i] > hi[0] ? x[i] : hi[0];
  }
  for (j = 1; j < QL; ++j) {
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
  /* roundf (half away from zero) without a libm call: truncate, then step by the exactly
   * representable fraction. Clamping to +-127 first keeps the conversion in range and
   * equals clamping after rounding (the bounds are integers). */
#define QUANTIZE_ONE(dst, src)                                       \
  do {                                                               \
    const float t_ = micro_clamp_f32((src) * inv, -127.0f, 127.0f);  \
    int32_t r_ = (int32_t)t_;                                        \
    const float f_ = t_ - (float)r_;                                 \
    r_ += (f_ >= 0.5f) - (f_ <= -0.5f);                              \
    (dst) = (int8_t)r_;                                              \
  } while (0)
  for (i = 0; i + QL <= n; i += QL) {
    LANES
    for (j = 0; j < QL; ++j) QUANTIZE_ONE(q[i + j], x[i + j]);
  }
  for (; i < n; ++i) QUANTIZE_ONE(q[i], x[i]);
#undef QUANTIZE_ONE
  return range / 127.0f;
}

/* The taps t in [0, n) with 0 <= base + t < limit are [*lo, *hi) (dilation is always 1). */
static void valid_taps(int32_t base, int32_t n, int32_t limit, int32_t *lo, int32_t *hi) {
  int32_t a = base < 0 ? -base : 0, b = base + n > limit ? limit - base : n;
  if (a > n) a = n;
  if (b < a) b = a;
  *lo = a;
  *hi = b;
}

/* int8 im2col rows m0 .. m0+mc-1 of one quantized image (row stride K). */
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

/*
 * out[i * out_c + n] = act((float)(a_i . w_n) * scale + bias[n]) for i < mr, n < nc.
 * Rows past mr / channels past nc re-read the last valid one and are not stored.
 * The HR x HC dot products keep DL int32 partial sums each, so the k loop is a plain
 * lane-wise multiply-add over DL-lane vectors (summed at the end). An int8 x int8 product
 * always fits in int16, which lets the vectorizer use 16-bit multiplies.
 */
#define DL 16
static void dot_block(int32_t K, const int8_t *a, int32_t mr, const int8_t *w, int32_t nc,
                      const float *bias, float scale, float *out, int32_t out_c, float lo,
                      float hi) {
  const int8_t *ap[HR];
  const int8_t *wp[HC];
  int32_t acc[HR][HC][DL];
  int32_t sum[HR][HC];
  int32_t i, j, k, l;

  for (i = 0; i < HR; ++i) ap[i] = a + (size_t)(i < mr ? i : mr - 1) * K;
  for (j = 0; j < HC; ++j) wp[j] = w + (size_t)(j < nc ? j : nc - 1) * K;
  for (i = 0; i < HR; ++i)
    for (j = 0; j < HC; ++j)
      for (l = 0; l < DL; ++l) acc[i][j][l] = 0;

  for (k = 0; k + DL <= K; k += DL) {
    UNROLL
    for (i = 0; i < HR; ++i) {
      UNROLL
      for (j = 0; j < HC; ++j) {
        const int8_t *x = ap[i] + k, *y = wp[j] + k;
        LANES
        for (l = 0; l < DL; ++l) acc[i][j][l] += (int16_t)((int16_t)x[l] * (int16_t)y[l]);
      }
    }
  }
  for (i = 0; i < HR; ++i) {
    for (j = 0; j < HC; ++j) {
      int32_t s = 0;
      for (l = 0; l < DL; ++l) s += acc[i][j][l];
      for (l = k; l < K; ++l) s += (int32_t)ap[i][l] * (int32_t)wp[j][l];
      sum[i][j] = s;
    }
  }

  for (i = 0; i < mr; ++i) {
    float *o = out + (size_t)i * out_c;
    for (j = 0; j < nc; ++j) {
      float y = (float)sum[i][j] * scale;
      if (bias) y = y + bias[j];
      o[j] = micro_clamp_f32(y, lo, hi);
    }
  }
}

void micro_conv2d_hybrid_f32(const float *in, const int8_t *w, float w_scale, const float *bias,
                             float *out, void *scratch, const MicroConv2dParams *p) {
  const int32_t M = p->out_h * p->out_w;
  const int32_t K = p->k_h * p->k_w * p->in_c;
  const int32_t out_c = p->out_c;
  const size_t in_img = (size_t)p->in_h * p->in_w * p->in_c;
  const size_t out_img = (size_t)M * out_c;
  int8_t *quant = (int8_t *)scratch;
  int8_t *col = quant + align_up((size_t)p->batch * in_img);
  const int pointwise = hybrid_is_pointwise(p);
  int32_t b, m0, m, n;

  for (b = 0; b < p->batch; ++b) {
    int8_t *q_b = quant + (size_t)b * in_img;
    float *out_b = out + (size_t)b * out_img;
    const float s_in = quantize_image(in + (size_t)b * in_img, q_b, in_img);
    const float scale = s_in * w_scale;

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
        const int32_t nc = micro_min_i32(HC, out_c - n);
        for (m = 0; m < mc; m += HR)
          dot_block(K, a + (size_t)m * K, micro_min_i32(HR, mc - m), w + (size_t)n * K, nc,
                    bias ? bias + n : NULL, scale, out_b + (size_t)(m0 + m) * out_c + n, out_c,
                    p->act_min, p->act_max);
      }
    }
  }
}
