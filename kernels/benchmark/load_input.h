/*
 * load_input.h - file reading for the benchmark: the weight file and the raw input files.
 */
#ifndef MICRO_LOAD_INPUT_H_
#define MICRO_LOAD_INPUT_H_

#include <stddef.h>

#include "c_api/model_c.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Whole file in a malloc'ed buffer (freed with free()); NULL on error, after printing why.
 * An empty file gives a 1-byte buffer and *size == 0. */
void *MicroReadBinaryFile(const char *path, size_t *size);

/* `paths` is a comma-separated list of raw files, one per model input, each holding
 * exactly that input's bytes. On success buffers[0 .. inputs->handle_num) receive malloc'ed
 * contents and 0 is returned; otherwise nothing is left allocated and -1 is returned
 * after printing which file is wrong and why. */
int MicroLoadInputFiles(const char *paths, const MSTensorHandleArray *inputs, void **buffers);

/* Frees buffers[0 .. num) and sets them to NULL. */
void MicroFreeInputBuffers(void **buffers, size_t num);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_LOAD_INPUT_H_ */
