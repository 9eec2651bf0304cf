/*
 * elementwise.h - element-wise binary operations with numpy broadcasting, on float32,
 * int32, int64 and boolean tensors: arithmetic (`MICRO_BINARY_*`), comparisons into a
 * boolean tensor (`MICRO_COMPARE_*`) and logical operations (`MICRO_LOGICAL_*`).
 *
 * The compiler collapses the broadcast into at most MICRO_ELEMENTWISE_MAX_DIMS output
 * dimensions and per-operand strides in elements (0 along a broadcast dimension).
 * Integer arithmetic wraps; an integer division or modulo by zero gives 0 (defined
 * behaviour instead of a trap).
 */
#ifndef MICRO_ELEMENTWISE_H_
#define MICRO_ELEMENTWISE_H_

#include <stdbool.h>

#include "micro_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MICRO_ELEMENTWISE_MAX_DIMS 6

/* The order is micro's `nn.binary` list (micro.dialects.nn.BINARY_FUNCTIONS). */
#define MICRO_BINARY_ADD 0
#define MICRO_BINARY_SUB 1
#define MICRO_BINARY_MUL 2
#define MICRO_BINARY_DIV 3 /* integers: truncated toward zero */
#define MICRO_BINARY_MAX 4
#define MICRO_BINARY_MIN 5
#define MICRO_BINARY_POW 6   /* float only */
#define MICRO_BINARY_PRELU 7 /* float only: a < 0 ? a * b : a */
#define MICRO_BINARY_MOD 8   /* the result takes the divisor's sign (Python's %) */
#define MICRO_BINARY_FMOD 9  /* the result takes the dividend's sign (C's fmod) */

#define MICRO_LOGICAL_AND 0
#define MICRO_LOGICAL_OR 1
#define MICRO_LOGICAL_XOR 2

/* The order is micro's `nn.compare` list (micro.dialects.nn.COMPARE_FUNCTIONS). */
#define MICRO_COMPARE_EQUAL 0
#define MICRO_COMPARE_LESS 1
#define MICRO_COMPARE_LESS_EQUAL 2
#define MICRO_COMPARE_GREATER 3
#define MICRO_COMPARE_GREATER_EQUAL 4

typedef struct MicroElementwiseParams {
  int32_t ndim;
  int32_t out_shape[MICRO_ELEMENTWISE_MAX_DIMS];
  int32_t a_strides[MICRO_ELEMENTWISE_MAX_DIMS];
  int32_t b_strides[MICRO_ELEMENTWISE_MAX_DIMS];
  int32_t fn;
} MicroElementwiseParams;

void micro_binary_f32(const float *a, const float *b, float *out,
                      const MicroElementwiseParams *p);
void micro_binary_i32(const int32_t *a, const int32_t *b, int32_t *out,
                      const MicroElementwiseParams *p);
void micro_binary_i64(const int64_t *a, const int64_t *b, int64_t *out,
                      const MicroElementwiseParams *p);
void micro_logical_bool(const bool *a, const bool *b, bool *out, const MicroElementwiseParams *p);

void micro_compare_f32(const float *a, const float *b, bool *out, const MicroElementwiseParams *p);
void micro_compare_i32(const int32_t *a, const int32_t *b, bool *out,
                       const MicroElementwiseParams *p);
void micro_compare_i64(const int64_t *a, const int64_t *b, bool *out,
                       const MicroElementwiseParams *p);
void micro_compare_bool(const bool *a, const bool *b, bool *out, const MicroElementwiseParams *p);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_ELEMENTWISE_H_ */
