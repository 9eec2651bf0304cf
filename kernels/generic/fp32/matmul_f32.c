/*
 * matmul_f32.c - batched matrix product, transposed convolution and the splat-weight
 * layers (matmul_f32.h). Sums go from zero in input order.
 */
#include "matmul_f32.h"

void micro_matmul_f32(const float *a, const float *b, float *out, const MicroMatMulParams *p) {
  int32_t idx[MICRO_MATMUL_MAX_BATCH_DIMS] = {0};
  int64_t batches = 1, t, ia = 0, ib = 0;
  const int64_t a_size = (int64_t)p->m * p->k, b_size = (int64_t)p->k * p->n;
  int32_t d, i, j, q;
  for (d = 0; d < p->batch_ndim; ++d) batches *= p->batch_shape[d];
  for (t = 0; t < batches; ++t) {
    const float *pa = a + ia * a_size, *pb = b + ib * b_size;
    float *po = out + t * (int64_t)p->m * p->n;
    for (i = 0; i < p->m; ++i) {
      for (j = 0; j < p->n; ++j) po[(int64_t)i * p->n + j] = 0.0f;
      for (q = 0; q < p->k; ++q) {
        const float x = pa[(int64_t)i * p->k + q];
        const float *row = pb + (int64_t)q * p->n;
        for (j = 0; j < p->n; ++j) po[(int64_t)i * p->n + j] += x * row[j];
      }
    }
    for (d = p->batch_ndim - 1; d >= 0; --d) {
      ia += p->a_strides[d];
      ib += p->b_strides[d];
      if (++idx[d] < p->batch_shape[d]) break;
      ia -= (int64_t)p->a_strides[d] * p->batch_shape[d];
      ib -= (int64_t)p->b_strides[d] * p->batch_shape[d];
      idx[d] = 0;
    }
  }
}

void micro_conv_transpose2d_f32(const float *in, const float *filter, const float *bias,
                                float *out, const MicroConvTransposeParams *p) {
  const int32_t cg = p->in_c / p->group, mg = p->out_c / p->group;
  int32_t n, h, w, kh, kw, g, ci, co;
  const int64_t out_pixels = (int64_t)p->out_h * p->out_w;
  for (n = 0; n < p->batch; ++n) {
    float *o_img = out + (int64_t)n * out_pixels * p->out_c;
    int64_t px;
    for (px = 0; px < out_pixels; ++px) {
      for (co = 0; co < p->out_c; ++co) o_img[px * p->out_c + co] = bias != NULL ? bias[co] : 0.0f;
    }
    for (h = 0; h < p->in_h; ++h) {
      for (w = 0; w < p->in_w; ++w) {
        const float *x = in + (((int64_t)n * p->in_h + h) * p->in_w + w) * p->in_c;
        for (kh = 0; kh < p->k_h; ++kh) {
          const int32_t oh = h * p->stride_h - p->pad_top + kh * p->dilation_h;
          if (oh < 0 || oh >= p->out_h) continue;
          for (kw = 0; kw < p->k_w; ++kw) {
            const int32_t ow = w * p->stride_w - p->pad_left + kw * p->dilation_w;
            float *y;
            if (ow < 0 || ow >= p->out_w) continue;
            y = o_img + ((int64_t)oh * p->out_w + ow) * p->out_c;
            for (g = 0; g < p->group; ++g) {
              for (ci = 0; ci < cg; ++ci) {
                const int32_t c = g * cg + ci;
                const float v = x[c];
                const float *f = filter + (((int64_t)c * p->k_h + kh) * p->k_w + kw) * mg;
                for (co = 0; co < mg; ++co) y[g * mg + co] += v * f[co];
              }
            }
          }
        }
      }
    }
  }
}

void micro_conv2d_splat_f32(const float *in, const float *bias_array, float *out,
                            void *scratch_bytes, const MicroConvSplatParams *p) {
  float *scratch = (float *)scratch_bytes;
  const int32_t cg = p->in_c / p->group, mg = p->out_c / p->group;
  int32_t n, h, w, g, c, oh, ow, kh, kw, o;
  for (n = 0; n < p->batch; ++n) {
    const float *img = in + (int64_t)n * p->in_h * p->in_w * p->in_c;
    /* per pixel and group: the sum over the group's input channels */
    for (h = 0; h < p->in_h; ++h) {
      for (w = 0; w < p->in_w; ++w) {
        const float *x = img + ((int64_t)h * p->in_w + w) * p->in_c;
        float *s = scratch + ((int64_t)h * p->in_w + w) * p->group;
        for (g = 0; g < p->group; ++g) {
          float sum = 0.0f;
          for (c = 0; c < cg; ++c) sum += x[g * cg + c];
          s[g] = sum;
        }
      }
    }
    for (oh = 0; oh < p->out_h; ++oh) {
      for (ow = 0; ow < p->out_w; ++ow) {
        float *y = out + (((int64_t)n * p->out_h + oh) * p->out_w + ow) * p->out_c;
        for (g = 0; g < p->group; ++g) {
          float window = 0.0f;
          for (kh = 0; kh < p->k_h; ++kh) {
            const int32_t ih = oh * p->stride_h - p->pad_top + kh * p->dilation_h;
            if (ih < 0 || ih >= p->in_h) continue;
            for (kw = 0; kw < p->k_w; ++kw) {
              const int32_t iw = ow * p->stride_w - p->pad_left + kw * p->dilation_w;
              if (iw < 0 || iw >= p->in_w) continue;
              window += scratch[((int64_t)ih * p->in_w + iw) * p->group + g];
            }
          }
          for (o = g * mg; o < (g + 1) * mg; ++o) {
            const float b = bias_array != NULL ? bias_array[o] : p->bias_value;
            y[o] = micro_clamp_f32(p->weight * window + b, p->act_min, p->act_max);
          }
        }
      }
    }
  }
}

void micro_fully_connected_splat_f32(const float *in, const float *bias_array, float *out,
                                     const MicroFullyConnectedSplatParams *p) {
  int32_t b, i, o;
  for (b = 0; b < p->batch; ++b) {
    const float *x = in + (int64_t)b * p->in_features;
    float sum = 0.0f;
    for (i = 0; i < p->in_features; ++i) sum += x[i];
    for (o = 0; o < p->out_features; ++o) {
      const float bias = bias_array != NULL ? bias_array[o] : p->bias_value;
      out[(int64_t)b * p->out_features + o] =
          micro_clamp_f32(p->weight * sum + bias, p->act_min, p->act_max);
    }
  }
}
