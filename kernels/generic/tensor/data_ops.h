/*
 * data_ops.h - element moves for tensors of any element type (1, 2, 4 or 8 bytes):
 * strided copies (slices, concatenation, broadcasting), gather, select (Where), padding
 * in the reflect/edge/wrap/constant modes, and element type conversion (Cast).
 *
 * Shapes have at most MICRO_DATA_MAX_DIMS dimensions after the compiler has dropped
 * dimensions of size 1 and merged contiguous ones; strides and offsets count elements.
 */
#ifndef MICRO_DATA_OPS_H_
#define MICRO_DATA_OPS_H_

#include <stdbool.h>

#include "micro_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MICRO_DATA_MAX_DIMS 6

/* out[out_offset + sum(i_d * out_strides[d])] = in[in_offset + sum(i_d * in_strides[d])]
 * for every index i < shape: a slice (strides scaled by the steps, possibly negative), a
 * part of a concatenation (output offset), a broadcast (input stride 0). */
typedef struct MicroStridedCopyParams {
  int32_t ndim;
  int32_t elem_size;
  int32_t shape[MICRO_DATA_MAX_DIMS];
  int32_t in_strides[MICRO_DATA_MAX_DIMS];
  int32_t out_strides[MICRO_DATA_MAX_DIMS];
  int32_t in_offset, out_offset;
} MicroStridedCopyParams;
void micro_strided_copy(const void *in, void *out, const MicroStridedCopyParams *p);

/* ONNX Gather: out[o, j, i] = data[o, indices[j], i] for `outer` x `index_count` x
 * `inner` elements; a negative index counts from the end of the `axis_size`, an index
 * out of range gives zeros. Indices are int32 (`index_bytes` 4) or int64 (8). */
typedef struct MicroGatherParams {
  int32_t outer, axis_size, inner, index_count;
  int32_t elem_size, index_bytes;
} MicroGatherParams;
void micro_gather(const void *data, const void *indices, void *out, const MicroGatherParams *p);

/* ONNX Where: out = cond ? a : b, the three broadcast to the output shape. */
typedef struct MicroWhereParams {
  int32_t ndim;
  int32_t elem_size;
  int32_t out_shape[MICRO_DATA_MAX_DIMS];
  int32_t cond_strides[MICRO_DATA_MAX_DIMS];
  int32_t a_strides[MICRO_DATA_MAX_DIMS];
  int32_t b_strides[MICRO_DATA_MAX_DIMS];
} MicroWhereParams;
void micro_where(const bool *cond, const void *a, const void *b, void *out,
                 const MicroWhereParams *p);

#define MICRO_PAD_CONSTANT 0
#define MICRO_PAD_REFLECT 1 /* mirror, the edge element not repeated */
#define MICRO_PAD_EDGE 2    /* repeat the edge element */
#define MICRO_PAD_WRAP 3    /* continue from the other end */

/* Pad (before, after) per dimension; in `constant` mode with the element whose bytes
 * are `value_lo` (and `value_hi`, the upper 4 bytes of an 8-byte element). */
typedef struct MicroPadModeParams {
  int32_t ndim;
  int32_t elem_size;
  int32_t in_shape[MICRO_DATA_MAX_DIMS];
  int32_t pad_before[MICRO_DATA_MAX_DIMS];
  int32_t pad_after[MICRO_DATA_MAX_DIMS];
  int32_t mode;
  uint32_t value_lo, value_hi;
} MicroPadModeParams;
void micro_pad_mode(const void *in, void *out, const MicroPadModeParams *p);

#define MICRO_TYPE_F32 0
#define MICRO_TYPE_I64 1
#define MICRO_TYPE_I32 2
#define MICRO_TYPE_BOOL 3
#define MICRO_TYPE_I8 4
#define MICRO_TYPE_U8 5

/* Convert `count` elements: float to integer truncates toward zero and saturates (NaN
 * gives 0), integers narrow by wrapping, anything to bool is `x != 0`. */
typedef struct MicroCastParams {
  int32_t count;
  int32_t from, to;
} MicroCastParams;
void micro_cast(const void *in, void *out, const MicroCastParams *p);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_DATA_OPS_H_ */
