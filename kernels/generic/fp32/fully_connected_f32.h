/*
 * fully_connected_f32.h - fully connected layer, float32, TFLite FULLY_CONNECTED
 * semantics: for each of `batch` rows,
 *   out[b, o] = act(bias[o] + sum_i in[b, i] * W[o, i])
 * W keeps TFLite's layout [out_features][in_features]; bias may be NULL. No scratch.
 */
#ifndef MICRO_FULLY_CONNECTED_F32_H_
#define MICRO_FULLY_CONNECTED_F32_H_

#include "micro_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct MicroFullyConnectedParams {
  int32_t batch;
  int32_t in_features;
  int32_t out_features;
  float act_min, act_max;
} MicroFullyConnectedParams;

void micro_fully_connected_f32(const float *in, const float *w, const float *bias, float *out,
                               const MicroFullyConnectedParams *p);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_FULLY_CONNECTED_F32_H_ */
