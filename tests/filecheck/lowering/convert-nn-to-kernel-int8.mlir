// RUN: micro-opt %s -p quant-compute-params,convert-nn-to-kernel | filecheck %s
// RUN: micro-opt %s -p quant-compute-params,convert-nn-to-kernel,memory-plan,convert-kernel-to-c | micro-translate --emit-c | filecheck %s --check-prefix=C

// int8 operators become kernel.call of the int8 kernels: the filter is packed into
// panels of 16 output channels (2 channels padded to 16, interleaved: 1 3 0... 2 -4 0...),
// the arrays quant-compute-params recorded become constant globals, a convolution that
// needs no scratch passes NULL, the table lookup passes its element count as a literal
// and may write over its input; graph inputs and outputs keep scale and zero point.
// CHECK:      "memref.global"() <{sym_name = "w", type = memref<32xi8>, initial_value = dense<[1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, -4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]> : tensor<32xi8>
// CHECK-NEXT: "memref.global"() <{sym_name = "y_folded_bias", type = memref<2xi32>, initial_value = dense<[19, -23]> : tensor<2xi32>
// CHECK-NEXT: "memref.global"() <{sym_name = "y_multipliers", type = memref<2xi32>, initial_value = dense<[1073741824, 1610612736]> : tensor<2xi32>
// CHECK-NEXT: "memref.global"() <{sym_name = "y_shifts", type = memref<2xi32>, initial_value = dense<[-2, -1]> : tensor<2xi32>
// CHECK-NEXT: "memref.global"() <{sym_name = "l_table", type = memref<256xi8>
// CHECK:      func.func @net() {
// CHECK-NEXT:   %x = memref.alloc() {alignment = 16 : i64} : memref<1x4x4x2xi8>
// CHECK-NEXT:   kernel.input %x : memref<1x4x4x2xi8> {name = "image", index = 0 : i64, scale = 5.000000e-01 : f64, zero_point = -3 : i32}
// CHECK-NEXT:   %w = memref.get_global @w : memref<32xi8>
// CHECK-NEXT:   %y_folded_bias = memref.get_global @y_folded_bias : memref<2xi32>
// CHECK-NEXT:   %y_multipliers = memref.get_global @y_multipliers : memref<2xi32>
// CHECK-NEXT:   %y_shifts = memref.get_global @y_shifts : memref<2xi32>
// CHECK-NEXT:   %y = memref.alloc() {alignment = 16 : i64} : memref<1x4x4x2xi8>
// CHECK-NEXT:   kernel.call "micro_conv2d_s8"(%x, %w, %y_folded_bias, %y_multipliers, %y_shifts, %y) {backend = "generic", header = "generic/int8/conv2d_s8.h", writes = array<i64: 5>, literals = {"6" = "NULL"}, params_type = "MicroConv2dS8Params", params = {batch = 1 : i32,
// CHECK-NEXT:   %r = kernel.reshape %y : memref<1x4x4x2xi8> to memref<1x32xi8>
// CHECK-NEXT:   %l_table = memref.get_global @l_table : memref<256xi8>
// CHECK-NEXT:   %l = memref.alloc() {alignment = 16 : i64} : memref<1x32xi8>
// CHECK-NEXT:   kernel.call "micro_lut_s8"(%r, %l, %l_table) {backend = "generic", header = "generic/int8/activation_s8.h", writes = array<i64: 1>, in_place = array<i64: 1, 0, 1>, literals = {"2" = "32"}} : memref<1x32xi8>, memref<1x32xi8>, memref<256xi8>
// CHECK-NEXT:   kernel.output %l : memref<1x32xi8> {name = "probs", index = 0 : i64, scale = 3.906250e-03 : f64, zero_point = -128 : i32}

// In the generated net.c, no float math and no <math.h>; literals in place; descriptors carry the
// quantization the application needs to fill the input and read the output.
// C:      /* ===== src/net.c ===== */
// C-NOT:  math.h
// C:      #include "activation_s8.h"
// C-NEXT: #include "conv2d_s8.h"
// C:        micro_conv2d_s8(
// C-NEXT:       (const int8_t *)(arena), (const int8_t *)(weights), (const int32_t *)(weights + 32),
// C-NEXT:       (const int32_t *)(weights + 48), (const int32_t *)(weights + 64), (int8_t *)(arena + 32),
// C-NEXT:       NULL, &k0_params);
// C:        micro_lut_s8(
// C-NEXT:       (const int8_t *)(arena + 32), (int8_t *)(arena + 32), 32, (const int8_t *)(weights + 80));
// C:      .name = "image", .data_type = kMSDataTypeNumberTypeInt8,
// C-NEXT: .shape = {1, 4, 4, 2}, .offset = 0, .size = 32, .scale = 0.5f, .zero_point = -3,
// C:      .name = "probs", .data_type = kMSDataTypeNumberTypeInt8,
// C-NEXT: .shape = {1, 32}, .offset = 32, .size = 32, .scale = 0.00390625f, .zero_point = -128,
func.func @net(%x: tensor<1x4x4x2x!quant.uniform<i8:f32, 0.5:-3>> {micro.name = "image"}) -> (tensor<1x32x!quant.uniform<i8:f32, 0.00390625:-128>> {micro.name = "probs"}) {
  %w = nn.constant {value = dense<[[[[1, 2]]], [[[3, -4]]]]> : tensor<2x1x1x2xi8>} : tensor<2x1x1x2x!quant.uniform<i8:f32:0, {0.25:0, 0.75:0}>>
  %b = nn.constant {value = dense<[10, -20]> : tensor<2xi32>} : tensor<2xi32>
  %y = nn.conv2d %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, activation = #nn<activation relu>} : (tensor<1x4x4x2x!quant.uniform<i8:f32, 0.5:-3>>, tensor<2x1x1x2x!quant.uniform<i8:f32:0, {0.25:0, 0.75:0}>>, tensor<2xi32>) -> tensor<1x4x4x2x!quant.uniform<i8:f32, 1.0:5>>
  %r = nn.reshape %y : (tensor<1x4x4x2x!quant.uniform<i8:f32, 1.0:5>>) -> tensor<1x32x!quant.uniform<i8:f32, 1.0:5>>
  %l = nn.logistic %r : (tensor<1x32x!quant.uniform<i8:f32, 1.0:5>>) -> tensor<1x32x!quant.uniform<i8:f32, 0.00390625:-128>>
  func.return %l : tensor<1x32x!quant.uniform<i8:f32, 0.00390625:-128>>
}
