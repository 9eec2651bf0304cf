/*
 * mean_s8.c - int8 MEAN (mean_s8.h).
 *
 * The kept dims are walked in order (an odometer), and for each position the reduced dims
 * are walked (a second odometer). When the innermost dim is kept, a block of up to CB
 * neighbouring outputs is accumulated at once (channel-vectorized, e.g. the H, W mean of
 * NHWC); when it is reduced, each output sums contiguous runs.
 */
#include "mean_s8.h"

#define CB 64

typedef struct {
  int32_t n;
  int32_t shape[MICRO_MEAN_S8_MAX_DIMS];
  size_t stride[MICRO_MEAN_S8_MAX_DIMS];
} DimsS8;

/* Advance the odometer idx over dims d (last fastest); returns the offset change. */
static ptrdiff_t odometer_next(const DimsS8 *d, int32_t *idx) {
  ptrdiff_t delta = 0;
  int32_t k;
  for (k = d->n - 1; k >= 0; --k) {
    if (++idx[k] < d->shape[k]) return delta + (ptrdiff_t)d->stride[k];
    idx[k] = 0;
    delta -= (ptrdiff_t)(d->stride[k] * (size_t)(d->shape[k] - 1));
  }
  return delta;
}

static int8_t mean_output(int32_t s, const MicroMeanS8Params *p) {
  return micro_output_s8(micro_wrap_add_i32(s, p->bias), p->multiplier, p->shift,
                         p->output_zero_point, -128, 127);
}

void micro_mean_s8(const int8_t *in, int8_t *out, const MicroMeanS8Params *p) {
  DimsS8 kept, red;
  size_t strides[MICRO_MEAN_S8_MAX_DIMS];
  size_t stride = 1, n_kept = 1, n_red = 1, r, o;
  int32_t d, inner_kept, inner;
  int32_t ki[MICRO_MEAN_S8_MAX_DIMS], ri[MICRO_MEAN_S8_MAX_DIMS];
  int32_t acc[CB];
  const int8_t *base = in;

  if (p->ndim <= 0) {
    out[0] = mean_output(in[0], p);
    return;
  }
  for (d = p->ndim - 1; d >= 0; --d) {
    if (p->in_shape[d] <= 0) return;
    strides[d] = stride;
    stride *= (size_t)p->in_shape[d];
  }
  kept.n = red.n = 0;
  for (d = 0; d < p->ndim; ++d) {
    DimsS8 *t = p->reduced[d] ? &red : &kept;
    t->shape[t->n] = p->in_shape[d];
    t->stride[t->n] = strides[d];
    ++t->n;
  }
  for (d = 0; d < kept.n; ++d) n_kept *= (size_t)kept.shape[d], ki[d] = 0;
  for (d = 0; d < red.n; ++d) n_red *= (size_t)red.shape[d], ri[d] = 0;

  inner_kept = !p->reduced[p->ndim - 1];
  if (inner_kept) {
    /* the innermost kept dim (stride 1) is processed in blocks; walk the other kept dims */
    inner = kept.shape[kept.n - 1];
    --kept.n;
    for (o = 0; o < n_kept; o += (size_t)inner) {
      int32_t c0, j;
      for (c0 = 0; c0 < inner; c0 += CB) {
        const int32_t nc = micro_min_i32(CB, inner - c0);
        const int8_t *x = base + c0;
        for (j = 0; j < nc; ++j) acc[j] = 0;
        for (r = 0; r < n_red; ++r) {
          for (j = 0; j < nc; ++j) acc[j] += x[j];
          x += odometer_next(&red, ri);
        }
        for (j = 0; j < nc; ++j) out[o + (size_t)c0 + (size_t)j] = mean_output(acc[j], p);
      }
      base += odometer_next(&kept, ki);
    }
  } else {
    /* the innermost dim is reduced: every output sums contiguous runs of it */
    inner = red.shape[red.n - 1];
    --red.n;
    n_red /= (size_t)inner;
    for (o = 0; o < n_kept; ++o) {
      const int8_t *x = base;
      int32_t s = 0, j;
      for (r = 0; r < n_red; ++r) {
        for (j = 0; j < inner; ++j) s += x[j];
        x += odometer_next(&red, ri);
      }
      out[o] = mean_output(s, p);
      base += odometer_next(&kept, ki);
    }
  }
}
