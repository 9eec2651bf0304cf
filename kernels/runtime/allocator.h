/*
 * allocator.h - the runtime's only way to get heap memory.
 *
 * Aligned blocks on top of plain malloc/free (portable to every libc, unlike
 * aligned_alloc/posix_memalign). Define MICRO_NO_MALLOC for targets without a heap:
 * then MicroAlignedAlloc always returns NULL and the application must give the model a
 * workspace (MSModelSetWorkspace) and use compiled-in weights.
 */
#ifndef MICRO_ALLOCATOR_H_
#define MICRO_ALLOCATOR_H_

#include "micro_config.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* `size` bytes whose address is a multiple of `alignment` (a power of two; 0 means the
 * default of 16). NULL when out of memory or under MICRO_NO_MALLOC. */
void *MicroAlignedAlloc(size_t size, size_t alignment);

/* Frees a block from MicroAlignedAlloc; NULL is ignored. */
void MicroAlignedFree(void *p);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_ALLOCATOR_H_ */
