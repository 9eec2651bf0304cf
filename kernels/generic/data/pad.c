/*
 * pad.c - N-D constant padding (pad.h). The output is written once, row by row (a row is
 * the innermost dim): rows inside the input get [before fill | copy of the input row |
 * after fill], rows in the padding of an outer dim are filled whole.
 */
#include "pad.h"

#include <string.h>

/* n elements of the pad value at dst. */
static void fill(unsigned char *dst, size_t n, int32_t elem_size, uint32_t value) {
  size_t i;
  switch (elem_size) {
    case 1:
      memset(dst, (int)(uint8_t)value, n);
      break;
    case 2: {
      const uint16_t v = (uint16_t)value;
      for (i = 0; i < n; ++i) memcpy(dst + 2 * i, &v, 2);
      break;
    }
    case 4:
      for (i = 0; i < n; ++i) memcpy(dst + 4 * i, &value, 4);
      break;
    default: {
      const uint64_t v = value;
      for (i = 0; i < n; ++i) memcpy(dst + 8 * i, &v, 8);
      break;
    }
  }
}

void micro_pad(const void *in, void *out, const MicroPadParams *p) {
  const int32_t nd = p->ndim;
  const size_t es = (size_t)p->elem_size;
  const unsigned char *src = (const unsigned char *)in;
  unsigned char *dst = (unsigned char *)out;
  int32_t oshape[MICRO_PAD_MAX_DIMS], idx[MICRO_PAD_MAX_DIMS];
  size_t in_stride[MICRO_PAD_MAX_DIMS];
  size_t rows = 1, r, orow, irow, before, after;
  int32_t d;

  if (nd <= 0) {
    memcpy(dst, src, es);
    return;
  }
  for (d = nd - 1; d >= 0; --d) {
    oshape[d] = p->in_shape[d] + p->pad_before[d] + p->pad_after[d];
    in_stride[d] = d == nd - 1 ? 1 : in_stride[d + 1] * (size_t)p->in_shape[d + 1];
    idx[d] = 0;
    if (oshape[d] <= 0) return;
  }
  for (d = 0; d < nd - 1; ++d) rows *= (size_t)oshape[d];
  orow = (size_t)oshape[nd - 1] * es;
  irow = (size_t)p->in_shape[nd - 1] * es;
  before = (size_t)p->pad_before[nd - 1];
  after = (size_t)p->pad_after[nd - 1];

  for (r = 0; r < rows; ++r) {
    /* is this output row inside the input along every outer dim? */
    size_t off = 0;
    int inside = 1;
    for (d = 0; d < nd - 1; ++d) {
      const int32_t i = idx[d] - p->pad_before[d];
      if (i < 0 || i >= p->in_shape[d]) {
        inside = 0;
        break;
      }
      off += (size_t)i * in_stride[d];
    }
    if (inside && irow > 0) {
      fill(dst, before, p->elem_size, p->pad_value);
      memcpy(dst + before * es, src + off * es, irow);
      fill(dst + before * es + irow, after, p->elem_size, p->pad_value);
    } else {
      fill(dst, (size_t)oshape[nd - 1], p->elem_size, p->pad_value);
    }
    dst += orow;
    for (d = nd - 2; d >= 0; --d) {
      if (++idx[d] < oshape[d]) break;
      idx[d] = 0;
    }
  }
}
