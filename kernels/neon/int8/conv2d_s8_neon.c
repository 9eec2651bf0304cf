/*
 * conv2d_s8_neon.c - int8 NHWC convolution with NEON intrinsics (conv2d_s8_neon.h): an
 * implicit GEMM over the packed weight panels with TFLite's per-channel requantization, as
 * generic/int8/conv2d_s8.c.
 *
 * A block is MR output pixels x one panel of 16 output channels: MR * 4 int32x4
 * accumulators, which start from the folded bias. The block's reduction over
 * k = (ky, kx, ic) is cut into segments along which every pixel reads contiguous input: the
 * whole of k for a 1x1 convolution, one kernel row (k_w * in_c bytes) when the block's
 * pixels share an output row and all their kx taps are inside the image (dilation_w == 1),
 * else one tap (in_c bytes, or the row of input zero points for a tap in the padding). The
 * micro-kernel walks a block's segments with the accumulators in registers, then
 * requantizes (micro_neon_mbqm_s32), adds the output zero point, clamps and stores.
 *
 * When a kernel row holds fewer than GATHER_ROW inputs (k_w * in_c, e.g. the 10x4 first
 * layer of a keyword-spotting network on one input channel) those segments would be a few
 * bytes each, too short for the 8-wide steps, so instead each block's pixels have their
 * whole k gathered into one row each on the stack (the input zero point for taps in the
 * padding), once for all panels: one segment of k_h * k_w * in_c per pixel.
 *
 * Inner products:
 *  - SDOT (MICRO_NEON_DOTPROD, AArch64 or 32-bit ARM): 16 k per step. Each pixel's 16 inputs are one vector;
 *    each group of four k rows of the panel (one 64-byte load, [k][16 channels]) is
 *    transposed with eight ZIPs into four [4 channels][4 k] vectors, and SDOT by lane adds
 *    four products per channel. Groups of 4 k then single k finish a segment.
 *  - otherwise (no dot product): 8 k per step. Each pixel's 8 inputs are widened
 *    to int16 once; each k row of the panel is widened to two int16x8 and multiplied by lane
 *    into the int32 accumulators (SMLAL / VMLAL by scalar), four instructions per pixel and
 *    k. int8 x int8 products fit in int16 and are accumulated in int32 exactly.
 * int32 sums wrap identically in any order, so the result equals the generic kernel's.
 *
 * Block height MR: 4 pixels on AArch64 (16 of the 32 vector registers hold accumulators),
 * 2 on 32-bit ARM (16 q registers).
 */
#include "conv2d_s8_neon.h"

#include <string.h>

#include "micro_neon.h"

#define NR MICRO_CONV_S8_NR
#define TILE_M 64  /* output pixels per tile: their inputs stay in L1 across panels */
#define MAX_SEG 32 /* segments per micro-kernel call (more: accumulators go through memory) */
#define GATHER_ROW 8 /* k_w * in_c below which a block's inputs are gathered (see below) */
#define GATHER_K 256 /* ... when a pixel's k_h * k_w * in_c inputs fit this many bytes */

#ifndef NONDOT_BARRIER
#define NONDOT_BARRIER()
#endif
#ifndef MR_
#if defined(__aarch64__)
#define MR_ 4
#else
#define MR_ 2
#endif
#endif
/* An empty asm statement only the compiler sees: no memory access moves across it. Placed
 * between the unrolled steps of an inner loop, it keeps GCC's pre-allocation scheduler from
 * hoisting every step's weight loads to the top of the loop, which needs more registers
 * than there are and turns into spills (measured: 9% fewer instructions with SDOT). */
#if defined(__GNUC__)
#define STEP_BARRIER() __asm__ volatile("" ::: "memory")
#else
#define STEP_BARRIER() ((void)0)
#endif

#if defined(__GNUC__)
#define UNROLL _Pragma("GCC unroll 16")
#define NOINLINE __attribute__((noinline))
#else
#define UNROLL
#define NOINLINE
#endif

static int conv_s8_reads_padding(const MicroConv2dS8Params *p) {
  const int32_t last_y = (p->out_h - 1) * p->stride_h - p->pad_top + (p->k_h - 1) * p->dilation_h;
  const int32_t last_x = (p->out_w - 1) * p->stride_w - p->pad_left + (p->k_w - 1) * p->dilation_w;
  return p->pad_top > 0 || p->pad_left > 0 || last_y >= p->in_h || last_x >= p->in_w;
}

size_t micro_neon_conv2d_s8_scratch_size(const MicroConv2dS8Params *p) {
  return conv_s8_reads_padding(p) && p->in_c > MICRO_CONV_S8_ZP_ROW ? (size_t)p->in_c : 0;
}

static int conv_s8_is_pointwise(const MicroConv2dS8Params *p) {
  return p->k_h == 1 && p->k_w == 1 && p->stride_h == 1 && p->stride_w == 1 && p->pad_top == 0 &&
         p->pad_left == 0 && p->out_h == p->in_h && p->out_w == p->in_w;
}

/* What a micro-kernel call does besides accumulating. */
enum { FIRST = 1, /* start from the bias (else acc_mem) */ LAST = 2 /* requantize (else acc_mem) */ };

/* The panel's per-channel data (16 lanes; 0 past out_c) and where a block's outputs go. */
typedef struct {
  int32_t bias[NR], mult[NR], shift[NR];
  int32_t zp, lo, hi; /* output zero point, activation clamp */
  int8_t *out;        /* the block's first output */
  size_t ldc;         /* bytes between the block's output pixels */
} Epilogue;

/* acc[i][0..3] += W[k][0..15] * x_i for one k row of the panel and MR scalar inputs x_i */
#define ONE_K(wrow, xs)                                                                \
  do {                                                                                 \
    const int8x16_t wr_ = vld1q_s8(wrow);                                              \
    const int16x8_t wl_ = vmovl_s8(vget_low_s8(wr_)), wh_ = vmovl_s8(vget_high_s8(wr_)); \
    UNROLL                                                                             \
    for (i = 0; i < MR; ++i) {                                                         \
      const int16_t x_ = (xs)[i];                                                      \
      acc[i][0] = vmlal_n_s16(acc[i][0], vget_low_s16(wl_), x_);                       \
      acc[i][1] = vmlal_n_s16(acc[i][1], vget_high_s16(wl_), x_);                      \
      acc[i][2] = vmlal_n_s16(acc[i][2], vget_low_s16(wh_), x_);                       \
      acc[i][3] = vmlal_n_s16(acc[i][3], vget_high_s16(wh_), x_);                      \
    }                                                                                  \
  } while (0)

#if MICRO_NEON_DOTPROD
/* The four k rows at w ([4 k][16 channels]) as SDOT operands: t[q] holds channels
 * 4q .. 4q + 3, each as its 4 k bytes. */
MICRO_ALWAYS_INLINE void transpose4(const int8_t *w, int8x16_t *t) {
#if defined(__aarch64__)
  const int8x16x4_t r = vld1q_s8_x4(w);
#else
  int8x16x4_t r;
  r.val[0] = vld1q_s8(w), r.val[1] = vld1q_s8(w + 16);
  r.val[2] = vld1q_s8(w + 32), r.val[3] = vld1q_s8(w + 48);
#endif
  {
    const int8x16x2_t ab = vzipq_s8(r.val[0], r.val[1]); /* ch 0-7 | 8-15: k0 k1 */
    const int8x16x2_t cd = vzipq_s8(r.val[2], r.val[3]); /* ch 0-7 | 8-15: k2 k3 */
    const int16x8x2_t lo = vzipq_s16(vreinterpretq_s16_s8(ab.val[0]),
                                     vreinterpretq_s16_s8(cd.val[0]));
    const int16x8x2_t hi = vzipq_s16(vreinterpretq_s16_s8(ab.val[1]),
                                     vreinterpretq_s16_s8(cd.val[1]));
    t[0] = vreinterpretq_s8_s16(lo.val[0]);
    t[1] = vreinterpretq_s8_s16(lo.val[1]);
    t[2] = vreinterpretq_s8_s16(hi.val[0]);
    t[3] = vreinterpretq_s8_s16(hi.val[1]);
  }
}
#endif

/*
 * The micro-kernel. For nseg segments s of L k each (rows[s * MR + i]: pixel i's L inputs
 * of segment s; the weight rows of consecutive segments are consecutive in the panel, from
 * w on): acc[i][j] += sum over s, c of rows[s * MR + i][c] * W[k(s, c)][j], then with LAST
 * the requantized, clamped int8 results go to e->out. Always inlined with a constant MR
 * into one function, so the accumulators stay in registers.
 */
MICRO_ALWAYS_INLINE void kernel(const int8_t *const *rows, int32_t nseg, int32_t L,
                                const int8_t *w, int32_t *acc_mem, int flags, const Epilogue *e,
                                const int MR) {
  int32x4_t acc[MR_][4];
  int32_t i, q, s, c;

  if (flags & FIRST) {
    int32x4_t bq[4];
    UNROLL
    for (q = 0; q < 4; ++q) bq[q] = vld1q_s32(e->bias + 4 * q);
    UNROLL
    for (i = 0; i < MR; ++i) {
      UNROLL
      for (q = 0; q < 4; ++q) acc[i][q] = bq[q];
    }
  } else {
    UNROLL
    for (i = 0; i < MR; ++i) {
      UNROLL
      for (q = 0; q < 4; ++q) acc[i][q] = vld1q_s32(acc_mem + (i * 4 + q) * 4);
    }
  }

  for (s = 0; s < nseg; ++s, w += (size_t)L * NR) {
    const int8_t *r[MR_];
    UNROLL
    for (i = 0; i < MR; ++i) r[i] = rows[s * MR + i];
    c = 0;
#if MICRO_NEON_DOTPROD
    for (; c + 16 <= L; c += 16) {
      const int8_t *wk = w + (size_t)c * NR;
      int8x16_t a[MR_], t[4];
      UNROLL
      for (i = 0; i < MR; ++i) a[i] = vld1q_s8(r[i] + c);
#define GROUP(g)                                                    \
  transpose4(wk + 64 * (g), t);                                     \
  UNROLL                                                            \
  for (i = 0; i < MR; ++i) {                                        \
    acc[i][0] = MICRO_NEON_SDOT_LANE(acc[i][0], t[0], a[i], g);     \
    acc[i][1] = MICRO_NEON_SDOT_LANE(acc[i][1], t[1], a[i], g);     \
    acc[i][2] = MICRO_NEON_SDOT_LANE(acc[i][2], t[2], a[i], g);     \
    acc[i][3] = MICRO_NEON_SDOT_LANE(acc[i][3], t[3], a[i], g);     \
  }                                                                 \
  STEP_BARRIER();
      GROUP(0)
      GROUP(1)
      GROUP(2)
      GROUP(3)
#undef GROUP
    }
    for (; c + 4 <= L; c += 4) {
      int8x16_t t[4];
      transpose4(w + (size_t)c * NR, t);
      UNROLL
      for (i = 0; i < MR; ++i) {
        int32_t x4;
        int8x16_t a;
        memcpy(&x4, r[i] + c, 4);
        a = vreinterpretq_s8_s32(vdupq_n_s32(x4));
        acc[i][0] = vdotq_s32(acc[i][0], t[0], a);
        acc[i][1] = vdotq_s32(acc[i][1], t[1], a);
        acc[i][2] = vdotq_s32(acc[i][2], t[2], a);
        acc[i][3] = vdotq_s32(acc[i][3], t[3], a);
      }
    }
#else
    for (; c + 8 <= L; c += 8) {
      const int8_t *wk = w + (size_t)c * NR;
      int16x8_t a[MR_];
      UNROLL
      for (i = 0; i < MR; ++i) a[i] = vmovl_s8(vld1_s8(r[i] + c));
#if defined(__aarch64__)
#define STEP(l)                                                                     \
  {                                                                                 \
    const int8x16_t wr = vld1q_s8(wk + 16 * (l));                                   \
    const int16x8_t wl = vmovl_s8(vget_low_s8(wr)), wh = vmovl_high_s8(wr);         \
    UNROLL                                                                          \
    for (i = 0; i < MR; ++i) {                                                      \
      acc[i][0] = vmlal_laneq_s16(acc[i][0], vget_low_s16(wl), a[i], l);            \
      acc[i][1] = vmlal_high_laneq_s16(acc[i][1], wl, a[i], l);                     \
      acc[i][2] = vmlal_laneq_s16(acc[i][2], vget_low_s16(wh), a[i], l);            \
      acc[i][3] = vmlal_high_laneq_s16(acc[i][3], wh, a[i], l);                     \
    }                                                                               \
    NONDOT_BARRIER();                                                               \
  }
#else
#define STEP(l)                                                                     \
  {                                                                                 \
    const int8x16_t wr = vld1q_s8(wk + 16 * (l));                                   \
    const int16x8_t wl = vmovl_s8(vget_low_s8(wr)), wh = vmovl_s8(vget_high_s8(wr)); \
    UNROLL                                                                          \
    for (i = 0; i < MR; ++i) {                                                      \
      const int16x4_t ah = (l) < 4 ? vget_low_s16(a[i]) : vget_high_s16(a[i]);      \
      acc[i][0] = vmlal_lane_s16(acc[i][0], vget_low_s16(wl), ah, (l) & 3);         \
      acc[i][1] = vmlal_lane_s16(acc[i][1], vget_high_s16(wl), ah, (l) & 3);        \
      acc[i][2] = vmlal_lane_s16(acc[i][2], vget_low_s16(wh), ah, (l) & 3);         \
      acc[i][3] = vmlal_lane_s16(acc[i][3], vget_high_s16(wh), ah, (l) & 3);        \
    }                                                                               \
  }
#endif
      STEP(0)
      STEP(1)
      STEP(2)
      STEP(3)
      STEP(4)
      STEP(5)
      STEP(6)
      STEP(7)
#undef STEP
    }
#endif
    for (; c < L; ++c) {
      int16_t xs[MR_];
      UNROLL
      for (i = 0; i < MR; ++i) xs[i] = r[i][c];
      ONE_K(w + (size_t)c * NR, xs);
    }
  }

  if (flags & LAST) {
    const int32x4_t zp = vdupq_n_s32(e->zp);
    const int16x8_t lo = vdupq_n_s16((int16_t)e->lo), hi = vdupq_n_s16((int16_t)e->hi);
    MicroNeonRequant rq[4];
    UNROLL
    for (q = 0; q < 4; ++q) rq[q] = micro_neon_requant_load(e->mult + 4 * q, e->shift + 4 * q);
    UNROLL
    for (i = 0; i < MR; ++i) {
      int32x4_t v[4];
      UNROLL
      for (q = 0; q < 4; ++q)
        v[q] = vaddq_s32(micro_neon_mbqm_s32(acc[i][q], rq[q].mult, rq[q].left, rq[q].neg_right),
                         zp);
      vst1q_s8(e->out + (size_t)i * e->ldc, micro_neon_narrow_s8(v[0], v[1], v[2], v[3], lo, hi));
    }
  } else {
    UNROLL
    for (i = 0; i < MR; ++i) {
      UNROLL
      for (q = 0; q < 4; ++q) vst1q_s32(acc_mem + (i * 4 + q) * 4, acc[i][q]);
    }
  }
}

static NOINLINE void block_kernel(const int8_t *const *rows, int32_t nseg, int32_t L,
                                  const int8_t *w, int32_t *acc_mem, int flags,
                                  const Epilogue *e) {
  kernel(rows, nseg, L, w, acc_mem, flags, e, MR_);
}

/* What the blocks of one panel share. */
typedef struct {
  const MicroConv2dS8Params *p;
  const int8_t *in, *zp_row; /* the batch's input image; the zero-point row for padding */
  size_t zp_len;             /* bytes in zp_row */
  const int8_t *w;           /* the panel */
  int8_t *out_base;          /* output pixel 0, the panel's first channel */
  int32_t nc;                /* valid channels in the panel */
  int pointwise;
} Group;

/* The blocks of pixels [m_tile, m_end) for one panel. */
static void conv_tile(const Group *g, Epilogue *e, int32_t m_tile, int32_t m_end) {
  const int MR = MR_;
  const MicroConv2dS8Params *p = g->p;
  const int32_t C = p->in_c, KH = p->k_h, KW = p->k_w, T = KH * KW;
  const size_t ldc = (size_t)p->out_c, row_bytes = (size_t)p->in_w * C;
  const int rows_ok = p->dilation_w == 1 && KH <= MAX_SEG;
  const int8_t *rows[MAX_SEG * MR_];
  int8_t tmp[MR_ * NR];
  int32_t acc_mem[MR_ * NR];
  int32_t oy = m_tile / p->out_w, ox = m_tile % p->out_w, m0, i;

  for (m0 = m_tile; m0 < m_end; m0 += MR) {
    const int32_t mr = micro_min_i32(MR, m_end - m0);
    const int full = mr == MR && g->nc == NR;
    int8_t *c = g->out_base + (size_t)m0 * ldc;
    e->out = full ? c : tmp;
    e->ldc = full ? ldc : (size_t)NR;
    if (g->pointwise) {
      UNROLL
      for (i = 0; i < MR; ++i) rows[i] = g->in + (size_t)(m0 + (i < mr ? i : mr - 1)) * C;
      block_kernel(rows, 1, C, g->w, acc_mem, FIRST | LAST, e);
    } else {
      const int32_t iy0 = oy * p->stride_h - p->pad_top;
      int interior = rows_ok && ox + mr <= p->out_w && ox * p->stride_w - p->pad_left >= 0 &&
                     (ox + mr - 1) * p->stride_w - p->pad_left + KW - 1 < p->in_w;
      /* a kernel row in the padding reads the zero-point row as one k_w * in_c segment */
      if (interior && (size_t)KW * C > g->zp_len &&
          (iy0 < 0 || iy0 + (KH - 1) * p->dilation_h >= p->in_h))
        interior = 0;
      if (interior) {
        /* The block's pixels share an output row and all their kx taps are inside the
         * image: per kernel row, pixel i reads k_w * in_c contiguous bytes. */
        const int8_t *x0 = g->in + (size_t)(ox * p->stride_w - p->pad_left) * C;
        const size_t sx = (size_t)p->stride_w * C;
        int32_t ky;
        for (ky = 0; ky < KH; ++ky) {
          const int32_t iy = iy0 + ky * p->dilation_h;
          if (iy >= 0 && iy < p->in_h) {
            const int8_t *x = x0 + (size_t)iy * row_bytes;
            UNROLL
            for (i = 0; i < MR; ++i) rows[ky * MR + i] = x + (i < mr ? i : mr - 1) * sx;
          } else {
            UNROLL
            for (i = 0; i < MR; ++i) rows[ky * MR + i] = g->zp_row;
          }
        }
        block_kernel(rows, KH, KW * C, g->w, acc_mem, FIRST | LAST, e);
      } else {
        /* One segment per tap (the zero-point row for taps in the padding), at most
         * MAX_SEG taps per micro-kernel call. */
        int32_t iy[MR_], ix[MR_], t0, t, ky = 0, kx = 0;
        int32_t py = oy, px = ox;
        UNROLL
        for (i = 0; i < MR; ++i) {
          iy[i] = py * p->stride_h - p->pad_top;
          ix[i] = px * p->stride_w - p->pad_left;
          if (i + 1 < mr && ++px == p->out_w) {
            px = 0;
            ++py;
          }
        }
        for (t0 = 0; t0 < T; t0 += MAX_SEG) {
          const int32_t nt = micro_min_i32(MAX_SEG, T - t0);
          for (t = 0; t < nt; ++t) {
            const int32_t dy = ky * p->dilation_h, dx = kx * p->dilation_w;
            UNROLL
            for (i = 0; i < MR; ++i) {
              const int32_t y = iy[i] + dy, x = ix[i] + dx;
              rows[t * MR + i] = (y >= 0 && y < p->in_h && x >= 0 && x < p->in_w)
                                     ? g->in + (size_t)y * row_bytes + (size_t)x * C
                                     : g->zp_row;
            }
            if (++kx == KW) {
              kx = 0;
              ++ky;
            }
          }
          block_kernel(rows, nt, C, g->w + (size_t)t0 * C * NR, acc_mem,
                       (t0 == 0 ? FIRST : 0) | (t0 + nt == T ? LAST : 0), e);
        }
      }
    }
    if (!full)
      for (i = 0; i < mr; ++i) memcpy(c + (size_t)i * ldc, tmp + i * NR, (size_t)g->nc);
    /* the next block's first pixel */
    ox += MR;
    while (ox >= p->out_w && m0 + MR < m_end) {
      ox -= p->out_w;
      ++oy;
    }
  }
}

/* Pixel (oy, ox)'s k_h * k_w * in_c inputs of image `in`, in k order, at dst (the input
 * zero point for the taps in the padding). */
static void gather_pixel(const int8_t *in, const MicroConv2dS8Params *p, int32_t oy, int32_t ox,
                         int8_t *dst) {
  const int32_t C = p->in_c, iy0 = oy * p->stride_h - p->pad_top;
  const int32_t ix0 = ox * p->stride_w - p->pad_left;
  const size_t row_bytes = (size_t)p->k_w * C;
  int32_t ky, kx, kx_lo = 0, kx_hi = p->k_w;
  /* the kernel columns inside the image: [kx_lo, kx_hi) */
  while (kx_lo < kx_hi && ix0 + kx_lo * p->dilation_w < 0) ++kx_lo;
  while (kx_hi > kx_lo && ix0 + (kx_hi - 1) * p->dilation_w >= p->in_w) --kx_hi;
  for (ky = 0; ky < p->k_h; ++ky, dst += row_bytes) {
    const int32_t iy = iy0 + ky * p->dilation_h;
    const int8_t *row;
    if (iy < 0 || iy >= p->in_h) {
      memset(dst, (int8_t)p->input_zero_point, row_bytes);
      continue;
    }
    row = in + (size_t)iy * p->in_w * C;
    memset(dst, (int8_t)p->input_zero_point, (size_t)kx_lo * C);
    if (p->dilation_w == 1)
      memcpy(dst + (size_t)kx_lo * C, row + (size_t)(ix0 + kx_lo) * C,
             (size_t)(kx_hi - kx_lo) * C);
    else
      for (kx = kx_lo; kx < kx_hi; ++kx)
        memcpy(dst + (size_t)kx * C, row + (size_t)(ix0 + kx * p->dilation_w) * C, (size_t)C);
    memset(dst + (size_t)kx_hi * C, (int8_t)p->input_zero_point, (size_t)(p->k_w - kx_hi) * C);
  }
}

/* The whole convolution when the block inputs are gathered (g->gather): per block of MR
 * pixels, gather once, then run every panel. */
static void conv_gathered(const Group *g, const int8_t *packed_w, const int32_t *folded_bias,
                          const int32_t *out_mult, const int32_t *out_shift, int8_t *out_b,
                          Epilogue *e) {
  const int MR = MR_;
  const MicroConv2dS8Params *p = g->p;
  const int32_t M = p->out_h * p->out_w, K = p->k_h * p->k_w * p->in_c;
  const int32_t n_panels = (p->out_c + NR - 1) / NR;
  const size_t ldc = (size_t)p->out_c;
  int8_t gathered[MR_ * GATHER_K];
  const int8_t *rows[MR_];
  int8_t tmp[MR_ * NR];
  int32_t acc_mem[MR_ * NR];
  int32_t m0, i, ob, j, oy = 0, ox = 0;
  for (m0 = 0; m0 < M; m0 += MR) {
    const int32_t mr = micro_min_i32(MR, M - m0);
    for (i = 0; i < MR; ++i) {
      if (i < mr) {
        gather_pixel(g->in, p, oy, ox, gathered + (size_t)i * K);
        if (++ox == p->out_w) {
          ox = 0;
          ++oy;
        }
      }
      rows[i] = gathered + (size_t)(i < mr ? i : mr - 1) * K;
    }
    for (ob = 0; ob < n_panels; ++ob) {
      const int32_t n0 = ob * NR, nc = micro_min_i32(NR, p->out_c - n0);
      const int full = mr == MR && nc == NR;
      int8_t *c = out_b + (size_t)m0 * ldc + n0;
      if (nc == NR) {
        memcpy(e->bias, folded_bias + n0, sizeof e->bias);
        memcpy(e->mult, out_mult + n0, sizeof e->mult);
        memcpy(e->shift, out_shift + n0, sizeof e->shift);
      } else {
        for (j = 0; j < NR; ++j) {
          e->bias[j] = j < nc ? folded_bias[n0 + j] : 0;
          e->mult[j] = j < nc ? out_mult[n0 + j] : 0;
          e->shift[j] = j < nc ? out_shift[n0 + j] : 0;
        }
      }
      e->out = full ? c : tmp;
      e->ldc = full ? ldc : (size_t)NR;
      block_kernel(rows, 1, K, packed_w + (size_t)ob * K * NR, acc_mem, FIRST | LAST, e);
      if (!full)
        for (i = 0; i < mr; ++i) memcpy(c + (size_t)i * ldc, tmp + i * NR, (size_t)nc);
    }
  }
}

void micro_neon_conv2d_s8(const int8_t *in, const int8_t *packed_w, const int32_t *folded_bias,
                          const int32_t *out_mult, const int32_t *out_shift, int8_t *out,
                          int8_t *scratch, const MicroConv2dS8Params *p) {
  const int32_t M = p->out_h * p->out_w;
  const size_t panel = (size_t)p->k_h * p->k_w * p->in_c * NR;
  const int32_t n_panels = (p->out_c + NR - 1) / NR;
  const size_t in_img = (size_t)p->in_h * p->in_w * p->in_c;
  const size_t out_img = (size_t)M * p->out_c;
  int8_t zp_stack[MICRO_CONV_S8_ZP_ROW];
  int32_t b, m_tile, ob, j;
  Group g;
  Epilogue e;

  g.p = p;
  g.zp_row = zp_stack;
  g.zp_len = sizeof(zp_stack);
  g.pointwise = conv_s8_is_pointwise(p);
  if (conv_s8_reads_padding(p)) {
    if (p->in_c > MICRO_CONV_S8_ZP_ROW) {
      memset(scratch, (int8_t)p->input_zero_point, (size_t)p->in_c);
      g.zp_row = scratch;
      g.zp_len = (size_t)p->in_c;
    } else {
      memset(zp_stack, (int8_t)p->input_zero_point, sizeof(zp_stack));
    }
  }
  e.zp = p->output_zero_point;
  e.lo = p->act_min;
  e.hi = p->act_max;
  for (b = 0; b < p->batch; ++b) {
    g.in = in + (size_t)b * in_img;
    if (p->k_w * p->in_c < GATHER_ROW && p->k_h * p->k_w * p->in_c <= GATHER_K) {
      conv_gathered(&g, packed_w, folded_bias, out_mult, out_shift, out + (size_t)b * out_img,
                    &e);
      continue;
    }
    for (m_tile = 0; m_tile < M; m_tile += TILE_M) {
      const int32_t m_end = micro_min_i32(M, m_tile + TILE_M);
      for (ob = 0; ob < n_panels; ++ob) {
        const int32_t n0 = ob * NR;
        g.nc = micro_min_i32(NR, p->out_c - n0);
        g.w = packed_w + (size_t)ob * panel;
        g.out_base = out + (size_t)b * out_img + n0;
        for (j = 0; j < NR; ++j) {
          e.bias[j] = j < g.nc ? folded_bias[n0 + j] : 0;
          e.mult[j] = j < g.nc ? out_mult[n0 + j] : 0;
          e.shift[j] = j < g.nc ? out_shift[n0 + j] : 0;
        }
        conv_tile(&g, &e, m_tile, m_end);
      }
    }
  }
}
