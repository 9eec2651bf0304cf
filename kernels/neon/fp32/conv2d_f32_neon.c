/*
 * conv2d_f32_neon.c - float32 NHWC convolution with NEON intrinsics (conv2d_f32_neon.h):
 * an implicit GEMM over the packed weight panels, as generic/fp32/conv2d_f32.c.
 *
 * A block is MR output pixels x NP panels of 8 output channels, its accumulators in
 * MR * 2 * NP q registers. The block's reduction over k = (ky, kx, ic) is cut into
 * segments, runs of k along which every pixel of the block reads contiguous input: the
 * whole of k for a 1x1 convolution, one kernel row (k_w * in_c floats) when the block's
 * pixels share an output row and all their kx taps are inside the image (dilation_w == 1),
 * else one tap (in_c floats, or a row of zeros for a tap in the padding). The micro-kernel
 * walks the segments of a block with the accumulators in registers, four k at a time: four
 * input channels of each pixel come in one vector and are multiplied lane by lane into the
 * weight rows (FMLA by element), so an input value costs a quarter of a load. It then adds
 * the bias, clamps and stores.
 *
 * AArch64 (32 vector registers): 4 pixels x 2 panels while two or more panels are left,
 * else 8 pixels x 1 panel. 32-bit ARM (16 q registers): 4 pixels x 1 panel.
 *
 * Each output sums k in order from 0 and adds the bias last, with the multiply-add fused
 * exactly when the generic kernel fuses it (__ARM_FEATURE_FMA, which GCC couples with
 * __FP_FAST_FMAF), so the results are those of the generic kernel, bit for bit.
 */
#include "conv2d_f32_neon.h"

#include <string.h>

#include "micro_neon.h"

#define NR MICRO_CONV_NR
#define TILE_M 64 /* output pixels per tile: their inputs stay in L1 across panel groups */
#define MAX_SEG 32 /* segments per micro-kernel call (more: accumulators go through memory) */

/* acc + b * a[l], l a literal lane index. */
#if defined(__aarch64__)
#if defined(__ARM_FEATURE_FMA)
#define MLA_LANE(acc, b, a, l) vfmaq_laneq_f32((acc), (b), (a), l)
#else
#define MLA_LANE(acc, b, a, l) vaddq_f32((acc), vmulq_laneq_f32((b), (a), l))
#endif
#else
#if defined(__ARM_FEATURE_FMA)
#define MLA_LANE(acc, b, a, l) vfmaq_f32((acc), (b), vdupq_n_f32(vgetq_lane_f32((a), l)))
#else
#define MLA_LANE(acc, b, a, l) \
  vmlaq_lane_f32((acc), (b), (l) < 2 ? vget_low_f32(a) : vget_high_f32(a), (l) & 1)
#endif
#endif
/* acc + b * s for a vector s holding one value in every lane */
#if defined(__ARM_FEATURE_FMA)
#define MLA_DUP(acc, b, s) vfmaq_f32((acc), (b), (s))
#elif defined(__aarch64__)
#define MLA_DUP(acc, b, s) vaddq_f32((acc), vmulq_f32((b), (s)))
#else
#define MLA_DUP(acc, b, s) vmlaq_f32((acc), (b), (s))
#endif

#if defined(__GNUC__)
#define UNROLL _Pragma("GCC unroll 16")
#define NOINLINE __attribute__((noinline))
#else
#define UNROLL
#define NOINLINE
#endif

#define MAX_MR 8
#define MAX_NP 2

static int conv_reads_padding(const MicroConv2dParams *p) {
  const int32_t last_y = (p->out_h - 1) * p->stride_h - p->pad_top + (p->k_h - 1) * p->dilation_h;
  const int32_t last_x = (p->out_w - 1) * p->stride_w - p->pad_left + (p->k_w - 1) * p->dilation_w;
  return p->pad_top > 0 || p->pad_left > 0 || last_y >= p->in_h || last_x >= p->in_w;
}

static int conv_is_pointwise(const MicroConv2dParams *p) {
  return p->k_h == 1 && p->k_w == 1 && p->stride_h == 1 && p->stride_w == 1 && p->pad_top == 0 &&
         p->pad_left == 0 && p->dilation_h == 1 && p->dilation_w == 1 && p->out_h == p->in_h &&
         p->out_w == p->in_w;
}

static const float conv_zeros[MICRO_CONV_ZEROS];

size_t micro_neon_conv2d_f32_scratch_size(const MicroConv2dParams *p) {
  return conv_reads_padding(p) && p->in_c > MICRO_CONV_ZEROS ? (size_t)p->in_c * sizeof(float)
                                                               : 0;
}

/* What a micro-kernel call does besides accumulating. */
enum { FIRST = 1, /* start from 0 (else from acc_mem) */ LAST = 2 /* epilogue (else to acc_mem) */ };

typedef struct {
  const float *bias;  /* NP * 8 floats */
  float *out;         /* the block's first output */
  size_t ldc;         /* floats between the block's output pixels */
  float lo, hi;       /* activation clamp */
} Epilogue;

/*
 * The micro-kernel. For nseg segments s of L k each (rows[s * MR + i]: pixel i's L input
 * values of segment s; the weights of consecutive segments are consecutive in k, from w on
 * in panel 0 and `panel` floats further for panel 1):
 *   acc[i][8q + j] += sum over s, c < L of rows[s * MR + i][c] * W_q[j][k(s, c)]
 * in k order, then with LAST: out[i][8q + j] = clamp(acc + bias[8q + j]).
 * Always inlined with constant MR and NP into one small function per block shape, so the
 * accumulators stay in registers.
 */
MICRO_ALWAYS_INLINE void kernel(const float *const *rows, int32_t nseg, int32_t L, const float *w,
                                size_t panel, float *acc_mem, int flags, const Epilogue *e,
                                const int MR, const int NP) {
  float32x4_t acc[MAX_MR][2 * MAX_NP];
  int32_t i, q, s, c;

  UNROLL
  for (i = 0; i < MR; ++i) {
    UNROLL
    for (q = 0; q < 2 * NP; ++q)
      acc[i][q] = (flags & FIRST) ? vdupq_n_f32(0.0f) : vld1q_f32(acc_mem + (i * 2 * NP + q) * 4);
  }
  for (s = 0; s < nseg; ++s, w += (size_t)L * NR) {
    const float *r[MAX_MR];
    UNROLL
    for (i = 0; i < MR; ++i) r[i] = rows[s * MR + i];
    for (c = 0; c + 4 <= L; c += 4) {
      float32x4_t a[MAX_MR];
      UNROLL
      for (i = 0; i < MR; ++i) a[i] = vld1q_f32(r[i] + c);
      UNROLL
      for (q = 0; q < NP; ++q) {
        const float *wq = w + (size_t)q * panel + (size_t)c * NR;
        float32x4x4_t b01, b23;
#if defined(__aarch64__)
        b01 = vld1q_f32_x4(wq);
        b23 = vld1q_f32_x4(wq + 16);
#else
        b01.val[0] = vld1q_f32(wq);
        b01.val[1] = vld1q_f32(wq + 4);
        b01.val[2] = vld1q_f32(wq + 8);
        b01.val[3] = vld1q_f32(wq + 12);
        b23.val[0] = vld1q_f32(wq + 16);
        b23.val[1] = vld1q_f32(wq + 20);
        b23.val[2] = vld1q_f32(wq + 24);
        b23.val[3] = vld1q_f32(wq + 28);
#endif
        UNROLL
        for (i = 0; i < MR; ++i) {
          acc[i][2 * q] = MLA_LANE(acc[i][2 * q], b01.val[0], a[i], 0);
          acc[i][2 * q + 1] = MLA_LANE(acc[i][2 * q + 1], b01.val[1], a[i], 0);
        }
        UNROLL
        for (i = 0; i < MR; ++i) {
          acc[i][2 * q] = MLA_LANE(acc[i][2 * q], b01.val[2], a[i], 1);
          acc[i][2 * q + 1] = MLA_LANE(acc[i][2 * q + 1], b01.val[3], a[i], 1);
        }
        UNROLL
        for (i = 0; i < MR; ++i) {
          acc[i][2 * q] = MLA_LANE(acc[i][2 * q], b23.val[0], a[i], 2);
          acc[i][2 * q + 1] = MLA_LANE(acc[i][2 * q + 1], b23.val[1], a[i], 2);
        }
        UNROLL
        for (i = 0; i < MR; ++i) {
          acc[i][2 * q] = MLA_LANE(acc[i][2 * q], b23.val[2], a[i], 3);
          acc[i][2 * q + 1] = MLA_LANE(acc[i][2 * q + 1], b23.val[3], a[i], 3);
        }
      }
    }
    for (; c < L; ++c) {
      UNROLL
      for (q = 0; q < NP; ++q) {
        const float *wq = w + (size_t)q * panel + (size_t)c * NR;
        const float32x4_t b0 = vld1q_f32(wq), b1 = vld1q_f32(wq + 4);
        UNROLL
        for (i = 0; i < MR; ++i) {
          const float32x4_t av = vld1q_dup_f32(r[i] + c);
          acc[i][2 * q] = MLA_DUP(acc[i][2 * q], b0, av);
          acc[i][2 * q + 1] = MLA_DUP(acc[i][2 * q + 1], b1, av);
        }
      }
    }
  }
  if (flags & LAST) {
    const float32x4_t lo = vdupq_n_f32(e->lo), hi = vdupq_n_f32(e->hi);
    UNROLL
    for (q = 0; q < 2 * NP; ++q) {
      const float32x4_t bq = vld1q_f32(e->bias + 4 * q);
      UNROLL
      for (i = 0; i < MR; ++i)
        vst1q_f32(e->out + (size_t)i * e->ldc + 4 * q,
                  micro_neon_clamp_f32(vaddq_f32(acc[i][q], bq), lo, hi));
    }
  } else {
    UNROLL
    for (i = 0; i < MR; ++i) {
      UNROLL
      for (q = 0; q < 2 * NP; ++q) vst1q_f32(acc_mem + (i * 2 * NP + q) * 4, acc[i][q]);
    }
  }
}

/* A block shape's micro-kernel. */
typedef void (*KernelFn)(const float *const *rows, int32_t nseg, int32_t L, const float *w,
                         size_t panel, float *acc_mem, int flags, const Epilogue *e);

/* What the blocks of one panel group share. */
typedef struct {
  const MicroConv2dParams *p;
  const float *in, *zeros; /* the batch's input image; the zero row for padding taps */
  const float *w;          /* the group's first panel */
  size_t panel;            /* floats from one panel to the next */
  const float *bias;       /* the group's NP * 8 biases (0 past out_c) */
  float *out;              /* output pixel 0, first channel of the group */
  int32_t nc;              /* valid channels in the group */
  int pointwise;
} Group;

/*
 * The blocks of pixels [m_tile, m_end) for one panel group: out[m, j] = act(sum over k of
 * x(m, k) * W[j][k] + bias[j]). Always inlined with constant MR and NP. A block's pixels
 * past the tile's end repeat its last valid pixel (computed, not stored).
 */
MICRO_ALWAYS_INLINE void conv_tile(const Group *g, KernelFn kern, int32_t m_tile, int32_t m_end,
                                   const int MR, const int NP) {
  const MicroConv2dParams *p = g->p;
  const int32_t C = p->in_c, KH = p->k_h, KW = p->k_w, T = KH * KW;
  const size_t ldc = (size_t)p->out_c, row_floats = (size_t)p->in_w * C;
  /* one segment per kernel row: the pixels' kx taps are one run of k_w * in_c floats */
  const int rows_ok = p->dilation_w == 1 && KH <= MAX_SEG && KW * C <= MICRO_CONV_ZEROS;
  const float *rows[MAX_SEG * MAX_MR];
  float tmp[MAX_MR * MAX_NP * NR];
  float acc_mem[MAX_MR * MAX_NP * NR];
  int32_t oy = m_tile / p->out_w, ox = m_tile % p->out_w, m0, i;
  Epilogue e;

  e.bias = g->bias;
  e.lo = p->act_min;
  e.hi = p->act_max;
  for (m0 = m_tile; m0 < m_end; m0 += MR) {
    const int32_t mr = micro_min_i32(MR, m_end - m0);
    const int full = mr == MR && g->nc == NP * NR;
    float *c = g->out + (size_t)m0 * ldc;
    e.out = full ? c : tmp;
    e.ldc = full ? ldc : (size_t)NP * NR;
    if (g->pointwise) {
      UNROLL
      for (i = 0; i < MR; ++i) rows[i] = g->in + (size_t)(m0 + (i < mr ? i : mr - 1)) * C;
      kern(rows, 1, C, g->w, g->panel, acc_mem, FIRST | LAST, &e);
    } else if (rows_ok && ox + mr <= p->out_w && ox * p->stride_w - p->pad_left >= 0 &&
               (ox + mr - 1) * p->stride_w - p->pad_left + KW - 1 < p->in_w) {
      /* The block's pixels share an output row and all their kx taps are inside the image:
       * per kernel row, pixel i reads k_w * in_c contiguous floats (or the zero row when
       * the kernel row lies in the padding). */
      const int32_t iy0 = oy * p->stride_h - p->pad_top;
      const float *x0 = g->in + (size_t)(ox * p->stride_w - p->pad_left) * C;
      const size_t sx = (size_t)p->stride_w * C;
      int32_t ky;
      for (ky = 0; ky < KH; ++ky) {
        const int32_t iy = iy0 + ky * p->dilation_h;
        if (iy >= 0 && iy < p->in_h) {
          const float *x = x0 + (size_t)iy * row_floats;
          UNROLL
          for (i = 0; i < MR; ++i) rows[ky * MR + i] = x + (i < mr ? i : mr - 1) * sx;
        } else {
          UNROLL
          for (i = 0; i < MR; ++i) rows[ky * MR + i] = g->zeros;
        }
      }
      kern(rows, KH, KW * C, g->w, g->panel, acc_mem, FIRST | LAST, &e);
    } else {
      /* One segment per tap (the zero row for taps in the padding), at most MAX_SEG taps
       * per micro-kernel call. */
      int32_t iy0[MAX_MR], ix0[MAX_MR], t0, t, ky = 0, kx = 0;
      int32_t py = oy, px = ox;
      UNROLL
      for (i = 0; i < MR; ++i) {
        iy0[i] = py * p->stride_h - p->pad_top;
        ix0[i] = px * p->stride_w - p->pad_left;
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
            const int32_t iy = iy0[i] + dy, ix = ix0[i] + dx;
            rows[t * MR + i] = (iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w)
                                   ? g->in + (size_t)iy * row_floats + (size_t)ix * C
                                   : g->zeros;
          }
          if (++kx == KW) {
            kx = 0;
            ++ky;
          }
        }
        kern(rows, nt, C, g->w + (size_t)t0 * C * NR, g->panel, acc_mem,
             (t0 == 0 ? FIRST : 0) | (t0 + nt == T ? LAST : 0), &e);
      }
    }
    if (!full) {
      int32_t j;
      for (i = 0; i < mr; ++i)
        for (j = 0; j < g->nc; ++j) c[(size_t)i * ldc + j] = tmp[i * NP * NR + j];
    }
    /* the next block's first pixel */
    ox += MR;
    while (ox >= p->out_w && m0 + MR < m_end) {
      ox -= p->out_w;
      ++oy;
    }
  }
}

#define DEFINE_SHAPE(name, MR, NP)                                                             \
  static NOINLINE void name##_kernel(const float *const *rows, int32_t nseg, int32_t L, const float *w, \
                            size_t panel, float *acc_mem, int flags, const Epilogue *e) {      \
    kernel(rows, nseg, L, w, panel, acc_mem, flags, e, MR, NP);                               \
  }                                                                                            \
  static void name##_tile(const Group *g, int32_t m_tile, int32_t m_end) {                     \
    conv_tile(g, name##_kernel, m_tile, m_end, MR, NP);                                        \
  }

#if defined(__aarch64__)
DEFINE_SHAPE(shape_4x2, 4, 2)
DEFINE_SHAPE(shape_8x1, 8, 1)
#define WIDE_TILE shape_4x2_tile
#define ONE_TILE shape_8x1_tile
#else
DEFINE_SHAPE(shape_4x1, 4, 1)
#define ONE_TILE shape_4x1_tile
#endif

void micro_neon_conv2d_f32(const float *in, const float *packed_w, const float *bias, float *out,
                           float *scratch, const MicroConv2dParams *p) {
  const int32_t M = p->out_h * p->out_w;
  const size_t panel = (size_t)p->k_h * p->k_w * p->in_c * NR;
  const int32_t n_panels = (p->out_c + NR - 1) / NR;
  const size_t in_img = (size_t)p->in_h * p->in_w * p->in_c;
  const size_t out_img = (size_t)M * p->out_c;
  float bias_blk[MAX_NP * NR];
  int32_t b, m_tile, ob, j;
  Group g;

  g.p = p;
  g.zeros = conv_zeros;
  g.panel = panel;
  g.bias = bias_blk;
  g.pointwise = conv_is_pointwise(p);
  if (p->in_c > MICRO_CONV_ZEROS && conv_reads_padding(p)) {
    memset(scratch, 0, (size_t)p->in_c * sizeof(float));
    g.zeros = scratch;
  }
  for (b = 0; b < p->batch; ++b) {
    g.in = in + (size_t)b * in_img;
    for (m_tile = 0; m_tile < M; m_tile += TILE_M) {
      const int32_t m_end = micro_min_i32(M, m_tile + TILE_M);
      for (ob = 0; ob < n_panels;) {
        const int32_t n0 = ob * NR;
        int32_t np = 1;
#if defined(__aarch64__)
        if (n_panels - ob >= 2) np = 2;
#endif
        g.nc = micro_min_i32(np * NR, p->out_c - n0);
        g.w = packed_w + (size_t)ob * panel;
        g.out = out + (size_t)b * out_img + n0;
        for (j = 0; j < np * NR; ++j) bias_blk[j] = (bias && j < g.nc) ? bias[n0 + j] : 0.0f;
#if defined(__aarch64__)
        if (np == 2)
          WIDE_TILE(&g, m_tile, m_end);
        else
#endif
          ONE_TILE(&g, m_tile, m_end);
        ob += np;
      }
    }
  }
}
