/*
 * conv2d_f32.c - float32 NHWC convolution: im2col into a tile of MICRO_CONV_MC output
 * pixels, then a register-blocked GEMM against the packed weight panels (conv2d_f32.h).
 *
 * The micro-kernel computes an MR x (NP * 8) block of outputs (MR pixels, NP packed
 * panels of MICRO_CONV_NR = 8 output channels) with accumulators held in a small local
 * array whose every access uses a constant index, so the compiler keeps it in vector
 * registers and vectorizes the 8-lane updates. Partial tiles (fewer than MR pixels or
 * fewer than NP * 8 valid channels) still compute a full block - missing rows re-read
 * the last valid row, missing lanes multiply zero padding - and only store what is valid.
 */
#include "conv2d_f32.h"

#include <string.h>

/* Block shape: MR output pixels x NP panels, picked from the register file the target is
 * known to have (both can be overridden with -D; any MR >= 1, NP >= 1 is correct). */
#if !defined(MICRO_CONV_MR) || !defined(MICRO_CONV_NP)
#undef MICRO_CONV_MR
#undef MICRO_CONV_NP
#if defined(__AVX512F__) && defined(__AVX512VL__)
#define MICRO_CONV_MR 8 /* 16 8-lane accumulators out of 32 vector registers */
#define MICRO_CONV_NP 2
#elif defined(__AVX__) || defined(__aarch64__)
#define MICRO_CONV_MR 6 /* 12 of 16 (AVX) / 24 4-lane of 32 (NEON) vector registers */
#define MICRO_CONV_NP 2
#elif defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M'
#define MICRO_CONV_MR 2 /* scalar FPU: 16 accumulators out of 32 single registers */
#define MICRO_CONV_NP 1
#else
#define MICRO_CONV_MR 4 /* SSE / 32-bit NEON: 8 of 16 vector registers */
#define MICRO_CONV_NP 1
#endif
#endif

#define MR MICRO_CONV_MR
#define NR MICRO_CONV_NR
#define NB (MICRO_CONV_NP * MICRO_CONV_NR)

/* a*b + c, fused when the target has a fast single-precision FMA. GCC (whose -std=c99
 * never contracts a*b + c) predefines __FP_FAST_FMAF then and expands the builtin to one
 * instruction; clang contracts the plain expression into an FMA by default. */
#if defined(__FP_FAST_FMAF) && defined(__GNUC__) && !defined(__clang__)
#define MADD(a, b, c) __builtin_fmaf((a), (b), (c))
#else
#define MADD(a, b, c) ((c) + (a) * (b))
#endif

/* Loop pragmas (measured with GCC 12 and clang 14):
 * UNROLL fully unrolls the loop that follows (the rows of a register block), so the
 * accumulators are indexed by constants only and stay in registers.
 * LANES marks the loop over the lanes of a register block. GCC must not unroll it early:
 * at -O3 it would, and then vectorize the enclosing loop across iterations with lots of
 * shuffles; "unroll 4" (less than the trip count) keeps it a loop until the vectorizer has
 * turned it into whole-vector operations, then lets the leftover vector loop be unrolled.
 * clang fully unrolls early regardless and its SLP vectorizer finds the lanes. */
#if defined(__clang__)
#define UNROLL _Pragma("unroll")
#define LANES
#elif defined(__GNUC__)
#define UNROLL _Pragma("GCC unroll 16")
#define LANES _Pragma("GCC unroll 4")
#else
#define UNROLL
#define LANES
#endif

/*
 * c[i * ldc + j] = act((sum_k a[i * lda + k] * b_p[k * NR + j']) + bias[j])   (i < mr, j < nc)
 * summed from 0 in k order, the bias added last: TFLite's reference Conv order, so without
 * FMA contraction each output equals the reference's bit for bit.
 * where output column j lives in panel p = j / NR, lane j' = j % NR; panel p starts at
 * b + p * b_stride. bias_blk holds NB floats (zeros past the valid channels).
 */
static void gemm_block(int32_t K, const float *a, size_t lda, int32_t mr, const float *b,
                       size_t b_stride, const float *bias_blk, float *c, size_t ldc, int32_t nc,
                       float lo, float hi) {
  const float *ap[MR];
  const float *bp[MICRO_CONV_NP];
  float acc[MR][NB];
  int32_t i, j, k, q;

  for (i = 0; i < MR; ++i) ap[i] = a + (size_t)(i < mr ? i : mr - 1) * lda;
  for (q = 0; q < MICRO_CONV_NP; ++q) bp[q] = b + (size_t)q * b_stride;
  for (i = 0; i < MR; ++i)
    for (j = 0; j < NB; ++j) acc[i][j] = 0.0f;

  for (k = 0; k < K; ++k) {
    UNROLL
    for (i = 0; i < MR; ++i) {
      const float av = ap[i][k];
      UNROLL
      for (q = 0; q < MICRO_CONV_NP; ++q) {
        const float *restrict bk = bp[q] + (size_t)k * NR;
        LANES
        for (j = 0; j < NR; ++j) acc[i][q * NR + j] = MADD(av, bk[j], acc[i][q * NR + j]);
      }
    }
  }

  for (i = 0; i < MR; ++i)
    for (j = 0; j < NB; ++j) acc[i][j] = micro_clamp_f32(acc[i][j] + bias_blk[j], lo, hi);

  if (mr == MR && nc == NB) {
    for (i = 0; i < MR; ++i)
      for (j = 0; j < NB; ++j) c[(size_t)i * ldc + j] = acc[i][j];
  } else {
    float tmp[MR][NB];
    memcpy(tmp, acc, sizeof(tmp));
    for (i = 0; i < mr; ++i)
      for (j = 0; j < nc; ++j) c[(size_t)i * ldc + j] = tmp[i][j];
  }
}

/* Same, one panel wide (the odd last panel when NP == 2). */
#if MICRO_CONV_NP > 1
static void gemm_block1(int32_t K, const float *a, size_t lda, int32_t mr, const float *b,
                        const float *bias_blk, float *c, size_t ldc, int32_t nc, float lo,
                        float hi) {
  const float *ap[MR];
  float acc[MR][NR];
  int32_t i, j, k;

  for (i = 0; i < MR; ++i) ap[i] = a + (size_t)(i < mr ? i : mr - 1) * lda;
  for (i = 0; i < MR; ++i)
    for (j = 0; j < NR; ++j) acc[i][j] = 0.0f;

  for (k = 0; k < K; ++k) {
    const float *restrict bk = b + (size_t)k * NR;
    UNROLL
    for (i = 0; i < MR; ++i) {
      const float av = ap[i][k];
      LANES
      for (j = 0; j < NR; ++j) acc[i][j] = MADD(av, bk[j], acc[i][j]);
    }
  }

  for (i = 0; i < MR; ++i)
    for (j = 0; j < NR; ++j) acc[i][j] = micro_clamp_f32(acc[i][j] + bias_blk[j], lo, hi);

  if (mr == MR && nc == NR) {
    for (i = 0; i < MR; ++i)
      for (j = 0; j < NR; ++j) c[(size_t)i * ldc + j] = acc[i][j];
  } else {
    float tmp[MR][NR];
    memcpy(tmp, acc, sizeof(tmp));
    for (i = 0; i < mr; ++i)
      for (j = 0; j < nc; ++j) c[(size_t)i * ldc + j] = tmp[i][j];
  }
}
#endif

/* out[m, :] for the mc rows of A (row stride lda = K) against every weight panel. */
static void gemm_tile(const float *a, int32_t mc, int32_t K, const float *packed_w,
                      const float *bias, float *out, int32_t out_c, float lo, float hi) {
  const size_t panel = (size_t)K * NR;
  const int32_t n_panels = (out_c + NR - 1) / NR;
  float bias_blk[NB];
  int32_t ob, m, j;

  for (ob = 0; ob + MICRO_CONV_NP <= n_panels; ob += MICRO_CONV_NP) {
    const int32_t n0 = ob * NR;
    const int32_t nc = micro_min_i32(NB, out_c - n0);
    for (j = 0; j < NB; ++j) bias_blk[j] = (bias && j < nc) ? bias[n0 + j] : 0.0f;
    for (m = 0; m < mc; m += MR)
      gemm_block(K, a + (size_t)m * K, (size_t)K, micro_min_i32(MR, mc - m),
                 packed_w + (size_t)ob * panel, panel, bias_blk, out + (size_t)m * out_c + n0,
                 (size_t)out_c, nc, lo, hi);
  }
#if MICRO_CONV_NP > 1
  for (; ob < n_panels; ++ob) {
    const int32_t n0 = ob * NR;
    const int32_t nc = micro_min_i32(NR, out_c - n0);
    for (j = 0; j < NR; ++j) bias_blk[j] = (bias && j < nc) ? bias[n0 + j] : 0.0f;
    for (m = 0; m < mc; m += MR)
      gemm_block1(K, a + (size_t)m * K, (size_t)K, micro_min_i32(MR, mc - m),
                  packed_w + (size_t)ob * panel, bias_blk, out + (size_t)m * out_c + n0,
                  (size_t)out_c, nc, lo, hi);
  }
#endif
}

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

/* Short copies (a few taps' channels) as inline fixed-size moves instead of a library
 * call: a constant-size memcpy compiles to plain vector loads and stores. */
static void copy_f32(float *restrict d, const float *restrict s, size_t n) {
  /* two moves per iteration: a loop of single contiguous moves would be turned back
   * into a memmove call by GCC's loop-distribution pass */
  for (; n >= 16; n -= 16, d += 16, s += 16) {
    memcpy(d, s, 8 * sizeof(float));
    memcpy(d + 8, s + 8, 8 * sizeof(float));
  }
  if (n & 8) {
    memcpy(d, s, 8 * sizeof(float));
    d += 8;
    s += 8;
  }
  if (n & 4) {
    memcpy(d, s, 4 * sizeof(float));
    d += 4;
    s += 4;
  }
  if (n & 2) {
    memcpy(d, s, 2 * sizeof(float));
    d += 2;
    s += 2;
  }
  if (n & 1) *d = *s;
}

/* Rows m0 .. m0+mc-1 of the im2col matrix of one image into col (row stride K). */
static void im2col_tile(const float *in, float *col, int32_t m0, int32_t mc,
                        const MicroConv2dParams *p) {
  const int32_t in_c = p->in_c, k_w = p->k_w, dw = p->dilation_w;
  const size_t K = (size_t)p->k_h * k_w * in_c;
  const size_t tap_row = (size_t)k_w * in_c;
  int32_t oy = m0 / p->out_w, ox = m0 % p->out_w;
  int32_t m, ky, kx;

  for (m = 0; m < mc; ++m) {
    float *row = col + (size_t)m * K;
    const int32_t iy0 = oy * p->stride_h - p->pad_top;
    const int32_t ix0 = ox * p->stride_w - p->pad_left;
    int32_t ky_lo, ky_hi, kx_lo, kx_hi;
    valid_taps(iy0, p->dilation_h, p->k_h, p->in_h, &ky_lo, &ky_hi);
    valid_taps(ix0, dw, k_w, p->in_w, &kx_lo, &kx_hi);

    if (ky_lo > 0) memset(row, 0, (size_t)ky_lo * tap_row * sizeof(float));
    for (ky = ky_lo; ky < ky_hi; ++ky) {
      float *dst = row + (size_t)ky * tap_row;
      if (kx_lo > 0) memset(dst, 0, (size_t)kx_lo * in_c * sizeof(float));
      if (kx_lo < kx_hi) {
        /* first valid tap of this kernel row */
        const float *src =
            in + ((size_t)(iy0 + ky * p->dilation_h) * p->in_w + (ix0 + kx_lo * dw)) * in_c;
        float *d = dst + (size_t)kx_lo * in_c;
        if (dw == 1) {
          copy_f32(d, src, (size_t)(kx_hi - kx_lo) * in_c);
        } else {
          for (kx = 0; kx < kx_hi - kx_lo; ++kx)
            copy_f32(d + (size_t)kx * in_c, src + (size_t)kx * dw * in_c, (size_t)in_c);
        }
      }
      if (kx_hi < k_w)
        memset(dst + (size_t)kx_hi * in_c, 0, (size_t)(k_w - kx_hi) * in_c * sizeof(float));
    }
    if (ky_hi < p->k_h)
      memset(row + (size_t)ky_hi * tap_row, 0, (size_t)(p->k_h - ky_hi) * tap_row * sizeof(float));

    if (++ox == p->out_w) {
      ox = 0;
      ++oy;
    }
  }
}

/* 1x1, stride 1, undilated and unpadded: the input rows are the GEMM's A. The padding on the
 * bottom / right is implicit in out_h / out_w, hence the size checks. */
static int conv_is_pointwise(const MicroConv2dParams *p) {
  return p->k_h == 1 && p->k_w == 1 && p->stride_h == 1 && p->stride_w == 1 && p->pad_top == 0 &&
         p->pad_left == 0 && p->dilation_h == 1 && p->dilation_w == 1 && p->out_h == p->in_h &&
         p->out_w == p->in_w;
}

size_t micro_conv2d_f32_scratch_size(const MicroConv2dParams *p) {
  const size_t M = (size_t)p->out_h * p->out_w;
  if (conv_is_pointwise(p)) return 0;
  return (M < MICRO_CONV_MC ? M : MICRO_CONV_MC) * p->k_h * p->k_w * p->in_c * sizeof(float);
}

void micro_conv2d_f32(const float *in, const float *packed_w, const float *bias, float *out,
                      float *scratch, const MicroConv2dParams *p) {
  const int32_t M = p->out_h * p->out_w;
  const int32_t K = p->k_h * p->k_w * p->in_c;
  const size_t in_img = (size_t)p->in_h * p->in_w * p->in_c;
  const size_t out_img = (size_t)M * p->out_c;
  const int pointwise = conv_is_pointwise(p);
  int32_t b, m0;

  for (b = 0; b < p->batch; ++b) {
    const float *in_b = in + (size_t)b * in_img;
    float *out_b = out + (size_t)b * out_img;
    for (m0 = 0; m0 < M; m0 += MICRO_CONV_MC) {
      const int32_t mc = micro_min_i32(MICRO_CONV_MC, M - m0);
      const float *a;
      if (pointwise) {
        a = in_b + (size_t)m0 * K;
      } else {
        im2col_tile(in_b, scratch, m0, mc, p);
        a = scratch;
      }
      gemm_tile(a, mc, K, packed_w, bias, out_b + (size_t)m0 * p->out_c, p->out_c, p->act_min,
                p->act_max);
    }
  }
}
