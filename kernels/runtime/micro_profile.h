/*
 * micro_profile.h - per-operator timing of a model compiled with `[micro_options]
 * profile=true` (the generated net.c then calls MicroProfileBegin/MicroProfileEnd around
 * every kernel call and defines `net_profile`).
 *
 * Times come from clock_gettime(CLOCK_MONOTONIC) in nanoseconds. MicroProfilePrint writes
 * a table like TFLite Micro's MicroProfiler: index, operator (kernel), average time per
 * inference and share of the total.
 */
#ifndef MICRO_PROFILE_H_
#define MICRO_PROFILE_H_

#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct MicroProfile {
  int32_t count;             /* kernel calls per inference */
  const char *const *names;  /* one per call: "operator (kernel) -> output [shape]" */
  uint64_t *ticks;           /* nanoseconds accumulated per call since the last reset */
} MicroProfile;

/* Starts timing one kernel call. */
void MicroProfileBegin(void);
/* Adds the time since MicroProfileBegin to ticks[index]. */
void MicroProfileEnd(uint64_t *ticks, int32_t index);
/* Zeroes the accumulated times (e.g. after warm-up runs). */
void MicroProfileReset(const MicroProfile *profile);
/* Prints the table for `runs` inferences to `out`. */
void MicroProfilePrint(const MicroProfile *profile, long runs, FILE *out);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_PROFILE_H_ */
