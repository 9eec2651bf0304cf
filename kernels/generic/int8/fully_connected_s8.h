/*
 * fully_connected_s8.h - fully connected layer, int8 activations and weights, TFLite
 * FULLY_CONNECTED int8 semantics (reference_integer_ops::FullyConnected and
 * FullyConnectedPerChannel), bit-exact. For each of `batch` rows:
 *   acc[o] = bias[o] + sum_i (W[o, i] - weights_zero_point) * (in[b, i] - input_zero_point)
 *   out[b, o] = clamp(round(acc[o] * s[o]) + output_zero_point, act_min, act_max)
 * where s[o] = (double)input_scale * (double)filter_scale[o] / (double)output_scale (one
 * filter scale per tensor or per output row), the product acc * s is a double rounded to
 * nearest and round() rounds half away from zero. Unlike CONV_2D, LiteRT's reference FC
 * requantizes in double precision, not with a fixed-point multiplier; this kernel reproduces
 * that double arithmetic exactly with integers (micro_round_mul_double): s[o] is passed as
 * scale_mantissa[o] * 2^scale_exponent[o] (int8_abi.float_scale_parts).
 *
 * The kernel computes acc[o] = folded_bias[o] + sum_i W[o, i] * in[b, i]
 *                              - weights_zero_point * sum_i in[b, i]
 * with folded_bias[o] = bias[o] - input_zero_point * sum_i W[o, i]
 *                       + in_features * input_zero_point * weights_zero_point
 * (int8_abi.fully_connected_s8, wrapping int32): the same int32 value as TFLite's.
 * weights_zero_point is nonzero only for per-tensor weights quantized with a zero point
 * (TFLite allows it); the row sums are then computed once per batch row.
 *
 * W keeps TFLite's [out_features][in_features] layout: every output is a contiguous
 * int8 dot product, which compilers vectorize as a reduction. No scratch.
 */
#ifndef MICRO_FULLY_CONNECTED_S8_H_
#define MICRO_FULLY_CONNECTED_S8_H_

#include "micro_common.h"
#include "micro_int8.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct MicroFullyConnectedS8Params {
  int32_t batch;
  int32_t in_features;
  int32_t out_features;
  int32_t weights_zero_point;
  int32_t output_zero_point;
  int32_t act_min, act_max;
} MicroFullyConnectedS8Params;

void micro_fully_connected_s8(const int8_t *in, const int8_t *w, const int32_t *folded_bias,
                              const int64_t *scale_mantissa, const int32_t *scale_exponent,
                              int8_t *out, const MicroFullyConnectedS8Params *p);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_FULLY_CONNECTED_S8_H_ */
