/*
 * transpose.c - N-D axis permutation (transpose.h). The output is written in order, one
 * innermost row at a time; the row's input elements are strided by the input stride of
 * the permuted innermost axis (a memcpy when that axis stays innermost), with copies
 * specialised per element size.
 */
#include "transpose.h"

#include <string.h>

/* Element copies go through memcpy of a constant size (one load and one store once
 * compiled), so any element type may be moved without breaking aliasing rules. */
#define DEFINE_ROW(name, T)                                                                \
  static void name(const unsigned char *src, size_t stride, unsigned char *dst, size_t n) { \
    size_t i;                                                                               \
    for (i = 0; i < n; ++i)                                                                 \
      memcpy(dst + i * sizeof(T), src + i * stride * sizeof(T), sizeof(T));                 \
  }
DEFINE_ROW(row_u8, uint8_t)
DEFINE_ROW(row_u16, uint16_t)
DEFINE_ROW(row_u32, uint32_t)
DEFINE_ROW(row_u64, uint64_t)

void micro_transpose(const void *in, void *out, const MicroTransposeParams *p) {
  const int32_t nd = p->ndim;
  const size_t es = (size_t)p->elem_size;
  const unsigned char *src = (const unsigned char *)in;
  unsigned char *dst = (unsigned char *)out;
  size_t in_stride[MICRO_TRANSPOSE_MAX_DIMS], ostride[MICRO_TRANSPOSE_MAX_DIMS];
  int32_t oshape[MICRO_TRANSPOSE_MAX_DIMS], idx[MICRO_TRANSPOSE_MAX_DIMS];
  size_t rows = 1, r, n, s;
  int32_t d;

  if (nd <= 0) {
    memcpy(dst, src, es);
    return;
  }
  for (d = nd - 1; d >= 0; --d) {
    if (p->in_shape[d] <= 0) return;
    in_stride[d] = d == nd - 1 ? 1 : in_stride[d + 1] * (size_t)p->in_shape[d + 1];
  }
  for (d = 0; d < nd; ++d) {
    oshape[d] = p->in_shape[p->perm[d]];
    ostride[d] = in_stride[p->perm[d]];
    idx[d] = 0;
  }
  for (d = 0; d < nd - 1; ++d) rows *= (size_t)oshape[d];
  n = (size_t)oshape[nd - 1];
  s = ostride[nd - 1];

  for (r = 0; r < rows; ++r) {
    if (s == 1) {
      memcpy(dst, src, n * es);
    } else {
      switch (p->elem_size) {
        case 1: row_u8(src, s, dst, n); break;
        case 2: row_u16(src, s, dst, n); break;
        case 4: row_u32(src, s, dst, n); break;
        default: row_u64(src, s, dst, n); break;
      }
    }
    dst += n * es;
    for (d = nd - 2; d >= 0; --d) {
      if (++idx[d] < oshape[d]) {
        src += ostride[d] * es;
        break;
      }
      idx[d] = 0;
      src -= ostride[d] * (size_t)(oshape[d] - 1) * es;
    }
  }
}
