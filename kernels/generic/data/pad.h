/*
 * pad.h - constant padding of an N-D tensor of any element type (TFLite PAD / PADV2
 * semantics; element size 1, 2, 4 or 8 bytes):
 *   out has shape in_shape[d] + pad_before[d] + pad_after[d]; out[i] = in[i - pad_before]
 *   where that index is inside in, else the pad value.
 * The pad value is passed as its bit pattern in pad_value (the low elem_size bytes' worth
 * of value: (uint8_t)pad_value, (uint16_t)pad_value, (uint32_t)pad_value, or for 8-byte
 * elements the value zero-extended). For quantized int8 / int16 tensors TFLite pads with
 * the *output* zero point unless a constant_values input is given (which must then share
 * the output's quantization); float and unquantized tensors pad with 0 by default.
 * Paddings must be >= 0. The compiler may drop size-1 dims and merge unpadded dims into
 * their outer neighbour first (int8_abi.pad_params). No scratch; out must not overlap in.
 */
#ifndef MICRO_PAD_H_
#define MICRO_PAD_H_

#include "micro_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MICRO_PAD_MAX_DIMS 6

typedef struct MicroPadParams {
  int32_t ndim;
  int32_t elem_size; /* bytes per element: 1, 2, 4 or 8 */
  int32_t in_shape[MICRO_PAD_MAX_DIMS];
  int32_t pad_before[MICRO_PAD_MAX_DIMS];
  int32_t pad_after[MICRO_PAD_MAX_DIMS];
  uint32_t pad_value;
} MicroPadParams;

void micro_pad(const void *in, void *out, const MicroPadParams *p);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_PAD_H_ */
