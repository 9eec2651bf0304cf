/*
 * micro_model.h - what generated code tells the runtime about a model.
 *
 * The compiler writes, in src/net.c, one `const MicroModelDesc` per model: the arena it
 * planned, the weight blob it laid out, the graph inputs and outputs (where each lives in
 * the arena) and the function that runs the graph. The runtime (model.c, tensor.c,
 * context.c) implements the MindSpore Lite micro C API on top of it, so the API code is
 * the same for every model and only net.c/weight.c change.
 */
#ifndef MICRO_MODEL_H_
#define MICRO_MODEL_H_

#include "micro_config.h"

#include <stddef.h>
#include <stdint.h>

#include "c_api/data_type_c.h"
#include "c_api/format_c.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MICRO_MAX_DIMS 8

/* One graph input or output. Its bytes are arena[offset, offset + size). */
typedef struct MicroTensorDesc {
  const char *name;
  MSDataType data_type;
  MSFormat format;
  int32_t ndim;
  int64_t shape[MICRO_MAX_DIMS];
  size_t offset; /* bytes from the start of the arena, a multiple of 16 */
  size_t size;   /* bytes */
  float scale;   /* quantization scale, 0 when the tensor is not quantized */
  int32_t zero_point;
} MicroTensorDesc;

/* One constant of the weight blob (for tools: export, inspection). */
typedef struct MicroWeightDesc {
  const char *name;
  size_t offset; /* bytes into the blob */
  size_t size;   /* bytes */
} MicroWeightDesc;

/* Runs one inference: reads the inputs from and writes the outputs into `arena`. */
typedef void (*MicroInferenceFn)(uint8_t *arena, const uint8_t *weights);

typedef struct MicroModelDesc {
  const char *name;
  size_t arena_size;     /* bytes of activation memory (MSModelCalcWorkspaceSize) */
  size_t weight_size;    /* bytes of net.bin */
  uint32_t weight_crc32; /* CRC-32 (IEEE 802.3, as zlib's crc32) of net.bin */
  /* Weights compiled into flash (Cortex-M): then MSModelBuild takes no data. NULL when the
   * weights come from net.bin at MSModelBuild. */
  const uint8_t *flash_weights;
  int32_t input_num;
  const MicroTensorDesc *inputs;
  int32_t output_num;
  const MicroTensorDesc *outputs;
  MicroInferenceFn inference;
} MicroModelDesc;

#ifdef __cplusplus
}
#endif
#endif /* MICRO_MODEL_H_ */
