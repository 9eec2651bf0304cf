/*
 * binary_f32_neon.c - float32 element-wise add / sub / mul with broadcasting, NEON
 * intrinsics (binary_f32_neon.h).
 *
 * As in generic/fp32/binary_f32.c, the shape is simplified first (size-1 dims dropped,
 * dims contiguous for the output and both operands merged), then walked row by row with the
 * innermost row specialised for operand strides (1, 1), (0, 1), (1, 0) or anything else.
 * Flat rows go 16 elements at a time (one 64-byte load per operand on AArch64), then 4,
 * then one by one; every block loads its inputs before storing, so out may alias an operand
 * of the output's shape. Without an activation (act_min = -inf, act_max = +inf) the clamp
 * is skipped.
 */
#include "binary_f32_neon.h"

#include <float.h>

#include "micro_neon.h"

#define OP_ADD(x, y) ((x) + (y))
#define OP_SUB(x, y) ((x) - (y))
#define OP_MUL(x, y) ((x) * (y))

#if defined(__aarch64__)
#define LOAD16(v, ptr) v = vld1q_f32_x4(ptr)
#define STORE16(ptr, v) vst1q_f32_x4((ptr), v)
#else
#define LOAD16(v, ptr)                                                          \
  v.val[0] = vld1q_f32(ptr), v.val[1] = vld1q_f32((ptr) + 4),                   \
  v.val[2] = vld1q_f32((ptr) + 8), v.val[3] = vld1q_f32((ptr) + 12)
#define STORE16(ptr, v)                                                         \
  vst1q_f32((ptr), v.val[0]), vst1q_f32((ptr) + 4, v.val[1]),                   \
  vst1q_f32((ptr) + 8, v.val[2]), vst1q_f32((ptr) + 12, v.val[3])
#endif

typedef struct {
  int32_t ndim;
  int32_t shape[MICRO_BINARY_MAX_DIMS];
  int32_t sa[MICRO_BINARY_MAX_DIMS];
  int32_t sb[MICRO_BINARY_MAX_DIMS];
  size_t total;
} Shape;

/* Drop size-1 dims and merge neighbours that are contiguous for out, a and b alike.
 * Returns 0 if the output is empty. */
static int simplify(const MicroBinaryParams *p, Shape *s) {
  int32_t d;
  s->ndim = 0;
  s->total = 1;
  for (d = 0; d < p->ndim; ++d) {
    const int32_t n = p->out_shape[d];
    if (n <= 0) return 0;
    s->total *= (size_t)n;
    if (n == 1) continue;
    if (s->ndim > 0) {
      const int32_t k = s->ndim - 1;
      if (s->sa[k] == p->a_strides[d] * n && s->sb[k] == p->b_strides[d] * n) {
        s->shape[k] *= n;
        s->sa[k] = p->a_strides[d];
        s->sb[k] = p->b_strides[d];
        continue;
      }
    }
    s->shape[s->ndim] = n;
    s->sa[s->ndim] = p->a_strides[d];
    s->sb[s->ndim] = p->b_strides[d];
    ++s->ndim;
  }
  return 1;
}

/*
 * DEFINE_BINARY(name, VOP, OP) defines micro_neon_<name>_f32. row(): one innermost row of n
 * outputs, out[i] = clamp(OP(a[i * sa], b[i * sb])); with CLAMP a constant 0 or 1.
 * A_V / B_V say whether the operand advances (stride 1) or is one value (stride 0).
 */
#define DEFINE_BINARY(name, VOP, OP)                                                           \
  MICRO_ALWAYS_INLINE void name##_flat(const float *a, const float *b, float *out, size_t n,   \
                                       float32x4_t lo, float32x4_t hi, const int A_V,          \
                                       const int B_V, const int CLAMP) {                        \
    const float32x4_t a0 = vld1q_dup_f32(a), b0 = vld1q_dup_f32(b);                            \
    size_t i = 0;                                                                              \
    for (; i + 16 <= n; i += 16) {                                                             \
      float32x4x4_t x, y, r;                                                                   \
      int32_t j;                                                                               \
      if (A_V) {                                                                               \
        LOAD16(x, a + i);                                                                      \
      } else {                                                                                 \
        x.val[0] = x.val[1] = x.val[2] = x.val[3] = a0;                                        \
      }                                                                                        \
      if (B_V) {                                                                               \
        LOAD16(y, b + i);                                                                      \
      } else {                                                                                 \
        y.val[0] = y.val[1] = y.val[2] = y.val[3] = b0;                                        \
      }                                                                                        \
      for (j = 0; j < 4; ++j) {                                                                \
        r.val[j] = VOP(x.val[j], y.val[j]);                                                    \
        if (CLAMP) r.val[j] = micro_neon_clamp_f32(r.val[j], lo, hi);                          \
      }                                                                                        \
      STORE16(out + i, r);                                                                     \
    }                                                                                          \
    for (; i + 4 <= n; i += 4) {                                                               \
      float32x4_t r = VOP(A_V ? vld1q_f32(a + i) : a0, B_V ? vld1q_f32(b + i) : b0);            \
      if (CLAMP) r = micro_neon_clamp_f32(r, lo, hi);                                          \
      vst1q_f32(out + i, r);                                                                   \
    }                                                                                          \
    for (; i < n; ++i)                                                                         \
      out[i] = micro_clamp_f32(OP(a[A_V ? i : 0], b[B_V ? i : 0]), vgetq_lane_f32(lo, 0),      \
                               vgetq_lane_f32(hi, 0));                                         \
  }                                                                                            \
  MICRO_ALWAYS_INLINE void name##_row(const float *a, int32_t sa, const float *b, int32_t sb,  \
                                      float *out, size_t n, float32x4_t lo, float32x4_t hi,    \
                                      const int CLAMP) {                                       \
    if (sa == 1 && sb == 1) {                                                                  \
      name##_flat(a, b, out, n, lo, hi, 1, 1, CLAMP);                                          \
    } else if (sa == 0 && sb == 1) {                                                           \
      name##_flat(a, b, out, n, lo, hi, 0, 1, CLAMP);                                          \
    } else if (sa == 1 && sb == 0) {                                                           \
      name##_flat(a, b, out, n, lo, hi, 1, 0, CLAMP);                                          \
    } else {                                                                                   \
      size_t i;                                                                                \
      for (i = 0; i < n; ++i)                                                                  \
        out[i] = micro_clamp_f32(OP(a[i * (size_t)sa], b[i * (size_t)sb]),                     \
                                 vgetq_lane_f32(lo, 0), vgetq_lane_f32(hi, 0));                \
    }                                                                                          \
  }                                                                                            \
  MICRO_ALWAYS_INLINE void name##_walk(const float *a, const float *b, float *out,             \
                                       const Shape *s, float32x4_t lo, float32x4_t hi,         \
                                       const int CLAMP) {                                      \
    int32_t idx[MICRO_BINARY_MAX_DIMS];                                                        \
    const int32_t inner = s->shape[s->ndim - 1];                                               \
    const int32_t sa = s->sa[s->ndim - 1], sb = s->sb[s->ndim - 1];                            \
    size_t rows, r;                                                                            \
    int32_t d;                                                                                 \
    if (s->ndim == 1) {                                                                        \
      name##_row(a, sa, b, sb, out, (size_t)inner, lo, hi, CLAMP);                             \
      return;                                                                                  \
    }                                                                                          \
    for (d = 0; d < s->ndim; ++d) idx[d] = 0;                                                  \
    rows = s->total / (size_t)inner;                                                           \
    for (r = 0; r < rows; ++r) {                                                               \
      name##_row(a, sa, b, sb, out, (size_t)inner, lo, hi, CLAMP);                             \
      out += inner;                                                                            \
      for (d = s->ndim - 2; d >= 0; --d) {                                                     \
        if (++idx[d] < s->shape[d]) {                                                          \
          a += s->sa[d];                                                                       \
          b += s->sb[d];                                                                       \
          break;                                                                               \
        }                                                                                      \
        idx[d] = 0;                                                                            \
        a -= (size_t)s->sa[d] * (size_t)(s->shape[d] - 1);                                     \
        b -= (size_t)s->sb[d] * (size_t)(s->shape[d] - 1);                                     \
      }                                                                                        \
    }                                                                                          \
  }                                                                                            \
  static void name##_walk_clamp(const float *a, const float *b, float *out, const Shape *s,    \
                                float32x4_t lo, float32x4_t hi) {                              \
    name##_walk(a, b, out, s, lo, hi, 1);                                                      \
  }                                                                                            \
  static void name##_walk_plain(const float *a, const float *b, float *out, const Shape *s,    \
                                float32x4_t lo, float32x4_t hi) {                              \
    name##_walk(a, b, out, s, lo, hi, 0);                                                      \
  }                                                                                            \
  void micro_neon_##name##_f32(const float *a, const float *b, float *out,                    \
                               const MicroBinaryParams *p) {                                   \
    const float32x4_t lo = vdupq_n_f32(p->act_min), hi = vdupq_n_f32(p->act_max);              \
    Shape s;                                                                                   \
    if (!simplify(p, &s)) return;                                                              \
    if (s.ndim == 0) { /* a single element */                                                  \
      out[0] = micro_clamp_f32(OP(a[0], b[0]), p->act_min, p->act_max);                        \
      return;                                                                                  \
    }                                                                                          \
    if (p->act_min < -FLT_MAX && p->act_max > FLT_MAX) /* no activation: clamp is identity */  \
      name##_walk_plain(a, b, out, &s, lo, hi);                                                \
    else                                                                                       \
      name##_walk_clamp(a, b, out, &s, lo, hi);                                                \
  }

DEFINE_BINARY(add, vaddq_f32, OP_ADD)
DEFINE_BINARY(sub, vsubq_f32, OP_SUB)
DEFINE_BINARY(mul, vmulq_f32, OP_MUL)
