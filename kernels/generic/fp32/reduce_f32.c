/*
 * reduce_f32.c - reductions and axis kernels (reduce_f32.h).
 *
 * micro_reduce_f32 walks the input once in row-major order, keeping the index of the
 * output element each input element reduces into (stride 0 along reduced dimensions),
 * and accumulates in double; log-sum-exp first finds each output's maximum.
 */
#include "reduce_f32.h"

#include <math.h>

static double micro_reduce_init(int32_t fn) {
  switch (fn) {
    case MICRO_REDUCE_MAX: return -INFINITY;
    case MICRO_REDUCE_MIN: return INFINITY;
    case MICRO_REDUCE_PROD: return 1.0;
    default: return 0.0;
  }
}

/* Visit every input element: `body` sees `x` and the output index `o`. */
#define MICRO_REDUCE_LOOP(body)                                         \
  do {                                                                  \
    int32_t index_[MICRO_REDUCE_MAX_DIMS] = {0};                        \
    int64_t i_, o = 0;                                                  \
    int32_t d_;                                                         \
    for (i_ = 0; i_ < n_in; ++i_) {                                     \
      const double x = in[i_];                                          \
      body;                                                             \
      for (d_ = p->ndim - 1; d_ >= 0; --d_) {                           \
        o += out_stride[d_];                                            \
        if (++index_[d_] < p->in_shape[d_]) break;                      \
        o -= (int64_t)out_stride[d_] * p->in_shape[d_];                 \
        index_[d_] = 0;                                                 \
      }                                                                 \
    }                                                                   \
  } while (0)

void micro_reduce_f32(const float *in, float *out, void *scratch, const MicroReduceParams *p) {
  double *acc = (double *)scratch;
  int64_t out_stride[MICRO_REDUCE_MAX_DIMS];
  int64_t n_out = 1, n_in = 1, count = 1, i;
  int32_t d;
  const int32_t fn = p->fn;
  for (d = p->ndim - 1; d >= 0; --d) {
    out_stride[d] = p->reduce[d] ? 0 : n_out;
    if (p->reduce[d]) {
      count *= p->in_shape[d];
    } else {
      n_out *= p->in_shape[d];
    }
    n_in *= p->in_shape[d];
  }
  for (i = 0; i < n_out; ++i) acc[i] = micro_reduce_init(fn);
  switch (fn) {
    case MICRO_REDUCE_MAX: MICRO_REDUCE_LOOP(if (x > acc[o] || x != x) acc[o] = x); break;
    case MICRO_REDUCE_MIN: MICRO_REDUCE_LOOP(if (x < acc[o] || x != x) acc[o] = x); break;
    case MICRO_REDUCE_PROD: MICRO_REDUCE_LOOP(acc[o] *= x); break;
    case MICRO_REDUCE_SUM_SQUARE:
    case MICRO_REDUCE_L2: MICRO_REDUCE_LOOP(acc[o] += x * x); break;
    case MICRO_REDUCE_L1: MICRO_REDUCE_LOOP(acc[o] += fabs(x)); break;
    case MICRO_REDUCE_LOG_SUM_EXP:
      for (i = 0; i < n_out; ++i) out[i] = -INFINITY; /* the maxima, in the output */
      MICRO_REDUCE_LOOP(if (x > out[o]) out[o] = (float)x);
      for (i = 0; i < n_out; ++i) {
        if (isinf(out[i])) out[i] = 0.0f;
      }
      MICRO_REDUCE_LOOP(acc[o] += exp(x - out[o]));
      for (i = 0; i < n_out; ++i) out[i] = (float)(log(acc[i]) + out[i]);
      return;
    default: MICRO_REDUCE_LOOP(acc[o] += x); break;
  }
  for (i = 0; i < n_out; ++i) {
    double r = acc[i];
    switch (fn) {
      case MICRO_REDUCE_MEAN: r /= (double)count; break;
      case MICRO_REDUCE_L2: r = sqrt(r); break;
      case MICRO_REDUCE_LOG_SUM: r = log(r); break;
      default: break;
    }
    out[i] = (float)r;
  }
}

void micro_arg_reduce_f32(const float *in, int64_t *out, const MicroAxisParams *p) {
  int32_t o, i, a;
  for (o = 0; o < p->outer; ++o) {
    for (i = 0; i < p->inner; ++i) {
      const float *x = in + (int64_t)o * p->axis * p->inner + i;
      int32_t best = 0;
      for (a = 1; a < p->axis; ++a) {
        const float v = x[(int64_t)a * p->inner], b = x[(int64_t)best * p->inner];
        const int better = p->flag ? v < b : v > b;
        if (better || (p->select_last && v == b)) best = a;
      }
      out[(int64_t)o * p->inner + i] = best;
    }
  }
}

void micro_softmax_axis_f32(const float *in, float *out, const MicroAxisParams *p) {
  int32_t o, i, a;
  for (o = 0; o < p->outer; ++o) {
    for (i = 0; i < p->inner; ++i) {
      const int64_t base = (int64_t)o * p->axis * p->inner + i;
      float max = in[base];
      double sum = 0.0;
      for (a = 1; a < p->axis; ++a) {
        const float v = in[base + (int64_t)a * p->inner];
        if (v > max) max = v;
      }
      for (a = 0; a < p->axis; ++a) {
        const float e = expf(in[base + (int64_t)a * p->inner] - max);
        if (!p->flag) out[base + (int64_t)a * p->inner] = e;
        sum += e;
      }
      for (a = 0; a < p->axis; ++a) {
        const int64_t at = base + (int64_t)a * p->inner;
        out[at] = p->flag ? (float)((double)(in[at] - max) - log(sum))
                          : (float)((double)out[at] / sum);
      }
    }
  }
}

void micro_topk_f32(const float *in, float *values, int64_t *indices, const MicroAxisParams *p) {
  int32_t o, i, a, j;
  for (o = 0; o < p->outer; ++o) {
    for (i = 0; i < p->inner; ++i) {
      const float *x = in + (int64_t)o * p->axis * p->inner + i;
      const int64_t out_base = (int64_t)o * p->k * p->inner + i;
      int32_t filled = 0;
      /* insertion into the sorted top-k list; the output holds the list */
      for (a = 0; a < p->axis; ++a) {
        const float v = x[(int64_t)a * p->inner];
        for (j = filled; j > 0; --j) {
          const float w = values[out_base + (int64_t)(j - 1) * p->inner];
          const int before = p->flag ? v > w : v < w; /* strictly: ties keep index order */
          if (!before) break;
          if (j < p->k) {
            values[out_base + (int64_t)j * p->inner] = w;
            indices[out_base + (int64_t)j * p->inner] =
                indices[out_base + (int64_t)(j - 1) * p->inner];
          }
        }
        if (j < p->k) {
          values[out_base + (int64_t)j * p->inner] = v;
          indices[out_base + (int64_t)j * p->inner] = a;
          if (filled < p->k) ++filled;
        }
      }
    }
  }
}
