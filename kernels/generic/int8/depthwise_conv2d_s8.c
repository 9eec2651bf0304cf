/*
 * depthwise_conv2d_s8.c - int8 depthwise convolution (depthwise_conv2d_s8.h).
 *
 * For each output pixel the output channels are processed in blocks of CB: every tap adds
 * W * x to the block's int32 accumulators (a tap in the padding adds W * input_zero_point),
 * then the folded bias is added (wrapping) and the block is requantized. With depth
 * multiplier 1 the tap's inputs are the block's channels of one input pixel, read in place;
 * otherwise they are gathered (channel c reads input channel c / m) into a small local row.
 * Full blocks go through an always-inlined body with the constant width CB, so the channel
 * loops have a known trip count and vectorize even at -O2; what is left goes through the
 * same body in constant widths 16 and 8, then with its own width.
 */
#include "depthwise_conv2d_s8.h"

#define CB 32 /* output channels per block */

MICRO_ALWAYS_INLINE void dw_block(const MicroDepthwiseConv2dS8Params *p, const int8_t *in_b,
                                  const int8_t *w, const int32_t *folded_bias,
                                  const int32_t *out_mult, const int32_t *out_shift, int8_t *o,
                                  int32_t iy0, int32_t ix0, int32_t c0, int32_t nc) {
  const int32_t m = p->depth_multiplier, C = p->out_c;
  const int16_t zp = (int16_t)p->input_zero_point;
  int32_t acc[CB];
  int16_t xg[CB];
  int32_t src[CB]; /* input channel of each output channel (depth multiplier > 1) */
  int32_t ky, kx, j;
  for (j = 0; j < nc; ++j) acc[j] = 0;
  for (j = 0; j < nc; ++j) src[j] = m == 1 ? c0 + j : (c0 + j) / m;
  for (ky = 0; ky < p->k_h; ++ky) {
    const int32_t iy = iy0 + ky * p->dilation_h;
    const int row_in = iy >= 0 && iy < p->in_h;
    for (kx = 0; kx < p->k_w; ++kx) {
      const int32_t ix = ix0 + kx * p->dilation_w;
      const int8_t *wt = w + ((size_t)ky * p->k_w + kx) * C + c0;
      if (!row_in || ix < 0 || ix >= p->in_w) {
        for (j = 0; j < nc; ++j) acc[j] += (int16_t)(zp * wt[j]);
      } else {
        const int8_t *x = in_b + ((size_t)iy * p->in_w + ix) * p->in_c;
        if (m == 1) {
          x += c0;
          for (j = 0; j < nc; ++j) acc[j] += (int16_t)((int16_t)x[j] * wt[j]);
        } else if (p->in_c == 1) { /* every output channel reads the one input channel */
          const int16_t xv = x[0];
          for (j = 0; j < nc; ++j) acc[j] += (int16_t)(xv * wt[j]);
        } else {
          for (j = 0; j < nc; ++j) xg[j] = x[src[j]];
          for (j = 0; j < nc; ++j) acc[j] += (int16_t)(xg[j] * wt[j]);
        }
      }
    }
  }
  for (j = 0; j < nc; ++j)
    o[c0 + j] = micro_output_s8(micro_wrap_add_i32(acc[j], folded_bias[c0 + j]), out_mult[c0 + j],
                                out_shift[c0 + j], p->output_zero_point, p->act_min, p->act_max);
}

void micro_depthwise_conv2d_s8(const int8_t *in, const int8_t *w, const int32_t *folded_bias,
                               const int32_t *out_mult, const int32_t *out_shift, int8_t *out,
                               const MicroDepthwiseConv2dS8Params *p) {
  const int32_t C = p->out_c;
  const size_t in_img = (size_t)p->in_h * p->in_w * p->in_c;
  int32_t b, oy, ox, c0;

  for (b = 0; b < p->batch; ++b) {
    const int8_t *in_b = in + (size_t)b * in_img;
    for (oy = 0; oy < p->out_h; ++oy) {
      const int32_t iy0 = oy * p->stride_h - p->pad_top;
      for (ox = 0; ox < p->out_w; ++ox) {
        const int32_t ix0 = ox * p->stride_w - p->pad_left;
        int8_t *o = out + (((size_t)b * p->out_h + oy) * p->out_w + ox) * C;
        for (c0 = 0; c0 + CB <= C; c0 += CB)
          dw_block(p, in_b, w, folded_bias, out_mult, out_shift, o, iy0, ix0, c0, CB);
        /* the rest in fixed widths 16 and 8 (vectorized), then what is left */
        if (C - c0 >= 16) {
          dw_block(p, in_b, w, folded_bias, out_mult, out_shift, o, iy0, ix0, c0, 16);
          c0 += 16;
        }
        if (C - c0 >= 8) {
          dw_block(p, in_b, w, folded_bias, out_mult, out_shift, o, iy0, ix0, c0, 8);
          c0 += 8;
        }
        if (c0 < C)
          dw_block(p, in_b, w, folded_bias, out_mult, out_shift, o, iy0, ix0, c0, C - c0);
      }
    }
  }
}
