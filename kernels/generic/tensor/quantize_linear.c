/*
 * quantize_linear.c - ONNX quantization (quantize_linear.h). Division then rounding to
 * nearest even (nearbyintf in the default rounding mode), as the ONNX reference does.
 */
#include "quantize_linear.h"

#include <math.h>

void micro_quantize_linear_f32(const float *in, void *out, const float *scales,
                               const int32_t *zero_points, const MicroQuantizeLinearParams *p) {
  const float lo = p->kind == 1 ? 0.0f : -128.0f, hi = p->kind == 1 ? 255.0f : 127.0f;
  int64_t i = 0;
  int32_t o, c, k;
  for (o = 0; o < p->outer; ++o) {
    for (c = 0; c < p->channels; ++c) {
      const float s = scales[c];
      const float z = (float)zero_points[c];
      for (k = 0; k < p->inner; ++k, ++i) {
        float q = nearbyintf(in[i] / s) + z;
        q = q != q ? 0.0f : micro_clamp_f32(q, lo, hi);
        if (p->kind == 1) {
          ((uint8_t *)out)[i] = (uint8_t)q;
        } else {
          ((int8_t *)out)[i] = (int8_t)q;
        }
      }
    }
  }
}

void micro_dequantize_linear_f32(const void *in, float *out, const float *scales,
                                 const int32_t *zero_points, const MicroQuantizeLinearParams *p) {
  int64_t i = 0;
  int32_t o, c, k;
  for (o = 0; o < p->outer; ++o) {
    for (c = 0; c < p->channels; ++c) {
      for (k = 0; k < p->inner; ++k, ++i) {
        int64_t q;
        switch (p->kind) {
          case 1: q = ((const uint8_t *)in)[i]; break;
          case 2: q = ((const int32_t *)in)[i]; break;
          default: q = ((const int8_t *)in)[i]; break;
        }
        out[i] = (float)(q - zero_points[c]) * scales[c];
      }
    }
  }
}
