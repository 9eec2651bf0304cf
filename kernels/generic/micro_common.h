/*
 * micro_common.h - definitions shared by every kernel micro ships.
 *
 * Kernels are plain C99: no allocation, no globals, no I/O. Every buffer they
 * touch is passed in by the generated code: activations point into the arena
 * the memory planner laid out, weights point into the weight blob, and scratch
 * memory (when a kernel needs any) is a planned arena slice whose size the
 * compiler computed with the kernel's *_scratch_size() formula.
 */
#ifndef MICRO_COMMON_H_
#define MICRO_COMMON_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Alignment of every arena slice and of the weight blob, in bytes. */
#define MICRO_ALIGN 16

#if defined(__GNUC__) || defined(__clang__)
#define MICRO_ALWAYS_INLINE static inline __attribute__((always_inline))
#else
#define MICRO_ALWAYS_INLINE static inline
#endif

MICRO_ALWAYS_INLINE float micro_clamp_f32(float x, float lo, float hi) {
  x = x < lo ? lo : x;
  return x > hi ? hi : x;
}

MICRO_ALWAYS_INLINE int32_t micro_min_i32(int32_t a, int32_t b) { return a < b ? a : b; }
MICRO_ALWAYS_INLINE int32_t micro_max_i32(int32_t a, int32_t b) { return a > b ? a : b; }

#ifdef __cplusplus
}
#endif
#endif /* MICRO_COMMON_H_ */
