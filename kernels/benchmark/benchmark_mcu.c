/*
 * benchmark.c (microcontroller) - runs the model once on the input baked into data.c and
 * compares its outputs with the expected outputs baked in when the project was generated
 * (from a run of the reference, see data.c), with no file, no heap and no stdio: text goes
 * through micro_bench_write() (bench_io.h), the verdict is main's return value
 * (0 = success), which the QEMU harness turns into the emulator's exit status.
 *
 * The comparison: int8/uint8/int32 outputs must be identical; float outputs must satisfy,
 * per tensor, |y - ref| <= 1e-5 * max|ref| + 1e-6.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bench_io.h"
#include "c_api/model_c.h"
#include "data.h"
#include "net.h"

/* Empty functions around the timed inference: their addresses delimit the region an
 * instruction counter measures (e.g. QEMU with an instruction-counting plugin). */
#if defined(__GNUC__)
#define MICRO_BENCH_MARKER __attribute__((noinline, used))
#else
#define MICRO_BENCH_MARKER
#endif
static volatile uint32_t micro_bench_marks[2]; /* distinct bodies: never merged */
MICRO_BENCH_MARKER void micro_bench_begin(void);
MICRO_BENCH_MARKER void micro_bench_end(void);
MICRO_BENCH_MARKER void micro_bench_begin(void) { micro_bench_marks[0]++; }
MICRO_BENCH_MARKER void micro_bench_end(void) { micro_bench_marks[1]++; }

/* The arena, given to the model with MSModelSetWorkspace (nothing is allocated). */
static uint8_t micro_bench_arena[NET_ARENA_SIZE + 16];

static void put(const char *text) { micro_bench_write(text); }

static void put_uint(uint64_t v) {
  char buf[24];
  int i = (int)sizeof(buf) - 1;
  buf[i] = '\0';
  do {
    buf[--i] = (char)('0' + (int)(v % 10u));
    v /= 10u;
  } while (v != 0 && i > 0);
  put(buf + i);
}

/* v >= 0 as d.ddddde[+-]xx (enough to read an error against its bound). */
static void put_sci(double v) {
  int exponent = 0;
  uint64_t digits;
  if (!(v == v)) {
    put("nan");
    return;
  }
  if (v > 1e300) {
    put("inf");
    return;
  }
  if (v == 0.0) {
    put("0");
    return;
  }
  while (v >= 10.0) {
    v /= 10.0;
    ++exponent;
  }
  while (v < 1.0) {
    v *= 10.0;
    --exponent;
  }
  digits = (uint64_t)(v * 100000.0 + 0.5);
  if (digits >= 1000000u) {
    digits /= 10u;
    ++exponent;
  }
  put_uint(digits / 100000u);
  put(".");
  {
    char frac[6];
    uint64_t rest = digits % 100000u;
    int i;
    for (i = 4; i >= 0; --i) {
      frac[i] = (char)('0' + (int)(rest % 10u));
      rest /= 10u;
    }
    frac[5] = '\0';
    put(frac);
  }
  put(exponent < 0 ? "e-" : "e+");
  put_uint((uint64_t)(exponent < 0 ? -exponent : exponent));
}

static double element(MSDataType type, const void *data, size_t i) {
  switch (type) {
    case kMSDataTypeNumberTypeFloat32:
      return ((const float *)data)[i];
    case kMSDataTypeNumberTypeInt8:
      return ((const int8_t *)data)[i];
    case kMSDataTypeNumberTypeUInt8:
      return ((const uint8_t *)data)[i];
    case kMSDataTypeNumberTypeInt32:
      return ((const int32_t *)data)[i];
    default:
      return 0.0;
  }
}

/* 0 when output `got` matches `want`, else 1; prints one line about it. */
static int compare(size_t index, MSTensorHandle got, const MicroBenchTensor *want) {
  const MSDataType type = MSTensorGetDataType(got);
  const void *data = MSTensorGetData(got);
  const size_t bytes = MSTensorGetDataSize(got);
  const size_t n = (size_t)MSTensorGetElementNum(got);
  size_t i, differ = 0;
  double max_ref = 0.0, max_err = 0.0, bound;
  put("output ");
  put_uint(index);
  put(" (");
  put(want->name);
  put("): ");
  if (bytes != want->size || type != want->type) {
    put("size or type differs from the expected output\n");
    return 1;
  }
  if (type != kMSDataTypeNumberTypeFloat32) {
    for (i = 0; i < n; ++i) differ += element(type, data, i) != element(type, want->data, i);
    put_uint(n);
    put(" values, ");
    put_uint(differ);
    put(" differ\n");
    return differ != 0;
  }
  for (i = 0; i < n; ++i) {
    const double ref = element(type, want->data, i), y = element(type, data, i);
    const double err = y > ref ? y - ref : ref - y;
    const double mag = ref < 0 ? -ref : ref;
    if (mag > max_ref) max_ref = mag;
    if (!(err <= max_err)) max_err = err; /* NaN counts as the worst error */
  }
  bound = 1e-5 * max_ref + 1e-6;
  put_uint(n);
  put(" values, max |y - ref| ");
  put_sci(max_err);
  put(", bound ");
  put_sci(bound);
  put("\n");
  return !(max_err <= bound);
}

int main(void) {
  MSModelHandle model = MSModelCreate();
  MSTensorHandleArray inputs, outputs;
  MSStatus status;
  size_t i;
  int failed = 0;
  put("========run benchmark======\n");
  put("model: ");
  put(net_model.name);
  put("\narena: ");
  put_uint(NET_ARENA_SIZE);
  put(" bytes, weights: ");
  put_uint(NET_WEIGHT_SIZE);
  put(" bytes (flash)\n");
  MSModelSetWorkspace(model, micro_bench_arena, sizeof(micro_bench_arena));
  if (MSModelBuild(model, NULL, 0, kMSModelTypeMindIR, NULL) != kMSStatusSuccess) {
    put("MSModelBuild failed\n");
    return 1;
  }
  inputs = MSModelGetInputs(model);
  for (i = 0; i < inputs.handle_num; ++i) {
    if (MSTensorGetDataSize(inputs.handle_list[i]) != micro_bench_inputs[i].size) {
      put("input size differs from data.c\n");
      return 1;
    }
    memcpy(MSTensorGetMutableData(inputs.handle_list[i]), micro_bench_inputs[i].data,
           micro_bench_inputs[i].size);
  }
  outputs = MSModelGetOutputs(model);
  micro_bench_begin();
  status = MSModelPredict(model, inputs, &outputs, NULL, NULL);
  micro_bench_end();
  if (status != kMSStatusSuccess) {
    put("MSModelPredict failed\n");
    return 1;
  }
  if (!MICRO_BENCH_HAS_EXPECTED) {
    put("no expected output in data.c: nothing to compare\n========run success=======\n");
    return 0;
  }
  for (i = 0; i < outputs.handle_num; ++i) failed |= compare(i, outputs.handle_list[i], &micro_bench_expected[i]);
  put(failed ? "compare outputs failed.\n" : "compare outputs success.\n========run success=======\n");
  MSModelDestroy(&model);
  return failed;
}
