/*
 * mean_f32.c - float32 mean over dimensions (mean_f32.h).
 *
 * One pass over the input in row-major order, keeping the index of the output element
 * each input element reduces into up to date with per-dimension strides (0 along the
 * reduced dimensions), then a division per output element.
 */
#include "mean_f32.h"

void micro_mean_f32(const float *in, float *out, const MicroMeanParams *p) {
  int32_t out_stride[MICRO_MEAN_MAX_DIMS];
  int32_t index[MICRO_MEAN_MAX_DIMS];
  int32_t d, n_out = 1, n_in = 1, count = 1, o = 0, i;

  for (d = p->ndim - 1; d >= 0; --d) {
    out_stride[d] = p->reduce[d] ? 0 : n_out;
    if (p->reduce[d]) {
      count *= p->in_shape[d];
    } else {
      n_out *= p->in_shape[d];
    }
    n_in *= p->in_shape[d];
    index[d] = 0;
  }
  for (i = 0; i < n_out; ++i) out[i] = 0.0f;
  for (i = 0; i < n_in; ++i) {
    out[o] += in[i];
    /* next input index, row-major, carrying the output offset along */
    for (d = p->ndim - 1; d >= 0; --d) {
      o += out_stride[d];
      if (++index[d] < p->in_shape[d]) break;
      o -= out_stride[d] * p->in_shape[d];
      index[d] = 0;
    }
  }
  for (i = 0; i < n_out; ++i) out[i] = out[i] / (float)count;
}
