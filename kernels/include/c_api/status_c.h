/*
 * status_c.h - MindSpore Lite C API: status codes returned by the model functions.
 *
 * MindSpore builds each Lite code as kMSCompCodeLite | (0x0FFFFFFF & -n) with
 * kMSCompCodeLite = 0xF0000000, which as a 32-bit two's-complement int is simply -n.
 * They are written that way here (same bit patterns, same values once stored in an int)
 * so that every enumerator fits in `int`, as ISO C requires.
 */
#ifndef MINDSPORE_INCLUDE_C_API_STATUS_C_H
#define MINDSPORE_INCLUDE_C_API_STATUS_C_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum MSCompCode {
  kMSCompCodeCore = 0x00000000,
  kMSCompCodeMD = 0x10000000,
  kMSCompCodeME = 0x20000000,
  kMSCompCodeMC = 0x30000000,
  kMSCompCodeLite = -0x10000000 /* 0xF0000000 */
};

typedef enum MSStatus {
  kMSStatusSuccess = 0,
  kMSStatusCoreFailed = kMSCompCodeCore | 0x1,

  /* common errors, [-1, -100) */
  kMSStatusLiteError = -1,
  kMSStatusLiteNullptr = -2,
  kMSStatusLiteParamInvalid = -3,
  kMSStatusLiteNoChange = -4,
  kMSStatusLiteSuccessExit = -5,
  kMSStatusLiteMemoryFailed = -6,
  kMSStatusLiteNotSupport = -7,
  kMSStatusLiteThreadPoolError = -8,
  kMSStatusLiteUninitializedObj = -9,
  kMSStatusLiteFileError = -10,
  kMSStatusLiteServiceDeny = -11,
  kMSStatusLiteModelRebuild = -12,

  /* executor errors, [-100, -200) */
  kMSStatusLiteOutOfTensorRange = -100,
  kMSStatusLiteInputTensorError = -101,
  kMSStatusLiteReentrantError = -102,

  /* graph errors, [-200, -300) */
  kMSStatusLiteGraphFileError = -200,

  /* node errors, [-300, -400) */
  kMSStatusLiteNotFindOp = -300,
  kMSStatusLiteInvalidOpName = -301,
  kMSStatusLiteInvalidOpAttr = -302,
  kMSStatusLiteOpExecuteFailure = -303,

  /* tensor errors, [-400, -500) */
  kMSStatusLiteFormatError = -400,

  /* shape inference errors, [-500, -600) */
  kMSStatusLiteInferError = -500,
  kMSStatusLiteInferInvalid = -501,

  /* invalid user parameters, [-600, -700) */
  kMSStatusLiteInputParamInvalid = -600
} MSStatus;

#ifdef __cplusplus
}
#endif
#endif /* MINDSPORE_INCLUDE_C_API_STATUS_C_H */
