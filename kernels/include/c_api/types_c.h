/*
 * types_c.h - MindSpore Lite C API: the export macro and the small enums shared by the
 * other headers (model type, device type, optimization level, quantization type).
 *
 * micro re-implements the MindSpore Lite *micro* C API so that applications written for
 * it compile unchanged; names and values match MindSpore Lite's include/c_api.
 * Values that MindSpore writes as 0xFFFFFFFF are written here as -1: the same 32-bit
 * pattern, but inside the range of `int` that ISO C requires of enumerators.
 */
#ifndef MINDSPORE_INCLUDE_C_API_TYPES_C_H
#define MINDSPORE_INCLUDE_C_API_TYPES_C_H

#ifdef __cplusplus
extern "C" {
#endif

#ifndef MS_API
#ifdef _WIN32
#define MS_API __declspec(dllexport)
#elif defined(__GNUC__) || defined(__clang__)
#define MS_API __attribute__((visibility("default")))
#else
#define MS_API
#endif
#endif

typedef enum MSModelType {
  kMSModelTypeMindIR = 0,
  kMSModelTypeInvalid = -1 /* 0xFFFFFFFF */
} MSModelType;

typedef enum MSDeviceType {
  kMSDeviceTypeCPU = 0,
  kMSDeviceTypeGPU,
  kMSDeviceTypeKirinNPU,
  kMSDeviceTypeInvalid = 100
} MSDeviceType;

typedef enum MSOptimizationLevel {
  kMSKO0 = 0,               /* keep the network as it is */
  kMSKO2 = 2,               /* float16 network, batchnorm and loss kept in float32 */
  kMSKO3 = 3,               /* float16 network including batchnorm */
  kMSKAUTO = 4,             /* let the device decide */
  kMSKOPTIMIZATIONTYPE = -1 /* 0xFFFFFFFF */
} MSOptimizationLevel;

typedef enum MSQuantizationType {
  kMSNO_QUANT = 0,
  kMSWEIGHT_QUANT = 1,
  kMSFULL_QUANT = 2,
  kMSUNKNOWN_QUANT_TYPE = -1 /* 0xFFFFFFFF */
} MSQuantizationType;

#ifdef __cplusplus
}
#endif
#endif /* MINDSPORE_INCLUDE_C_API_TYPES_C_H */
