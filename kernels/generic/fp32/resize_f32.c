/*
 * resize_f32.c - table-driven resize (resize_f32.h), accumulated in double.
 */
#include "resize_f32.h"

void micro_resize_f32(const float *in, float *out, const int32_t *indices, const float *weights,
                      const MicroResizeParams *p) {
  int64_t in_stride[MICRO_RESIZE_MAX_DIMS];
  int32_t idx[MICRO_RESIZE_MAX_DIMS] = {0}, tap[MICRO_RESIZE_MAX_DIMS];
  int64_t total = 1, n, step = 1;
  int32_t d;
  for (d = p->ndim - 1; d >= 0; --d) {
    in_stride[d] = step;
    step *= p->in_shape[d];
    total *= p->out_shape[d];
  }
  for (n = 0; n < total; ++n) {
    double sum = 0.0;
    for (d = 0; d < p->ndim; ++d) tap[d] = 0;
    for (;;) { /* every combination of taps */
      double w = 1.0;
      int64_t offset = 0;
      for (d = 0; d < p->ndim; ++d) {
        const int32_t at = p->offset[d] + idx[d] * p->taps[d] + tap[d];
        w *= weights[at];
        offset += indices[at] * in_stride[d];
      }
      sum += w * in[offset];
      for (d = p->ndim - 1; d >= 0; --d) {
        if (++tap[d] < p->taps[d]) break;
        tap[d] = 0;
      }
      if (d < 0) break;
    }
    out[n] = (float)sum;
    for (d = p->ndim - 1; d >= 0; --d) {
      if (++idx[d] < p->out_shape[d]) break;
      idx[d] = 0;
    }
  }
}
