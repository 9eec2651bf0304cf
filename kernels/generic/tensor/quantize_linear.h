/*
 * quantize_linear.h - ONNX QuantizeLinear / DequantizeLinear with per-tensor or per-axis
 * scales and zero points (the tensor seen as [outer, channels, inner]; one channel for
 * per-tensor):
 *
 *   quantize:   q = saturate(round_half_to_even(x / scale[c]) + zero_point[c])
 *   dequantize: x = (q - zero_point[c]) * scale[c]
 *
 * Quantized elements are int8 (`is_unsigned` 0), uint8 (1) or, for dequantize, int32 (2).
 */
#ifndef MICRO_QUANTIZE_LINEAR_H_
#define MICRO_QUANTIZE_LINEAR_H_

#include "micro_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct MicroQuantizeLinearParams {
  int32_t outer, channels, inner;
  int32_t kind; /* 0: int8, 1: uint8, 2: int32 */
} MicroQuantizeLinearParams;

void micro_quantize_linear_f32(const float *in, void *out, const float *scales,
                               const int32_t *zero_points, const MicroQuantizeLinearParams *p);
void micro_dequantize_linear_f32(const void *in, float *out, const float *scales,
                                 const int32_t *zero_points, const MicroQuantizeLinearParams *p);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_QUANTIZE_LINEAR_H_ */
