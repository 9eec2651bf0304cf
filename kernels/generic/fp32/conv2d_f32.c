/*
 * conv2d_f32.c - float32 NHWC convolution as an implicit GEMM against the packed weight
 * panels (conv2d_f32.h).
 *
 * The micro-kernel computes an MR x (NP * 8) block of outputs (MR pixels, NP packed
 * panels of MICRO_CONV_NR = 8 output channels) with accumulators held in a small local
 * array whose every access uses a constant index, so the compiler keeps it in vector
 * registers and vectorizes the 8-lane updates. The GEMM's A matrix (im2col) is never
 * built: for each kernel tap (ky, kx) every pixel of the block reads in_c contiguous
 * input channels straight from the input, through a small table of per-tap row pointers;
 * a tap in the padding points at a row of zeros (static, or the only scratch when in_c
 * exceeds MICRO_CONV_ZEROS). Partial blocks (fewer
 * than MR pixels or fewer than NP * 8 valid channels) still compute a full block - missing
 * rows re-read the last valid row, missing lanes multiply zero padding - and only store
 * what is valid.
 *
 * Each output is summed from 0 in k = (ky, kx, ic) order and the bias is added last, as
 * in TFLite's reference Conv; without FMA contraction the results are bit-identical.
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
/* clang would vectorize the channel loop across k (the wrong dimension, with gathers). */
#define CHANNELS _Pragma("clang loop vectorize(disable) interleave(disable)")
#define UNROLL _Pragma("unroll")
#define LANES
#elif defined(__GNUC__)
#define CHANNELS
#define UNROLL _Pragma("GCC unroll 16")
#define LANES _Pragma("GCC unroll 4")
#else
#define CHANNELS
#define UNROLL
#define LANES
#endif

/* Does any tap of any output pixel fall outside the input (into the padding)? */
static int conv_reads_padding(const MicroConv2dParams *p) {
  const int32_t last_y = (p->out_h - 1) * p->stride_h - p->pad_top + (p->k_h - 1) * p->dilation_h;
  const int32_t last_x = (p->out_w - 1) * p->stride_w - p->pad_left + (p->k_w - 1) * p->dilation_w;
  return p->pad_top > 0 || p->pad_left > 0 || last_y >= p->in_h || last_x >= p->in_w;
}

/* The zero row padding taps read, for up to MICRO_CONV_ZEROS input channels. */
static const float conv_zeros[MICRO_CONV_ZEROS];

size_t micro_conv2d_f32_scratch_size(const MicroConv2dParams *p) {
  return conv_reads_padding(p) && p->in_c > MICRO_CONV_ZEROS ? (size_t)p->in_c * sizeof(float)
                                                               : 0;
}

/* Taps per block are processed in groups of at most TG, so the row-pointer table stays
 * small (TG * MR pointers on the stack) whatever the kernel size. */
#define TG 16

/* Output pixels per tile: their inputs are reused from L1 by every panel group. */
#define TILE_M 64

/* Where each of the MR pixels of a block (from output pixel m0 on, mr of them valid)
 * starts reading; rows past mr repeat the last valid pixel. */
typedef struct {
  int32_t iy0[MR], ix0[MR];
} BlockOrigin;

static void block_origin(const MicroConv2dParams *p, int32_t m0, int32_t mr, BlockOrigin *o) {
  int32_t oy = m0 / p->out_w, ox = m0 % p->out_w, i;
  for (i = 0; i < MR; ++i) {
    o->iy0[i] = oy * p->stride_h - p->pad_top;
    o->ix0[i] = ox * p->stride_w - p->pad_left;
    if (i + 1 < mr && ++ox == p->out_w) {
      ox = 0;
      ++oy;
    }
  }
}

/* Fill rows[t * MR + i] for taps [t0, t0 + nt) of the block: pixel i's in_c input
 * channels at that tap, or the zero row when the tap lies in the padding. */
static void tap_rows(const MicroConv2dParams *p, const float *in, const float *zeros,
                     const BlockOrigin *o, int32_t t0, int32_t nt, const float **rows) {
  int32_t t, i;
  for (t = 0; t < nt; ++t) {
    const int32_t ky = (t0 + t) / p->k_w, kx = (t0 + t) % p->k_w;
    for (i = 0; i < MR; ++i) {
      const int32_t iy = o->iy0[i] + ky * p->dilation_h;
      const int32_t ix = o->ix0[i] + kx * p->dilation_w;
      rows[t * MR + i] = (iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w)
                             ? in + ((size_t)iy * p->in_w + ix) * p->in_c
                             : zeros;
    }
  }
}

/* 1x1, stride 1, no padding, no dilation: pixel m reads input row m. */
static int conv_is_pointwise(const MicroConv2dParams *p) {
  return p->k_h == 1 && p->k_w == 1 && p->stride_h == 1 && p->stride_w == 1 && p->pad_top == 0 &&
         p->pad_left == 0 && p->dilation_h == 1 && p->dilation_w == 1 && p->out_h == p->in_h &&
         p->out_w == p->in_w;
}

/* acc[i][j] += sum_c r[i][c] * W[j][k0 + c] over one tap's C channels, c in order. An
 * always-inlined helper: acc must stay in registers, which a call through memory would
 * prevent. */
MICRO_ALWAYS_INLINE void accumulate_taps(const float *const *rows, int32_t C, size_t k0,
                                         const float *const *bp, float acc[MR][NB]) {
  const float *r[MR];
  int32_t i, j, q, k;
  for (i = 0; i < MR; ++i) r[i] = rows[i];
  CHANNELS
  for (k = 0; k < C; ++k) {
    const size_t kk = k0 + (size_t)k;
    UNROLL
    for (i = 0; i < MR; ++i) {
      const float av = r[i][k];
      UNROLL
      for (q = 0; q < MICRO_CONV_NP; ++q) {
        const float *restrict bk = bp[q] + kk * NR;
        LANES
        for (j = 0; j < NR; ++j) acc[i][q * NR + j] = MADD(av, bk[j], acc[i][q * NR + j]);
      }
    }
  }
}

/*
 * One block of outputs: out[i, j] = act((sum over taps t, channels c of
 * in(pixel m0 + i, tap t)[c] * W[n0 + j][t * C + c]) + bias[n0 + j]) for i < mr, j < nc,
 * summed from 0 in (t, c) order. `b` is the block's first packed panel (np <= NP valid,
 * `panel` floats apart); panels past np repeat the last valid one (computed, not stored).
 */
static void conv_block(const MicroConv2dParams *p, const float *in, const float *zeros,
                       int32_t m0, int32_t mr, int pointwise, const float *b, size_t panel,
                       int32_t np, const float *bias_blk, float *c, size_t ldc, int32_t nc) {
  const int32_t T = p->k_h * p->k_w, C = p->in_c;
  const float *bp[MICRO_CONV_NP];
  const float *rows[TG * MR];
  float acc[MR][NB];
  BlockOrigin origin;
  int32_t i, j, q, t0, t;

  for (q = 0; q < MICRO_CONV_NP; ++q) bp[q] = b + (size_t)(q < np ? q : np - 1) * panel;
  for (i = 0; i < MR; ++i)
    for (j = 0; j < NB; ++j) acc[i][j] = 0.0f;

  if (pointwise) {
    const float *r[MR];
    for (i = 0; i < MR; ++i) r[i] = in + (size_t)(m0 + (i < mr ? i : mr - 1)) * C;
    accumulate_taps(r, C, 0, bp, acc);
  } else {
    block_origin(p, m0, mr, &origin);
    for (t0 = 0; t0 < T; t0 += TG) {
      const int32_t nt = micro_min_i32(TG, T - t0);
      tap_rows(p, in, zeros, &origin, t0, nt, rows);
      for (t = 0; t < nt; ++t) accumulate_taps(rows + t * MR, C, (size_t)(t0 + t) * C, bp, acc);
    }
  }

  for (i = 0; i < MR; ++i)
    for (j = 0; j < NB; ++j)
      acc[i][j] = micro_clamp_f32(acc[i][j] + bias_blk[j], p->act_min, p->act_max);
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

void micro_conv2d_f32(const float *in, const float *packed_w, const float *bias, float *out,
                      float *scratch, const MicroConv2dParams *p) {
  const int32_t M = p->out_h * p->out_w;
  const size_t panel = (size_t)p->k_h * p->k_w * p->in_c * NR;
  const int32_t n_panels = (p->out_c + NR - 1) / NR;
  const size_t in_img = (size_t)p->in_h * p->in_w * p->in_c;
  const size_t out_img = (size_t)M * p->out_c;
  const int pointwise = conv_is_pointwise(p);
  float bias_blk[NB];
  int32_t b, m_tile, m0, ob, j;

  const float *zeros = conv_zeros;
  if (p->in_c > MICRO_CONV_ZEROS && conv_reads_padding(p)) {
    memset(scratch, 0, (size_t)p->in_c * sizeof(float));
    zeros = scratch;
  }
  for (b = 0; b < p->batch; ++b) {
    const float *in_b = in + (size_t)b * in_img;
    float *out_b = out + (size_t)b * out_img;
    /* A tile of pixels stays in L1 while every panel group passes over it. */
    for (m_tile = 0; m_tile < M; m_tile += TILE_M) {
      const int32_t m_end = micro_min_i32(M, m_tile + TILE_M);
      for (ob = 0; ob < n_panels; ob += MICRO_CONV_NP) {
        const int32_t n0 = ob * NR;
        const int32_t np = micro_min_i32(MICRO_CONV_NP, n_panels - ob);
        const int32_t nc = micro_min_i32(np * NR, p->out_c - n0);
        for (j = 0; j < NB; ++j) bias_blk[j] = (bias && j < nc) ? bias[n0 + j] : 0.0f;
        for (m0 = m_tile; m0 < m_end; m0 += MR)
          conv_block(p, in_b, zeros, m0, micro_min_i32(MR, m_end - m0), pointwise,
                     packed_w + (size_t)ob * panel, panel, np, bias_blk,
                     out_b + (size_t)m0 * p->out_c + n0, (size_t)p->out_c, nc);
      }
    }
  }
}
