/*
 * tensor_c.h - MindSpore Lite C API: tensors.
 *
 * A tensor handle is either one of the model's own input/output tensors (from
 * MSModelGetInputs/GetOutputs, owned by the model: never destroy them) or one the
 * application made with MSTensorCreate/MSTensorClone (destroy it with MSTensorDestroy).
 */
#ifndef MINDSPORE_INCLUDE_C_API_TENSOE_C_H
#define MINDSPORE_INCLUDE_C_API_TENSOE_C_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "c_api/data_type_c.h"
#include "c_api/format_c.h"
#include "c_api/types_c.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef void *MSTensorHandle;

/* New tensor; copies name and shape, and `data` (data_len bytes, which must equal the
 * tensor's size) when it is not NULL, else allocates zeroed data. NULL on error. */
MS_API MSTensorHandle MSTensorCreate(const char *name, MSDataType type, const int64_t *shape,
                                     size_t shape_num, const void *data, size_t data_len);

/* Frees a tensor made by MSTensorCreate/Clone and sets *tensor to NULL. */
MS_API void MSTensorDestroy(MSTensorHandle *tensor);

/* Deep copy (name, shape and data). */
MS_API MSTensorHandle MSTensorClone(MSTensorHandle tensor);

MS_API void MSTensorSetName(MSTensorHandle tensor, const char *name);
MS_API const char *MSTensorGetName(const MSTensorHandle tensor);

MS_API void MSTensorSetDataType(MSTensorHandle tensor, MSDataType type);
MS_API MSDataType MSTensorGetDataType(const MSTensorHandle tensor);

MS_API void MSTensorSetShape(MSTensorHandle tensor, const int64_t *shape, size_t shape_num);
MS_API const int64_t *MSTensorGetShape(const MSTensorHandle tensor, size_t *shape_num);

MS_API void MSTensorSetFormat(MSTensorHandle tensor, MSFormat format);
MS_API MSFormat MSTensorGetFormat(const MSTensorHandle tensor);

/* Points the tensor at caller-owned memory (the tensor will not free it). */
MS_API void MSTensorSetData(MSTensorHandle tensor, void *data);
MS_API const void *MSTensorGetData(const MSTensorHandle tensor);

/* Like MSTensorGetData, but allocates the data first when the tensor has none. */
MS_API void *MSTensorGetMutableData(const MSTensorHandle tensor);

/* Product of the dimensions (1 for a scalar), -1 for a NULL handle. */
MS_API int64_t MSTensorGetElementNum(const MSTensorHandle tensor);

/* Bytes of data. */
MS_API size_t MSTensorGetDataSize(const MSTensorHandle tensor);

/* micro extension (MindSpore Lite's C API has no equivalent): the affine quantization of an
 * int8 model input or output, real = scale * (q - zero_point). Returns false (and leaves
 * *scale and *zero_point alone) when the tensor is not quantized or the handle is NULL. */
MS_API bool MSTensorGetQuantParam(const MSTensorHandle tensor, float *scale,
                                  int32_t *zero_point);

#ifdef __cplusplus
}
#endif
#endif /* MINDSPORE_INCLUDE_C_API_TENSOE_C_H */
