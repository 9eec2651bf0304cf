/*
 * mean_f32.h - mean over some dimensions, float32, TFLite MEAN semantics.
 *
 * The input (row-major, ndim <= MICRO_MEAN_MAX_DIMS dims of in_shape) is read in
 * row-major order and each element is added to the output element it reduces into
 * (starting from 0), then each output is divided by the number of elements reduced into
 * it: the order of TFLite's reference kernel, so the results are bit-identical.
 * reduce[d] is 1 for a reduced dimension. The output holds the kept dimensions in order
 * (keep_dims only changes the shape, not the layout). No scratch.
 */
#ifndef MICRO_MEAN_F32_H_
#define MICRO_MEAN_F32_H_

#include "micro_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MICRO_MEAN_MAX_DIMS 6

typedef struct MicroMeanParams {
  int32_t ndim;
  int32_t in_shape[MICRO_MEAN_MAX_DIMS];
  int32_t reduce[MICRO_MEAN_MAX_DIMS];
} MicroMeanParams;

void micro_mean_f32(const float *in, float *out, const MicroMeanParams *p);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_MEAN_F32_H_ */
