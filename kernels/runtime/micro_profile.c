/*
 * micro_profile.c - the clock and the table behind micro_profile.h.
 */
#if !defined(_POSIX_C_SOURCE) && !defined(_WIN32)
#define _POSIX_C_SOURCE 199309L /* clock_gettime */
#endif

#include "micro_profile.h"

#include <time.h>

static uint64_t micro_profile_start;

static uint64_t MicroProfileNow(void) {
#if defined(CLOCK_MONOTONIC)
  struct timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC, &ts) == 0) {
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
  }
#endif
  return (uint64_t)clock() * (1000000000u / CLOCKS_PER_SEC);
}

void MicroProfileBegin(void) { micro_profile_start = MicroProfileNow(); }

void MicroProfileEnd(uint64_t *ticks, int32_t index) {
  ticks[index] += MicroProfileNow() - micro_profile_start;
}

void MicroProfileReset(const MicroProfile *profile) {
  int32_t i;
  for (i = 0; i < profile->count; ++i) {
    profile->ticks[i] = 0;
  }
}

void MicroProfilePrint(const MicroProfile *profile, long runs, FILE *out) {
  uint64_t total = 0;
  int32_t i;
  double per_run = runs > 0 ? 1.0 / (double)runs : 1.0;
  for (i = 0; i < profile->count; ++i) {
    total += profile->ticks[i];
  }
  fprintf(out, "profile: %d kernel calls, %ld runs, time per inference (ms) and share\n",
          (int)profile->count, runs);
  fprintf(out, "%5s  %-60s %12s %7s\n", "index", "operator", "ms", "share");
  for (i = 0; i < profile->count; ++i) {
    double ms = (double)profile->ticks[i] * per_run / 1e6;
    double share = total > 0 ? 100.0 * (double)profile->ticks[i] / (double)total : 0.0;
    fprintf(out, "%5d  %-60s %12.6f %6.2f%%\n", (int)i, profile->names[i], ms, share);
  }
  fprintf(out, "%5s  %-60s %12.6f %6.2f%%\n", "", "total (kernel calls)",
          (double)total * per_run / 1e6, total > 0 ? 100.0 : 0.0);
}
