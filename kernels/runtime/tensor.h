/*
 * tensor.h - MicroTensor, the object behind every MSTensorHandle (tensor.c implements
 * c_api/tensor_c.h on it).
 *
 * Two kinds share the struct:
 *  - model tensors (is_model_tensor): the graph inputs/outputs in model.c's static
 *    storage. Their name, type, shape and format come from the generated descriptor and
 *    cannot be changed, MSTensorDestroy ignores them, and their data points into the arena
 *    once the model is built (an application may redirect it with MSTensorSetData; then
 *    MSModelPredict copies between that memory and the arena).
 *  - user tensors, from MSTensorCreate/MSTensorClone: heap objects that own a copy of
 *    their name and, when `owned`, their data.
 */
#ifndef MICRO_TENSOR_H_
#define MICRO_TENSOR_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "c_api/tensor_c.h"
#include "micro_model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct MicroTensor {
  const char *name; /* model tensors: the descriptor's; user tensors: an owned copy */
  MSDataType type;
  MSFormat format;
  size_t ndim;
  int64_t shape[MICRO_MAX_DIMS];
  void *data;           /* NULL until allocated/set (model tensors: until MSModelBuild) */
  size_t size;          /* bytes of data: elements * MicroDataTypeSize(type) */
  bool owned;           /* data came from MicroAlignedAlloc and is freed with the tensor */
  bool is_model_tensor; /* lives in the model's static storage */
  float scale;          /* quantization parameters, 0 when not quantized */
  int32_t zero_point;
} MicroTensor;

/* Bytes of one element of `type`; 0 for types without a fixed size. */
size_t MicroDataTypeSize(MSDataType type);

/* Bytes of a tensor of `type` and `shape`; false when a dimension is negative, the type has
 * no size, or the product overflows size_t. */
bool MicroShapeBytes(MSDataType type, const int64_t *shape, size_t ndim, size_t *bytes);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_TENSOR_H_ */
