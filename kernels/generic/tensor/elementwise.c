/*
 * elementwise.c - broadcast binary operations (elementwise.h).
 *
 * The output is written in order; an odometer over the output dimensions carries each
 * operand's offset along (its stride is 0 on a dimension it is broadcast along). The
 * operation is chosen once per call: one loop per operation.
 */
#include "elementwise.h"

#include <math.h>

/* Visit every output element: `body` sees `o` (output index), `ia` and `ib`. */
#define MICRO_BROADCAST_LOOP(p, body)                                          \
  do {                                                                         \
    int32_t idx_[MICRO_ELEMENTWISE_MAX_DIMS] = {0};                            \
    int64_t total_ = 1, o, ia = 0, ib = 0;                                     \
    int32_t d_;                                                                \
    for (d_ = 0; d_ < (p)->ndim; ++d_) total_ *= (p)->out_shape[d_];           \
    for (o = 0; o < total_; ++o) {                                             \
      body;                                                                    \
      for (d_ = (p)->ndim - 1; d_ >= 0; --d_) {                                \
        ia += (p)->a_strides[d_];                                              \
        ib += (p)->b_strides[d_];                                              \
        if (++idx_[d_] < (p)->out_shape[d_]) break;                            \
        ia -= (int64_t)(p)->a_strides[d_] * (p)->out_shape[d_];                \
        ib -= (int64_t)(p)->b_strides[d_] * (p)->out_shape[d_];                \
        idx_[d_] = 0;                                                          \
      }                                                                        \
    }                                                                          \
  } while (0)

#define MICRO_CASE(code, expr)                                                 \
  case code:                                                                   \
    MICRO_BROADCAST_LOOP(p, {                                                  \
      const T x = a[ia];                                                       \
      const T y = b[ib];                                                       \
      out[o] = (expr);                                                         \
    });                                                                        \
    break

static float micro_mod_f32(float x, float y) {
  float r = fmodf(x, y);
  return (r != 0.0f && ((r < 0.0f) != (y < 0.0f))) ? r + y : r;
}

void micro_binary_f32(const float *a, const float *b, float *out,
                      const MicroElementwiseParams *p) {
  typedef float T;
  switch (p->fn) {
    MICRO_CASE(MICRO_BINARY_ADD, x + y);
    MICRO_CASE(MICRO_BINARY_SUB, x - y);
    MICRO_CASE(MICRO_BINARY_MUL, x * y);
    MICRO_CASE(MICRO_BINARY_DIV, x / y);
    MICRO_CASE(MICRO_BINARY_MAX, x > y ? x : y);
    MICRO_CASE(MICRO_BINARY_MIN, x < y ? x : y);
    MICRO_CASE(MICRO_BINARY_POW, powf(x, y));
    MICRO_CASE(MICRO_BINARY_PRELU, x < 0.0f ? x * y : x);
    MICRO_CASE(MICRO_BINARY_MOD, micro_mod_f32(x, y));
    MICRO_CASE(MICRO_BINARY_FMOD, fmodf(x, y));
    default:
      break;
  }
}

/* Integer arithmetic on the unsigned type wraps instead of overflowing. */
#define MICRO_INT_BINARY(name, T0, U, MIN)                                               \
  static T0 name##_div(T0 x, T0 y) { return (y == 0 || (x == MIN && y == -1)) ? 0 : x / y; } \
  static T0 name##_fmod(T0 x, T0 y) { return (y == 0 || y == -1) ? 0 : x % y; }          \
  static T0 name##_mod(T0 x, T0 y) {                                                     \
    T0 r = name##_fmod(x, y);                                                            \
    return (r != 0 && ((r < 0) != (y < 0))) ? (T0)(r + y) : r;                           \
  }                                                                                      \
  void name(const T0 *a, const T0 *b, T0 *out, const MicroElementwiseParams *p) {        \
    typedef T0 T;                                                                        \
    switch (p->fn) {                                                                     \
      MICRO_CASE(MICRO_BINARY_ADD, (T)((U)x + (U)y));                                    \
      MICRO_CASE(MICRO_BINARY_SUB, (T)((U)x - (U)y));                                    \
      MICRO_CASE(MICRO_BINARY_MUL, (T)((U)x * (U)y));                                    \
      MICRO_CASE(MICRO_BINARY_DIV, name##_div(x, y));                                    \
      MICRO_CASE(MICRO_BINARY_MAX, x > y ? x : y);                                       \
      MICRO_CASE(MICRO_BINARY_MIN, x < y ? x : y);                                       \
      MICRO_CASE(MICRO_BINARY_MOD, name##_mod(x, y));                                    \
      MICRO_CASE(MICRO_BINARY_FMOD, name##_fmod(x, y));                                  \
      default:                                                                           \
        break;                                                                           \
    }                                                                                    \
  }
MICRO_INT_BINARY(micro_binary_i32, int32_t, uint32_t, INT32_MIN)
MICRO_INT_BINARY(micro_binary_i64, int64_t, uint64_t, INT64_MIN)

void micro_logical_bool(const bool *a, const bool *b, bool *out, const MicroElementwiseParams *p) {
  typedef bool T;
  switch (p->fn) {
    MICRO_CASE(MICRO_LOGICAL_AND, x && y);
    MICRO_CASE(MICRO_LOGICAL_OR, x || y);
    MICRO_CASE(MICRO_LOGICAL_XOR, x != y);
    default:
      break;
  }
}

#define MICRO_COMPARE(name, T0)                                                      \
  void name(const T0 *a, const T0 *b, bool *out, const MicroElementwiseParams *p) { \
    typedef T0 T;                                                                    \
    switch (p->fn) {                                                                 \
      MICRO_CASE(MICRO_COMPARE_EQUAL, x == y);                                       \
      MICRO_CASE(MICRO_COMPARE_LESS, x < y);                                         \
      MICRO_CASE(MICRO_COMPARE_LESS_EQUAL, x <= y);                                  \
      MICRO_CASE(MICRO_COMPARE_GREATER, x > y);                                      \
      MICRO_CASE(MICRO_COMPARE_GREATER_EQUAL, x >= y);                               \
      default:                                                                       \
        break;                                                                       \
    }                                                                                \
  }
MICRO_COMPARE(micro_compare_f32, float)
MICRO_COMPARE(micro_compare_i32, int32_t)
MICRO_COMPARE(micro_compare_i64, int64_t)
MICRO_COMPARE(micro_compare_bool, bool)
