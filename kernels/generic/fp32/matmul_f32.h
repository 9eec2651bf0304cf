/*
 * matmul_f32.h - float32 matrix kernels beyond the GEMM of conv2d_f32 and
 * fully_connected_f32: a batched matrix product with broadcast batch dimensions
 * (ONNX MatMul of two activations), the transposed convolution (ONNX ConvTranspose,
 * NHWC), and the convolution and fully connected layers whose weights are all one
 * value (a splat: the ONNX models built from ConstantOfShape), computed from window sums
 * without any weight array.
 */
#ifndef MICRO_MATMUL_F32_H_
#define MICRO_MATMUL_F32_H_

#include "conv2d_f32.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MICRO_MATMUL_MAX_BATCH_DIMS 4

/* out[b] = a[b] (m x k) * b[b] (k x n) for every batch index; batch strides in matrices
 * (0 along a broadcast batch dimension). */
typedef struct MicroMatMulParams {
  int32_t batch_ndim;
  int32_t batch_shape[MICRO_MATMUL_MAX_BATCH_DIMS];
  int32_t a_strides[MICRO_MATMUL_MAX_BATCH_DIMS];
  int32_t b_strides[MICRO_MATMUL_MAX_BATCH_DIMS];
  int32_t m, k, n;
} MicroMatMulParams;
void micro_matmul_f32(const float *a, const float *b, float *out, const MicroMatMulParams *p);

/* Transposed convolution, NHWC: input pixel (h, w) adds x * filter into output pixel
 * (h * stride - pad + kh * dilation, ...). Filter [in_c, k_h, k_w, out_c / group]. */
typedef struct MicroConvTransposeParams {
  int32_t batch;
  int32_t in_h, in_w, in_c;
  int32_t out_h, out_w, out_c;
  int32_t k_h, k_w;
  int32_t stride_h, stride_w;
  int32_t dilation_h, dilation_w;
  int32_t pad_top, pad_left;
  int32_t group;
} MicroConvTransposeParams;
void micro_conv_transpose2d_f32(const float *in, const float *filter, const float *bias,
                                float *out, const MicroConvTransposeParams *p);

/* Convolution (NHWC, `group` groups; depthwise when group == in_c) whose weights all
 * equal `weight`: out[o] = weight * (sum of the window over the group's input channels)
 * + bias, then clamped to [act_min, act_max]. The bias is `bias_array[o]`, or
 * `bias_value` when the array is NULL. */
typedef struct MicroConvSplatParams {
  int32_t batch;
  int32_t in_h, in_w, in_c;
  int32_t out_h, out_w, out_c;
  int32_t k_h, k_w;
  int32_t stride_h, stride_w;
  int32_t dilation_h, dilation_w;
  int32_t pad_top, pad_left;
  int32_t group;
  float weight, bias_value;
  float act_min, act_max;
} MicroConvSplatParams;
/* `scratch` holds in_h * in_w * group floats (channel sums of the input), 4-byte aligned. */
void micro_conv2d_splat_f32(const float *in, const float *bias_array, float *out, void *scratch,
                            const MicroConvSplatParams *p);

/* Fully connected layer whose weights all equal `weight`: out[b, o] = weight *
 * sum(in[b, :]) + bias. */
typedef struct MicroFullyConnectedSplatParams {
  int32_t batch, in_features, out_features;
  float weight, bias_value;
  float act_min, act_max;
} MicroFullyConnectedSplatParams;
void micro_fully_connected_splat_f32(const float *in, const float *bias_array, float *out,
                                     const MicroFullyConnectedSplatParams *p);

#ifdef __cplusplus
}
#endif
#endif /* MICRO_MATMUL_F32_H_ */
