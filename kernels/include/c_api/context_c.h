/*
 * context_c.h - MindSpore Lite C API: run-time options (threads, core binding, devices).
 *
 * A micro model runs on the calling thread; the options are stored and can be read back,
 * so applications that set them keep working.
 */
#ifndef MINDSPORE_INCLUDE_C_API_CONTEXT_C_H
#define MINDSPORE_INCLUDE_C_API_CONTEXT_C_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "c_api/types_c.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef void *MSContextHandle;
typedef void *MSDeviceInfoHandle;

MS_API MSContextHandle MSContextCreate(void);

/* Frees the context, and the device infos added to it; sets *context to NULL. */
MS_API void MSContextDestroy(MSContextHandle *context);

MS_API void MSContextSetThreadNum(MSContextHandle context, int32_t thread_num);
MS_API int32_t MSContextGetThreadNum(const MSContextHandle context);

/* mode: 0 no binding, 1 big cores first, 2 little cores first. */
MS_API void MSContextSetThreadAffinityMode(MSContextHandle context, int mode);
MS_API int MSContextGetThreadAffinityMode(const MSContextHandle context);

/* The list is copied; when set it takes precedence over the affinity mode. */
MS_API void MSContextSetThreadAffinityCoreList(MSContextHandle context, const int32_t *core_list,
                                               size_t core_num);
MS_API const int32_t *MSContextGetThreadAffinityCoreList(const MSContextHandle context,
                                                         size_t *core_num);

MS_API void MSContextSetEnableParallel(MSContextHandle context, bool is_parallel);
MS_API bool MSContextGetEnableParallel(const MSContextHandle context);

/* The context takes ownership of the device info. */
MS_API void MSContextAddDeviceInfo(MSContextHandle context, MSDeviceInfoHandle device_info);

MS_API MSDeviceInfoHandle MSDeviceInfoCreate(MSDeviceType device_type);

/* Frees a device info that was not added to a context; sets *device_info to NULL. */
MS_API void MSDeviceInfoDestroy(MSDeviceInfoHandle *device_info);

MS_API void MSDeviceInfoSetProvider(MSDeviceInfoHandle device_info, const char *provider);
MS_API const char *MSDeviceInfoGetProvider(const MSDeviceInfoHandle device_info);

MS_API void MSDeviceInfoSetProviderDevice(MSDeviceInfoHandle device_info, const char *device);
MS_API const char *MSDeviceInfoGetProviderDevice(const MSDeviceInfoHandle device_info);

MS_API MSDeviceType MSDeviceInfoGetDeviceType(const MSDeviceInfoHandle device_info);

/* CPU/GPU only. */
MS_API void MSDeviceInfoSetEnableFP16(MSDeviceInfoHandle device_info, bool is_fp16);
MS_API bool MSDeviceInfoGetEnableFP16(const MSDeviceInfoHandle device_info);

/* NPU only: 1 low power, 2 balanced, 3 high performance (default), 4 extreme. */
MS_API void MSDeviceInfoSetFrequency(MSDeviceInfoHandle device_info, int frequency);
MS_API int MSDeviceInfoGetFrequency(const MSDeviceInfoHandle device_info);

#ifdef __cplusplus
}
#endif
#endif /* MINDSPORE_INCLUDE_C_API_CONTEXT_C_H */
