/*
 * fully_connected_f32.h - fully connected layer, float32, TFLite FULLY_CONNECTED
 * semantics: for each of `batch` rows,
 *   out[b, o] = act((sum_i in[b, i] * W[o, i]) + bias[o])
 * Each sum runs from 0 over i in order and the bias (if any; it may be NULL) is added
 * last, as TFLite's reference kernel does.
 *
 * Weights are *packed by the compiler* (micro.backends.generic.abi.pack_panels_f32) in
 * the same panel layout as conv2d_f32.h, with K = in_features:
 *   packed[(ob * K + k) * MICRO_FC_NR + j] = W[ob * MICRO_FC_NR + j][k]
 * zero-padded to a multiple of MICRO_FC_NR output rows. No scratch.
 */
#ifndef MICRO_FULLY_CONNECTED_F32_H_
#define MICRO_FULLY_CONNECTED_F32_H_

#include "micro_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MICRO_FC_NR 8 /* output rows per packed weight panel */

typedef struct MicroFullyConnectedParams {
  int32_t batch;
  int32_t in_features;
  int32_t out_features;
  float act_min, act_max;
} MicroFullyConnectedParams;

void micro_fully_connected_f32(const float *in, const float *packed_w, const float *bias,
                               float *out, const MicroFullyConnectedParams *p);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_FULLY_CONNECTED_F32_H_ */
