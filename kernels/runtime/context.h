/*
 * context.h - MicroContext and MicroDeviceInfo, the objects behind MSContextHandle and
 * MSDeviceInfoHandle (context.c implements c_api/context_c.h on them).
 *
 * A generated model runs on the calling thread, so these only record the options; they
 * are kept so that applications written for MindSpore Lite keep compiling and running.
 */
#ifndef MICRO_CONTEXT_H_
#define MICRO_CONTEXT_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "c_api/context_c.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Device infos a context keeps; further MSContextAddDeviceInfo calls are refused. */
#define MICRO_MAX_DEVICE_INFOS 4

typedef struct MicroDeviceInfo {
  MSDeviceType device_type;
  char *provider;        /* owned copy, NULL when unset */
  char *provider_device; /* owned copy, NULL when unset */
  bool enable_fp16;
  int frequency;
} MicroDeviceInfo;

typedef struct MicroContext {
  int32_t thread_num; /* default 1 */
  int affinity_mode;  /* 0 none, 1 big cores first, 2 little cores first */
  int32_t *core_list; /* owned copy, NULL when unset */
  size_t core_num;
  bool enable_parallel;
  MicroDeviceInfo *device_infos[MICRO_MAX_DEVICE_INFOS]; /* owned */
  size_t device_num;
} MicroContext;

#ifdef __cplusplus
}
#endif
#endif /* MICRO_CONTEXT_H_ */
