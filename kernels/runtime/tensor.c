/*
 * tensor.c - the MindSpore Lite C tensor API (c_api/tensor_c.h) over MicroTensor.
 *
 * User tensors live on the heap (through allocator.h, so under MICRO_NO_MALLOC creating
 * one fails cleanly). Model tensors belong to model.c: calls that would free, rename or
 * reshape them are refused with a log.
 */
#include "tensor.h"

#include <string.h>

#include "allocator.h"
#include "micro_log.h"

#define MICRO_TENSOR_ALIGNMENT 16

size_t MicroDataTypeSize(MSDataType type) {
  switch (type) {
    case kMSDataTypeNumberTypeBool:
    case kMSDataTypeNumberTypeInt8:
    case kMSDataTypeNumberTypeUInt8:
    case kMSDataTypeObjectTypeString:
      return 1;
    case kMSDataTypeNumberTypeInt16:
    case kMSDataTypeNumberTypeUInt16:
    case kMSDataTypeNumberTypeFloat16:
      return 2;
    case kMSDataTypeNumberTypeInt32:
    case kMSDataTypeNumberTypeUInt32:
    case kMSDataTypeNumberTypeFloat32:
      return 4;
    case kMSDataTypeNumberTypeInt64:
    case kMSDataTypeNumberTypeUInt64:
    case kMSDataTypeNumberTypeFloat64:
      return 8;
    default:
      return 0;
  }
}

bool MicroShapeBytes(MSDataType type, const int64_t *shape, size_t ndim, size_t *bytes) {
  size_t total = MicroDataTypeSize(type);
  size_t i;
  if (total == 0 || (shape == NULL && ndim > 0)) {
    return false;
  }
  for (i = 0; i < ndim; ++i) {
    if (shape[i] < 0 || (uint64_t)shape[i] > (uint64_t)SIZE_MAX) {
      return false;
    }
    if (shape[i] != 0 && total > SIZE_MAX / (size_t)shape[i]) {
      return false;
    }
    total *= (size_t)shape[i];
  }
  *bytes = total;
  return true;
}

/* ---------------------------------------------------------------- internal helpers */

static MicroTensor *MicroTensorCast(MSTensorHandle handle) { return (MicroTensor *)handle; }

static char *MicroStrDup(const char *s) {
  size_t len = strlen(s) + 1;
  char *copy = (char *)MicroAlignedAlloc(len, 0);
  if (copy != NULL) {
    memcpy(copy, s, len);
  }
  return copy;
}

/* Zeroed data of `size` bytes (at least 1 byte is allocated, so that an empty tensor
 * still gets a valid pointer). */
static void *MicroAllocZeroed(size_t size) {
  void *data = MicroAlignedAlloc(size > 0 ? size : 1, MICRO_TENSOR_ALIGNMENT);
  if (data != NULL) {
    memset(data, 0, size > 0 ? size : 1);
  }
  return data;
}

static void MicroTensorFreeData(MicroTensor *t) {
  if (t->owned) {
    MicroAlignedFree(t->data);
  }
  t->data = NULL;
  t->owned = false;
}

/* After the size changed: drop data we own (it has the old size); GetMutableData
 * allocates it again. Caller-owned data is left to the caller. */
static void MicroTensorResized(MicroTensor *t, size_t new_size) {
  if (new_size != t->size && t->owned) {
    MicroTensorFreeData(t);
  }
  t->size = new_size;
}

static void MicroTensorFree(MicroTensor *t) {
  MicroTensorFreeData(t);
  MicroAlignedFree((void *)t->name);
  MicroAlignedFree(t);
}

static bool MicroTensorRefuseModel(const MicroTensor *t, const char *what) {
  if (t->is_model_tensor) {
    MICRO_LOG("%s: '%s' is a model tensor, it cannot be changed", what, t->name);
    return true;
  }
  return false;
}

static MicroTensor *MicroTensorNew(const char *name, MSDataType type, MSFormat format,
                                   const int64_t *shape, size_t ndim) {
  MicroTensor *t;
  size_t size = 0;
  if (ndim > MICRO_MAX_DIMS || !MicroShapeBytes(type, shape, ndim, &size)) {
    MICRO_LOG("MSTensorCreate: invalid shape or data type %d for tensor '%s'", (int)type,
              name != NULL ? name : "");
    return NULL;
  }
  t = (MicroTensor *)MicroAlignedAlloc(sizeof(MicroTensor), 0);
  if (t == NULL) {
    MICRO_LOG("MSTensorCreate: out of memory");
    return NULL;
  }
  memset(t, 0, sizeof(*t));
  t->name = MicroStrDup(name != NULL ? name : "");
  t->data = MicroAllocZeroed(size);
  if (t->name == NULL || t->data == NULL) {
    MICRO_LOG("MSTensorCreate: out of memory for tensor '%s' (%zu bytes)", name != NULL ? name : "",
              size);
    MicroAlignedFree((void *)t->name);
    MicroAlignedFree(t->data);
    MicroAlignedFree(t);
    return NULL;
  }
  t->owned = true;
  t->type = type;
  t->format = format;
  t->ndim = ndim;
  if (ndim > 0) {
    memcpy(t->shape, shape, ndim * sizeof(int64_t));
  }
  t->size = size;
  return t;
}

/* ---------------------------------------------------------------- public API */

MSTensorHandle MSTensorCreate(const char *name, MSDataType type, const int64_t *shape,
                              size_t shape_num, const void *data, size_t data_len) {
  MicroTensor *t = MicroTensorNew(name, type, kMSFormatNHWC, shape, shape_num);
  if (t == NULL) {
    return NULL;
  }
  if (data != NULL) {
    if (data_len != t->size) {
      MICRO_LOG("MSTensorCreate: tensor '%s' needs %zu bytes of data, %zu given", t->name, t->size,
                data_len);
      MicroTensorFree(t);
      return NULL;
    }
    memcpy(t->data, data, data_len);
  }
  return t;
}

void MSTensorDestroy(MSTensorHandle *tensor) {
  MicroTensor *t;
  if (tensor == NULL || *tensor == NULL) {
    return;
  }
  t = MicroTensorCast(*tensor);
  *tensor = NULL;
  if (t->is_model_tensor) {
    return; /* owned by the model: MSModelDestroy releases it */
  }
  MicroTensorFree(t);
}

MSTensorHandle MSTensorClone(MSTensorHandle tensor) {
  const MicroTensor *src = MicroTensorCast(tensor);
  MicroTensor *t;
  if (src == NULL) {
    return NULL;
  }
  t = MicroTensorNew(src->name, src->type, src->format, src->shape, src->ndim);
  if (t == NULL) {
    return NULL;
  }
  if (src->data != NULL) {
    memcpy(t->data, src->data, t->size < src->size ? t->size : src->size);
  }
  t->scale = src->scale;
  t->zero_point = src->zero_point;
  return t;
}

void MSTensorSetName(MSTensorHandle tensor, const char *name) {
  MicroTensor *t = MicroTensorCast(tensor);
  char *copy;
  if (t == NULL || name == NULL || MicroTensorRefuseModel(t, "MSTensorSetName")) {
    return;
  }
  copy = MicroStrDup(name);
  if (copy == NULL) {
    MICRO_LOG("MSTensorSetName: out of memory");
    return;
  }
  MicroAlignedFree((void *)t->name);
  t->name = copy;
}

const char *MSTensorGetName(const MSTensorHandle tensor) {
  const MicroTensor *t = MicroTensorCast(tensor);
  return t != NULL ? t->name : NULL;
}

void MSTensorSetDataType(MSTensorHandle tensor, MSDataType type) {
  MicroTensor *t = MicroTensorCast(tensor);
  size_t size = 0;
  if (t == NULL || t->type == type || MicroTensorRefuseModel(t, "MSTensorSetDataType")) {
    return;
  }
  if (!MicroShapeBytes(type, t->shape, t->ndim, &size)) {
    MICRO_LOG("MSTensorSetDataType: unsupported data type %d", (int)type);
    return;
  }
  t->type = type;
  MicroTensorResized(t, size);
}

MSDataType MSTensorGetDataType(const MSTensorHandle tensor) {
  const MicroTensor *t = MicroTensorCast(tensor);
  return t != NULL ? t->type : kMSDataTypeUnknown;
}

bool MSTensorGetQuantParam(const MSTensorHandle tensor, float *scale, int32_t *zero_point) {
  const MicroTensor *t = MicroTensorCast(tensor);
  if (t == NULL || t->scale == 0.0f) return false;
  if (scale != NULL) *scale = t->scale;
  if (zero_point != NULL) *zero_point = t->zero_point;
  return true;
}

static bool MicroSameShape(const MicroTensor *t, const int64_t *shape, size_t ndim) {
  return t->ndim == ndim && (ndim == 0 || memcmp(t->shape, shape, ndim * sizeof(int64_t)) == 0);
}

void MSTensorSetShape(MSTensorHandle tensor, const int64_t *shape, size_t shape_num) {
  MicroTensor *t = MicroTensorCast(tensor);
  size_t size = 0;
  if (t == NULL || (shape == NULL && shape_num > 0) || MicroSameShape(t, shape, shape_num) ||
      MicroTensorRefuseModel(t, "MSTensorSetShape")) {
    return;
  }
  if (shape_num > MICRO_MAX_DIMS || !MicroShapeBytes(t->type, shape, shape_num, &size)) {
    MICRO_LOG("MSTensorSetShape: invalid shape for tensor '%s'", t->name);
    return;
  }
  t->ndim = shape_num;
  if (shape_num > 0) {
    memcpy(t->shape, shape, shape_num * sizeof(int64_t));
  }
  MicroTensorResized(t, size);
}

const int64_t *MSTensorGetShape(const MSTensorHandle tensor, size_t *shape_num) {
  const MicroTensor *t = MicroTensorCast(tensor);
  if (shape_num != NULL) {
    *shape_num = t != NULL ? t->ndim : 0;
  }
  return t != NULL ? t->shape : NULL;
}

void MSTensorSetFormat(MSTensorHandle tensor, MSFormat format) {
  MicroTensor *t = MicroTensorCast(tensor);
  if (t == NULL || t->format == format || MicroTensorRefuseModel(t, "MSTensorSetFormat")) {
    return;
  }
  t->format = format;
}

MSFormat MSTensorGetFormat(const MSTensorHandle tensor) {
  const MicroTensor *t = MicroTensorCast(tensor);
  return t != NULL ? t->format : kMSFormatNHWC;
}

void MSTensorSetData(MSTensorHandle tensor, void *data) {
  MicroTensor *t = MicroTensorCast(tensor);
  if (t == NULL || t->data == data) {
    return;
  }
  MicroTensorFreeData(t);
  t->data = data;
}

const void *MSTensorGetData(const MSTensorHandle tensor) {
  const MicroTensor *t = MicroTensorCast(tensor);
  return t != NULL ? t->data : NULL;
}

void *MSTensorGetMutableData(const MSTensorHandle tensor) {
  MicroTensor *t = MicroTensorCast(tensor);
  if (t == NULL) {
    return NULL;
  }
  if (t->data != NULL) {
    return t->data;
  }
  if (t->is_model_tensor) {
    MICRO_LOG("MSTensorGetMutableData: model tensor '%s' has no memory before MSModelBuild",
              t->name);
    return NULL;
  }
  t->data = MicroAllocZeroed(t->size);
  if (t->data == NULL) {
    MICRO_LOG("MSTensorGetMutableData: out of memory for tensor '%s' (%zu bytes)", t->name,
              t->size);
    return NULL;
  }
  t->owned = true;
  return t->data;
}

int64_t MSTensorGetElementNum(const MSTensorHandle tensor) {
  const MicroTensor *t = MicroTensorCast(tensor);
  int64_t n = 1;
  size_t i;
  if (t == NULL) {
    return -1;
  }
  for (i = 0; i < t->ndim; ++i) {
    n *= t->shape[i];
  }
  return n;
}

size_t MSTensorGetDataSize(const MSTensorHandle tensor) {
  const MicroTensor *t = MicroTensorCast(tensor);
  return t != NULL ? t->size : 0;
}
