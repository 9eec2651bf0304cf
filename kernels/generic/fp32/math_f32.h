/*
 * math_f32.h - element-wise math functions of float32 tensors (ONNX Abs, Exp, Erf, Gelu,
 * LeakyRelu, HardSigmoid, Clip, ...): one function, the operation chosen by `fn`, the
 * same `count` elements read and written (the output may be the input: in place).
 *
 * `alpha` and `beta` parametrize the functions that need them (see each MICRO_MATH_*).
 */
#ifndef MICRO_MATH_F32_H_
#define MICRO_MATH_F32_H_

#include <stdbool.h>

#include "micro_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The order is micro's `nn.unary` function list (micro.dialects.nn.UNARY_FUNCTIONS). */
#define MICRO_MATH_ABS 0
#define MICRO_MATH_NEG 1
#define MICRO_MATH_SQRT 2
#define MICRO_MATH_EXP 3
#define MICRO_MATH_LOG 4
#define MICRO_MATH_ERF 5
#define MICRO_MATH_FLOOR 6
#define MICRO_MATH_CEIL 7
#define MICRO_MATH_ROUND 8 /* to nearest, ties to even */
#define MICRO_MATH_RECIPROCAL 9
#define MICRO_MATH_SIGN 10
#define MICRO_MATH_SIN 11
#define MICRO_MATH_COS 12
#define MICRO_MATH_SIGMOID 13
#define MICRO_MATH_TANH 14
#define MICRO_MATH_RELU 15
#define MICRO_MATH_SOFTPLUS 16
#define MICRO_MATH_SOFTSIGN 17
#define MICRO_MATH_MISH 18
#define MICRO_MATH_GELU 19      /* x/2 (1 + erf(x / sqrt 2)) */
#define MICRO_MATH_GELU_TANH 20 /* x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) */
#define MICRO_MATH_HARD_SWISH 21
#define MICRO_MATH_LEAKY_RELU 22       /* x < 0 ? alpha x : x */
#define MICRO_MATH_ELU 23              /* x < 0 ? alpha (e^x - 1) : x */
#define MICRO_MATH_CELU 24             /* max(0, x) + min(0, alpha (e^(x/alpha) - 1)) */
#define MICRO_MATH_THRESHOLDED_RELU 25 /* x > alpha ? x : 0 */
#define MICRO_MATH_SELU 26             /* beta (x > 0 ? x : alpha (e^x - 1)) */
#define MICRO_MATH_HARD_SIGMOID 27     /* max(0, min(1, alpha x + beta)) */
#define MICRO_MATH_CLIP 28             /* min(max(x, alpha), beta) */
#define MICRO_MATH_NOT 29              /* booleans only */
#define MICRO_MATH_TAN 30
#define MICRO_MATH_ASIN 31
#define MICRO_MATH_ACOS 32
#define MICRO_MATH_ATAN 33
#define MICRO_MATH_SINH 34
#define MICRO_MATH_COSH 35
#define MICRO_MATH_ASINH 36
#define MICRO_MATH_ACOSH 37
#define MICRO_MATH_ATANH 38

typedef struct MicroMathParams {
  int32_t count;
  int32_t fn;
  float alpha, beta;
} MicroMathParams;

void micro_math_f32(const float *in, float *out, const MicroMathParams *p);
/* ABS, NEG and SIGN of integers (wrapping: the negation of the minimum is itself). */
void micro_math_i32(const int32_t *in, int32_t *out, const MicroMathParams *p);
void micro_math_i64(const int64_t *in, int64_t *out, const MicroMathParams *p);
/* NOT of booleans. */
void micro_math_bool(const bool *in, bool *out, const MicroMathParams *p);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_MATH_F32_H_ */
