/*
 * norm_f32.h - float32 normalizations: local response normalization across channels
 * (ONNX LRN) and layer normalization (ONNX LayerNormalization).
 *
 * Both see the tensor as [outer, channels or normalized, inner]: LRN normalizes along
 * the middle axis, layer normalization over `inner` contiguous elements per row.
 */
#ifndef MICRO_NORM_F32_H_
#define MICRO_NORM_F32_H_

#include "micro_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* y = x / (bias + alpha / size * sum of x^2 over channels [c - (size-1)/2, c + size/2])^beta */
typedef struct MicroLrnParams {
  int32_t outer, channels, inner;
  int32_t size;
  float alpha, beta, bias;
} MicroLrnParams;
void micro_lrn_f32(const float *in, float *out, const MicroLrnParams *p);

/* Per row of `inner` elements: mean, inv_std = 1 / sqrt(variance + epsilon),
 * y = (x - mean) * inv_std * scale + bias (scale and bias: `inner` elements; bias may be
 * NULL). `mean` and `inv_std` receive one value per row. */
typedef struct MicroLayerNormParams {
  int32_t rows, inner;
  float epsilon;
} MicroLayerNormParams;
void micro_layer_norm_f32(const float *in, const float *scale, const float *bias, float *out,
                          float *mean, float *inv_std, const MicroLayerNormParams *p);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_NORM_F32_H_ */
