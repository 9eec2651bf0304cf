/*
 * reduce_f32.h - float32 reductions over axes (ONNX ReduceSum/Mean/Max/Min/Prod/L1/L2/
 * LogSum/LogSumExp/SumSquare), and the axis kernels: arg-max/min, softmax and
 * log-softmax over one axis, top-k.
 *
 * An axis kernel sees the tensor as [outer, axis, inner] (the compiler multiplies the
 * dimensions before and after the axis); `micro_reduce_f32` takes up to
 * MICRO_REDUCE_MAX_DIMS dimensions with a 0/1 flag per dimension.
 */
#ifndef MICRO_REDUCE_F32_H_
#define MICRO_REDUCE_F32_H_

#include "micro_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MICRO_REDUCE_MAX_DIMS 6

/* The order is micro's `nn.reduce` list (micro.dialects.nn.REDUCE_FUNCTIONS). */
#define MICRO_REDUCE_SUM 0
#define MICRO_REDUCE_MEAN 1
#define MICRO_REDUCE_MAX 2
#define MICRO_REDUCE_MIN 3
#define MICRO_REDUCE_PROD 4
#define MICRO_REDUCE_SUM_SQUARE 5
#define MICRO_REDUCE_L1 6
#define MICRO_REDUCE_L2 7
#define MICRO_REDUCE_LOG_SUM 8
#define MICRO_REDUCE_LOG_SUM_EXP 9

typedef struct MicroReduceParams {
  int32_t ndim;
  int32_t in_shape[MICRO_REDUCE_MAX_DIMS];
  int32_t reduce[MICRO_REDUCE_MAX_DIMS];
  int32_t fn;
} MicroReduceParams;
/* `scratch` holds one double per output element (accumulators), 8-byte aligned. */
void micro_reduce_f32(const float *in, float *out, void *scratch, const MicroReduceParams *p);

typedef struct MicroAxisParams {
  int32_t outer, axis, inner;
  int32_t k;              /* top-k: how many */
  int32_t flag;           /* arg: 1 = minimum; softmax: 1 = log; top-k: 1 = largest */
  int32_t select_last;    /* arg: ties go to the last index */
} MicroAxisParams;
void micro_arg_reduce_f32(const float *in, int64_t *out, const MicroAxisParams *p);
void micro_softmax_axis_f32(const float *in, float *out, const MicroAxisParams *p);
/* The k largest (flag 1) or smallest values along the axis, sorted, equal values in
 * index order, and their indices. */
void micro_topk_f32(const float *in, float *values, int64_t *indices, const MicroAxisParams *p);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_REDUCE_F32_H_ */
