/*
 * load_input.c - reading the benchmark's weight and input files (see load_input.h).
 */
#include "load_input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *MicroReadBinaryFile(const char *path, size_t *size) {
  FILE *file = fopen(path, "rb");
  long length;
  void *data;
  if (file == NULL) {
    fprintf(stderr, "benchmark: cannot open '%s'\n", path);
    return NULL;
  }
  if (fseek(file, 0, SEEK_END) != 0 || (length = ftell(file)) < 0 ||
      fseek(file, 0, SEEK_SET) != 0) {
    fprintf(stderr, "benchmark: cannot get the size of '%s'\n", path);
    fclose(file);
    return NULL;
  }
  data = malloc(length > 0 ? (size_t)length : 1);
  if (data == NULL) {
    fprintf(stderr, "benchmark: out of memory reading '%s' (%ld bytes)\n", path, length);
    fclose(file);
    return NULL;
  }
  if (fread(data, 1, (size_t)length, file) != (size_t)length) {
    fprintf(stderr, "benchmark: cannot read '%s'\n", path);
    free(data);
    fclose(file);
    return NULL;
  }
  fclose(file);
  *size = (size_t)length;
  return data;
}

/* Copy of the next comma-separated item of *cursor (advanced past it); NULL when out of
 * memory. */
static char *MicroNextPath(const char **cursor) {
  const char *start = *cursor;
  const char *comma = strchr(start, ',');
  size_t len = comma != NULL ? (size_t)(comma - start) : strlen(start);
  char *path = (char *)malloc(len + 1);
  if (path != NULL) {
    memcpy(path, start, len);
    path[len] = '\0';
  }
  *cursor = comma != NULL ? comma + 1 : start + len;
  return path;
}

/* The number of comma-separated paths; an empty list or "-" names none (a model with no
 * inputs: everything it computes is compiled in). */
static size_t MicroCountPaths(const char *paths) {
  size_t count = 1;
  if (paths[0] == '\0' || strcmp(paths, "-") == 0) {
    return 0;
  }
  for (; *paths != '\0'; ++paths) {
    count += *paths == ',';
  }
  return count;
}

static int MicroLoadOne(const char *path, size_t index, MSTensorHandle tensor, void **buffer) {
  size_t size = 0;
  size_t expected = MSTensorGetDataSize(tensor);
  *buffer = MicroReadBinaryFile(path, &size);
  if (*buffer == NULL) {
    return -1;
  }
  if (size != expected) {
    fprintf(stderr, "benchmark: input file '%s' holds %zu bytes, input %zu ('%s') needs %zu\n",
            path, size, index, MSTensorGetName(tensor), expected);
    free(*buffer);
    *buffer = NULL;
    return -1;
  }
  printf("input %zu: %s\n", index, path);
  return 0;
}

int MicroLoadInputFiles(const char *paths, const MSTensorHandleArray *inputs, void **buffers) {
  const char *cursor = paths;
  size_t count = MicroCountPaths(paths);
  size_t i;
  if (count != inputs->handle_num) {
    fprintf(stderr, "benchmark: %zu input files given ('%s'), the model has %zu inputs\n", count,
            paths, inputs->handle_num);
    return -1;
  }
  for (i = 0; i < count; ++i) {
    char *path = MicroNextPath(&cursor);
    int ret = path != NULL ? MicroLoadOne(path, i, inputs->handle_list[i], &buffers[i]) : -1;
    free(path);
    if (ret != 0) {
      MicroFreeInputBuffers(buffers, i);
      return -1;
    }
  }
  return 0;
}

void MicroFreeInputBuffers(void **buffers, size_t num) {
  size_t i;
  for (i = 0; i < num; ++i) {
    free(buffers[i]);
    buffers[i] = NULL;
  }
}
