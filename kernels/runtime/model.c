/*
 * model.c - the MindSpore Lite C model API (c_api/model_c.h) for the one model this
 * project was generated for, described by `net_model` (net.h / net.c).
 *
 * Memory: the model object and its input/output tensors are static. MSModelBuild
 * allocates (through allocator.h) only the 16-byte-aligned copy of the weights, unless
 * they are compiled into flash, and the arena, unless MSModelSetWorkspace provided one.
 *
 * Inputs are consumed by inference: the memory planner lets later layers reuse an
 * input's arena bytes once nothing reads them any more (as TFLite Micro does), so after
 * MSModelPredict the model's input tensors may hold other data. Write the inputs again
 * (or pass your own input tensors, which are copied in) before every MSModelPredict.
 *
 * Failed calls return an MSStatus and say why on stderr through MICRO_LOG.
 */
#include <string.h>

#include "allocator.h"
#include "c_api/model_c.h"
#include "micro_log.h"
#include "net.h"
#include "tensor.h"

#ifndef MICRO_NO_FILESYSTEM
#include <stdio.h>
#endif

#define MICRO_ALIGNMENT 16
/* C has no zero-length arrays: a model without inputs still gets a 1-element array. */
#define MICRO_ARRAY_LEN(n) ((n) > 0 ? (n) : 1)

typedef struct MicroModel {
  bool created;
  bool built;
  MicroTensor inputs[MICRO_ARRAY_LEN(NET_INPUT_NUM)];
  MicroTensor outputs[MICRO_ARRAY_LEN(NET_OUTPUT_NUM)];
  MSTensorHandle input_handles[MICRO_ARRAY_LEN(NET_INPUT_NUM)];
  MSTensorHandle output_handles[MICRO_ARRAY_LEN(NET_OUTPUT_NUM)];
  void *workspace; /* from MSModelSetWorkspace, NULL when none */
  size_t workspace_size;
  uint8_t *arena;         /* 16-byte aligned; inside `workspace` or == arena_alloc */
  uint8_t *arena_alloc;   /* ours to free */
  const uint8_t *weights; /* flash weights or weights_alloc */
  uint8_t *weights_alloc; /* ours to free */
} MicroModel;

/* The model's static storage: the only mutable global of the runtime. */
static MicroModel micro_model;

/* ---------------------------------------------------------------- helpers */

static MicroModel *MicroModelFromHandle(MSModelHandle handle, const char *caller) {
  if (handle != NULL && handle == (MSModelHandle)&micro_model && micro_model.created) {
    return &micro_model;
  }
  MICRO_LOG("%s: invalid model handle (call MSModelCreate first)", caller);
  return NULL;
}

static MSStatus MicroNotSupported(const char *what) {
  MICRO_LOG("%s is not supported by this generated model", what);
  return kMSStatusLiteNotSupport;
}

/* CRC-32 as zlib computes it (reflected polynomial 0xEDB88320), half a byte at a time. */
static uint32_t MicroCrc32(const uint8_t *data, size_t size) {
  static const uint32_t kNibbleTable[16] = {0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu,
                                            0x76DC4190u, 0x6B6B51F4u, 0x4DB26158u, 0x5005713Cu,
                                            0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu,
                                            0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu};
  uint32_t crc = 0xFFFFFFFFu;
  size_t i;
  for (i = 0; i < size; ++i) {
    crc ^= data[i];
    crc = (crc >> 4) ^ kNibbleTable[crc & 0xFu];
    crc = (crc >> 4) ^ kNibbleTable[crc & 0xFu];
  }
  return crc ^ 0xFFFFFFFFu;
}

static bool MicroDescValid(const MicroTensorDesc *desc, const char *role, int32_t index) {
  if (desc->name == NULL || desc->ndim < 0 || desc->ndim > MICRO_MAX_DIMS ||
      desc->offset > net_model.arena_size || desc->size > net_model.arena_size - desc->offset) {
    MICRO_LOG("model '%s': %s %d has an invalid descriptor (name, rank or arena range)",
              net_model.name, role, (int)index);
    return false;
  }
  return true;
}

/* Sanity checks of the generated descriptor, so that a compiler bug fails loudly in
 * MSModelCreate instead of corrupting memory later. */
static bool MicroModelDescValid(void) {
  int32_t i;
  if (net_model.input_num < 0 || net_model.input_num > NET_INPUT_NUM || net_model.output_num < 0 ||
      net_model.output_num > NET_OUTPUT_NUM || net_model.inference == NULL ||
      (net_model.input_num > 0 && net_model.inputs == NULL) ||
      (net_model.output_num > 0 && net_model.outputs == NULL)) {
    MICRO_LOG("model '%s': net_model disagrees with NET_INPUT_NUM/NET_OUTPUT_NUM or lacks inference",
              net_model.name != NULL ? net_model.name : "?");
    return false;
  }
  for (i = 0; i < net_model.input_num; ++i) {
    if (!MicroDescValid(&net_model.inputs[i], "input", i)) {
      return false;
    }
  }
  for (i = 0; i < net_model.output_num; ++i) {
    if (!MicroDescValid(&net_model.outputs[i], "output", i)) {
      return false;
    }
  }
  return true;
}

static void MicroTensorFromDesc(MicroTensor *t, const MicroTensorDesc *desc) {
  memset(t, 0, sizeof(*t));
  t->name = desc->name;
  t->type = desc->data_type;
  t->format = desc->format;
  t->ndim = (size_t)desc->ndim;
  memcpy(t->shape, desc->shape, sizeof(t->shape));
  t->size = desc->size;
  t->is_model_tensor = true;
  t->scale = desc->scale;
  t->zero_point = desc->zero_point;
}

/* Back to the state right after MSModelCreate: frees what Build allocated. */
static void MicroModelRelease(MicroModel *m) {
  int32_t i;
  MicroAlignedFree(m->weights_alloc);
  MicroAlignedFree(m->arena_alloc);
  m->weights_alloc = NULL;
  m->arena_alloc = NULL;
  m->weights = NULL;
  m->arena = NULL;
  m->built = false;
  for (i = 0; i < net_model.input_num; ++i) {
    m->inputs[i].data = NULL;
  }
  for (i = 0; i < net_model.output_num; ++i) {
    m->outputs[i].data = NULL;
  }
}

/* ---------------------------------------------------------------- build */

/* `file_buffer`, when not NULL, is `data` in a MicroAlignedAlloc block that the model may keep
 * instead of copying (MSModelBuildFromFile); it then becomes m->weights_alloc. */
static MSStatus MicroModelLoadWeights(MicroModel *m, const void *data, size_t size,
                                      uint8_t *file_buffer) {
  uint32_t crc;
  if (net_model.flash_weights != NULL) {
    m->weights = net_model.flash_weights; /* used in place, `data` is not needed */
    return kMSStatusSuccess;
  }
  if (data == NULL && net_model.weight_size > 0) {
    MICRO_LOG("MSModelBuild: model '%s' needs its weight file (%zu bytes), got NULL",
              net_model.name, net_model.weight_size);
    return kMSStatusLiteParamInvalid;
  }
  if (size != net_model.weight_size) {
    MICRO_LOG(
        "MSModelBuild: the weight file holds %zu bytes, model '%s' needs %zu (wrong net.bin?)",
        size, net_model.name, net_model.weight_size);
    return kMSStatusLiteParamInvalid;
  }
  if (size == 0) {
    return kMSStatusSuccess;
  }
  crc = MicroCrc32((const uint8_t *)data, size);
  if (crc != net_model.weight_crc32) {
    MICRO_LOG(
        "MSModelBuild: the weight file is corrupted (CRC-32 0x%08lx, model '%s' expects 0x%08lx)",
        (unsigned long)crc, net_model.name, (unsigned long)net_model.weight_crc32);
    return kMSStatusLiteGraphFileError;
  }
  if (file_buffer != NULL) {
    m->weights_alloc = file_buffer;
    m->weights = file_buffer;
    return kMSStatusSuccess;
  }
  m->weights_alloc = (uint8_t *)MicroAlignedAlloc(size, MICRO_ALIGNMENT);
  if (m->weights_alloc == NULL) {
    MICRO_LOG("MSModelBuild: cannot allocate %zu bytes for the weights of model '%s'", size,
              net_model.name);
    return kMSStatusLiteMemoryFailed;
  }
  memcpy(m->weights_alloc, data, size);
  m->weights = m->weights_alloc;
  return kMSStatusSuccess;
}

static MSStatus MicroModelSetupArena(MicroModel *m) {
  size_t needed = net_model.arena_size;
  if (m->workspace != NULL) {
    uintptr_t address = (uintptr_t)m->workspace;
    size_t pad = (size_t)((MICRO_ALIGNMENT - address % MICRO_ALIGNMENT) % MICRO_ALIGNMENT);
    if (m->workspace_size < pad || m->workspace_size - pad < needed) {
      MICRO_LOG("MSModelBuild: the workspace holds %zu bytes, model '%s' needs %zu",
                m->workspace_size, net_model.name, needed + MICRO_ALIGNMENT - 1);
      return kMSStatusLiteMemoryFailed;
    }
    m->arena = (uint8_t *)m->workspace + pad;
  } else {
    m->arena_alloc = (uint8_t *)MicroAlignedAlloc(needed, MICRO_ALIGNMENT);
    if (m->arena_alloc == NULL) {
      MICRO_LOG("MSModelBuild: cannot allocate the %zu-byte arena of model '%s' (no workspace set)",
                needed, net_model.name);
      return kMSStatusLiteMemoryFailed;
    }
    m->arena = m->arena_alloc;
  }
  memset(m->arena, 0, needed);
  return kMSStatusSuccess;
}

static void MicroModelBindTensors(MicroModel *m) {
  int32_t i;
  for (i = 0; i < net_model.input_num; ++i) {
    m->inputs[i].data = m->arena + net_model.inputs[i].offset;
  }
  for (i = 0; i < net_model.output_num; ++i) {
    m->outputs[i].data = m->arena + net_model.outputs[i].offset;
  }
}

/* ---------------------------------------------------------------- predict */

static uint8_t *MicroArenaSlot(const MicroModel *m, const MicroTensorDesc *desc) {
  return m->arena + desc->offset;
}

static bool MicroIsModelInput(const MicroModel *m, const MicroTensor *t) {
  int32_t i;
  for (i = 0; i < net_model.input_num; ++i) {
    if (t == &m->inputs[i]) {
      return true;
    }
  }
  return false;
}

/* A tensor the application passed for graph input/output `index` (described by `own`):
 * either the model's own tensor at that index, or a tensor of the same type and size. */
static MSStatus MicroCheckGiven(const MicroTensor *given, const MicroTensor *own, const char *role,
                                size_t index) {
  if (given == NULL) {
    MICRO_LOG("MSModelPredict: %s %zu is NULL", role, index);
    return kMSStatusLiteInputTensorError;
  }
  if (given != own && given->type != own->type) {
    MICRO_LOG("MSModelPredict: %s %zu ('%s'): data type %d given, model needs %d", role, index,
              own->name, (int)given->type, (int)own->type);
    return kMSStatusLiteInputTensorError;
  }
  if (given != own && given->size != own->size) {
    MICRO_LOG("MSModelPredict: %s %zu ('%s'): %zu bytes given, model needs %zu", role, index,
              own->name, given->size, own->size);
    return kMSStatusLiteInputTensorError;
  }
  if (given->data == NULL) {
    MICRO_LOG("MSModelPredict: %s %zu ('%s') has no data", role, index, own->name);
    return kMSStatusLiteInputTensorError;
  }
  return kMSStatusSuccess;
}

static MSStatus MicroCheckInputs(const MicroModel *m, const MSTensorHandleArray *inputs) {
  size_t i;
  MSStatus status;
  if (inputs->handle_num != (size_t)net_model.input_num ||
      (inputs->handle_num > 0 && inputs->handle_list == NULL)) {
    MICRO_LOG("MSModelPredict: %zu input tensors given, model '%s' has %d", inputs->handle_num,
              net_model.name, (int)net_model.input_num);
    return kMSStatusLiteInputTensorError;
  }
  for (i = 0; i < inputs->handle_num; ++i) {
    const MicroTensor *given = (const MicroTensor *)inputs->handle_list[i];
    if (given != &m->inputs[i] && given != NULL && MicroIsModelInput(m, given)) {
      MICRO_LOG("MSModelPredict: input %zu is the model's input '%s' of another position", i,
                given->name);
      return kMSStatusLiteInputTensorError;
    }
    status = MicroCheckGiven(given, &m->inputs[i], "input", i);
    if (status != kMSStatusSuccess) {
      return status;
    }
  }
  return kMSStatusSuccess;
}

/* Fills an empty `outputs` with the model's output tensors, or checks the given ones
 * (allocating data for application tensors that have none). */
static MSStatus MicroPrepareOutputs(MicroModel *m, MSTensorHandleArray *outputs) {
  size_t i;
  MSStatus status;
  if (outputs == NULL) {
    return kMSStatusSuccess;
  }
  if (outputs->handle_num == 0 || outputs->handle_list == NULL) {
    outputs->handle_num = (size_t)net_model.output_num;
    outputs->handle_list = m->output_handles;
    return kMSStatusSuccess;
  }
  if (outputs->handle_num != (size_t)net_model.output_num) {
    MICRO_LOG("MSModelPredict: %zu output tensors given, model '%s' has %d", outputs->handle_num,
              net_model.name, (int)net_model.output_num);
    return kMSStatusLiteParamInvalid;
  }
  for (i = 0; i < outputs->handle_num; ++i) {
    MicroTensor *given = (MicroTensor *)outputs->handle_list[i];
    if (given != NULL && given != &m->outputs[i] && given->is_model_tensor) {
      MICRO_LOG("MSModelPredict: output %zu is the model's tensor '%s' of another position", i,
                given->name);
      return kMSStatusLiteParamInvalid;
    }
    if (given != NULL && !given->is_model_tensor && given->type == m->outputs[i].type &&
        given->size == m->outputs[i].size) {
      (void)MSTensorGetMutableData(given); /* application tensors without data get some */
    }
    status = MicroCheckGiven(given, &m->outputs[i], "output", i);
    if (status != kMSStatusSuccess) {
      return kMSStatusLiteParamInvalid;
    }
  }
  return kMSStatusSuccess;
}

static void MicroCopyInputs(const MicroModel *m, const MSTensorHandleArray *inputs) {
  size_t i;
  for (i = 0; i < inputs->handle_num; ++i) {
    const MicroTensor *given = (const MicroTensor *)inputs->handle_list[i];
    uint8_t *slot = MicroArenaSlot(m, &net_model.inputs[i]);
    if (given->data != slot) {
      memmove(slot, given->data, net_model.inputs[i].size);
    }
  }
}

static void MicroCopyOutputs(const MicroModel *m, const MSTensorHandleArray *outputs) {
  size_t i;
  if (outputs == NULL) {
    return;
  }
  for (i = 0; i < outputs->handle_num; ++i) {
    MicroTensor *given = (MicroTensor *)outputs->handle_list[i];
    const uint8_t *slot = MicroArenaSlot(m, &net_model.outputs[i]);
    if (given->data != slot) {
      memmove(given->data, slot, net_model.outputs[i].size);
    }
  }
}

/* ---------------------------------------------------------------- public API: inference */

MSModelHandle MSModelCreate(void) {
  MicroModel *m = &micro_model;
  int32_t i;
  if (m->created) {
    MICRO_LOG("MSModelCreate: this project holds one instance of model '%s'; returning it again",
              net_model.name);
    return m;
  }
  if (!MicroModelDescValid()) {
    return NULL;
  }
  memset(m, 0, sizeof(*m));
  for (i = 0; i < net_model.input_num; ++i) {
    MicroTensorFromDesc(&m->inputs[i], &net_model.inputs[i]);
    m->input_handles[i] = &m->inputs[i];
  }
  for (i = 0; i < net_model.output_num; ++i) {
    MicroTensorFromDesc(&m->outputs[i], &net_model.outputs[i]);
    m->output_handles[i] = &m->outputs[i];
  }
  m->created = true;
  return m;
}

void MSModelDestroy(MSModelHandle *model) {
  MicroModel *m;
  if (model == NULL || *model == NULL) {
    return;
  }
  m = MicroModelFromHandle(*model, "MSModelDestroy");
  if (m == NULL) {
    return;
  }
  MicroModelRelease(m);
  memset(m, 0, sizeof(*m));
  *model = NULL;
}

void MSModelSetWorkspace(MSModelHandle model, void *workspace, size_t workspace_size) {
  MicroModel *m = MicroModelFromHandle(model, "MSModelSetWorkspace");
  if (m != NULL) {
    /* takes effect at the next MSModelBuild */
    m->workspace = workspace;
    m->workspace_size = workspace != NULL ? workspace_size : 0;
  }
}

size_t MSModelCalcWorkspaceSize(MSModelHandle model) {
  if (MicroModelFromHandle(model, "MSModelCalcWorkspaceSize") == NULL) {
    return 0;
  }
  /* room to align any workspace pointer to 16 bytes */
  return net_model.arena_size + (MICRO_ALIGNMENT - 1);
}

/* Building again first frees the previous build, so after a failed Build the model is not
 * built. Takes ownership of `file_buffer` (see MicroModelLoadWeights). */
static MSStatus MicroModelBuild(MicroModel *m, const void *data, size_t size, MSModelType type,
                                uint8_t *file_buffer) {
  MSStatus status = kMSStatusLiteParamInvalid;
  MicroModelRelease(m);
  if (type != kMSModelTypeMindIR) {
    MICRO_LOG("MSModelBuild: model type %d is not supported, use kMSModelTypeMindIR", (int)type);
  } else {
    status = MicroModelLoadWeights(m, data, size, file_buffer);
  }
  if (status == kMSStatusSuccess) {
    status = MicroModelSetupArena(m);
  }
  if (file_buffer != NULL && m->weights_alloc != file_buffer) {
    MicroAlignedFree(file_buffer); /* not kept */
  }
  if (status != kMSStatusSuccess) {
    MicroModelRelease(m);
    return status;
  }
  MicroModelBindTensors(m);
  m->built = true;
  return kMSStatusSuccess;
}

/* The context is not needed: the model runs on the calling thread. */
MSStatus MSModelBuild(MSModelHandle model, const void *model_data, size_t data_size,
                      MSModelType model_type, const MSContextHandle model_context) {
  MicroModel *m = MicroModelFromHandle(model, "MSModelBuild");
  (void)model_context;
  if (m == NULL) {
    return kMSStatusLiteNullptr;
  }
  return MicroModelBuild(m, model_data, data_size, model_type, NULL);
}

#ifndef MICRO_NO_FILESYSTEM
/* Reads a whole file into a MicroAlignedAlloc buffer. */
static MSStatus MicroReadFile(const char *path, uint8_t **data, size_t *size) {
  FILE *file = fopen(path, "rb");
  long length;
  MSStatus status = kMSStatusSuccess;
  *data = NULL;
  if (file == NULL) {
    MICRO_LOG("MSModelBuildFromFile: cannot open '%s'", path);
    return kMSStatusLiteFileError;
  }
  if (fseek(file, 0, SEEK_END) != 0 || (length = ftell(file)) < 0 ||
      fseek(file, 0, SEEK_SET) != 0) {
    MICRO_LOG("MSModelBuildFromFile: cannot get the size of '%s'", path);
    fclose(file);
    return kMSStatusLiteFileError;
  }
  *size = (size_t)length;
  *data = (uint8_t *)MicroAlignedAlloc(*size > 0 ? *size : 1, MICRO_ALIGNMENT);
  if (*data == NULL) {
    MICRO_LOG("MSModelBuildFromFile: cannot allocate %zu bytes to read '%s'", *size, path);
    status = kMSStatusLiteMemoryFailed;
  } else if (fread(*data, 1, *size, file) != *size) {
    MICRO_LOG("MSModelBuildFromFile: cannot read '%s'", path);
    MicroAlignedFree(*data);
    *data = NULL;
    status = kMSStatusLiteFileError;
  }
  fclose(file);
  return status;
}
#endif

/* Reads the weight file straight into the buffer the model keeps (no second copy). */
MSStatus MSModelBuildFromFile(MSModelHandle model, const char *model_path, MSModelType model_type,
                              const MSContextHandle model_context) {
  MicroModel *m = MicroModelFromHandle(model, "MSModelBuildFromFile");
  (void)model_context;
  if (m == NULL) {
    return kMSStatusLiteNullptr;
  }
  if (net_model.flash_weights != NULL) {
    return MicroModelBuild(m, NULL, 0, model_type, NULL); /* no file needed */
  }
#ifdef MICRO_NO_FILESYSTEM
  (void)model_path;
  MICRO_LOG(
      "MSModelBuildFromFile: built without a file system (MICRO_NO_FILESYSTEM); use MSModelBuild");
  return kMSStatusLiteNotSupport;
#else
  {
    uint8_t *data = NULL;
    size_t size = 0;
    MSStatus status;
    if (model_path == NULL) {
      MICRO_LOG("MSModelBuildFromFile: the path is NULL");
      return kMSStatusLiteNullptr;
    }
    status = MicroReadFile(model_path, &data, &size);
    if (status == kMSStatusSuccess) {
      status = MicroModelBuild(m, data, size, model_type, data);
    }
    return status;
  }
#endif
}

static bool MicroShapeMatches(const MicroTensor *t, const MSShapeInfo *info) {
  return info->shape_num == t->ndim &&
         (t->ndim == 0 || memcmp(info->shape, t->shape, t->ndim * sizeof(int64_t)) == 0);
}

MSStatus MSModelResize(MSModelHandle model, const MSTensorHandleArray inputs,
                       MSShapeInfo *shape_infos, size_t shape_info_num) {
  MicroModel *m = MicroModelFromHandle(model, "MSModelResize");
  size_t i;
  if (m == NULL) {
    return kMSStatusLiteNullptr;
  }
  if (shape_info_num != (size_t)net_model.input_num || inputs.handle_num != shape_info_num ||
      (shape_info_num > 0 && shape_infos == NULL)) {
    MICRO_LOG("MSModelResize: %zu shapes for %zu tensors given, model '%s' has %d inputs",
              shape_info_num, inputs.handle_num, net_model.name, (int)net_model.input_num);
    return kMSStatusLiteParamInvalid;
  }
  for (i = 0; i < shape_info_num; ++i) {
    if (!MicroShapeMatches(&m->inputs[i], &shape_infos[i])) {
      MICRO_LOG("MSModelResize: model '%s' has fixed shapes; input %zu ('%s') cannot change",
                net_model.name, i, m->inputs[i].name);
      return kMSStatusLiteNotSupport;
    }
  }
  return kMSStatusSuccess;
}

MSStatus MSModelPredict(MSModelHandle model, const MSTensorHandleArray inputs,
                        MSTensorHandleArray *outputs, const MSKernelCallBackC before,
                        const MSKernelCallBackC after) {
  MicroModel *m = MicroModelFromHandle(model, "MSModelPredict");
  MSStatus status;
  if (m == NULL) {
    return kMSStatusLiteNullptr;
  }
  if (before != NULL || after != NULL) {
    MICRO_LOG("MSModelPredict: per-kernel callbacks are not supported by this generated model");
    return kMSStatusLiteNotSupport;
  }
  if (!m->built) {
    MICRO_LOG("MSModelPredict: model '%s' is not built (call MSModelBuild first)", net_model.name);
    return kMSStatusLiteUninitializedObj;
  }
  status = MicroCheckInputs(m, &inputs);
  if (status == kMSStatusSuccess) {
    status = MicroPrepareOutputs(m, outputs);
  }
  if (status != kMSStatusSuccess) {
    return status;
  }
  MicroCopyInputs(m, &inputs);
  net_model.inference(m->arena, m->weights);
  MicroCopyOutputs(m, outputs);
  return kMSStatusSuccess;
}

MSTensorHandleArray MSModelGetInputs(const MSModelHandle model) {
  MicroModel *m = MicroModelFromHandle(model, "MSModelGetInputs");
  MSTensorHandleArray array = {0, NULL};
  if (m != NULL) {
    array.handle_num = (size_t)net_model.input_num;
    array.handle_list = m->input_handles;
  }
  return array;
}

MSTensorHandleArray MSModelGetOutputs(const MSModelHandle model) {
  MicroModel *m = MicroModelFromHandle(model, "MSModelGetOutputs");
  MSTensorHandleArray array = {0, NULL};
  if (m != NULL) {
    array.handle_num = (size_t)net_model.output_num;
    array.handle_list = m->output_handles;
  }
  return array;
}

static MSTensorHandle MicroFindByName(MicroTensor *tensors, int32_t num, const char *name) {
  int32_t i;
  if (name == NULL) {
    return NULL;
  }
  for (i = 0; i < num; ++i) {
    if (strcmp(tensors[i].name, name) == 0) {
      return &tensors[i];
    }
  }
  return NULL;
}

MSTensorHandle MSModelGetInputByTensorName(const MSModelHandle model, const char *tensor_name) {
  MicroModel *m = MicroModelFromHandle(model, "MSModelGetInputByTensorName");
  return m != NULL ? MicroFindByName(m->inputs, net_model.input_num, tensor_name) : NULL;
}

MSTensorHandle MSModelGetOutputByTensorName(const MSModelHandle model, const char *tensor_name) {
  MicroModel *m = MicroModelFromHandle(model, "MSModelGetOutputByTensorName");
  return m != NULL ? MicroFindByName(m->outputs, net_model.output_num, tensor_name) : NULL;
}

/* ---------------------------------------------------------------- public API: training */

MSStatus MSModelRunStep(MSModelHandle model, const MSKernelCallBackC before,
                        const MSKernelCallBackC after) {
  (void)model;
  (void)before;
  (void)after;
  return MicroNotSupported("MSModelRunStep");
}

/* Eval mode is what the model always runs in, so asking for it succeeds. */
MSStatus MSModelSetTrainMode(MSModelHandle model, bool train) {
  if (MicroModelFromHandle(model, "MSModelSetTrainMode") == NULL) {
    return kMSStatusLiteNullptr;
  }
  return train ? MicroNotSupported("MSModelSetTrainMode(train = true)") : kMSStatusSuccess;
}

bool MSModelGetTrainMode(MSModelHandle model) {
  (void)model;
  return false;
}

MSStatus MSModelExportWeight(const MSModelHandle model, const char *export_path) {
  (void)model;
  (void)export_path;
  return MicroNotSupported("MSModelExportWeight");
}

MSTrainCfgHandle MSTrainCfgCreate(void) {
  (void)MicroNotSupported("MSTrainCfgCreate");
  return NULL;
}

void MSTrainCfgDestroy(MSTrainCfgHandle *train_cfg) {
  if (train_cfg != NULL) {
    *train_cfg = NULL;
  }
}

char **MSTrainCfgGetLossName(MSTrainCfgHandle train_cfg, size_t *num) {
  (void)train_cfg;
  if (num != NULL) {
    *num = 0;
  }
  return NULL;
}

void MSTrainCfgSetLossName(MSTrainCfgHandle train_cfg, const char **loss_name, size_t num) {
  (void)train_cfg;
  (void)loss_name;
  (void)num;
}

MSOptimizationLevel MSTrainCfgGetOptimizationLevel(MSTrainCfgHandle train_cfg) {
  (void)train_cfg;
  return kMSKO0;
}

void MSTrainCfgSetOptimizationLevel(MSTrainCfgHandle train_cfg, MSOptimizationLevel level) {
  (void)train_cfg;
  (void)level;
}

MSStatus MSTrainModelBuild(MSModelHandle model, const void *model_data, size_t data_size,
                           MSModelType model_type, const MSContextHandle model_context,
                           const MSTrainCfgHandle train_cfg) {
  (void)model;
  (void)model_data;
  (void)data_size;
  (void)model_type;
  (void)model_context;
  (void)train_cfg;
  return MicroNotSupported("MSTrainModelBuild");
}

MSStatus MSTrainModelBuildFromFile(MSModelHandle model, const char *model_path,
                                   MSModelType model_type, const MSContextHandle model_context,
                                   const MSTrainCfgHandle train_cfg) {
  (void)model;
  (void)model_path;
  (void)model_type;
  (void)model_context;
  (void)train_cfg;
  return MicroNotSupported("MSTrainModelBuildFromFile");
}

MSStatus MSRunStep(MSModelHandle model, const MSKernelCallBackC before,
                   const MSKernelCallBackC after) {
  (void)model;
  (void)before;
  (void)after;
  return MicroNotSupported("MSRunStep");
}

MSStatus MSModelSetLearningRate(MSModelHandle model, float learning_rate) {
  (void)model;
  (void)learning_rate;
  return MicroNotSupported("MSModelSetLearningRate");
}

float MSModelGetLearningRate(MSModelHandle model) {
  (void)model;
  return 0.0f;
}

MSTensorHandleArray MSModelGetWeights(MSModelHandle model) {
  MSTensorHandleArray empty = {0, NULL};
  (void)model;
  (void)MicroNotSupported("MSModelGetWeights");
  return empty;
}

MSStatus MSModelUpdateWeights(MSModelHandle model, const MSTensorHandleArray new_weights) {
  (void)model;
  (void)new_weights;
  return MicroNotSupported("MSModelUpdateWeights");
}

MSStatus MSModelSetupVirtualBatch(MSModelHandle model, int virtual_batch_multiplier, float lr,
                                  float momentum) {
  (void)model;
  (void)virtual_batch_multiplier;
  (void)lr;
  (void)momentum;
  return MicroNotSupported("MSModelSetupVirtualBatch");
}

MSStatus MSExportModel(MSModelHandle model, MSModelType model_type, const char *model_file,
                       MSQuantizationType quantization_type, bool export_inference_only,
                       char **output_tensor_name, size_t num) {
  (void)model;
  (void)model_type;
  (void)model_file;
  (void)quantization_type;
  (void)export_inference_only;
  (void)output_tensor_name;
  (void)num;
  return MicroNotSupported("MSExportModel");
}

MSStatus MSExportModelBuffer(MSModelHandle model, MSModelType model_type, char **model_data,
                             size_t *data_size, MSQuantizationType quantization_type,
                             bool export_inference_only, char **output_tensor_name, size_t num) {
  (void)model;
  (void)model_type;
  (void)quantization_type;
  (void)export_inference_only;
  (void)output_tensor_name;
  (void)num;
  if (model_data != NULL) {
    *model_data = NULL;
  }
  if (data_size != NULL) {
    *data_size = 0;
  }
  return MicroNotSupported("MSExportModelBuffer");
}

MSStatus MSExportWeightsCollaborateWithMicro(MSModelHandle model, MSModelType model_type,
                                             const char *weight_file, bool is_inference,
                                             bool enable_fp16, char **changeable_weights_name,
                                             size_t num) {
  (void)model;
  (void)model_type;
  (void)weight_file;
  (void)is_inference;
  (void)enable_fp16;
  (void)changeable_weights_name;
  (void)num;
  return MicroNotSupported("MSExportWeightsCollaborateWithMicro");
}
