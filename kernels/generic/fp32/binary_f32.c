/*
 * binary_f32.c - float32 element-wise add / sub / mul / div / maximum / minimum with
 * broadcasting (binary_f32.h).
 *
 * The shape is first simplified (size-1 dims dropped, dims that are contiguous for the
 * output and both operands merged). Then:
 *   - both operands have the output's layout: one flat loop;
 *   - one operand is a single value: one flat loop against a scalar;
 *   - otherwise: an N-D walk over the outer dims whose innermost dim is a loop
 *     specialised for operand strides (1, 1), (0, 1), (1, 0) or anything else.
 * Flat loops work in blocks of BL elements computed into a local array before being
 * stored, so they vectorize without alias checks and stay correct when out == a or
 * out == b (every block reads its inputs before writing its outputs).
 */
#include "binary_f32.h"

#define BL 16 /* elements per block */

/* Loop pragma (measured with GCC 12 and clang 14):
 * LANES marks the loop over the lanes of a register block. GCC must not unroll it early:
 * at -O3 it would, and then vectorize the enclosing loop across iterations with lots of
 * shuffles; "unroll 4" (less than the trip count) keeps it a loop until the vectorizer has
 * turned it into whole-vector operations, then lets the leftover vector loop be unrolled.
 * clang fully unrolls early regardless and its SLP vectorizer finds the lanes. */
#if defined(__clang__)
#define LANES
#elif defined(__GNUC__)
#define LANES _Pragma("GCC unroll 4")
#else
#define LANES
#endif

#define OP_ADD(x, y) ((x) + (y))
#define OP_SUB(x, y) ((x) - (y))
#define OP_MUL(x, y) ((x) * (y))
#define OP_DIV(x, y) ((x) / (y))
#define OP_MAX(x, y) ((x) > (y) ? (x) : (y))
#define OP_MIN(x, y) ((x) < (y) ? (x) : (y))

/* A broadcast simplified to ndim <= MICRO_BINARY_MAX_DIMS dims (innermost last). */
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
      /* dim k (outer) merges with d (inner) if stepping k equals n steps of d */
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
 * DEFINE_BINARY(name, OP) defines micro_<name>_f32 and its loops. Inner loops:
 *   name##_vv: out[i] = op(a[i], b[i])      name##_sv: out[i] = op(a[0], b[i])
 *   name##_vs: out[i] = op(a[i], b[0])      name##_gg: out[i] = op(a[i*sa], b[i*sb])
 */
#define DEFINE_BINARY(name, OP)                                                               \
  static void name##_vv(const float *a, const float *b, float *out, size_t n, float lo,      \
                        float hi) {                                                           \
    size_t i;                                                                                 \
    int32_t j;                                                                                \
    for (i = 0; i + BL <= n; i += BL) {                                                       \
      float t[BL];                                                                            \
      LANES                                                                                   \
      for (j = 0; j < BL; ++j) t[j] = micro_clamp_f32(OP(a[i + j], b[i + j]), lo, hi);        \
      for (j = 0; j < BL; ++j) out[i + j] = t[j];                                             \
    }                                                                                         \
    for (; i < n; ++i) out[i] = micro_clamp_f32(OP(a[i], b[i]), lo, hi);                      \
  }                                                                                           \
  static void name##_sv(float a0, const float *b, float *out, size_t n, float lo, float hi) { \
    size_t i;                                                                                 \
    int32_t j;                                                                                \
    for (i = 0; i + BL <= n; i += BL) {                                                       \
      float t[BL];                                                                            \
      LANES                                                                                   \
      for (j = 0; j < BL; ++j) t[j] = micro_clamp_f32(OP(a0, b[i + j]), lo, hi);              \
      for (j = 0; j < BL; ++j) out[i + j] = t[j];                                             \
    }                                                                                         \
    for (; i < n; ++i) out[i] = micro_clamp_f32(OP(a0, b[i]), lo, hi);                        \
  }                                                                                           \
  static void name##_vs(const float *a, float b0, float *out, size_t n, float lo, float hi) { \
    size_t i;                                                                                 \
    int32_t j;                                                                                \
    for (i = 0; i + BL <= n; i += BL) {                                                       \
      float t[BL];                                                                            \
      LANES                                                                                   \
      for (j = 0; j < BL; ++j) t[j] = micro_clamp_f32(OP(a[i + j], b0), lo, hi);              \
      for (j = 0; j < BL; ++j) out[i + j] = t[j];                                             \
    }                                                                                         \
    for (; i < n; ++i) out[i] = micro_clamp_f32(OP(a[i], b0), lo, hi);                        \
  }                                                                                           \
  static void name##_gg(const float *a, size_t sa, const float *b, size_t sb, float *out,     \
                        size_t n, float lo, float hi) {                                       \
    size_t i;                                                                                 \
    for (i = 0; i < n; ++i) out[i] = micro_clamp_f32(OP(a[i * sa], b[i * sb]), lo, hi);       \
  }                                                                                           \
  /* one innermost row of n outputs */                                                        \
  static void name##_row(const float *a, int32_t sa, const float *b, int32_t sb, float *out, \
                         size_t n, float lo, float hi) {                                      \
    if (sa == 1 && sb == 1)                                                                   \
      name##_vv(a, b, out, n, lo, hi);                                                        \
    else if (sa == 0 && sb == 1)                                                              \
      name##_sv(a[0], b, out, n, lo, hi);                                                     \
    else if (sa == 1 && sb == 0)                                                              \
      name##_vs(a, b[0], out, n, lo, hi);                                                     \
    else                                                                                      \
      name##_gg(a, (size_t)sa, b, (size_t)sb, out, n, lo, hi);                                \
  }                                                                                           \
  void micro_##name##_f32(const float *a, const float *b, float *out,                         \
                          const MicroBinaryParams *p) {                                       \
    Shape s;                                                                                  \
    int32_t idx[MICRO_BINARY_MAX_DIMS];                                                       \
    int32_t d, inner, sa, sb;                                                                 \
    size_t rows, r;                                                                           \
    if (!simplify(p, &s)) return;                                                             \
    if (s.ndim == 0) { /* a single element */                                                 \
      out[0] = micro_clamp_f32(OP(a[0], b[0]), p->act_min, p->act_max);                       \
      return;                                                                                 \
    }                                                                                         \
    inner = s.shape[s.ndim - 1];                                                              \
    sa = s.sa[s.ndim - 1];                                                                    \
    sb = s.sb[s.ndim - 1];                                                                    \
    if (s.ndim == 1) {                                                                        \
      name##_row(a, sa, b, sb, out, (size_t)inner, p->act_min, p->act_max);                   \
      return;                                                                                 \
    }                                                                                         \
    for (d = 0; d < s.ndim; ++d) idx[d] = 0;                                                  \
    rows = s.total / (size_t)inner;                                                           \
    for (r = 0; r < rows; ++r) {                                                              \
      name##_row(a, sa, b, sb, out, (size_t)inner, p->act_min, p->act_max);                   \
      out += inner;                                                                           \
      /* odometer over the outer dims; a and b move by their strides */                      \
      for (d = s.ndim - 2; d >= 0; --d) {                                                     \
        if (++idx[d] < s.shape[d]) {                                                          \
          a += s.sa[d];                                                                       \
          b += s.sb[d];                                                                       \
          break;                                                                              \
        }                                                                                     \
        idx[d] = 0;                                                                           \
        a -= (size_t)s.sa[d] * (size_t)(s.shape[d] - 1);                                      \
        b -= (size_t)s.sb[d] * (size_t)(s.shape[d] - 1);                                      \
      }                                                                                       \
    }                                                                                         \
  }

DEFINE_BINARY(add, OP_ADD)
DEFINE_BINARY(sub, OP_SUB)
DEFINE_BINARY(mul, OP_MUL)
DEFINE_BINARY(div, OP_DIV)
DEFINE_BINARY(maximum, OP_MAX)
DEFINE_BINARY(minimum, OP_MIN)
