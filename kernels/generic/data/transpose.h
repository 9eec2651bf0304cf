/*
 * transpose.h - permutation of the axes of an N-D tensor of any element type (TFLite
 * TRANSPOSE semantics; element size 1, 2, 4 or 8 bytes):
 *   out has shape in_shape[perm[0]], ..., in_shape[perm[ndim - 1]] and
 *   out[i_0, ..., i_{n-1}] = in[j] with j[perm[k]] = i_k.
 * The compiler may drop size-1 dims and merge axes that stay adjacent and in order first
 * (int8_abi.transpose_params). No scratch; out must not overlap in.
 */
#ifndef MICRO_TRANSPOSE_H_
#define MICRO_TRANSPOSE_H_

#include "micro_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MICRO_TRANSPOSE_MAX_DIMS 6

typedef struct MicroTransposeParams {
  int32_t ndim;
  int32_t elem_size; /* bytes per element: 1, 2, 4 or 8 */
  int32_t in_shape[MICRO_TRANSPOSE_MAX_DIMS];
  int32_t perm[MICRO_TRANSPOSE_MAX_DIMS];
} MicroTransposeParams;

void micro_transpose(const void *in, void *out, const MicroTransposeParams *p);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_TRANSPOSE_H_ */
