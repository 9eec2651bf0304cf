/*
 * quantize_s8.h - conversions between float32 and int8 and between int8 quantizations,
 * TFLite QUANTIZE / DEQUANTIZE semantics (reference_ops::AffineQuantize, Requantize,
 * reference_integer_ops::Dequantize), bit-exact:
 *   micro_quantize_f32_s8:   out = clamp(round(in / scale) + zero_point, -128, 127)
 *       in / scale is a float32 division, round() rounds half away from zero. Values whose
 *       quotient is outside the int32 range (and NaN) are out of TFLite's contract (its
 *       float -> int32 cast is undefined there; on x86 +huge often comes out as -128);
 *       here they saturate: +huge -> 127, -huge -> -128, NaN -> -128.
 *   micro_requantize_s8_s8:  out = clamp(MBQM(in - input_zero_point, multiplier, shift)
 *                                        + output_zero_point, -128, 127)
 *       (QUANTIZE int8 -> int8; multiplier/shift = QuantizeMultiplier(in_scale / out_scale))
 *   micro_dequantize_s8_f32: out = (float)((double)scale * (in - zero_point))
 *       computed as (float)(in - zero_point) * scale, which rounds the same exact product
 *       once (a 24-bit scale times a 9-bit integer is exact in double).
 * `out` may alias `in` for the int8 -> int8 conversion. No scratch.
 */
#ifndef MICRO_QUANTIZE_S8_H_
#define MICRO_QUANTIZE_S8_H_

#include "micro_common.h"
#include "micro_int8.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct MicroQuantizeS8Params {
  int32_t size;
  float scale;
  int32_t zero_point;
} MicroQuantizeS8Params; /* float32 <-> int8, either direction */

typedef struct MicroRequantizeS8Params {
  int32_t size;
  int32_t input_zero_point;
  int32_t output_zero_point;
  int32_t multiplier, shift;
} MicroRequantizeS8Params;

void micro_quantize_f32_s8(const float *in, int8_t *out, const MicroQuantizeS8Params *p);
void micro_dequantize_s8_f32(const int8_t *in, float *out, const MicroQuantizeS8Params *p);
void micro_requantize_s8_s8(const int8_t *in, int8_t *out, const MicroRequantizeS8Params *p);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_QUANTIZE_S8_H_ */
