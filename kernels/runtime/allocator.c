/*
 * allocator.c - aligned allocation over malloc (see allocator.h).
 *
 * A block is over-allocated by alignment - 1 + sizeof(void *) bytes; the address malloc
 * returned is stored just below the aligned address handed out, where
 * MicroAlignedFree finds it.
 */
#include "allocator.h"

#include <stdint.h>
#include <string.h>

#ifndef MICRO_NO_MALLOC
#include <stdlib.h>
#endif

#define MICRO_DEFAULT_ALIGNMENT 16

#ifdef MICRO_NO_MALLOC

void *MicroAlignedAlloc(size_t size, size_t alignment) {
  (void)size;
  (void)alignment;
  return NULL;
}

void MicroAlignedFree(void *p) { (void)p; }

#else

static int MicroIsPowerOfTwo(size_t x) { return x != 0 && (x & (x - 1)) == 0; }

void *MicroAlignedAlloc(size_t size, size_t alignment) {
  size_t extra;
  unsigned char *raw;
  uintptr_t aligned;
  if (alignment == 0) {
    alignment = MICRO_DEFAULT_ALIGNMENT;
  }
  if (!MicroIsPowerOfTwo(alignment)) {
    return NULL;
  }
  extra = alignment - 1 + sizeof(void *);
  if (size > SIZE_MAX - extra) {
    return NULL;
  }
  raw = (unsigned char *)malloc(size + extra);
  if (raw == NULL) {
    return NULL;
  }
  aligned = ((uintptr_t)(raw + sizeof(void *)) + (alignment - 1)) & ~(uintptr_t)(alignment - 1);
  /* memcpy: the slot below `aligned` need not be aligned for a pointer */
  memcpy((unsigned char *)aligned - sizeof(void *), &raw, sizeof(void *));
  return (void *)aligned;
}

void MicroAlignedFree(void *p) {
  void *raw;
  if (p == NULL) {
    return;
  }
  memcpy(&raw, (unsigned char *)p - sizeof(void *), sizeof(void *));
  free(raw);
}

#endif /* MICRO_NO_MALLOC */
