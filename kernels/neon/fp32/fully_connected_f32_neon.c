/*
 * fully_connected_f32_neon.c - float32 fully connected layer with NEON intrinsics
 * (fully_connected_f32_neon.h).
 *
 * A matrix-vector product over the panel-packed weights, FP panels (FP * 8 outputs, 2 * FP
 * accumulator vectors) at a time. Four inputs x[k .. k + 3] come in one vector and each is
 * multiplied by lane into its 8-wide weight row: per four k and panel, two 64-byte weight
 * loads (AArch64) and eight multiply-adds. Every weight is read once, in
 * order. Each output sums k in order from 0 and adds the bias last.
 */
#include "fully_connected_f32_neon.h"

#include "micro_neon.h"

#define NR MICRO_FC_NR
#define FP 4 /* panels per pass */

/* acc + b * a[l] (l a literal lane), rounded like MICRO_NEON_MADD_F32 */
#if MICRO_NEON_FP32_FUSE && defined(__aarch64__)
#define MLA_LANE(acc, b, a, l) vfmaq_laneq_f32((acc), (b), (a), l)
#elif MICRO_NEON_FP32_FUSE && defined(__ARM_FEATURE_FMA)
#define MLA_LANE(acc, b, a, l) vfmaq_f32((acc), (b), vdupq_n_f32(vgetq_lane_f32((a), l)))
#elif defined(__aarch64__)
#define MLA_LANE(acc, b, a, l) vaddq_f32((acc), vmulq_laneq_f32((b), (a), l))
#else
#define MLA_LANE(acc, b, a, l) \
  vaddq_f32((acc), vmulq_lane_f32((b), (l) < 2 ? vget_low_f32(a) : vget_high_f32(a), (l) & 1))
#endif

#if defined(__GNUC__)
#define UNROLL _Pragma("GCC unroll 16")
#else
#define UNROLL
#endif

/* y[0 .. nc) for the NP (<= FP) panels starting at w; always inlined with a constant NP. */
MICRO_ALWAYS_INLINE void gemv_panels(const float *x, int32_t K, const float *w, const float *bias,
                                     float *y, int32_t nc, float32x4_t lo, float32x4_t hi,
                                     const int NP) {
  const size_t panel = (size_t)K * NR;
  float32x4_t acc[FP][2];
  int32_t q, k;

  UNROLL
  for (q = 0; q < NP; ++q) acc[q][0] = acc[q][1] = vdupq_n_f32(0.0f);

  for (k = 0; k + 4 <= K; k += 4) {
    const float32x4_t xv = vld1q_f32(x + k);
    UNROLL
    for (q = 0; q < NP; ++q) {
      const float *wk = w + q * panel + (size_t)k * NR;
      float32x4x4_t b01, b23;
#if defined(__aarch64__)
      b01 = vld1q_f32_x4(wk);
      b23 = vld1q_f32_x4(wk + 16);
#else
      b01.val[0] = vld1q_f32(wk), b01.val[1] = vld1q_f32(wk + 4);
      b01.val[2] = vld1q_f32(wk + 8), b01.val[3] = vld1q_f32(wk + 12);
      b23.val[0] = vld1q_f32(wk + 16), b23.val[1] = vld1q_f32(wk + 20);
      b23.val[2] = vld1q_f32(wk + 24), b23.val[3] = vld1q_f32(wk + 28);
#endif
      acc[q][0] = MLA_LANE(acc[q][0], b01.val[0], xv, 0);
      acc[q][1] = MLA_LANE(acc[q][1], b01.val[1], xv, 0);
      acc[q][0] = MLA_LANE(acc[q][0], b01.val[2], xv, 1);
      acc[q][1] = MLA_LANE(acc[q][1], b01.val[3], xv, 1);
      acc[q][0] = MLA_LANE(acc[q][0], b23.val[0], xv, 2);
      acc[q][1] = MLA_LANE(acc[q][1], b23.val[1], xv, 2);
      acc[q][0] = MLA_LANE(acc[q][0], b23.val[2], xv, 3);
      acc[q][1] = MLA_LANE(acc[q][1], b23.val[3], xv, 3);
    }
  }
  for (; k < K; ++k) {
    const float32x4_t xv = vld1q_dup_f32(x + k);
    UNROLL
    for (q = 0; q < NP; ++q) {
      const float *wk = w + q * panel + (size_t)k * NR;
      acc[q][0] = MICRO_NEON_MADD_F32(acc[q][0], vld1q_f32(wk), xv);
      acc[q][1] = MICRO_NEON_MADD_F32(acc[q][1], vld1q_f32(wk + 4), xv);
    }
  }

  /* + bias (0 when there is none, as the generic kernel adds), clamp, store */
  if (nc == NP * NR) {
    UNROLL
    for (q = 0; q < NP; ++q) {
      const float32x4_t b0 = bias ? vld1q_f32(bias + q * NR) : vdupq_n_f32(0.0f);
      const float32x4_t b1 = bias ? vld1q_f32(bias + q * NR + 4) : vdupq_n_f32(0.0f);
      vst1q_f32(y + q * NR, micro_neon_clamp_f32(vaddq_f32(acc[q][0], b0), lo, hi));
      vst1q_f32(y + q * NR + 4, micro_neon_clamp_f32(vaddq_f32(acc[q][1], b1), lo, hi));
    }
  } else {
    float tmp[FP * NR];
    int32_t j;
    UNROLL
    for (q = 0; q < NP; ++q) {
      vst1q_f32(tmp + q * NR, acc[q][0]);
      vst1q_f32(tmp + q * NR + 4, acc[q][1]);
    }
    for (j = 0; j < NP * NR && j < nc; ++j)
      y[j] = micro_clamp_f32(tmp[j] + (bias ? bias[j] : 0.0f), vgetq_lane_f32(lo, 0),
                             vgetq_lane_f32(hi, 0));
  }
}

static void gemv_4(const float *x, int32_t K, const float *w, const float *bias, float *y,
                   int32_t nc, float32x4_t lo, float32x4_t hi) {
  gemv_panels(x, K, w, bias, y, nc, lo, hi, 4);
}
static void gemv_2(const float *x, int32_t K, const float *w, const float *bias, float *y,
                   int32_t nc, float32x4_t lo, float32x4_t hi) {
  gemv_panels(x, K, w, bias, y, nc, lo, hi, 2);
}
static void gemv_1(const float *x, int32_t K, const float *w, const float *bias, float *y,
                   int32_t nc, float32x4_t lo, float32x4_t hi) {
  gemv_panels(x, K, w, bias, y, nc, lo, hi, 1);
}

void micro_neon_fully_connected_f32(const float *in, const float *packed_w, const float *bias,
                                    float *out, const MicroFullyConnectedParams *p) {
  const int32_t K = p->in_features, n_out = p->out_features;
  const int32_t n_panels = (n_out + NR - 1) / NR;
  const size_t panel = (size_t)K * NR;
  const float32x4_t lo = vdupq_n_f32(p->act_min), hi = vdupq_n_f32(p->act_max);
  int32_t b, ob;

  for (b = 0; b < p->batch; ++b) {
    const float *x = in + (size_t)b * K;
    float *y = out + (size_t)b * n_out;
    for (ob = 0; ob < n_panels;) {
      const int32_t np = micro_min_i32(FP, n_panels - ob);
      const int32_t o0 = ob * NR;
      const int32_t nc = micro_min_i32(np * NR, n_out - o0);
      const float *wb = packed_w + (size_t)ob * panel;
      const float *bb = bias ? bias + o0 : NULL;
      if (np == 4)
        gemv_4(x, K, wb, bb, y + o0, nc, lo, hi);
      else if (np >= 2)
        gemv_2(x, K, wb, bb, y + o0, micro_min_i32(nc, 2 * NR), lo, hi);
      else
        gemv_1(x, K, wb, bb, y + o0, nc, lo, hi);
      ob += np == 4 ? 4 : np >= 2 ? 2 : 1;
    }
  }
}
