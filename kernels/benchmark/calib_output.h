/*
 * calib_output.h - the benchmark's comparison of model outputs with reference values.
 *
 * The calibration file has MindSpore's text format: for each output tensor, in output
 * order, a line "name ndims d0 d1 ..." and a line of ndims-product space-separated values.
 */
#ifndef MICRO_CALIB_OUTPUT_H_
#define MICRO_CALIB_OUTPUT_H_

#include <stdbool.h>
#include <stddef.h>

#include "c_api/model_c.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct MicroCalibTensor {
  char *name;
  size_t element_num;
  double *data;
} MicroCalibTensor;

/* Parses `path` into a malloc'ed array of *num tensors. Returns 0, or -1 after printing
 * what is wrong. Lines may be of any length. */
int MicroReadCalibFile(const char *path, MicroCalibTensor **tensors, size_t *num);

/* Compares outputs[i] with calib[i]: prints, per output, the max absolute error, the max
 * relative error and the cosine similarity, then "compare outputs success." or
 * "compare outputs failed." Fails (returns -1) when the counts differ, a value is NaN or
 * infinite, or a cosine similarity is below `cosine_threshold`. */
int MicroCompareOutputs(const MSTensorHandleArray *outputs, const MicroCalibTensor *calib,
                        size_t num, double cosine_threshold);

void MicroFreeCalibTensors(MicroCalibTensor *tensors, size_t num);

/* Element `index` of `data` (elements of `type`) as a double; false for types it cannot
 * read. float16 is decoded in software. */
bool MicroElementAsDouble(MSDataType type, const void *data, size_t index, double *value);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_CALIB_OUTPUT_H_ */
