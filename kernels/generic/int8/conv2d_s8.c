/*
 * conv2d_s8.c - int8 NHWC convolution as an implicit GEMM against the packed weight panels
 * (conv2d_s8.h), with TFLite's per-channel requantization epilogue.
 *
 * The micro-kernel computes an MR x (NP * 8) block of int32 accumulators (MR pixels, NP
 * panels of MICRO_CONV_S8_NR = 16 output channels) held in a small local array indexed by
 * constants only, so the compiler keeps it in vector registers and vectorizes the 16-lane
 * updates (int8 x int8 products fit in 16 bits, which lets it multiply 16-bit lanes). The
 * im2col matrix is never built: for each kernel tap every pixel of the block reads its
 * in_c input channels straight from the input through a small table of per-tap row
 * pointers; a tap in the padding points at a row filled with the input zero point. Partial
 * blocks compute a full block (missing rows re-read the last valid row, missing lanes
 * multiply zero weights) and store only what is valid.
 */
#include "conv2d_s8.h"

#include <string.h>

/* Block shape: MR output pixels x NP panels of 16 channels (any MR >= 1, NP >= 1 is correct;
 * both can be overridden with -D). 4 x 16 measured best with GCC 12 and clang 14 on x86-64,
 * from SSE2 to AVX-512: the 16 int8 weights of a panel row fill one 16-byte load. */
#if !defined(MICRO_CONV_S8_MR) || !defined(MICRO_CONV_S8_NP)
#undef MICRO_CONV_S8_MR
#undef MICRO_CONV_S8_NP
#if defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M'
#define MICRO_CONV_S8_MR 2
#else
#define MICRO_CONV_S8_MR 4
#endif
#define MICRO_CONV_S8_NP 1
#endif

#define MR MICRO_CONV_S8_MR
#define NR MICRO_CONV_S8_NR
#define NB (MICRO_CONV_S8_NP * MICRO_CONV_S8_NR)

/* See conv2d_f32.c for why these loop pragmas are there. */
#if defined(__clang__)
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

static int conv_s8_reads_padding(const MicroConv2dS8Params *p) {
  const int32_t last_y = (p->out_h - 1) * p->stride_h - p->pad_top + (p->k_h - 1) * p->dilation_h;
  const int32_t last_x = (p->out_w - 1) * p->stride_w - p->pad_left + (p->k_w - 1) * p->dilation_w;
  return p->pad_top > 0 || p->pad_left > 0 || last_y >= p->in_h || last_x >= p->in_w;
}

size_t micro_conv2d_s8_scratch_size(const MicroConv2dS8Params *p) {
  return conv_s8_reads_padding(p) && p->in_c > MICRO_CONV_S8_ZP_ROW ? (size_t)p->in_c : 0;
}

#define TG 16      /* taps per row-pointer group */
#define TILE_M 64  /* output pixels per tile */

typedef struct {
  int32_t iy0[MR], ix0[MR];
} BlockOriginS8;

static void block_origin_s8(const MicroConv2dS8Params *p, int32_t m0, int32_t mr,
                            BlockOriginS8 *o) {
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

static void tap_rows_s8(const MicroConv2dS8Params *p, const int8_t *in, const int8_t *zp_row,
                        const BlockOriginS8 *o, int32_t t0, int32_t nt, const int8_t **rows) {
  int32_t t, i;
  for (t = 0; t < nt; ++t) {
    const int32_t ky = (t0 + t) / p->k_w, kx = (t0 + t) % p->k_w;
    for (i = 0; i < MR; ++i) {
      const int32_t iy = o->iy0[i] + ky * p->dilation_h;
      const int32_t ix = o->ix0[i] + kx * p->dilation_w;
      rows[t * MR + i] = (iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w)
                             ? in + ((size_t)iy * p->in_w + ix) * p->in_c
                             : zp_row;
    }
  }
}

static int conv_s8_is_pointwise(const MicroConv2dS8Params *p) {
  return p->k_h == 1 && p->k_w == 1 && p->stride_h == 1 && p->stride_w == 1 && p->pad_top == 0 &&
         p->pad_left == 0 && p->out_h == p->in_h && p->out_w == p->in_w;
}

/* acc[i][j] += sum_c r[i][c] * W[j][k0 + c] over one tap's C channels. */
MICRO_ALWAYS_INLINE void accumulate_taps_s8(const int8_t *const *rows, int32_t C, size_t k0,
                                            const int8_t *const *bp, int32_t acc[MR][NB]) {
  const int8_t *r[MR];
  int32_t i, j, q, k;
  for (i = 0; i < MR; ++i) r[i] = rows[i];
  CHANNELS
  for (k = 0; k < C; ++k) {
    const size_t kk = k0 + (size_t)k;
    UNROLL
    for (i = 0; i < MR; ++i) {
      const int16_t av = r[i][k];
      UNROLL
      for (q = 0; q < MICRO_CONV_S8_NP; ++q) {
        const int8_t *restrict bk = bp[q] + kk * NR;
        LANES
        for (j = 0; j < NR; ++j) acc[i][q * NR + j] += (int16_t)(av * (int16_t)bk[j]);
      }
    }
  }
}

static void conv_block_s8(const MicroConv2dS8Params *p, const int8_t *in, const int8_t *zp_row,
                          int32_t m0, int32_t mr, int pointwise, const int8_t *b, size_t panel,
                          int32_t np, const int32_t *bias_blk, const int32_t *mult_blk,
                          const int32_t *shift_blk, int8_t *c, size_t ldc, int32_t nc) {
  const int32_t T = p->k_h * p->k_w, C = p->in_c;
  const int8_t *bp[MICRO_CONV_S8_NP];
  const int8_t *rows[TG * MR];
  int32_t acc[MR][NB];
  int8_t res[MR][NB];
  BlockOriginS8 origin;
  int32_t i, j, q, t0, t;

  for (q = 0; q < MICRO_CONV_S8_NP; ++q) bp[q] = b + (size_t)(q < np ? q : np - 1) * panel;
  for (i = 0; i < MR; ++i)
    for (j = 0; j < NB; ++j) acc[i][j] = 0;

  if (pointwise) {
    const int8_t *r[MR];
    for (i = 0; i < MR; ++i) r[i] = in + (size_t)(m0 + (i < mr ? i : mr - 1)) * C;
    accumulate_taps_s8(r, C, 0, bp, acc);
  } else {
    block_origin_s8(p, m0, mr, &origin);
    for (t0 = 0; t0 < T; t0 += TG) {
      const int32_t nt = micro_min_i32(TG, T - t0);
      tap_rows_s8(p, in, zp_row, &origin, t0, nt, rows);
      for (t = 0; t < nt; ++t)
        accumulate_taps_s8(rows + t * MR, C, (size_t)(t0 + t) * C, bp, acc);
    }
  }

  for (i = 0; i < MR; ++i)
    for (j = 0; j < NB; ++j)
      res[i][j] = micro_output_s8(micro_wrap_add_i32(acc[i][j], bias_blk[j]), mult_blk[j],
                                  shift_blk[j], p->output_zero_point, p->act_min, p->act_max);
  for (i = 0; i < mr; ++i) memcpy(c + (size_t)i * ldc, res[i], (size_t)nc);
}

void micro_conv2d_s8(const int8_t *in, const int8_t *packed_w, const int32_t *folded_bias,
                     const int32_t *out_mult, const int32_t *out_shift, int8_t *out,
                     int8_t *scratch, const MicroConv2dS8Params *p) {
  const int32_t M = p->out_h * p->out_w;
  const size_t panel = (size_t)p->k_h * p->k_w * p->in_c * NR;
  const int32_t n_panels = (p->out_c + NR - 1) / NR;
  const size_t in_img = (size_t)p->in_h * p->in_w * p->in_c;
  const size_t out_img = (size_t)M * p->out_c;
  const int pointwise = conv_s8_is_pointwise(p);
  int8_t zp_stack[MICRO_CONV_S8_ZP_ROW];
  int32_t bias_blk[NB], mult_blk[NB], shift_blk[NB];
  const int8_t *zp_row = zp_stack;
  int32_t b, m_tile, m0, ob, j;

  if (conv_s8_reads_padding(p)) {
    if (p->in_c > MICRO_CONV_S8_ZP_ROW) {
      memset(scratch, (int8_t)p->input_zero_point, (size_t)p->in_c);
      zp_row = scratch;
    } else {
      memset(zp_stack, (int8_t)p->input_zero_point, sizeof(zp_stack));
    }
  }
  for (b = 0; b < p->batch; ++b) {
    const int8_t *in_b = in + (size_t)b * in_img;
    int8_t *out_b = out + (size_t)b * out_img;
    for (m_tile = 0; m_tile < M; m_tile += TILE_M) {
      const int32_t m_end = micro_min_i32(M, m_tile + TILE_M);
      for (ob = 0; ob < n_panels; ob += MICRO_CONV_S8_NP) {
        const int32_t n0 = ob * NR;
        const int32_t np = micro_min_i32(MICRO_CONV_S8_NP, n_panels - ob);
        const int32_t nc = micro_min_i32(np * NR, p->out_c - n0);
        for (j = 0; j < NB; ++j) {
          bias_blk[j] = j < nc ? folded_bias[n0 + j] : 0;
          mult_blk[j] = j < nc ? out_mult[n0 + j] : 0;
          shift_blk[j] = j < nc ? out_shift[n0 + j] : 0;
        }
        for (m0 = m_tile; m0 < m_end; m0 += MR)
          conv_block_s8(p, in_b, zp_row, m0, micro_min_i32(MR, m_end - m0), pointwise,
                        packed_w + (size_t)ob * panel, panel, np, bias_blk, mult_blk, shift_blk,
                        out_b + (size_t)m0 * p->out_c + n0, (size_t)p->out_c, nc);
      }
    }
  }
}
