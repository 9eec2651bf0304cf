/*
 * conv2d_hybrid.h - 2-D convolution with float32 activations and int8 weights
 * ("hybrid" / dynamic-range quantized TFLite models), reproducing LiteRT's
 * semantics for a per-tensor weight scale exactly:
 *
 * For each batch b, the whole input image in[b] (in_h * in_w * in_c floats) is
 * quantized symmetrically:
 *   range = max(|min(in[b])|, |max(in[b])|)
 *   if range == 0: q = 0 everywhere and s_in = 1
 *   else:          s_in = range / 127.0f;  inv = 127.0f / range;
 *                  q = clamp(roundf(x * inv), -127, 127)   (roundf: half away from zero)
 *   scale = s_in * w_scale                 (one float multiply, in this order)
 * then, with exact int32 accumulation of int8 products (padding taps contribute 0):
 *   acc[b, oy, ox, oc] = sum q[b, iy, ix, ic] * W[oc, ky, kx, ic]
 *   out = clamp((float)acc * scale + bias[oc], act_min, act_max)
 * computed as two separately rounded float operations (multiply, then add), never fused.
 * Dilation must be 1 (LiteRT's hybrid path ignores it; the compiler rejects dilation != 1).
 *
 * Weights stay int8 in TFLite's OHWI order [out_c][k_h][k_w][in_c] (no packing, so the
 * flash image holds exactly the model's int8 bytes).
 *
 * Scratch: micro_conv2d_hybrid_scratch_size(p) bytes: the quantized input
 * (batch * in_h * in_w * in_c int8, rounded up to MICRO_ALIGN) followed, unless the
 * convolution is pointwise (1x1, stride 1, no padding), by int8 im2col rows for
 * MICRO_HYBRID_MC output pixels (min(out_h * out_w, MICRO_HYBRID_MC) * K bytes).
 * With batch == 1, `scratch` may be the input buffer itself (when the caller no longer
 * needs the input and the scratch fits in it): every input value is read before the byte
 * it occupies is overwritten, so the convolution then needs no extra memory.
 */
#ifndef MICRO_CONV2D_HYBRID_H_
#define MICRO_CONV2D_HYBRID_H_

#include "conv2d_f32.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MICRO_HYBRID_MC 64 /* output pixels per int8 im2col tile */

size_t micro_conv2d_hybrid_scratch_size(const MicroConv2dParams *p);

void micro_conv2d_hybrid_f32(const float *in, const int8_t *w, float w_scale, const float *bias,
                             float *out, void *scratch, const MicroConv2dParams *p);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_CONV2D_HYBRID_H_ */
