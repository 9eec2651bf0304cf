/*
 * benchmark.c - command-line runner for a generated model, compatible with MindSpore
 * micro's benchmark:
 *
 *   benchmark <inputs.bin[,in2.bin...]> <net.bin|-> [loop_count] [calib_file]
 *             [thread_num] [bind_mode] [warmup_count] [cosine_threshold] [output_dump_file]
 *
 * It builds the model, runs warm-up and timed inferences (timing only MSModelPredict;
 * the inputs are copied in again before every run because inference may overwrite them),
 * prints the outputs, optionally compares them with a calibration file and dumps their
 * raw bytes. Exits with 0 on success.
 *
 * Every MSModelPredict call (warm-up and timed) lies between calls of the empty functions
 * micro_bench_begin() and micro_bench_end(), whose addresses delimit one inference for an
 * instruction counter (e.g. qemu-aarch64 with ../shared/tools/insncount, bench/neon.py).
 */
#if !defined(_POSIX_C_SOURCE) && !defined(_WIN32)
#define _POSIX_C_SOURCE 199309L /* clock_gettime */
#endif

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "c_api/context_c.h"
#include "c_api/model_c.h"
#include "calib_output.h"
#include "load_input.h"
#include "net.h"

/* Empty functions around each inference: markers for instruction counters. */
#if defined(__GNUC__)
#define MICRO_BENCH_MARKER __attribute__((noinline, used))
#else
#define MICRO_BENCH_MARKER
#endif
static volatile unsigned micro_bench_marks[2]; /* distinct bodies: never merged */
MICRO_BENCH_MARKER void micro_bench_begin(void);
MICRO_BENCH_MARKER void micro_bench_end(void);
MICRO_BENCH_MARKER void micro_bench_begin(void) { micro_bench_marks[0]++; }
MICRO_BENCH_MARKER void micro_bench_end(void) { micro_bench_marks[1]++; }

#define MICRO_PRINT_ELEMENTS 20
#define MICRO_MAX_THREADS 64

typedef struct MicroBenchmarkArgs {
  const char *input_paths;
  const char *weight_path; /* NULL: no weight file */
  long loop_count;
  const char *calib_path; /* NULL: no comparison */
  long thread_num;
  long bind_mode;
  long warmup_count;
  double cosine_threshold;
  const char *dump_path; /* NULL: no dump */
} MicroBenchmarkArgs;

static void MicroUsage(void) {
  printf(
      "usage: benchmark <inputs.bin[,in2.bin...]> <net.bin|-> [loop_count] [calib_file]\n"
      "                 [thread_num] [bind_mode] [warmup_count] [cosine_threshold]\n"
      "                 [output_dump_file]\n"
      "  inputs.bin        raw input files, comma-separated, one per model input\n"
      "  net.bin           weight file; '-' when the weights are compiled in\n"
      "  loop_count        timed inferences, default 1 (0 runs one)\n"
      "  calib_file        reference outputs (MindSpore text format); '-' for none\n"
      "  thread_num        default 1\n"
      "  bind_mode         0 no binding, 1 big cores, 2 little cores; default 1\n"
      "  warmup_count      default 3\n"
      "  cosine_threshold  minimum cosine similarity with calib_file, default 0.9999\n"
      "  output_dump_file  file receiving the raw bytes of all outputs\n");
}

/* ---------------------------------------------------------------- arguments */

static int MicroParseLong(const char *text, const char *what, long min, long max, long *value) {
  char *end = NULL;
  long v = strtol(text, &end, 10);
  if (end == text || *end != '\0' || v < min || v > max) {
    fprintf(stderr, "benchmark: %s must be an integer in [%ld, %ld], got '%s'\n", what, min, max,
            text);
    return -1;
  }
  *value = v;
  return 0;
}

/* argv[index] when present and not "-" / "". */
static const char *MicroOptionalPath(int argc, char **argv, int index) {
  if (index >= argc || argv[index][0] == '\0' || strcmp(argv[index], "-") == 0) {
    return NULL;
  }
  return argv[index];
}

static int MicroParseArgs(int argc, char **argv, MicroBenchmarkArgs *args) {
  char *end = NULL;
  args->input_paths = argv[1];
  args->weight_path = MicroOptionalPath(argc, argv, 2);
  args->loop_count = 1;
  args->calib_path = MicroOptionalPath(argc, argv, 4);
  args->thread_num = 1;
  args->bind_mode = 1;
  args->warmup_count = 3;
  args->cosine_threshold = 0.9999;
  args->dump_path = MicroOptionalPath(argc, argv, 9);
  if ((argc > 3 && MicroParseLong(argv[3], "loop_count", 0, 1000000000L, &args->loop_count) != 0) ||
      (argc > 5 &&
       MicroParseLong(argv[5], "thread_num", 1, MICRO_MAX_THREADS, &args->thread_num) != 0) ||
      (argc > 6 && MicroParseLong(argv[6], "bind_mode", 0, 2, &args->bind_mode) != 0) ||
      (argc > 7 &&
       MicroParseLong(argv[7], "warmup_count", 0, 1000000000L, &args->warmup_count) != 0)) {
    return -1;
  }
  if (argc > 8) {
    args->cosine_threshold = strtod(argv[8], &end);
    if (end == argv[8] || *end != '\0') {
      fprintf(stderr, "benchmark: cosine_threshold must be a number, got '%s'\n", argv[8]);
      return -1;
    }
  }
  return 0;
}

/* ---------------------------------------------------------------- timing and printing */

static double MicroNowMs(void) {
#if defined(CLOCK_MONOTONIC)
  struct timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC, &ts) == 0) {
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
  }
#endif
  return (double)clock() * 1000.0 / CLOCKS_PER_SEC;
}

static void MicroPrintElement(MSDataType type, const void *data, size_t i) {
  switch (type) {
    case kMSDataTypeNumberTypeFloat32:
    case kMSDataTypeNumberTypeFloat64:
    case kMSDataTypeNumberTypeFloat16: {
      double v = 0.0;
      (void)MicroElementAsDouble(type, data, i, &v);
      printf("%.6f", v);
      break;
    }
    case kMSDataTypeNumberTypeInt64:
      printf("%" PRId64, ((const int64_t *)data)[i]);
      break;
    case kMSDataTypeNumberTypeUInt64:
      printf("%" PRIu64, ((const uint64_t *)data)[i]);
      break;
    case kMSDataTypeNumberTypeUInt32:
      printf("%" PRIu32, ((const uint32_t *)data)[i]);
      break;
    default: {
      double v = 0.0;
      (void)MicroElementAsDouble(type, data, i, &v);
      printf("%d", (int)v);
      break;
    }
  }
}

static void MicroPrintTensor(MSTensorHandle tensor) {
  MSDataType type = MSTensorGetDataType(tensor);
  int64_t elements = MSTensorGetElementNum(tensor);
  size_t ndim = 0;
  const int64_t *shape = MSTensorGetShape(tensor, &ndim);
  const void *data = MSTensorGetData(tensor);
  double probe = 0.0;
  size_t shown = elements > MICRO_PRINT_ELEMENTS ? MICRO_PRINT_ELEMENTS
                                                 : (size_t)(elements > 0 ? elements : 0);
  size_t i;
  printf("name: %s, DataType: %d, Elements: %zu, Shape: [", MSTensorGetName(tensor), (int)type,
         (size_t)(elements > 0 ? elements : 0));
  for (i = 0; i < ndim; ++i) {
    printf("%s%" PRId64, i == 0 ? "" : " ", shape[i]);
  }
  printf("], Data:\n");
  if (shown > 0 && (data == NULL || !MicroElementAsDouble(type, data, 0, &probe))) {
    printf("(data type %d cannot be printed)\n", (int)type);
    return;
  }
  for (i = 0; i < shown; ++i) {
    if (i > 0) {
      printf(", ");
    }
    MicroPrintElement(type, data, i);
  }
  printf("\n");
}

/* ---------------------------------------------------------------- per-operator profile */

/* A model compiled with `[micro_options] profile=true` times every kernel call (net.h
 * then defines NET_PROFILE): the timed runs are profiled, the warm-up runs are not. */
static int MicroProfileStart(void) {
#ifdef NET_PROFILE
  MicroProfileReset(&net_profile);
#endif
  return 0;
}

static void MicroProfileReport(long runs) {
#ifdef NET_PROFILE
  MicroProfilePrint(&net_profile, runs, stdout);
#else
  (void)runs;
#endif
}

/* ---------------------------------------------------------------- steps */

static MSModelHandle MicroBuildModel(const MicroBenchmarkArgs *args) {
  MSContextHandle context = MSContextCreate();
  MSModelHandle model = MSModelCreate();
  void *weights = NULL;
  size_t weight_size = 0;
  MSStatus status;
  if (model == NULL) {
    fprintf(stderr, "benchmark: MSModelCreate failed\n");
    MSContextDestroy(&context);
    return NULL;
  }
  MSContextSetThreadNum(context, (int32_t)args->thread_num);
  MSContextSetThreadAffinityMode(context, (int)args->bind_mode);
  printf("thread num: %d, bind mode: %d\n", (int)MSContextGetThreadNum(context),
         MSContextGetThreadAffinityMode(context));
  if (args->weight_path != NULL &&
      (weights = MicroReadBinaryFile(args->weight_path, &weight_size)) == NULL) {
    MSContextDestroy(&context);
    MSModelDestroy(&model);
    return NULL;
  }
  status = MSModelBuild(model, weights, weight_size, kMSModelTypeMindIR, context);
  free(weights); /* the model keeps its own copy */
  MSContextDestroy(&context);
  if (status != kMSStatusSuccess) {
    fprintf(stderr, "benchmark: MSModelBuild failed, ret: %d\n", (int)status);
    MSModelDestroy(&model);
    return NULL;
  }
  return model;
}

static void MicroFillInputs(const MSTensorHandleArray *inputs, void *const *buffers) {
  size_t i;
  for (i = 0; i < inputs->handle_num; ++i) {
    memcpy(MSTensorGetMutableData(inputs->handle_list[i]), buffers[i],
           MSTensorGetDataSize(inputs->handle_list[i]));
  }
}

/* `count` inferences, inputs reloaded before each; *elapsed_ms gets the Predict time. */
static int MicroRun(MSModelHandle model, const MSTensorHandleArray *inputs, void *const *buffers,
                    MSTensorHandleArray *outputs, long count, double *elapsed_ms) {
  long i;
  *elapsed_ms = 0.0;
  for (i = 0; i < count; ++i) {
    double start;
    MSStatus status;
    MicroFillInputs(inputs, buffers);
    start = MicroNowMs();
    micro_bench_begin();
    status = MSModelPredict(model, *inputs, outputs, NULL, NULL);
    micro_bench_end();
    *elapsed_ms += MicroNowMs() - start;
    if (status != kMSStatusSuccess) {
      fprintf(stderr, "benchmark: MSModelPredict failed, ret: %d\n", (int)status);
      return -1;
    }
  }
  return 0;
}

static int MicroCompare(const char *calib_path, const MSTensorHandleArray *outputs,
                        double threshold) {
  MicroCalibTensor *calib = NULL;
  size_t calib_num = 0;
  int ret;
  if (MicroReadCalibFile(calib_path, &calib, &calib_num) != 0) {
    printf("compare outputs failed.\n");
    return -1;
  }
  ret = MicroCompareOutputs(outputs, calib, calib_num, threshold);
  MicroFreeCalibTensors(calib, calib_num);
  return ret;
}

static int MicroDumpOutputs(const char *path, const MSTensorHandleArray *outputs) {
  FILE *file = fopen(path, "wb");
  size_t i;
  int ret = 0;
  if (file == NULL) {
    fprintf(stderr, "benchmark: cannot create '%s'\n", path);
    return -1;
  }
  for (i = 0; i < outputs->handle_num && ret == 0; ++i) {
    size_t size = MSTensorGetDataSize(outputs->handle_list[i]);
    const void *data = MSTensorGetData(outputs->handle_list[i]);
    if (size > 0 && (data == NULL || fwrite(data, 1, size, file) != size)) {
      ret = -1;
    }
  }
  if (fclose(file) != 0 || ret != 0) {
    fprintf(stderr, "benchmark: cannot write '%s'\n", path);
    return -1;
  }
  printf("outputs dumped to %s\n", path);
  return 0;
}

/* Everything after Build; returns the exit code. */
static int MicroBenchmark(MSModelHandle model, const MicroBenchmarkArgs *args) {
  MSTensorHandleArray inputs = MSModelGetInputs(model);
  MSTensorHandleArray outputs = MSModelGetOutputs(model);
  void **buffers = (void **)calloc(inputs.handle_num > 0 ? inputs.handle_num : 1, sizeof(void *));
  long runs = args->loop_count > 0 ? args->loop_count : 1;
  double elapsed_ms = 0.0;
  size_t i;
  int ret = -1;
  if (buffers == NULL || MicroLoadInputFiles(args->input_paths, &inputs, buffers) != 0) {
    free(buffers);
    return EXIT_FAILURE;
  }
  printf("warmup count: %ld\n", args->warmup_count);
  if (MicroRun(model, &inputs, buffers, &outputs, args->warmup_count, &elapsed_ms) == 0 &&
      MicroProfileStart() == 0 &&
      MicroRun(model, &inputs, buffers, &outputs, runs, &elapsed_ms) == 0) {
    printf("loop count: %ld\n", runs);
    printf("total time: %.5fms, per time: %.5fms\n", elapsed_ms, elapsed_ms / (double)runs);
    MicroProfileReport(runs);
    printf("========run success=======\n");
    for (i = 0; i < outputs.handle_num; ++i) {
      MicroPrintTensor(outputs.handle_list[i]);
    }
    ret = 0;
    if (args->dump_path != NULL && MicroDumpOutputs(args->dump_path, &outputs) != 0) {
      ret = -1;
    }
    if (args->calib_path != NULL &&
        MicroCompare(args->calib_path, &outputs, args->cosine_threshold) != 0) {
      ret = -1;
    }
  }
  MicroFreeInputBuffers(buffers, inputs.handle_num);
  free(buffers);
  return ret == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

int main(int argc, char **argv) {
  MicroBenchmarkArgs args;
  MSModelHandle model;
  int ret;
  if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
    MicroUsage();
    return argc < 2 ? EXIT_FAILURE : EXIT_SUCCESS;
  }
  if (MicroParseArgs(argc, argv, &args) != 0) {
    MicroUsage();
    return EXIT_FAILURE;
  }
  printf("========run benchmark======\n");
  printf("model: %s\n", net_model.name);
  printf("arena: %zu bytes, weights: %zu bytes\n", (size_t)NET_ARENA_SIZE, (size_t)NET_WEIGHT_SIZE);
  model = MicroBuildModel(&args);
  if (model == NULL) {
    return EXIT_FAILURE;
  }
  ret = MicroBenchmark(model, &args);
  MSModelDestroy(&model);
  return ret;
}
