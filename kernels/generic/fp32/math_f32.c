/*
 * math_f32.c - element-wise math functions (math_f32.h). One loop per function (the
 * switch is outside the loop), each element through the C library's float function.
 */
#include "math_f32.h"

#include <math.h>

#define MICRO_MAP(expr)                       \
  for (i = 0; i < n; ++i) {                   \
    const float x = in[i];                    \
    out[i] = (expr);                          \
  }                                           \
  break

static float micro_softplus(float x) { return x > 20.0f ? x : log1pf(expf(x)); }

void micro_math_f32(const float *in, float *out, const MicroMathParams *p) {
  const int32_t n = p->count;
  const float a = p->alpha, b = p->beta;
  int32_t i;
  switch (p->fn) {
    case MICRO_MATH_ABS: MICRO_MAP(fabsf(x));
    case MICRO_MATH_NEG: MICRO_MAP(-x);
    case MICRO_MATH_SQRT: MICRO_MAP(sqrtf(x));
    case MICRO_MATH_EXP: MICRO_MAP(expf(x));
    case MICRO_MATH_LOG: MICRO_MAP(logf(x));
    case MICRO_MATH_ERF: MICRO_MAP(erff(x));
    case MICRO_MATH_FLOOR: MICRO_MAP(floorf(x));
    case MICRO_MATH_CEIL: MICRO_MAP(ceilf(x));
    case MICRO_MATH_ROUND: MICRO_MAP(nearbyintf(x));
    case MICRO_MATH_RECIPROCAL: MICRO_MAP(1.0f / x);
    case MICRO_MATH_SIGN: MICRO_MAP(x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : x));
    case MICRO_MATH_SIN: MICRO_MAP(sinf(x));
    case MICRO_MATH_COS: MICRO_MAP(cosf(x));
    case MICRO_MATH_SIGMOID: MICRO_MAP(1.0f / (1.0f + expf(-x)));
    case MICRO_MATH_TANH: MICRO_MAP(tanhf(x));
    case MICRO_MATH_RELU: MICRO_MAP(x > 0.0f ? x : 0.0f);
    case MICRO_MATH_SOFTPLUS: MICRO_MAP(micro_softplus(x));
    case MICRO_MATH_SOFTSIGN: MICRO_MAP(x / (1.0f + fabsf(x)));
    case MICRO_MATH_MISH: MICRO_MAP(x * tanhf(micro_softplus(x)));
    case MICRO_MATH_GELU: MICRO_MAP(0.5f * x * (1.0f + erff(x * 0.70710678118654752f)));
    case MICRO_MATH_GELU_TANH:
      MICRO_MAP(0.5f * x * (1.0f + tanhf(0.79788456080286536f * (x + 0.044715f * x * x * x))));
    case MICRO_MATH_HARD_SWISH:
      MICRO_MAP(x * micro_clamp_f32(x * (1.0f / 6.0f) + 0.5f, 0.0f, 1.0f));
    case MICRO_MATH_LEAKY_RELU: MICRO_MAP(x < 0.0f ? a * x : x);
    case MICRO_MATH_ELU: MICRO_MAP(x < 0.0f ? a * (expf(x) - 1.0f) : x);
    case MICRO_MATH_CELU:
      MICRO_MAP((x > 0.0f ? x : 0.0f) + fminf(0.0f, a * (expf(x / a) - 1.0f)));
    case MICRO_MATH_THRESHOLDED_RELU: MICRO_MAP(x > a ? x : 0.0f);
    case MICRO_MATH_SELU: MICRO_MAP(x > 0.0f ? b * x : b * (a * expf(x) - a));
    case MICRO_MATH_HARD_SIGMOID: MICRO_MAP(micro_clamp_f32(a * x + b, 0.0f, 1.0f));
    case MICRO_MATH_CLIP: MICRO_MAP(micro_clamp_f32(x, a, b));
    case MICRO_MATH_TAN: MICRO_MAP(tanf(x));
    case MICRO_MATH_ASIN: MICRO_MAP(asinf(x));
    case MICRO_MATH_ACOS: MICRO_MAP(acosf(x));
    case MICRO_MATH_ATAN: MICRO_MAP(atanf(x));
    case MICRO_MATH_SINH: MICRO_MAP(sinhf(x));
    case MICRO_MATH_COSH: MICRO_MAP(coshf(x));
    case MICRO_MATH_ASINH: MICRO_MAP(asinhf(x));
    case MICRO_MATH_ACOSH: MICRO_MAP(acoshf(x));
    case MICRO_MATH_ATANH: MICRO_MAP(atanhf(x));
    default:
      for (i = 0; i < n; ++i) out[i] = in[i];
      break;
  }
}

/* Integer negation and absolute value wrap (computed on unsigned values: no overflow). */
#define MICRO_INT_MATH(name, T, U)                                                      \
  void name(const T *in, T *out, const MicroMathParams *p) {                            \
    int32_t i;                                                                          \
    for (i = 0; i < p->count; ++i) {                                                    \
      const T x = in[i];                                                                \
      const T neg = (T)(0u - (U)x);                                                     \
      switch (p->fn) {                                                                  \
        case MICRO_MATH_ABS: out[i] = x < 0 ? neg : x; break;                           \
        case MICRO_MATH_NEG: out[i] = neg; break;                                       \
        case MICRO_MATH_SIGN: out[i] = (T)(x > 0 ? 1 : (x < 0 ? -1 : 0)); break;        \
        default: out[i] = x; break;                                                     \
      }                                                                                 \
    }                                                                                   \
  }
MICRO_INT_MATH(micro_math_i32, int32_t, uint32_t)
MICRO_INT_MATH(micro_math_i64, int64_t, uint64_t)

void micro_math_bool(const bool *in, bool *out, const MicroMathParams *p) {
  int32_t i;
  for (i = 0; i < p->count; ++i) out[i] = !in[i];
}
