/*
 * softmax_s8.h - softmax over the innermost axis, int8 in, int8 out, TFLite SOFTMAX int8
 * semantics (reference_ops::Softmax with the Prepare() of LiteRT's reference kernel),
 * bit-exact. The output must be quantized with zero point -128 and scale 1/256 (TFLite
 * rejects anything else).
 *
 * For each row: d = max(row) - x (0..255). TFLite rescales -d by beta * input_scale into a
 * Q5.26 value, takes gemmlowp's fixed-point exp_on_negative_values (a Q0.31 value) and
 * treats elements with -d < diff_min as exp = 0. That depends only on d, so the compiler
 * tabulates it (int8_abi.softmax_s8: exp_table[d], 256 int32). Then, as TFLite does:
 *   sum   = sum over the row of RoundingDivideByPOT(exp_table[d], 12)   (Q12.19)
 *   recip = gemmlowp one_over_one_plus_x_for_x_in_0_1 of sum normalised to [1, 2)
 *           (TFLite's GetReciprocal), with num_bits_over_unit = 12 - clz(sum)
 *   out   = clamp(RoundingDivideByPOT(SRDHM(recip, exp_table[d]),
 *                                     num_bits_over_unit + 23) - 128, -128, 127)
 * (an element with exp 0 gives exactly -128, TFLite's output for the skipped ones).
 * LiteRT aborts (TFLITE_CHECK) when num_bits_over_unit + 23 > 31, i.e. when a row's sum
 * reaches 2^28 (more than 512 elements tied at the maximum); this kernel then outputs
 * -128 for every element, the limit of the same rounding. `out` may alias `in`. No scratch.
 */
#ifndef MICRO_SOFTMAX_S8_H_
#define MICRO_SOFTMAX_S8_H_

#include "micro_common.h"
#include "micro_int8.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct MicroSoftmaxS8Params {
  int32_t outer;     /* number of rows */
  int32_t axis_size; /* elements per row (the innermost dimension) */
} MicroSoftmaxS8Params;

void micro_softmax_s8(const int8_t *in, int8_t *out, const int32_t *exp_table,
                      const MicroSoftmaxS8Params *p);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_SOFTMAX_S8_H_ */
