/*
 * data_ops.c - element moves (data_ops.h). Elements are copied with memcpy of their
 * size (a load and a store once compiled), so any element type moves without breaking
 * aliasing rules; an odometer over the output dimensions carries the offsets along.
 */
#include "data_ops.h"

#include <math.h>
#include <string.h>

static int64_t micro_count(const int32_t *shape, int32_t ndim) {
  int64_t n = 1;
  int32_t d;
  for (d = 0; d < ndim; ++d) n *= shape[d];
  return n;
}

void micro_strided_copy(const void *in, void *out, const MicroStridedCopyParams *p) {
  const unsigned char *src = (const unsigned char *)in;
  unsigned char *dst = (unsigned char *)out;
  const size_t es = (size_t)p->elem_size;
  int32_t idx[MICRO_DATA_MAX_DIMS] = {0};
  int64_t total = micro_count(p->shape, p->ndim), n;
  int64_t i_off = p->in_offset, o_off = p->out_offset;
  int32_t d;
  const int32_t last = p->ndim - 1;
  const int64_t row = p->ndim > 0 ? p->shape[last] : 1;
  const int contiguous = p->ndim > 0 && p->in_strides[last] == 1 && p->out_strides[last] == 1;
  for (n = 0; n < total;) {
    if (contiguous) { /* a whole innermost row at once */
      memcpy(dst + (size_t)o_off * es, src + (size_t)i_off * es, (size_t)row * es);
      n += row;
      d = last - 1;
      if (d < 0) break;
      for (; d >= 0; --d) {
        i_off += p->in_strides[d];
        o_off += p->out_strides[d];
        if (++idx[d] < p->shape[d]) break;
        i_off -= (int64_t)p->in_strides[d] * p->shape[d];
        o_off -= (int64_t)p->out_strides[d] * p->shape[d];
        idx[d] = 0;
      }
      continue;
    }
    memcpy(dst + (size_t)o_off * es, src + (size_t)i_off * es, es);
    ++n;
    for (d = last; d >= 0; --d) {
      i_off += p->in_strides[d];
      o_off += p->out_strides[d];
      if (++idx[d] < p->shape[d]) break;
      i_off -= (int64_t)p->in_strides[d] * p->shape[d];
      o_off -= (int64_t)p->out_strides[d] * p->shape[d];
      idx[d] = 0;
    }
  }
}

void micro_gather(const void *data, const void *indices, void *out, const MicroGatherParams *p) {
  const unsigned char *src = (const unsigned char *)data;
  unsigned char *dst = (unsigned char *)out;
  const size_t row = (size_t)p->inner * (size_t)p->elem_size;
  int32_t o, j;
  for (o = 0; o < p->outer; ++o) {
    for (j = 0; j < p->index_count; ++j) {
      int64_t index;
      if (p->index_bytes == 8) {
        memcpy(&index, (const unsigned char *)indices + (size_t)j * 8, 8);
      } else {
        int32_t i32;
        memcpy(&i32, (const unsigned char *)indices + (size_t)j * 4, 4);
        index = i32;
      }
      if (index < 0) index += p->axis_size;
      if (index < 0 || index >= p->axis_size) {
        memset(dst, 0, row);
      } else {
        memcpy(dst, src + ((size_t)o * (size_t)p->axis_size + (size_t)index) * row, row);
      }
      dst += row;
    }
  }
}

void micro_where(const bool *cond, const void *a, const void *b, void *out,
                 const MicroWhereParams *p) {
  const unsigned char *pa = (const unsigned char *)a, *pb = (const unsigned char *)b;
  unsigned char *dst = (unsigned char *)out;
  const size_t es = (size_t)p->elem_size;
  int32_t idx[MICRO_DATA_MAX_DIMS] = {0};
  int64_t total = micro_count(p->out_shape, p->ndim), n, ic = 0, ia = 0, ib = 0;
  int32_t d;
  for (n = 0; n < total; ++n) {
    memcpy(dst + (size_t)n * es, cond[ic] ? pa + (size_t)ia * es : pb + (size_t)ib * es, es);
    for (d = p->ndim - 1; d >= 0; --d) {
      ic += p->cond_strides[d];
      ia += p->a_strides[d];
      ib += p->b_strides[d];
      if (++idx[d] < p->out_shape[d]) break;
      ic -= (int64_t)p->cond_strides[d] * p->out_shape[d];
      ia -= (int64_t)p->a_strides[d] * p->out_shape[d];
      ib -= (int64_t)p->b_strides[d] * p->out_shape[d];
      idx[d] = 0;
    }
  }
}

/* Input index along one dimension for output index `o` (before padding removed). */
static int64_t micro_pad_source(int64_t i, int64_t n, int32_t mode) {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case MICRO_PAD_EDGE:
      return i < 0 ? 0 : n - 1;
    case MICRO_PAD_WRAP:
      i %= n;
      return i < 0 ? i + n : i;
    case MICRO_PAD_REFLECT:
      if (n == 1) return 0;
      {
        const int64_t period = 2 * (n - 1);
        i %= period;
        if (i < 0) i += period;
        return i < n ? i : period - i;
      }
    default:
      return -1; /* constant */
  }
}

void micro_pad_mode(const void *in, void *out, const MicroPadModeParams *p) {
  const unsigned char *src = (const unsigned char *)in;
  unsigned char *dst = (unsigned char *)out;
  const size_t es = (size_t)p->elem_size;
  int32_t out_shape[MICRO_DATA_MAX_DIMS], idx[MICRO_DATA_MAX_DIMS] = {0};
  int64_t in_stride[MICRO_DATA_MAX_DIMS];
  unsigned char value[8];
  int64_t total, n, step = 1;
  int32_t d;
  memcpy(value, &p->value_lo, 4);
  memcpy(value + 4, &p->value_hi, 4);
  for (d = p->ndim - 1; d >= 0; --d) {
    out_shape[d] = p->in_shape[d] + p->pad_before[d] + p->pad_after[d];
    in_stride[d] = step;
    step *= p->in_shape[d];
  }
  total = micro_count(out_shape, p->ndim);
  for (n = 0; n < total; ++n) {
    int64_t offset = 0;
    for (d = 0; d < p->ndim; ++d) {
      const int64_t i = micro_pad_source(idx[d] - p->pad_before[d], p->in_shape[d], p->mode);
      if (i < 0) {
        offset = -1;
        break;
      }
      offset += i * in_stride[d];
    }
    if (offset < 0) {
      memcpy(dst + (size_t)n * es, value, es);
    } else {
      memcpy(dst + (size_t)n * es, src + (size_t)offset * es, es);
    }
    for (d = p->ndim - 1; d >= 0; --d) {
      if (++idx[d] < out_shape[d]) break;
      idx[d] = 0;
    }
  }
}

static double micro_load(const void *in, int32_t type, int32_t i) {
  switch (type) {
    case MICRO_TYPE_F32: return ((const float *)in)[i];
    case MICRO_TYPE_I64: return (double)((const int64_t *)in)[i];
    case MICRO_TYPE_I32: return ((const int32_t *)in)[i];
    case MICRO_TYPE_BOOL: return ((const bool *)in)[i] ? 1.0 : 0.0;
    case MICRO_TYPE_I8: return ((const int8_t *)in)[i];
    default: return ((const uint8_t *)in)[i];
  }
}

static int64_t micro_load_int(const void *in, int32_t type, int32_t i) {
  switch (type) {
    case MICRO_TYPE_I64: return ((const int64_t *)in)[i];
    case MICRO_TYPE_I32: return ((const int32_t *)in)[i];
    case MICRO_TYPE_BOOL: return ((const bool *)in)[i] ? 1 : 0;
    case MICRO_TYPE_I8: return ((const int8_t *)in)[i];
    default: return ((const uint8_t *)in)[i];
  }
}

/* float to int64: truncate, saturate, NaN to 0 (no undefined conversion). */
static int64_t micro_f2i(double x) {
  if (x != x) return 0;
  if (x >= 9223372036854775807.0) return INT64_MAX;
  if (x <= -9223372036854775808.0) return INT64_MIN;
  return (int64_t)x;
}

void micro_cast(const void *in, void *out, const MicroCastParams *p) {
  int32_t i;
  for (i = 0; i < p->count; ++i) {
    if (p->to == MICRO_TYPE_F32) {
      ((float *)out)[i] = p->from == MICRO_TYPE_I64 ? (float)((const int64_t *)in)[i]
                                                    : (float)micro_load(in, p->from, i);
      continue;
    }
    if (p->to == MICRO_TYPE_BOOL) {
      ((bool *)out)[i] = p->from == MICRO_TYPE_F32 ? ((const float *)in)[i] != 0.0f
                                                   : micro_load_int(in, p->from, i) != 0;
      continue;
    }
    {
      const int64_t v = p->from == MICRO_TYPE_F32 ? micro_f2i(((const float *)in)[i])
                                                  : micro_load_int(in, p->from, i);
      const uint64_t u = (uint64_t)v; /* narrowing wraps (two's complement) */
      switch (p->to) {
        case MICRO_TYPE_I64: ((int64_t *)out)[i] = v; break;
        case MICRO_TYPE_I32: ((int32_t *)out)[i] = (int32_t)(uint32_t)u; break;
        case MICRO_TYPE_I8: ((int8_t *)out)[i] = (int8_t)(uint8_t)u; break;
        default: ((uint8_t *)out)[i] = (uint8_t)u; break;
      }
    }
  }
}
