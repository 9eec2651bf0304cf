/*
 * calib_output.c - reading a MindSpore calibration file and comparing the model's outputs
 * with it (see calib_output.h).
 *
 * The parser streams tokens with fgetc/fscanf, so a line holding millions of values needs
 * no line buffer.
 */
#include "calib_output.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- element access */

static double MicroHalfToDouble(uint16_t h) {
  int exponent = (h >> 10) & 0x1F;
  int mantissa = h & 0x3FF;
  double v;
  if (exponent == 0) {
    v = ldexp((double)mantissa, -24);
  } else if (exponent == 31) {
    v = mantissa != 0 ? NAN : INFINITY;
  } else {
    v = ldexp((double)(mantissa + 1024), exponent - 25);
  }
  return (h & 0x8000) != 0 ? -v : v;
}

bool MicroElementAsDouble(MSDataType type, const void *data, size_t index, double *value) {
  switch (type) {
    case kMSDataTypeNumberTypeFloat32:
      *value = ((const float *)data)[index];
      return true;
    case kMSDataTypeNumberTypeFloat64:
      *value = ((const double *)data)[index];
      return true;
    case kMSDataTypeNumberTypeFloat16:
      *value = MicroHalfToDouble(((const uint16_t *)data)[index]);
      return true;
    case kMSDataTypeNumberTypeBool:
    case kMSDataTypeNumberTypeUInt8:
      *value = ((const uint8_t *)data)[index];
      return true;
    case kMSDataTypeNumberTypeInt8:
      *value = ((const int8_t *)data)[index];
      return true;
    case kMSDataTypeNumberTypeInt16:
      *value = ((const int16_t *)data)[index];
      return true;
    case kMSDataTypeNumberTypeUInt16:
      *value = ((const uint16_t *)data)[index];
      return true;
    case kMSDataTypeNumberTypeInt32:
      *value = ((const int32_t *)data)[index];
      return true;
    case kMSDataTypeNumberTypeUInt32:
      *value = ((const uint32_t *)data)[index];
      return true;
    case kMSDataTypeNumberTypeInt64:
      *value = (double)((const int64_t *)data)[index];
      return true;
    case kMSDataTypeNumberTypeUInt64:
      *value = (double)((const uint64_t *)data)[index];
      return true;
    default:
      return false;
  }
}

/* ---------------------------------------------------------------- parsing */

/* Next whitespace-separated token, malloc'ed; NULL at end of file (or out of memory). */
static char *MicroReadToken(FILE *file) {
  size_t len = 0;
  size_t capacity = 64;
  char *token;
  int c;
  do {
    c = fgetc(file);
  } while (c != EOF && isspace(c));
  if (c == EOF) {
    return NULL;
  }
  token = (char *)malloc(capacity);
  while (token != NULL && c != EOF && !isspace(c)) {
    if (len + 1 == capacity) {
      char *bigger = (char *)realloc(token, capacity * 2);
      if (bigger == NULL) {
        free(token);
        return NULL;
      }
      token = bigger;
      capacity *= 2;
    }
    token[len++] = (char)c;
    c = fgetc(file);
  }
  if (token != NULL) {
    token[len] = '\0';
  }
  return token;
}

/* Skips the rest of the current line; true when it held only whitespace. */
static bool MicroSkipLine(FILE *file) {
  bool blank = true;
  int c;
  while ((c = fgetc(file)) != EOF && c != '\n') {
    blank = blank && isspace(c);
  }
  return blank;
}

/* "ndims d0 d1 ..." after the name: the element count. */
static int MicroReadHeader(FILE *file, const char *path, const char *name, size_t *elements) {
  int64_t ndim;
  int64_t dim;
  int64_t i;
  size_t count = 1;
  if (fscanf(file, "%" SCNd64, &ndim) != 1 || ndim < 0) {
    fprintf(stderr, "benchmark: calibration file '%s': bad rank for tensor '%s'\n", path, name);
    return -1;
  }
  for (i = 0; i < ndim; ++i) {
    if (fscanf(file, "%" SCNd64, &dim) != 1 || dim < 0 ||
        (dim > 0 && count > SIZE_MAX / sizeof(double) / (size_t)dim)) {
      fprintf(stderr, "benchmark: calibration file '%s': bad dimension %d of tensor '%s'\n", path,
              (int)i, name);
      return -1;
    }
    count *= (size_t)dim;
  }
  *elements = count;
  return 0;
}

static int MicroReadValues(FILE *file, const char *path, MicroCalibTensor *t) {
  size_t i;
  t->data = (double *)malloc(t->element_num > 0 ? t->element_num * sizeof(double) : 1);
  if (t->data == NULL) {
    fprintf(stderr, "benchmark: out of memory for %zu calibration values\n", t->element_num);
    return -1;
  }
  for (i = 0; i < t->element_num; ++i) {
    if (fscanf(file, "%lf", &t->data[i]) != 1) {
      fprintf(stderr,
              "benchmark: calibration file '%s': tensor '%s' has %zu values, expected %zu\n", path,
              t->name, i, t->element_num);
      return -1;
    }
  }
  if (!MicroSkipLine(file)) {
    fprintf(stderr,
            "benchmark: calibration file '%s': values after the %zu of tensor '%s' ignored\n", path,
            t->element_num, t->name);
  }
  return 0;
}

/* Room for one more tensor in *tensors (capacity doubles). */
static int MicroGrow(MicroCalibTensor **tensors, size_t num, size_t *capacity) {
  MicroCalibTensor *bigger;
  if (num < *capacity) {
    return 0;
  }
  bigger = (MicroCalibTensor *)realloc(*tensors, (*capacity * 2 + 1) * sizeof(MicroCalibTensor));
  if (bigger == NULL) {
    return -1;
  }
  *tensors = bigger;
  *capacity = *capacity * 2 + 1;
  return 0;
}

int MicroReadCalibFile(const char *path, MicroCalibTensor **tensors, size_t *num) {
  FILE *file = fopen(path, "r");
  size_t capacity = 0;
  char *name;
  int ret = 0;
  *tensors = NULL;
  *num = 0;
  if (file == NULL) {
    fprintf(stderr, "benchmark: cannot open calibration file '%s'\n", path);
    return -1;
  }
  while (ret == 0 && (name = MicroReadToken(file)) != NULL) {
    MicroCalibTensor *t;
    if (MicroGrow(tensors, *num, &capacity) != 0) {
      free(name);
      ret = -1;
      break;
    }
    t = &(*tensors)[(*num)++];
    t->name = name;
    t->data = NULL;
    t->element_num = 0;
    ret = MicroReadHeader(file, path, name, &t->element_num);
    if (ret == 0) {
      ret = MicroReadValues(file, path, t);
    }
  }
  fclose(file);
  if (ret == 0 && *num == 0) {
    fprintf(stderr, "benchmark: calibration file '%s' holds no tensor\n", path);
    ret = -1;
  }
  if (ret != 0) {
    MicroFreeCalibTensors(*tensors, *num);
    *tensors = NULL;
    *num = 0;
  }
  return ret;
}

void MicroFreeCalibTensors(MicroCalibTensor *tensors, size_t num) {
  size_t i;
  if (tensors == NULL) {
    return;
  }
  for (i = 0; i < num; ++i) {
    free(tensors[i].name);
    free(tensors[i].data);
  }
  free(tensors);
}

/* ---------------------------------------------------------------- comparison */

typedef struct MicroErrorStats {
  double max_abs;
  double max_rel;
  double cosine;
} MicroErrorStats;

/* 0 on success, -1 when the output holds values it cannot read or NaN/Inf. */
static int MicroCompareOne(MSTensorHandle output, const MicroCalibTensor *calib,
                           MicroErrorStats *stats) {
  const void *data = MSTensorGetData(output);
  MSDataType type = MSTensorGetDataType(output);
  double dot = 0.0, norm_y = 0.0, norm_r = 0.0;
  size_t i;
  memset(stats, 0, sizeof(*stats));
  if (data == NULL && calib->element_num > 0) {
    printf("error: output '%s' has no data\n", MSTensorGetName(output));
    return -1;
  }
  for (i = 0; i < calib->element_num; ++i) {
    double y;
    double r = calib->data[i];
    double diff;
    if (!MicroElementAsDouble(type, data, i, &y)) {
      printf("error: output '%s' has data type %d, which cannot be compared\n",
             MSTensorGetName(output), (int)type);
      return -1;
    }
    if (!isfinite(y) || !isfinite(r)) {
      printf("error: output '%s' element %zu is NaN or infinite (output %g, reference %g)\n",
             MSTensorGetName(output), i, y, r);
      return -1;
    }
    diff = fabs(y - r);
    stats->max_abs = diff > stats->max_abs ? diff : stats->max_abs;
    diff /= fabs(r) > 1e-12 ? fabs(r) : 1e-12;
    stats->max_rel = diff > stats->max_rel ? diff : stats->max_rel;
    dot += y * r;
    norm_y += y * y;
    norm_r += r * r;
  }
  if (norm_y == 0.0 || norm_r == 0.0) {
    stats->cosine = norm_y == norm_r ? 1.0 : 0.0; /* two zero vectors are equal */
  } else {
    stats->cosine = dot / (sqrt(norm_y) * sqrt(norm_r));
  }
  return 0;
}

/* true when output i matches its reference. */
static bool MicroCheckOutput(size_t index, MSTensorHandle output, const MicroCalibTensor *calib,
                             double threshold) {
  const char *name = MSTensorGetName(output);
  int64_t elements = MSTensorGetElementNum(output);
  MicroErrorStats stats;
  if (strcmp(name, calib->name) != 0) {
    printf("warning: output %zu is named '%s', the calibration tensor '%s'\n", index, name,
           calib->name);
  }
  if (elements < 0 || (uint64_t)elements != (uint64_t)calib->element_num) {
    printf("error: output %zu ('%s') has %" PRId64 " elements, the calibration tensor %zu\n", index,
           name, elements, calib->element_num);
    return false;
  }
  if (MicroCompareOne(output, calib, &stats) != 0) {
    return false;
  }
  printf("output %zu (%s): max abs error: %g, max rel error: %g, cosine similarity: %.6f\n", index,
         name, stats.max_abs, stats.max_rel, stats.cosine);
  if (stats.cosine < threshold) {
    printf("error: cosine similarity of '%s' is %.6f, less than %.6f\n", name, stats.cosine,
           threshold);
    return false;
  }
  return true;
}

int MicroCompareOutputs(const MSTensorHandleArray *outputs, const MicroCalibTensor *calib,
                        size_t num, double cosine_threshold) {
  bool success = outputs->handle_num == num;
  size_t i;
  if (!success) {
    printf("error: the model has %zu outputs, the calibration file %zu tensors\n",
           outputs->handle_num, num);
  }
  for (i = 0; i < num && i < outputs->handle_num; ++i) {
    if (!MicroCheckOutput(i, outputs->handle_list[i], &calib[i], cosine_threshold)) {
      success = false;
    }
  }
  printf("%s\n", success ? "compare outputs success." : "compare outputs failed.");
  return success ? 0 : -1;
}
