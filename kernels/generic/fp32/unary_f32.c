/*
 * unary_f32.c - element-wise activations (see unary_f32.h).
 *
 * Plain loops over contiguous data: the clamp vectorizes; logistic and tanh call the
 * C library's expf/tanhf once per element, as TFLite's reference kernels do.
 */
#include "unary_f32.h"

#include <math.h>

void micro_clip_f32(const float *in, float *out, int32_t n, float lo, float hi) {
  int32_t i;
  for (i = 0; i < n; ++i) {
    float x = in[i];
    x = x < lo ? lo : x;
    out[i] = x > hi ? hi : x;
  }
}

void micro_logistic_f32(const float *in, float *out, int32_t n) {
  int32_t i;
  for (i = 0; i < n; ++i) {
    out[i] = 1.0f / (1.0f + expf(-in[i]));
  }
}

void micro_tanh_f32(const float *in, float *out, int32_t n) {
  int32_t i;
  for (i = 0; i < n; ++i) {
    out[i] = tanhf(in[i]);
  }
}
