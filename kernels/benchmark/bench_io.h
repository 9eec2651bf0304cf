/*
 * bench_io.h - what the microcontroller benchmark needs besides the model: the tensors
 * baked into data.c (generated), and where its text goes. The board support implements
 * micro_bench_write(): the QEMU harness (cortex-m/semihost.c) sends the text to the host
 * over semihosting; on a board, write it to a UART or a debug probe's console.
 */
#ifndef MICRO_BENCH_IO_H_
#define MICRO_BENCH_IO_H_

#include <stddef.h>

#include "c_api/data_type_c.h"

/* One input, or one expected output, baked into data.c: its raw bytes. */
typedef struct MicroBenchTensor {
  const char *name;
  MSDataType type;
  size_t size; /* bytes */
  const void *data;
} MicroBenchTensor;

void micro_bench_write(const char *text);

#endif /* MICRO_BENCH_IO_H_ */
