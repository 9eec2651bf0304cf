/*
 * mean_s8.h - MEAN over any set of axes, int8, TFLite MEAN int8 semantics
 * (reference_ops::QuantizedMeanOrSum as LiteRT's reference kernel calls it), bit-exact:
 *   s   = sum of the int8 inputs reduced into an output element (int32)
 *   out = clamp(MBQM(s - input_zero_point * n, multiplier, shift) + output_zero_point,
 *               -128, 127)
 * with n the number of elements reduced into each output and (multiplier, shift) TFLite's
 * QuantizeMultiplier(input_scale / output_scale) adjusted for the division by n at
 * compile time exactly as TFLite does at run time (int8_abi.mean_s8): with
 * k = min(floor(log2 n), 32, 31 + shift0), multiplier = (multiplier0 << k) / n (integer
 * division) and shift = shift0 - k. bias = -input_zero_point * n. LiteRT takes this path for
 * every int8 MEAN, including same input/output quantization; there is no fused activation.
 *
 * The compiler normalises the input shape (int8_abi.mean_s8 drops size-1 dims and merges
 * neighbouring dims that are both reduced or both kept) into ndim <= MICRO_MEAN_S8_MAX_DIMS
 * dims with reduced[d] = 1 for reduced dims. The output is the kept dims in order (row-
 * major), whatever keep_dims says (it only changes the output's shape). No scratch.
 */
#ifndef MICRO_MEAN_S8_H_
#define MICRO_MEAN_S8_H_

#include "micro_common.h"
#include "micro_int8.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MICRO_MEAN_S8_MAX_DIMS 6

typedef struct MicroMeanS8Params {
  int32_t ndim;
  int32_t in_shape[MICRO_MEAN_S8_MAX_DIMS];
  int32_t reduced[MICRO_MEAN_S8_MAX_DIMS];
  int32_t bias; /* -input_zero_point * n */
  int32_t multiplier, shift;
  int32_t output_zero_point;
} MicroMeanS8Params;

void micro_mean_s8(const int8_t *in, int8_t *out, const MicroMeanS8Params *p);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_MEAN_S8_H_ */
