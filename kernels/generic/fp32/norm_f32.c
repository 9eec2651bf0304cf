/*
 * norm_f32.c - LRN and layer normalization (norm_f32.h), statistics in double.
 */
#include "norm_f32.h"

#include <math.h>

void micro_lrn_f32(const float *in, float *out, const MicroLrnParams *p) {
  const int32_t before = (p->size - 1) / 2, after = p->size / 2;
  int32_t o, c, i, j;
  for (o = 0; o < p->outer; ++o) {
    const int64_t base = (int64_t)o * p->channels * p->inner;
    for (c = 0; c < p->channels; ++c) {
      const int32_t lo = micro_max_i32(c - before, 0);
      const int32_t hi = micro_min_i32(c + after, p->channels - 1);
      for (i = 0; i < p->inner; ++i) {
        double sum = 0.0, x;
        for (j = lo; j <= hi; ++j) {
          x = in[base + (int64_t)j * p->inner + i];
          sum += x * x;
        }
        x = in[base + (int64_t)c * p->inner + i];
        out[base + (int64_t)c * p->inner + i] =
            (float)(x / pow((double)p->bias + (double)p->alpha / p->size * sum, (double)p->beta));
      }
    }
  }
}

void micro_layer_norm_f32(const float *in, const float *scale, const float *bias, float *out,
                          float *mean, float *inv_std, const MicroLayerNormParams *p) {
  int32_t r, i;
  for (r = 0; r < p->rows; ++r) {
    const float *x = in + (int64_t)r * p->inner;
    float *y = out + (int64_t)r * p->inner;
    double m = 0.0, v = 0.0, s;
    for (i = 0; i < p->inner; ++i) m += x[i];
    m /= p->inner;
    for (i = 0; i < p->inner; ++i) v += (x[i] - m) * (x[i] - m);
    v /= p->inner;
    s = 1.0 / sqrt(v + (double)p->epsilon);
    for (i = 0; i < p->inner; ++i) {
      const double n = (x[i] - m) * s * scale[i];
      y[i] = (float)(bias != NULL ? n + bias[i] : n);
    }
    mean[r] = (float)m;
    inv_std[r] = (float)s;
  }
}
