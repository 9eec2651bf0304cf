/*
 * context.c - the MindSpore Lite C context API (c_api/context_c.h) over MicroContext.
 *
 * Getters on a NULL handle return the defaults (one thread, no binding), which is what a
 * micro model actually does; under MICRO_NO_MALLOC MSContextCreate returns NULL and
 * MSModelBuild accepts that.
 */
#include "context.h"

#include <string.h>

#include "allocator.h"
#include "micro_log.h"

#define MICRO_DEFAULT_FREQUENCY 3

static MicroContext *MicroContextCast(MSContextHandle handle) { return (MicroContext *)handle; }

static MicroDeviceInfo *MicroDeviceInfoCast(MSDeviceInfoHandle handle) {
  return (MicroDeviceInfo *)handle;
}

/* Replaces *slot with a copy of `s` (NULL clears it). */
static void MicroSetString(char **slot, const char *s) {
  char *copy = NULL;
  if (s != NULL) {
    size_t len = strlen(s) + 1;
    copy = (char *)MicroAlignedAlloc(len, 0);
    if (copy == NULL) {
      MICRO_LOG("out of memory copying '%s'", s);
      return;
    }
    memcpy(copy, s, len);
  }
  MicroAlignedFree(*slot);
  *slot = copy;
}

static void MicroDeviceInfoFree(MicroDeviceInfo *info) {
  if (info != NULL) {
    MicroAlignedFree(info->provider);
    MicroAlignedFree(info->provider_device);
    MicroAlignedFree(info);
  }
}

/* ---------------------------------------------------------------- context */

MSContextHandle MSContextCreate(void) {
  MicroContext *ctx = (MicroContext *)MicroAlignedAlloc(sizeof(MicroContext), 0);
  if (ctx == NULL) {
    return NULL;
  }
  memset(ctx, 0, sizeof(*ctx));
  ctx->thread_num = 1;
  return ctx;
}

void MSContextDestroy(MSContextHandle *context) {
  MicroContext *ctx;
  size_t i;
  if (context == NULL || *context == NULL) {
    return;
  }
  ctx = MicroContextCast(*context);
  for (i = 0; i < ctx->device_num; ++i) {
    MicroDeviceInfoFree(ctx->device_infos[i]);
  }
  MicroAlignedFree(ctx->core_list);
  MicroAlignedFree(ctx);
  *context = NULL;
}

void MSContextSetThreadNum(MSContextHandle context, int32_t thread_num) {
  MicroContext *ctx = MicroContextCast(context);
  if (ctx == NULL) {
    return;
  }
  if (thread_num < 1) {
    MICRO_LOG("MSContextSetThreadNum: %d threads is invalid, keeping %d", (int)thread_num,
              (int)ctx->thread_num);
    return;
  }
  ctx->thread_num = thread_num;
}

int32_t MSContextGetThreadNum(const MSContextHandle context) {
  const MicroContext *ctx = MicroContextCast(context);
  return ctx != NULL ? ctx->thread_num : 1;
}

void MSContextSetThreadAffinityMode(MSContextHandle context, int mode) {
  MicroContext *ctx = MicroContextCast(context);
  if (ctx != NULL) {
    ctx->affinity_mode = (mode >= 0 && mode <= 2) ? mode : 0;
  }
}

int MSContextGetThreadAffinityMode(const MSContextHandle context) {
  const MicroContext *ctx = MicroContextCast(context);
  return ctx != NULL ? ctx->affinity_mode : 0;
}

void MSContextSetThreadAffinityCoreList(MSContextHandle context, const int32_t *core_list,
                                        size_t core_num) {
  MicroContext *ctx = MicroContextCast(context);
  int32_t *copy = NULL;
  if (ctx == NULL) {
    return;
  }
  if (core_list != NULL && core_num > 0) {
    if (core_num > SIZE_MAX / sizeof(int32_t)) {
      return;
    }
    copy = (int32_t *)MicroAlignedAlloc(core_num * sizeof(int32_t), 0);
    if (copy == NULL) {
      MICRO_LOG("MSContextSetThreadAffinityCoreList: out of memory");
      return;
    }
    memcpy(copy, core_list, core_num * sizeof(int32_t));
  }
  MicroAlignedFree(ctx->core_list);
  ctx->core_list = copy;
  ctx->core_num = copy != NULL ? core_num : 0;
}

const int32_t *MSContextGetThreadAffinityCoreList(const MSContextHandle context, size_t *core_num) {
  const MicroContext *ctx = MicroContextCast(context);
  if (core_num != NULL) {
    *core_num = ctx != NULL ? ctx->core_num : 0;
  }
  return ctx != NULL ? ctx->core_list : NULL;
}

void MSContextSetEnableParallel(MSContextHandle context, bool is_parallel) {
  MicroContext *ctx = MicroContextCast(context);
  if (ctx != NULL) {
    ctx->enable_parallel = is_parallel;
  }
}

bool MSContextGetEnableParallel(const MSContextHandle context) {
  const MicroContext *ctx = MicroContextCast(context);
  return ctx != NULL && ctx->enable_parallel;
}

void MSContextAddDeviceInfo(MSContextHandle context, MSDeviceInfoHandle device_info) {
  MicroContext *ctx = MicroContextCast(context);
  if (ctx == NULL || device_info == NULL) {
    return;
  }
  if (ctx->device_num == MICRO_MAX_DEVICE_INFOS) {
    MICRO_LOG("MSContextAddDeviceInfo: a context holds at most %d device infos; this one is freed",
              MICRO_MAX_DEVICE_INFOS);
    MicroDeviceInfoFree(MicroDeviceInfoCast(device_info));
    return;
  }
  ctx->device_infos[ctx->device_num++] = MicroDeviceInfoCast(device_info);
}

/* ---------------------------------------------------------------- device info */

MSDeviceInfoHandle MSDeviceInfoCreate(MSDeviceType device_type) {
  MicroDeviceInfo *info = (MicroDeviceInfo *)MicroAlignedAlloc(sizeof(MicroDeviceInfo), 0);
  if (info == NULL) {
    return NULL;
  }
  memset(info, 0, sizeof(*info));
  info->device_type = device_type;
  info->frequency = MICRO_DEFAULT_FREQUENCY;
  return info;
}

void MSDeviceInfoDestroy(MSDeviceInfoHandle *device_info) {
  if (device_info == NULL || *device_info == NULL) {
    return;
  }
  MicroDeviceInfoFree(MicroDeviceInfoCast(*device_info));
  *device_info = NULL;
}

void MSDeviceInfoSetProvider(MSDeviceInfoHandle device_info, const char *provider) {
  MicroDeviceInfo *info = MicroDeviceInfoCast(device_info);
  if (info != NULL) {
    MicroSetString(&info->provider, provider);
  }
}

const char *MSDeviceInfoGetProvider(const MSDeviceInfoHandle device_info) {
  const MicroDeviceInfo *info = MicroDeviceInfoCast(device_info);
  return info != NULL ? info->provider : NULL;
}

void MSDeviceInfoSetProviderDevice(MSDeviceInfoHandle device_info, const char *device) {
  MicroDeviceInfo *info = MicroDeviceInfoCast(device_info);
  if (info != NULL) {
    MicroSetString(&info->provider_device, device);
  }
}

const char *MSDeviceInfoGetProviderDevice(const MSDeviceInfoHandle device_info) {
  const MicroDeviceInfo *info = MicroDeviceInfoCast(device_info);
  return info != NULL ? info->provider_device : NULL;
}

MSDeviceType MSDeviceInfoGetDeviceType(const MSDeviceInfoHandle device_info) {
  const MicroDeviceInfo *info = MicroDeviceInfoCast(device_info);
  return info != NULL ? info->device_type : kMSDeviceTypeInvalid;
}

void MSDeviceInfoSetEnableFP16(MSDeviceInfoHandle device_info, bool is_fp16) {
  MicroDeviceInfo *info = MicroDeviceInfoCast(device_info);
  if (info != NULL) {
    info->enable_fp16 = is_fp16;
  }
}

bool MSDeviceInfoGetEnableFP16(const MSDeviceInfoHandle device_info) {
  const MicroDeviceInfo *info = MicroDeviceInfoCast(device_info);
  return info != NULL && info->enable_fp16;
}

void MSDeviceInfoSetFrequency(MSDeviceInfoHandle device_info, int frequency) {
  MicroDeviceInfo *info = MicroDeviceInfoCast(device_info);
  if (info != NULL) {
    info->frequency = frequency;
  }
}

int MSDeviceInfoGetFrequency(const MSDeviceInfoHandle device_info) {
  const MicroDeviceInfo *info = MicroDeviceInfoCast(device_info);
  return info != NULL ? info->frequency : MICRO_DEFAULT_FREQUENCY;
}
