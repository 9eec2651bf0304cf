/*
 * quantize_s8.c - float32 <-> int8 conversions and int8 requantization (quantize_s8.h).
 */
#include "quantize_s8.h"

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

void micro_quantize_f32_s8(const float *in, int8_t *out, const MicroQuantizeS8Params *p) {
  /* Clamping the quotient to [lo, hi] (integers) before rounding equals clamping after it;
   * it also keeps the float -> int conversion in range. NaN fails both comparisons' first
   * test and lands on lo. */
  const float lo = (float)(-128 - p->zero_point), hi = (float)(127 - p->zero_point);
  const float scale = p->scale;
  int32_t i;
  for (i = 0; i < p->size; ++i) {
    float t = in[i] / scale;
    int32_t r;
    float f;
    t = t >= lo ? t : lo;
    t = t <= hi ? t : hi;
    r = (int32_t)t; /* truncates toward zero */
    f = t - (float)r;
    r += (f >= 0.5f) - (f <= -0.5f);
    out[i] = (int8_t)(r + p->zero_point);
  }
}

void micro_dequantize_s8_f32(const int8_t *in, float *out, const MicroQuantizeS8Params *p) {
  const float scale = p->scale;
  const int32_t zp = p->zero_point;
  int32_t i;
  for (i = 0; i < p->size; ++i) out[i] = (float)((int32_t)in[i] - zp) * scale;
}

void micro_requantize_s8_s8(const int8_t *in, int8_t *out, const MicroRequantizeS8Params *p) {
  int32_t i;
  for (i = 0; i < p->size; ++i)
    out[i] = micro_output_s8((int32_t)in[i] - p->input_zero_point, p->multiplier, p->shift,
                             p->output_zero_point, -128, 127);
}
