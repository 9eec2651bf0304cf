/*
 * activation_s8.h - int8 element-wise functions through a 256-entry lookup table: TFLite
 * LOGISTIC and TANH int8 semantics, bit-exact. LiteRT's reference kernels evaluate these
 * ops with a table built in Prepare() (LUTPopulate<int8_t>, float arithmetic):
 *   table[(uint8_t)q] = clamp(round(f(in_scale * (q - in_zp)) / out_scale) + out_zp)
 * with f(x) = 1 / (1 + expf(-x)) (LOGISTIC) or tanhf(x) (TANH); the compiler builds the
 * same table (int8_abi.logistic_s8_table / tanh_s8_table), so the kernel is a lookup:
 *   out[i] = table[(uint8_t)in[i]]
 * The table is indexed by the input's byte value: entries 0..127 are for inputs 0..127,
 * entries 128..255 for inputs -128..-1 (TFLite's order). LOGISTIC requires the output
 * scale to be exactly 1/256 (TFLite rejects anything else; the zero point is then -128 by
 * convention but not checked). `out` may alias `in`. No scratch.
 */
#ifndef MICRO_ACTIVATION_S8_H_
#define MICRO_ACTIVATION_S8_H_

#include "micro_common.h"
#include "micro_int8.h"

#ifdef __cplusplus
extern "C" {
#endif

void micro_lut_s8(const int8_t *in, int8_t *out, int32_t size, const int8_t *table);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_ACTIVATION_S8_H_ */
