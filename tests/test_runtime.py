"""Tests for the C runtime (kernels/runtime), the MindSpore Lite C API headers
(kernels/include/c_api) and the benchmark CLI (kernels/benchmark).

A hand-written fake model (net.h/net.c) stands in for generated code: 2 inputs
(in0 float32 [1,4], in1 int8 [2,3]) and 2 outputs (out0 = in0 * w[0] + w[1], written over
in0's arena bytes as a memory planner would; out1 = in1 + 1). A C program calls the API
directly, one scenario per argv[1]; it and the benchmark are also run under
AddressSanitizer/UBSan with leak detection.
"""

import os
import shutil
import subprocess
import zlib
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
KERNELS = ROOT / "kernels"
INCLUDE = KERNELS / "include"
RUNTIME = KERNELS / "runtime"
BENCHMARK = KERNELS / "benchmark"
RUNTIME_SRCS = [RUNTIME / name for name in ("allocator.c", "tensor.c", "context.c", "model.c")]
BENCH_SRCS = [BENCHMARK / name for name in ("benchmark.c", "load_input.c", "calib_output.c")]
C_API_HEADERS = [
    "types_c.h",
    "status_c.h",
    "data_type_c.h",
    "format_c.h",
    "tensor_c.h",
    "context_c.h",
    "model_c.h",
]

GCC = shutil.which("gcc")
CLANG = shutil.which("clang")
GXX = shutil.which("g++")
pytestmark = pytest.mark.skipif(GCC is None, reason="gcc is not installed")

WARN = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic"]
SANITIZE = [
    "-fsanitize=address,undefined",
    "-fno-sanitize-recover=all",
    "-fno-omit-frame-pointer",
    "-g",
]
SAN_ENV = {
    "ASAN_OPTIONS": "detect_leaks=1",
    "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
}

WEIGHTS = np.array([2.5, -1.0], dtype=np.float32)
IN0 = np.array([[1.0, 2.0, 3.0, -4.0]], dtype=np.float32)
IN1 = np.array([[1, 2, 3], [4, 5, -6]], dtype=np.int8)
OUT0 = IN0 * WEIGHTS[0] + WEIGHTS[1]
OUT1 = (IN1 + 1).astype(np.int8)

# --------------------------------------------------------------------------- fake model
NET_H = """\
/* net.h - hand-written stand-in for a generated model header (tests only). */
#ifndef NET_H_
#define NET_H_
#include "micro_model.h"
#define NET_ARENA_SIZE 48
#define NET_WEIGHT_SIZE 8
#define NET_INPUT_NUM 2
#define NET_OUTPUT_NUM 2
void net_inference(uint8_t *arena, const uint8_t *weights);
extern const MicroModelDesc net_model;
#endif
"""

NET_C = """\
/* net.c - hand-written stand-in for generated code (tests only).
 * arena: [0,16) in0 then out0 (same bytes), [16,22) in1, [32,38) out1. */
#include "net.h"

#include <stdlib.h>
#include <string.h>

static const MicroTensorDesc net_inputs[2] = {
    {"in0", kMSDataTypeNumberTypeFloat32, kMSFormatNHWC, 2, {1, 4}, 0, 16, 0.0f, 0},
    {"in1", kMSDataTypeNumberTypeInt8, kMSFormatNHWC, 2, {2, 3}, 16, 6, 0.5f, -3},
};
static const MicroTensorDesc net_outputs[2] = {
    {"out0", kMSDataTypeNumberTypeFloat32, kMSFormatNHWC, 2, {1, 4}, 0, 16, 0.0f, 0},
    {"out1", kMSDataTypeNumberTypeInt8, kMSFormatNHWC, 2, {2, 3}, 32, 6, 0.0f, 0},
};

#ifdef FAKE_FLASH
static const uint8_t net_flash_weights[8] __attribute__((aligned(16))) = {@WEIGHT_BYTES@};
#define NET_FLASH_WEIGHTS net_flash_weights
#else
#define NET_FLASH_WEIGHTS NULL
#endif

void net_inference(uint8_t *arena, const uint8_t *weights) {
  float w[2];
  float x;
  int i;
  if (((uintptr_t)arena & 15u) != 0 || ((uintptr_t)weights & 15u) != 0) {
    abort(); /* the runtime promises 16-byte alignment */
  }
  memcpy(w, weights, sizeof(w));
  for (i = 0; i < 4; ++i) {
    memcpy(&x, arena + 4 * i, sizeof(x));
    x = x * w[0] + w[1];
    memcpy(arena + 4 * i, &x, sizeof(x));
  }
  for (i = 0; i < 6; ++i) {
    arena[32 + i] = (uint8_t)(int8_t)((int8_t)arena[16 + i] + 1);
  }
}

const MicroModelDesc net_model = {
    "fake_net", NET_ARENA_SIZE, NET_WEIGHT_SIZE, @CRC@u, NET_FLASH_WEIGHTS,
    2, net_inputs, 2, net_outputs, net_inference,
};
"""

# --------------------------------------------------------------------------- API test program
API_TEST_C = r"""
/* api_test.c - calls the micro C API directly; argv[1] names the scenario, argv[2] is
 * the weight file. Exits 0 when every CHECK holds. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_api/context_c.h"
#include "c_api/model_c.h"
#include "c_api/tensor_c.h"
#include "net.h"
#include "tensor.h"

#define CHECK(cond)                                                      \
  do {                                                                   \
    if (!(cond)) {                                                       \
      fprintf(stderr, "CHECK failed at line %d: %s\n", __LINE__, #cond); \
      exit(1);                                                           \
    }                                                                    \
  } while (0)

static const float kIn0[4] = {1.0f, 2.0f, 3.0f, -4.0f};
static const int8_t kIn1[6] = {1, 2, 3, 4, 5, -6};
static const float kOut0[4] = {1.5f, 4.0f, 6.5f, -11.0f};
static const int8_t kOut1[6] = {2, 3, 4, 5, 6, -5};
static const char *weight_path;

static unsigned char *ReadWeights(size_t *size) {
  FILE *f = fopen(weight_path, "rb");
  unsigned char *data = malloc(64);
  CHECK(f != NULL && data != NULL);
  *size = fread(data, 1, 64, f);
  fclose(f);
  return data;
}

static MSModelHandle Built(void) {
  size_t size = 0;
  unsigned char *w = ReadWeights(&size);
  MSModelHandle h = MSModelCreate();
  CHECK(h != NULL);
  CHECK(MSModelBuild(h, w, size, kMSModelTypeMindIR, NULL) == kMSStatusSuccess);
  free(w); /* the model must have copied the weights */
  return h;
}

/* Writes the inputs into the model's input tensors (which have no memory before Build). */
static void FillInputs(MSModelHandle h) {
  MSTensorHandleArray in = MSModelGetInputs(h);
  CHECK(in.handle_num == 2);
  if (MSTensorGetData(in.handle_list[0]) != NULL) {
    memcpy(MSTensorGetMutableData(in.handle_list[0]), kIn0, sizeof(kIn0));
    memcpy(MSTensorGetMutableData(in.handle_list[1]), kIn1, sizeof(kIn1));
  }
}

static void CheckOut(const void *out0, const void *out1) {
  CHECK(memcmp(out0, kOut0, sizeof(kOut0)) == 0);
  CHECK(memcmp(out1, kOut1, sizeof(kOut1)) == 0);
}

static void CheckModelOutputs(MSModelHandle h) {
  MSTensorHandleArray out = MSModelGetOutputs(h);
  CHECK(out.handle_num == 2);
  CheckOut(MSTensorGetData(out.handle_list[0]), MSTensorGetData(out.handle_list[1]));
}

static MSStatus PredictModel(MSModelHandle h) {
  MSTensorHandleArray out = {0, NULL};
  FillInputs(h);
  return MSModelPredict(h, MSModelGetInputs(h), &out, NULL, NULL);
}

static bool Callback(const MSTensorHandleArray inputs, const MSTensorHandleArray outputs,
                     const MSCallBackParamC info) {
  (void)inputs;
  (void)outputs;
  (void)info;
  return true;
}

static void BuildOk(void) {
  MSModelHandle h = Built();
  CHECK(PredictModel(h) == kMSStatusSuccess);
  CheckModelOutputs(h);
  MSModelDestroy(&h);
  CHECK(h == NULL);
}

static void BuildWrongSize(void) {
  size_t size = 0;
  unsigned char *w = ReadWeights(&size);
  MSModelHandle h = MSModelCreate();
  CHECK(MSModelBuild(h, w, size - 1, kMSModelTypeMindIR, NULL) == kMSStatusLiteParamInvalid);
  CHECK(MSModelBuild(h, w, size + 1, kMSModelTypeMindIR, NULL) == kMSStatusLiteParamInvalid);
  CHECK(PredictModel(h) == kMSStatusLiteUninitializedObj);
  free(w);
  MSModelDestroy(&h);
}

static void BuildCrc(void) {
  size_t size = 0;
  unsigned char *w = ReadWeights(&size);
  MSModelHandle h = MSModelCreate();
  w[3] ^= 0x40;
  CHECK(MSModelBuild(h, w, size, kMSModelTypeMindIR, NULL) == kMSStatusLiteGraphFileError);
  free(w);
  MSModelDestroy(&h);
}

static void BuildNull(void) {
  size_t size = 0;
  unsigned char *w = ReadWeights(&size);
  MSModelHandle h = MSModelCreate();
  MSContextHandle ctx = MSContextCreate();
  CHECK(MSModelBuild(h, NULL, 0, kMSModelTypeMindIR, NULL) == kMSStatusLiteParamInvalid);
  CHECK(MSModelBuild(h, NULL, size, kMSModelTypeMindIR, NULL) == kMSStatusLiteParamInvalid);
  CHECK(MSModelBuild(NULL, w, size, kMSModelTypeMindIR, NULL) == kMSStatusLiteNullptr);
  CHECK(MSModelBuild(h, w, size, kMSModelTypeInvalid, NULL) == kMSStatusLiteParamInvalid);
  CHECK(MSModelBuild(h, w, size, kMSModelTypeMindIR, ctx) == kMSStatusSuccess);
  MSContextDestroy(&ctx);
  free(w);
  CHECK(PredictModel(h) == kMSStatusSuccess);
  CheckModelOutputs(h);
  MSModelDestroy(&h);
}

static void PredictBeforeBuild(void) {
  MSModelHandle h = MSModelCreate();
  MSTensorHandleArray in = MSModelGetInputs(h);
  CHECK(in.handle_num == 2 && MSTensorGetData(in.handle_list[0]) == NULL);
  CHECK(MSModelPredict(h, in, NULL, NULL, NULL) == kMSStatusLiteUninitializedObj);
  CHECK(MSModelPredict(NULL, in, NULL, NULL, NULL) == kMSStatusLiteNullptr);
  MSModelDestroy(&h);
}

static void PredictModelTensors(void) {
  MSModelHandle h = Built();
  MSTensorHandleArray in = MSModelGetInputs(h);
  MSTensorHandleArray model_out = MSModelGetOutputs(h);
  MSTensorHandleArray out = {0, NULL};
  /* out0 shares in0's arena bytes, as the memory planner may arrange */
  CHECK(MSTensorGetData(model_out.handle_list[0]) == MSTensorGetData(in.handle_list[0]));
  FillInputs(h);
  CHECK(MSModelPredict(h, in, &out, NULL, NULL) == kMSStatusSuccess);
  CHECK(out.handle_num == 2 && out.handle_list == model_out.handle_list);
  CheckModelOutputs(h);
  FillInputs(h);
  CHECK(MSModelPredict(h, in, &model_out, NULL, NULL) == kMSStatusSuccess);
  CheckModelOutputs(h);
  FillInputs(h);
  CHECK(MSModelPredict(h, in, NULL, NULL, NULL) == kMSStatusSuccess);
  CheckModelOutputs(h);
  /* without reloading, the consumed input is gone: out0 is computed from out0 */
  CHECK(MSModelPredict(h, in, NULL, NULL, NULL) == kMSStatusSuccess);
  CHECK(((const float *)MSTensorGetData(model_out.handle_list[0]))[0] == 1.5f * 2.5f - 1.0f);
  MSModelDestroy(&h);
}

static void PredictUserTensors(void) {
  MSModelHandle h = Built();
  int64_t s0[2] = {1, 4}, s1[2] = {2, 3}, s_bad[2] = {1, 5};
  MSTensorHandle in0 = MSTensorCreate("x", kMSDataTypeNumberTypeFloat32, s0, 2, kIn0, sizeof(kIn0));
  MSTensorHandle in1 = MSTensorCreate("y", kMSDataTypeNumberTypeInt8, s1, 2, kIn1, sizeof(kIn1));
  MSTensorHandle o0 = MSTensorCreate("o0", kMSDataTypeNumberTypeFloat32, s0, 2, NULL, 0);
  MSTensorHandle o1 = MSTensorCreate("o1", kMSDataTypeNumberTypeInt8, s1, 2, NULL, 0);
  MSTensorHandle big = MSTensorCreate("x", kMSDataTypeNumberTypeFloat32, s_bad, 2, NULL, 0);
  MSTensorHandle wrong_type = MSTensorCreate("x", kMSDataTypeNumberTypeInt32, s0, 2, NULL, 0);
  MSTensorHandle in_list[2], out_list[2];
  MSTensorHandleArray in = {2, in_list}, out = {2, out_list};
  MSTensorHandleArray model_in = MSModelGetInputs(h);
  CHECK(in0 && in1 && o0 && o1 && big && wrong_type);
  in_list[0] = in0, in_list[1] = in1, out_list[0] = o0, out_list[1] = o1;
  CHECK(MSModelPredict(h, in, &out, NULL, NULL) == kMSStatusSuccess);
  CheckOut(MSTensorGetData(o0), MSTensorGetData(o1));
  memset(MSTensorGetMutableData(o0), 0, 16);
  CHECK(MSModelPredict(h, in, &out, NULL, NULL) == kMSStatusSuccess); /* inputs copied again */
  CheckOut(MSTensorGetData(o0), MSTensorGetData(o1));
  CheckModelOutputs(h);
  /* an output tensor without data gets some */
  MSTensorSetData(o1, NULL);
  CHECK(MSModelPredict(h, in, &out, NULL, NULL) == kMSStatusSuccess);
  CheckOut(MSTensorGetData(o0), MSTensorGetData(o1));

  in_list[0] = big;
  CHECK(MSModelPredict(h, in, &out, NULL, NULL) == kMSStatusLiteInputTensorError);
  in_list[0] = wrong_type;
  CHECK(MSModelPredict(h, in, &out, NULL, NULL) == kMSStatusLiteInputTensorError);
  in_list[0] = NULL;
  CHECK(MSModelPredict(h, in, &out, NULL, NULL) == kMSStatusLiteInputTensorError);
  in_list[0] = in0;
  in.handle_num = 1;
  CHECK(MSModelPredict(h, in, &out, NULL, NULL) == kMSStatusLiteInputTensorError);
  in.handle_num = 2;
  in_list[0] = model_in.handle_list[1], in_list[1] = model_in.handle_list[0]; /* swapped */
  CHECK(MSModelPredict(h, in, &out, NULL, NULL) == kMSStatusLiteInputTensorError);
  in_list[0] = in0, in_list[1] = in1;
  out_list[0] = big;
  CHECK(MSModelPredict(h, in, &out, NULL, NULL) == kMSStatusLiteParamInvalid);
  out_list[0] = o0;
  out.handle_num = 3;
  CHECK(MSModelPredict(h, in, &out, NULL, NULL) == kMSStatusLiteParamInvalid);
  out.handle_num = 2;
  CHECK(MSModelPredict(h, in, &out, NULL, NULL) == kMSStatusSuccess);
  CheckOut(MSTensorGetData(o0), MSTensorGetData(o1));

  MSTensorDestroy(&in0);
  MSTensorDestroy(&in1);
  MSTensorDestroy(&o0);
  MSTensorDestroy(&o1);
  MSTensorDestroy(&big);
  MSTensorDestroy(&wrong_type);
  CHECK(in0 == NULL);
  MSModelDestroy(&h);
}

static void SetDataRedirect(void) {
  MSModelHandle h = Built();
  MSTensorHandleArray in = MSModelGetInputs(h);
  MSTensorHandleArray out = MSModelGetOutputs(h);
  float in0[4], out0[4];
  int8_t in1[6];
  memcpy(in0, kIn0, sizeof(in0));
  memcpy(in1, kIn1, sizeof(in1));
  MSTensorSetData(in.handle_list[0], in0);
  MSTensorSetData(in.handle_list[1], in1);
  MSTensorSetData(out.handle_list[0], out0);
  CHECK(MSModelPredict(h, in, &out, NULL, NULL) == kMSStatusSuccess);
  CheckOut(out0, MSTensorGetData(out.handle_list[1]));
  CHECK(memcmp(in0, kIn0, sizeof(in0)) == 0); /* the application's input is left alone */
  CHECK(MSModelPredict(h, in, &out, NULL, NULL) == kMSStatusSuccess);
  CheckOut(out0, MSTensorGetData(out.handle_list[1]));
  CHECK(MSModelBuildFromFile(h, weight_path, kMSModelTypeMindIR, NULL) == kMSStatusSuccess);
  CHECK(MSTensorGetData(in.handle_list[0]) != (void *)in0); /* rebuilt: back in the arena */
  MSModelDestroy(&h);
}

static void ByName(void) {
  MSModelHandle h = MSModelCreate();
  MSTensorHandleArray in = MSModelGetInputs(h);
  MSTensorHandleArray out = MSModelGetOutputs(h);
  CHECK(MSModelGetInputByTensorName(h, "in0") == in.handle_list[0]);
  CHECK(MSModelGetInputByTensorName(h, "in1") == in.handle_list[1]);
  CHECK(MSModelGetOutputByTensorName(h, "out0") == out.handle_list[0]);
  CHECK(MSModelGetOutputByTensorName(h, "out1") == out.handle_list[1]);
  CHECK(MSModelGetInputByTensorName(h, "out0") == NULL);
  CHECK(MSModelGetInputByTensorName(h, "in") == NULL);
  CHECK(MSModelGetOutputByTensorName(h, NULL) == NULL);
  CHECK(MSModelGetInputByTensorName(NULL, "in0") == NULL);
  CHECK(strcmp(MSTensorGetName(in.handle_list[1]), "in1") == 0);
  MSModelDestroy(&h);
}

static void Workspace(void) {
  MSModelHandle h = MSModelCreate();
  size_t need = MSModelCalcWorkspaceSize(h);
  size_t size = 0;
  unsigned char *w = ReadWeights(&size);
  unsigned char *block = malloc(need + 32);
  unsigned char *ws = block;
  uint8_t *d0, *d1;
  CHECK(need == NET_ARENA_SIZE + 15);
  while (((uintptr_t)ws & 15u) != 1) {
    ++ws; /* worst case: 15 bytes of padding needed */
  }
  MSModelSetWorkspace(h, ws, need - 1);
  CHECK(MSModelBuild(h, w, size, kMSModelTypeMindIR, NULL) == kMSStatusLiteMemoryFailed);
  CHECK(PredictModel(h) == kMSStatusLiteUninitializedObj);
  MSModelSetWorkspace(h, ws, 10);
  CHECK(MSModelBuild(h, w, size, kMSModelTypeMindIR, NULL) == kMSStatusLiteMemoryFailed);
  MSModelSetWorkspace(h, ws, need);
  CHECK(MSModelBuild(h, w, size, kMSModelTypeMindIR, NULL) == kMSStatusSuccess);
  d0 = MSTensorGetMutableData(MSModelGetInputs(h).handle_list[0]);
  d1 = MSTensorGetMutableData(MSModelGetOutputs(h).handle_list[1]);
  CHECK(((uintptr_t)d0 & 15u) == 0 && d0 >= ws && d0 < ws + need);
  CHECK(d1 + 6 <= ws + need);
  CHECK(PredictModel(h) == kMSStatusSuccess);
  CheckModelOutputs(h);
  MSModelDestroy(&h);
  free(block); /* still ours: the model must not have freed it */
  free(w);
}

static void DestroyCreate(void) {
  MSModelHandle h = Built();
  MSModelHandle again = MSModelCreate(); /* one instance: the same handle */
  CHECK(again == h);
  MSModelDestroy(&h);
  CHECK(h == NULL);
  MSModelDestroy(&h);
  MSModelDestroy(NULL);
  CHECK(MSModelGetInputs(again).handle_list == NULL); /* stale handle */
  h = MSModelCreate();
  CHECK(h != NULL);
  CHECK(MSTensorGetData(MSModelGetInputs(h).handle_list[0]) == NULL);
  CHECK(MSTensorGetMutableData(MSModelGetInputs(h).handle_list[0]) == NULL);
  CHECK(MSModelPredict(h, MSModelGetInputs(h), NULL, NULL, NULL) == kMSStatusLiteUninitializedObj);
  MSModelDestroy(&h);
  BuildOk();
}

/* Writes `size` bytes of the weights (with byte 0 flipped when `corrupt`) to a new file. */
static const char *WriteWeightVariant(const char *suffix, size_t size, int corrupt) {
  static char path[4096];
  size_t real = 0;
  unsigned char *w = ReadWeights(&real);
  FILE *f;
  snprintf(path, sizeof(path), "%s%s", weight_path, suffix);
  f = fopen(path, "wb");
  CHECK(f != NULL && size <= real);
  w[0] ^= (unsigned char)corrupt;
  CHECK(fwrite(w, 1, size, f) == size);
  fclose(f);
  free(w);
  return path;
}

static void BuildFromFile(void) {
  MSModelHandle h = MSModelCreate();
  const char *path = WriteWeightVariant(".short", 7, 0);
  CHECK(MSModelBuildFromFile(h, path, kMSModelTypeMindIR, NULL) == kMSStatusLiteParamInvalid);
  path = WriteWeightVariant(".bad", 8, 1);
  CHECK(MSModelBuildFromFile(h, path, kMSModelTypeMindIR, NULL) == kMSStatusLiteGraphFileError);
  path = WriteWeightVariant(".empty", 0, 0);
  CHECK(MSModelBuildFromFile(h, path, kMSModelTypeMindIR, NULL) == kMSStatusLiteParamInvalid);
  CHECK(MSModelBuildFromFile(h, weight_path, kMSModelTypeInvalid, NULL) ==
        kMSStatusLiteParamInvalid);
  CHECK(MSModelBuildFromFile(h, "/nonexistent/net.bin", kMSModelTypeMindIR, NULL) ==
        kMSStatusLiteFileError);
  CHECK(MSModelBuildFromFile(h, NULL, kMSModelTypeMindIR, NULL) == kMSStatusLiteNullptr);
  CHECK(MSModelBuildFromFile(NULL, weight_path, kMSModelTypeMindIR, NULL) == kMSStatusLiteNullptr);
  CHECK(MSModelBuildFromFile(h, weight_path, kMSModelTypeMindIR, NULL) == kMSStatusSuccess);
  CHECK(PredictModel(h) == kMSStatusSuccess);
  CheckModelOutputs(h);
  MSModelDestroy(&h);
}

static void Callbacks(void) {
  MSModelHandle h = Built();
  FillInputs(h);
  CHECK(MSModelPredict(h, MSModelGetInputs(h), NULL, Callback, NULL) == kMSStatusLiteNotSupport);
  CHECK(MSModelPredict(h, MSModelGetInputs(h), NULL, NULL, Callback) == kMSStatusLiteNotSupport);
  MSModelDestroy(&h);
}

static void Resize(void) {
  MSModelHandle h = Built();
  MSShapeInfo shapes[2] = {{2, {1, 4}}, {2, {2, 3}}};
  CHECK(MSModelResize(h, MSModelGetInputs(h), shapes, 2) == kMSStatusSuccess);
  shapes[0].shape[0] = 2;
  CHECK(MSModelResize(h, MSModelGetInputs(h), shapes, 2) == kMSStatusLiteNotSupport);
  shapes[0].shape[0] = 1;
  shapes[1].shape_num = 3;
  CHECK(MSModelResize(h, MSModelGetInputs(h), shapes, 2) == kMSStatusLiteNotSupport);
  CHECK(MSModelResize(h, MSModelGetInputs(h), shapes, 1) == kMSStatusLiteParamInvalid);
  MSModelDestroy(&h);
}

static void TrainStubs(void) {
  MSModelHandle h = Built();
  MSTrainCfgHandle cfg = MSTrainCfgCreate();
  size_t num = 7;
  CHECK(cfg == NULL);
  MSTrainCfgDestroy(&cfg);
  CHECK(MSTrainCfgGetLossName(cfg, &num) == NULL && num == 0);
  CHECK(MSTrainCfgGetOptimizationLevel(cfg) == kMSKO0);
  CHECK(MSModelRunStep(h, NULL, NULL) == kMSStatusLiteNotSupport);
  CHECK(MSRunStep(h, NULL, NULL) == kMSStatusLiteNotSupport);
  CHECK(MSModelSetTrainMode(h, true) == kMSStatusLiteNotSupport);
  CHECK(MSModelSetTrainMode(h, false) == kMSStatusSuccess);
  CHECK(!MSModelGetTrainMode(h));
  CHECK(MSModelExportWeight(h, "w.bin") == kMSStatusLiteNotSupport);
  CHECK(MSTrainModelBuild(h, NULL, 0, kMSModelTypeMindIR, NULL, NULL) == kMSStatusLiteNotSupport);
  CHECK(MSTrainModelBuildFromFile(h, "x", kMSModelTypeMindIR, NULL, NULL) ==
        kMSStatusLiteNotSupport);
  CHECK(MSModelSetLearningRate(h, 0.1f) == kMSStatusLiteNotSupport);
  CHECK(MSModelGetLearningRate(h) == 0.0f);
  CHECK(MSModelGetWeights(h).handle_num == 0);
  CHECK(MSModelUpdateWeights(h, MSModelGetWeights(h)) == kMSStatusLiteNotSupport);
  CHECK(MSModelSetupVirtualBatch(h, 2, 0.1f, 0.9f) == kMSStatusLiteNotSupport);
  CHECK(MSExportModel(h, kMSModelTypeMindIR, "m", kMSNO_QUANT, true, NULL, 0) ==
        kMSStatusLiteNotSupport);
  CHECK(MSExportModelBuffer(h, kMSModelTypeMindIR, NULL, NULL, kMSNO_QUANT, true, NULL, 0) ==
        kMSStatusLiteNotSupport);
  CHECK(MSExportWeightsCollaborateWithMicro(h, kMSModelTypeMindIR, "w", true, false, NULL, 0) ==
        kMSStatusLiteNotSupport);
  MSModelDestroy(&h);
}

static void TensorApi(void) {
  int64_t shape[2] = {2, 3}, shape4[1] = {4}, bad[1] = {-1}, many[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
  float values[6] = {1, 2, 3, 4, 5, 6};
  float user[4] = {9, 9, 9, 9};
  size_t ndim = 0;
  MSTensorHandle t = MSTensorCreate("abc", kMSDataTypeNumberTypeFloat32, shape, 2, NULL, 0);
  MSTensorHandle c, v;
  MicroTensor *mt = (MicroTensor *)t;
  CHECK(t != NULL && mt->owned && !mt->is_model_tensor);
  CHECK(MSTensorGetElementNum(t) == 6 && MSTensorGetDataSize(t) == 24);
  CHECK(((const float *)MSTensorGetData(t))[5] == 0.0f);
  CHECK(strcmp(MSTensorGetName(t), "abc") == 0);
  MSTensorSetName(t, "def");
  CHECK(strcmp(MSTensorGetName(t), "def") == 0);
  CHECK(MSTensorGetFormat(t) == kMSFormatNHWC);
  MSTensorSetFormat(t, kMSFormatNCHW);
  CHECK(MSTensorGetFormat(t) == kMSFormatNCHW);
  CHECK(MSTensorGetShape(t, &ndim)[1] == 3 && ndim == 2);
  MSTensorSetShape(t, shape4, 1);
  CHECK(MSTensorGetDataSize(t) == 16 && MSTensorGetElementNum(t) == 4);
  CHECK(MSTensorGetMutableData(t) != NULL);
  MSTensorSetDataType(t, kMSDataTypeNumberTypeInt8);
  CHECK(MSTensorGetDataType(t) == kMSDataTypeNumberTypeInt8 && MSTensorGetDataSize(t) == 4);
  CHECK(MSTensorGetMutableData(t) != NULL);
  MSTensorSetDataType(t, kMSDataTypeNumberTypeFloat32);
  MSTensorSetData(t, user);
  CHECK(MSTensorGetData(t) == (void *)user && !mt->owned);
  c = MSTensorClone(t);
  CHECK(c != NULL && MSTensorGetData(c) != (void *)user);
  CHECK(memcmp(MSTensorGetData(c), user, sizeof(user)) == 0);
  CHECK(strcmp(MSTensorGetName(c), "def") == 0 && MSTensorGetName(c) != MSTensorGetName(t));
  MSTensorDestroy(&t);
  MSTensorDestroy(&c);
  MSTensorDestroy(&t);
  CHECK(t == NULL && c == NULL);

  v = MSTensorCreate("v", kMSDataTypeNumberTypeFloat32, shape, 2, values, sizeof(values));
  CHECK(v != NULL && ((const float *)MSTensorGetData(v))[4] == 5.0f);
  MSTensorDestroy(&v);
  CHECK(MSTensorCreate("v", kMSDataTypeNumberTypeFloat32, shape, 2, values, 8) == NULL);
  CHECK(MSTensorCreate("v", kMSDataTypeNumberTypeFloat32, bad, 1, NULL, 0) == NULL);
  CHECK(MSTensorCreate("v", kMSDataTypeNumberTypeFloat32, many, 9, NULL, 0) == NULL);
  CHECK(MSTensorCreate("v", kMSDataTypeUnknown, shape, 2, NULL, 0) == NULL);
  v = MSTensorCreate(NULL, kMSDataTypeNumberTypeInt64, NULL, 0, NULL, 0); /* scalar */
  CHECK(v != NULL && MSTensorGetElementNum(v) == 1 && MSTensorGetDataSize(v) == 8);
  MSTensorDestroy(&v);
  CHECK(MSTensorGetElementNum(NULL) == -1 && MSTensorGetDataSize(NULL) == 0);
  CHECK(MSTensorGetName(NULL) == NULL);
  CHECK(MicroDataTypeSize(kMSDataTypeNumberTypeFloat16) == 2);
  CHECK(MicroDataTypeSize(kMSDataTypeNumberTypeBool) == 1);

  {
    MSModelHandle h = Built();
    MSTensorHandle in0 = MSModelGetInputs(h).handle_list[0];
    MSTensorHandle handle = in0;
    MSTensorHandle clone;
    MicroTensor *m = (MicroTensor *)in0;
    CHECK(m->is_model_tensor && !m->owned && m->size == 16);
    CHECK(((MicroTensor *)MSModelGetInputs(h).handle_list[1])->scale == 0.5f);
    {
      float scale = 7.0f;
      int32_t zero_point = 7;
      MSTensorHandle in1 = MSModelGetInputs(h).handle_list[1];
      CHECK(MSTensorGetDataType(in1) == kMSDataTypeNumberTypeInt8);
      CHECK(MSTensorGetQuantParam(in1, &scale, &zero_point));
      CHECK(scale == 0.5f && zero_point == -3);
      scale = 7.0f;
      CHECK(!MSTensorGetQuantParam(in0, &scale, &zero_point) && scale == 7.0f);
      CHECK(!MSTensorGetQuantParam(NULL, &scale, &zero_point));
    }
    MSTensorSetName(in0, "renamed");
    MSTensorSetShape(in0, shape, 2);
    MSTensorSetDataType(in0, kMSDataTypeNumberTypeInt8);
    MSTensorDestroy(&handle); /* a model tensor: only the handle is cleared */
    CHECK(handle == NULL);
    CHECK(strcmp(MSTensorGetName(in0), "in0") == 0 && MSTensorGetElementNum(in0) == 4);
    CHECK(MSTensorGetDataType(in0) == kMSDataTypeNumberTypeFloat32);
    clone = MSTensorClone(in0);
    CHECK(clone != NULL && !((MicroTensor *)clone)->is_model_tensor);
    CHECK(MSTensorGetDataSize(clone) == 16);
    MSTensorDestroy(&clone);
    CHECK(PredictModel(h) == kMSStatusSuccess);
    CheckModelOutputs(h);
    MSModelDestroy(&h);
  }
}

static void ContextApi(void) {
  MSContextHandle ctx = MSContextCreate();
  int32_t cores[3] = {0, 2, 4};
  size_t n = 0;
  const int32_t *got;
  MSDeviceInfoHandle d = MSDeviceInfoCreate(kMSDeviceTypeCPU);
  MSDeviceInfoHandle lone = MSDeviceInfoCreate(kMSDeviceTypeGPU);
  int i;
  CHECK(ctx != NULL && d != NULL && lone != NULL);
  CHECK(MSContextGetThreadNum(ctx) == 1 && MSContextGetThreadNum(NULL) == 1);
  MSContextSetThreadNum(ctx, 4);
  MSContextSetThreadNum(ctx, 0);
  CHECK(MSContextGetThreadNum(ctx) == 4);
  MSContextSetThreadAffinityMode(ctx, 2);
  CHECK(MSContextGetThreadAffinityMode(ctx) == 2);
  MSContextSetThreadAffinityCoreList(ctx, cores, 3);
  cores[1] = 99;
  got = MSContextGetThreadAffinityCoreList(ctx, &n);
  CHECK(n == 3 && got[1] == 2);
  MSContextSetThreadAffinityCoreList(ctx, cores, 2);
  CHECK(MSContextGetThreadAffinityCoreList(ctx, &n)[1] == 99 && n == 2);
  CHECK(!MSContextGetEnableParallel(ctx));
  MSContextSetEnableParallel(ctx, true);
  CHECK(MSContextGetEnableParallel(ctx));
  MSDeviceInfoSetProvider(d, "vendor");
  MSDeviceInfoSetProvider(d, "vendor2");
  MSDeviceInfoSetProviderDevice(d, "dev");
  MSDeviceInfoSetEnableFP16(d, true);
  MSDeviceInfoSetFrequency(d, 2);
  CHECK(strcmp(MSDeviceInfoGetProvider(d), "vendor2") == 0);
  CHECK(strcmp(MSDeviceInfoGetProviderDevice(d), "dev") == 0);
  CHECK(MSDeviceInfoGetEnableFP16(d) && MSDeviceInfoGetFrequency(d) == 2);
  CHECK(MSDeviceInfoGetDeviceType(d) == kMSDeviceTypeCPU);
  CHECK(MSDeviceInfoGetDeviceType(lone) == kMSDeviceTypeGPU);
  CHECK(MSDeviceInfoGetFrequency(lone) == 3 && MSDeviceInfoGetProvider(lone) == NULL);
  MSContextAddDeviceInfo(ctx, d); /* the context owns it now */
  for (i = 0; i < 5; ++i) { /* room for 4: the last two are refused and freed */
    MSContextAddDeviceInfo(ctx, MSDeviceInfoCreate(kMSDeviceTypeCPU));
  }
  MSDeviceInfoDestroy(&lone);
  CHECK(lone == NULL);
  {
    MSModelHandle h = MSModelCreate();
    size_t size = 0;
    unsigned char *w = ReadWeights(&size);
    CHECK(MSModelBuild(h, w, size, kMSModelTypeMindIR, ctx) == kMSStatusSuccess);
    free(w);
    MSModelDestroy(&h);
  }
  MSContextDestroy(&ctx);
  CHECK(ctx == NULL);
  MSContextDestroy(&ctx);
}

static void Rebuild(void) {
  MSModelHandle h = Built();
  size_t size = 0;
  unsigned char *w = ReadWeights(&size);
  CHECK(MSModelBuild(h, w, size, kMSModelTypeMindIR, NULL) == kMSStatusSuccess);
  CHECK(PredictModel(h) == kMSStatusSuccess);
  CheckModelOutputs(h);
  CHECK(MSModelBuild(h, w, size - 1, kMSModelTypeMindIR, NULL) == kMSStatusLiteParamInvalid);
  CHECK(PredictModel(h) == kMSStatusLiteUninitializedObj); /* a failed Build leaves it unbuilt */
  CHECK(MSModelBuild(h, w, size, kMSModelTypeMindIR, NULL) == kMSStatusSuccess);
  CHECK(PredictModel(h) == kMSStatusSuccess);
  CheckModelOutputs(h);
  free(w);
  MSModelDestroy(&h);
}

/* Built with FAKE_FLASH: the weights are compiled in. */
static void Flash(void) {
  MSModelHandle h = MSModelCreate();
  CHECK(MSModelBuild(h, NULL, 0, kMSModelTypeMindIR, NULL) == kMSStatusSuccess);
  CHECK(PredictModel(h) == kMSStatusSuccess);
  CheckModelOutputs(h);
  CHECK(MSModelBuildFromFile(h, "/nonexistent/net.bin", kMSModelTypeMindIR, NULL) ==
        kMSStatusSuccess);
  CHECK(PredictModel(h) == kMSStatusSuccess);
  CheckModelOutputs(h);
  MSModelDestroy(&h);
}

/* Built with FAKE_FLASH and MICRO_NO_MALLOC/NO_FILESYSTEM/NO_LOG: an MCU configuration. */
static void NoMalloc(void) {
  static unsigned char workspace[NET_ARENA_SIZE + 15];
  int64_t shape[1] = {1};
  MSModelHandle h = MSModelCreate();
  CHECK(MSContextCreate() == NULL);
  CHECK(MSTensorCreate("t", kMSDataTypeNumberTypeFloat32, shape, 1, NULL, 0) == NULL);
  CHECK(MSModelBuild(h, NULL, 0, kMSModelTypeMindIR, NULL) == kMSStatusLiteMemoryFailed);
  MSModelSetWorkspace(h, workspace, sizeof(workspace));
  CHECK(MSModelBuild(h, NULL, 0, kMSModelTypeMindIR, NULL) == kMSStatusSuccess);
  CHECK(PredictModel(h) == kMSStatusSuccess);
  CheckModelOutputs(h);
  MSModelDestroy(&h);
}

typedef struct Case {
  const char *name;
  void (*run)(void);
} Case;

static const Case kCases[] = {
    {"build_ok", BuildOk},
    {"build_wrong_size", BuildWrongSize},
    {"build_crc", BuildCrc},
    {"build_null", BuildNull},
    {"predict_before_build", PredictBeforeBuild},
    {"predict_model_tensors", PredictModelTensors},
    {"predict_user_tensors", PredictUserTensors},
    {"set_data_redirect", SetDataRedirect},
    {"by_name", ByName},
    {"workspace", Workspace},
    {"destroy_create", DestroyCreate},
    {"build_from_file", BuildFromFile},
    {"callbacks", Callbacks},
    {"resize", Resize},
    {"train_stubs", TrainStubs},
    {"tensor_api", TensorApi},
    {"context_api", ContextApi},
    {"rebuild", Rebuild},
    {"flash", Flash},
    {"no_malloc", NoMalloc},
};

int main(int argc, char **argv) {
  size_t i;
  if (argc < 2) {
    return 2;
  }
  weight_path = argc > 2 ? argv[2] : "";
  for (i = 0; i < sizeof(kCases) / sizeof(kCases[0]); ++i) {
    if (strcmp(argv[1], kCases[i].name) == 0) {
      kCases[i].run();
      printf("ok %s\n", argv[1]);
      return 0;
    }
  }
  fprintf(stderr, "unknown case %s\n", argv[1]);
  return 2;
}
"""

API_CASES = [
    "build_ok",
    "build_wrong_size",
    "build_crc",
    "build_null",
    "predict_before_build",
    "predict_model_tensors",
    "predict_user_tensors",
    "set_data_redirect",
    "by_name",
    "workspace",
    "destroy_create",
    "build_from_file",
    "callbacks",
    "resize",
    "train_stubs",
    "tensor_api",
    "context_api",
    "rebuild",
]

# Scenario -> (a fragment the runtime must log, or None).
EXPECTED_LOGS = {
    "build_wrong_size": (
        "micro: MSModelBuild: the weight file holds 7 bytes, model 'fake_net' needs 8"
        " (wrong net.bin?)"
    ),
    "build_crc": "corrupted",
    "predict_before_build": "not built",
    "callbacks": "per-kernel callbacks are not supported by this generated model",
    "workspace": "needs 63",
    "predict_user_tensors": "input 0 ('in0'): 20 bytes given, model needs 16",
}


# --------------------------------------------------------------------------- fixtures
class Project:
    """The fake model's files and the programs built from them (per configuration)."""

    def __init__(self, root: Path):
        self.root = root
        self.net_dir = root / "net"
        self.net_dir.mkdir()
        weight_bytes = WEIGHTS.tobytes()
        crc = zlib.crc32(weight_bytes)
        (self.net_dir / "net.h").write_text(NET_H)
        (self.net_dir / "net.c").write_text(
            NET_C.replace("@CRC@", f"0x{crc:08X}").replace(
                "@WEIGHT_BYTES@", ", ".join(str(b) for b in weight_bytes)
            )
        )
        (root / "api_test.c").write_text(API_TEST_C)
        self.weights = root / "net.bin"
        self.weights.write_bytes(weight_bytes)
        self.in0 = root / "in0.bin"
        self.in0.write_bytes(IN0.tobytes())
        self.in1 = root / "in1.bin"
        self.in1.write_bytes(IN1.tobytes())
        self._built: dict[str, Path] = {}

    def includes(self) -> list[str]:
        return [f"-I{INCLUDE}", f"-I{RUNTIME}", f"-I{self.net_dir}"]

    def build(self, program: str, *, sanitize: bool = False, defines: tuple[str, ...] = ()) -> Path:
        key = f"{program}-{'asan' if sanitize else 'plain'}-{'-'.join(defines) or 'default'}"
        if key not in self._built:
            main = [self.root / "api_test.c"] if program == "api_test" else BENCH_SRCS
            out = self.root / key
            cmd = [GCC, *WARN, "-O1", *(SANITIZE if sanitize else []), *(f"-D{d}" for d in defines)]
            cmd += [*self.includes(), *map(str, [*main, *RUNTIME_SRCS, self.net_dir / "net.c"])]
            cmd += ["-o", str(out), "-lm"]
            result = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
            assert result.returncode == 0, f"{' '.join(cmd)}\n{result.stderr}"
            self._built[key] = out
        return self._built[key]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Project:
    return Project(tmp_path_factory.mktemp("runtime"))


def run(exe: Path, *args, sanitize: bool = False, cwd: Path | None = None):
    env = dict(os.environ, **SAN_ENV) if sanitize else None
    return subprocess.run(
        [str(exe), *map(str, args)], capture_output=True, text=True, timeout=60, env=env, cwd=cwd
    )


# --------------------------------------------------------------------------- compile checks
@pytest.mark.parametrize(
    "defines",
    [
        (),
        ("MICRO_NO_LOG",),
        ("MICRO_NO_MALLOC",),
        ("MICRO_NO_FILESYSTEM",),
        ("MICRO_NO_LOG", "MICRO_NO_MALLOC", "MICRO_NO_FILESYSTEM"),
    ],
)
@pytest.mark.parametrize("opt", ["-O0", "-O2"])
def test_runtime_compiles_without_warnings(project, defines, opt, tmp_path):
    for compiler in filter(None, [GCC, CLANG]):
        for src in [*RUNTIME_SRCS, *BENCH_SRCS]:
            cmd = [compiler, *WARN, opt, *(f"-D{d}" for d in defines), *project.includes()]
            cmd += ["-c", str(src), "-o", str(tmp_path / (src.stem + ".o"))]
            result = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
            assert result.returncode == 0, f"{' '.join(cmd)}\n{result.stderr}"
            assert result.stderr == ""


def test_no_log_build_references_no_stdio(project, tmp_path):
    obj = tmp_path / "model.o"
    cmd = [GCC, *WARN, "-O2", "-DMICRO_NO_LOG", "-DMICRO_NO_FILESYSTEM", "-DMICRO_NO_MALLOC"]
    cmd += [*project.includes(), "-c", str(RUNTIME / "model.c"), "-o", str(obj)]
    subprocess.run(cmd, check=True, timeout=60)
    symbols = subprocess.run(["nm", "-u", str(obj)], capture_output=True, text=True).stdout
    for name in ("printf", "fprintf", "vfprintf", "fopen", "malloc", "fputs"):
        assert f" {name}\n" not in symbols, symbols


@pytest.mark.skipif(GXX is None, reason="g++ is not installed")
def test_c_api_headers_compile_as_cpp(tmp_path):
    src = tmp_path / "headers.cc"
    src.write_text(
        "".join(f'#include "c_api/{h}"\n' for h in C_API_HEADERS) + "int main() { return 0; }\n"
    )
    cmd = [
        GXX,
        "-std=c++11",
        "-Wall",
        "-Wextra",
        "-Werror",
        "-pedantic",
        f"-I{INCLUDE}",
        "-fsyntax-only",
        str(src),
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_c_api_values_match_mindspore(tmp_path):
    """Spot-check enum values against MindSpore Lite's (statuses as 32-bit patterns)."""
    src = tmp_path / "values.c"
    src.write_text(
        '#include <stdio.h>\n#include <stdint.h>\n#include "c_api/model_c.h"\n'
        "int main(void) {\n"
        '  printf("%08x %08x %08x %08x %d %d %d %d %d\\n",'
        " (uint32_t)kMSStatusLiteNotSupport, (uint32_t)kMSStatusLiteGraphFileError,"
        " (uint32_t)kMSStatusLiteInputParamInvalid, (uint32_t)kMSModelTypeInvalid,"
        " kMSDataTypeNumberTypeFloat32, kMSDataTypeNumberTypeInt8, kMSFormatNCW,"
        " kMSDeviceTypeInvalid, MS_MAX_SHAPE_NUM);\n"
        "  return 0;\n}\n"
    )
    exe = tmp_path / "values"
    subprocess.run([GCC, *WARN, f"-I{INCLUDE}", str(src), "-o", str(exe)], check=True, timeout=60)
    lite = 0xF0000000
    expected = [
        lite | (0x0FFFFFFF & -7),
        lite | (0x0FFFFFFF & -200),
        lite | (0x0FFFFFFF & -600),
        0xFFFFFFFF,
    ]
    out = run(exe).stdout.split()
    assert out == [f"{v:08x}" for v in expected] + ["43", "32", "17", "100", "32"]


# --------------------------------------------------------------------------- API scenarios
@pytest.mark.parametrize("sanitize", [False, True], ids=["plain", "asan"])
@pytest.mark.parametrize("case", API_CASES)
def test_api(project, case, sanitize):
    exe = project.build("api_test", sanitize=sanitize)
    result = run(exe, case, project.weights, sanitize=sanitize)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"ok {case}" in result.stdout
    if case in EXPECTED_LOGS:
        assert EXPECTED_LOGS[case] in result.stderr


@pytest.mark.parametrize("sanitize", [False, True], ids=["plain", "asan"])
def test_api_flash_weights(project, sanitize):
    exe = project.build("api_test", sanitize=sanitize, defines=("FAKE_FLASH",))
    result = run(exe, "flash", sanitize=sanitize)
    assert result.returncode == 0, result.stdout + result.stderr


def test_api_mcu_configuration(project):
    defines = ("FAKE_FLASH", "MICRO_NO_MALLOC", "MICRO_NO_FILESYSTEM", "MICRO_NO_LOG")
    exe = project.build("api_test", sanitize=True, defines=defines)
    result = run(exe, "no_malloc", sanitize=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "micro:" not in result.stderr  # logs compiled out


def test_crc_matches_zlib(project, tmp_path):
    """The runtime accepts a weight blob exactly when zlib.crc32 matches (random 1000 bytes)."""
    blob = np.random.default_rng(0).integers(0, 256, 1000, dtype=np.uint8).tobytes()
    net_dir = tmp_path / "net"
    net_dir.mkdir()
    (net_dir / "net.h").write_text(NET_H.replace("NET_WEIGHT_SIZE 8", "NET_WEIGHT_SIZE 1000"))
    net_c = NET_C.replace("@CRC@", f"0x{zlib.crc32(blob):08X}").replace("@WEIGHT_BYTES@", "0")
    (net_dir / "net.c").write_text(net_c)
    (tmp_path / "blob.bin").write_bytes(blob)
    main = tmp_path / "main.c"
    main.write_text(
        '#include "c_api/model_c.h"\n#include <stdio.h>\n'
        "int main(int argc, char **argv) {\n"
        "  MSModelHandle h = MSModelCreate();\n"
        "  MSStatus s = MSModelBuildFromFile(h, argv[1], kMSModelTypeMindIR, NULL);\n"
        "  MSModelDestroy(&h);\n"
        "  (void)argc;\n"
        '  printf("%d\\n", (int)s);\n'
        "  return 0;\n}\n"
    )
    exe = tmp_path / "crc"
    cmd = [
        GCC,
        *WARN,
        f"-I{INCLUDE}",
        f"-I{RUNTIME}",
        f"-I{net_dir}",
        str(main),
        *map(str, RUNTIME_SRCS),
    ]
    subprocess.run([*cmd, str(net_dir / "net.c"), "-o", str(exe)], check=True, timeout=60)
    assert run(exe, tmp_path / "blob.bin").stdout.strip() == "0"
    (tmp_path / "bad.bin").write_bytes(blob[:500] + bytes([blob[500] ^ 1]) + blob[501:])
    assert run(exe, tmp_path / "bad.bin").stdout.strip() == "-200"


# --------------------------------------------------------------------------- benchmark CLI
def expected_output_lines() -> list[str]:
    return [
        "name: out0, DataType: 43, Elements: 4, Shape: [1 4], Data:",
        ", ".join(f"{v:.6f}" for v in OUT0.ravel()),
        "name: out1, DataType: 32, Elements: 6, Shape: [2 3], Data:",
        ", ".join(str(v) for v in OUT1.ravel()),
    ]


def calib_text(out0=OUT0, out1=OUT1, name0="out0") -> str:
    def block(name, arr):
        dims = " ".join(str(d) for d in arr.shape)
        return f"{name} {arr.ndim} {dims}\n" + " ".join(repr(float(v)) for v in arr.ravel()) + "\n"

    return block(name0, out0) + block("out1", out1)


@pytest.fixture(params=[False, True], ids=["plain", "asan"])
def bench(project, request):
    sanitize = request.param
    exe = project.build("benchmark", sanitize=sanitize)

    def call(*args):
        return run(exe, *args, sanitize=sanitize, cwd=project.root)

    return call


def inputs_arg(project) -> str:
    return f"{project.in0},{project.in1}"


def test_benchmark_success(project, bench):
    result = bench(inputs_arg(project), project.weights, 5, "-", 2, 0, 2)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert "========run benchmark======" in lines
    assert "model: fake_net" in lines
    assert "arena: 48 bytes, weights: 8 bytes" in lines
    assert "thread num: 2, bind mode: 0" in lines
    assert "loop count: 5" in lines
    assert any(line.startswith("total time: ") and "ms, per time: " in line for line in lines)
    assert "========run success=======" in lines
    start = lines.index("========run success=======") + 1
    # 5 timed runs + 2 warm-ups: correct only because the inputs are reloaded each time
    assert lines[start : start + 4] == expected_output_lines()


def test_benchmark_defaults(project, bench):
    result = bench(inputs_arg(project), project.weights)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "loop count: 1" in result.stdout
    assert "thread num: 1, bind mode: 1" in result.stdout
    result = bench(inputs_arg(project), project.weights, 0)
    assert result.returncode == 0
    assert "loop count: 1" in result.stdout


def test_benchmark_wrong_input_size(project, bench, tmp_path):
    short = tmp_path / "short.bin"
    short.write_bytes(IN0.tobytes()[:12])
    result = bench(f"{short},{project.in1}", project.weights)
    assert result.returncode != 0
    assert f"input file '{short}' holds 12 bytes, input 0 ('in0') needs 16" in result.stderr
    assert "run success" not in result.stdout


def test_benchmark_wrong_input_count(project, bench):
    result = bench(str(project.in0), project.weights)
    assert result.returncode != 0
    assert "1 input files given" in result.stderr
    assert "2 inputs" in result.stderr


def test_benchmark_missing_input_file(project, bench, tmp_path):
    result = bench(f"{tmp_path / 'nope.bin'},{project.in1}", project.weights)
    assert result.returncode != 0
    assert "cannot open" in result.stderr


def test_benchmark_bad_weights(project, bench, tmp_path):
    bad = tmp_path / "bad.bin"
    data = bytearray(project.weights.read_bytes())
    data[0] ^= 1
    bad.write_bytes(bytes(data))
    result = bench(inputs_arg(project), bad)
    assert result.returncode != 0
    assert "corrupted" in result.stderr
    result = bench(inputs_arg(project), "-")  # this model needs its weight file
    assert result.returncode != 0
    assert "needs its weight file" in result.stderr


def test_benchmark_bad_args(project, bench):
    result = bench(inputs_arg(project), project.weights, "many")
    assert result.returncode != 0
    assert "loop_count" in result.stderr
    result = bench(inputs_arg(project), project.weights, 1, "-", 0)
    assert result.returncode != 0
    assert "thread_num" in result.stderr
    assert bench().returncode != 0


def test_benchmark_calibration_pass(project, bench, tmp_path):
    calib = tmp_path / "calib.txt"
    calib.write_text(calib_text())
    result = bench(inputs_arg(project), project.weights, 1, calib)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "compare outputs success." in result.stdout
    assert (
        "output 0 (out0): max abs error: 0, max rel error: 0, cosine similarity: 1.000000"
        in result.stdout
    )


def test_benchmark_calibration_within_threshold(project, bench, tmp_path):
    calib = tmp_path / "calib.txt"
    calib.write_text(calib_text(out0=OUT0 + np.float32(1e-4)))
    result = bench(inputs_arg(project), project.weights, 1, calib, 1, 1, 0, 0.99)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "compare outputs success." in result.stdout


def test_benchmark_calibration_long_name_warns(project, bench, tmp_path):
    calib = tmp_path / "calib.txt"
    calib.write_text(calib_text(name0="x" * 100_000))
    result = bench(inputs_arg(project), project.weights, 1, calib)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "warning: output 0 is named 'out0'" in result.stdout
    assert "compare outputs success." in result.stdout


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (calib_text(out0=-OUT0), "cosine similarity of 'out0'"),
        (calib_text(out0=np.zeros((1, 5), np.float32)), "has 4 elements, the calibration tensor 5"),
        (calib_text().replace("1.5 ", "nan ", 1), "NaN or infinite"),
        (calib_text().split("out1")[0], "the model has 2 outputs, the calibration file 1 tensors"),
        ("out0 2 1 4\n1 2 3\n", "has 3 values, expected 4"),
    ],
    ids=["cosine", "elements", "nan", "count", "truncated"],
)
def test_benchmark_calibration_fail(project, bench, tmp_path, text, message):
    calib = tmp_path / "calib.txt"
    calib.write_text(text)
    result = bench(inputs_arg(project), project.weights, 1, calib)
    assert result.returncode != 0
    assert "compare outputs failed." in result.stdout
    assert message in result.stdout + result.stderr


def test_benchmark_dump(project, bench, tmp_path):
    dump = tmp_path / "out.bin"
    result = bench(inputs_arg(project), project.weights, 2, "-", 1, 1, 1, 0.9999, dump)
    assert result.returncode == 0, result.stdout + result.stderr
    assert dump.read_bytes() == OUT0.tobytes() + OUT1.tobytes()


@pytest.mark.parametrize("sanitize", [False, True], ids=["plain", "asan"])
def test_benchmark_flash_weights(project, sanitize):
    exe = project.build("benchmark", sanitize=sanitize, defines=("FAKE_FLASH",))
    for args in ([inputs_arg(project)], [inputs_arg(project), "-", 3]):
        result = run(exe, *args, sanitize=sanitize)
        assert result.returncode == 0, result.stdout + result.stderr
        lines = result.stdout.splitlines()
        start = lines.index("========run success=======") + 1
        assert lines[start : start + 4] == expected_output_lines()
