// RUN: micro-opt %s -p quant-compute-params --split-input-file | filecheck %s

// A per-channel int8 convolution. Worked by hand:
// * multipliers/shifts: QuantizeMultiplier(0.5 * 0.25 / 1.0 = 0.125) = 2^30 * 2^-2 -> (1073741824, -2);
//   0.5 * 0.75 / 1.0 = 0.375 = 0.75 * 2^-1 -> (0.75 * 2^31 = 1610612736, -1);
// * folded bias: bias - zp_in * sum(w): 10 - (-3) * (1 + 2) = 19; -20 - (-3) * (3 - 4) = -23;
// * relu clamps at the output zero point: [5, 127].
// CHECK-LABEL: func.func @conv
// CHECK:       nn.conv2d %x, %w, %b {micro.int8 = {function = "micro_conv2d_s8", params_type = "MicroConv2dS8Params", params = {batch = 1 : i32, in_h = 4 : i32, in_w = 4 : i32, in_c = 2 : i32, out_h = 4 : i32, out_w = 4 : i32, out_c = 2 : i32, k_h = 1 : i32, k_w = 1 : i32, stride_h = 1 : i32, stride_w = 1 : i32, dilation_h = 1 : i32, dilation_w = 1 : i32, pad_top = 0 : i32, pad_left = 0 : i32, input_zero_point = -3 : i32, output_zero_point = 5 : i32, act_min = 5 : i32, act_max = 127 : i32}
// CHECK-SAME:  folded_bias = dense<[19, -23]> : tensor<2xi32>, multipliers = dense<[1073741824, 1610612736]> : tensor<2xi32>, shifts = dense<[-2, -1]> : tensor<2xi32>, scratch_size = 0 : i64}
func.func @conv(%x: tensor<1x4x4x2x!quant.uniform<i8:f32, 0.5:-3>> {micro.name = "image"}) -> (tensor<1x4x4x2x!quant.uniform<i8:f32, 1.0:5>> {micro.name = "features"}) {
  %w = nn.constant {value = dense<[[[[1, 2]]], [[[3, -4]]]]> : tensor<2x1x1x2xi8>} : tensor<2x1x1x2x!quant.uniform<i8:f32:0, {0.25:0, 0.75:0}>>
  %b = nn.constant {value = dense<[10, -20]> : tensor<2xi32>} : tensor<2xi32>
  %y = nn.conv2d %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, activation = #nn<activation relu>} : (tensor<1x4x4x2x!quant.uniform<i8:f32, 0.5:-3>>, tensor<2x1x1x2x!quant.uniform<i8:f32:0, {0.25:0, 0.75:0}>>, tensor<2xi32>) -> tensor<1x4x4x2x!quant.uniform<i8:f32, 1.0:5>>
  func.return %y : tensor<1x4x4x2x!quant.uniform<i8:f32, 1.0:5>>
}

// -----

// Float in, int8 inside, float out; and the table-driven operators.
// * quantize / dequantize keep the float scale (the only float math left: at the edges);
// * FC requantizes in double like TFLite's reference kernel: 0.5 * 0.25 / 0.2 (scales are
//   float32, 0.2f = 0.20000000298) = 0.62499999... = 5629499450327041 * 2^-53; folded
//   bias = -(-3) * row sums (21, 3, -6);
// * softmax gets its exp table (exp(0) = 2^31 - 1 first), logistic and the requantizing
//   relu 256-entry tables indexed by (uint8_t)q: relu maps q = 0, 1, 2 to 2 + 2q and every
//   negative q to the output zero point 2;
// * add of two equal scales: each input multiplier 1/2 (2^30, shift 0).
// CHECK-LABEL: func.func @ops
// CHECK:       quant.quantize %x {micro.int8 = {function = "micro_quantize_f32_s8", params_type = "MicroQuantizeS8Params", params = {size = 6 : i32, scale = 5.000000e-01 : f32, zero_point = -3 : i32}}}
// CHECK:       nn.fully_connected %q, %w {micro.int8 = {function = "micro_fully_connected_s8", params_type = "MicroFullyConnectedS8Params", params = {batch = 1 : i32, in_features = 6 : i32, out_features = 3 : i32, weights_zero_point = 0 : i32, output_zero_point = 1 : i32, act_min = -128 : i32, act_max = 127 : i32}, folded_bias = dense<[63, 9, -18]> : tensor<3xi32>, scale_mantissa = dense<5629499450327041> : tensor<3xi64>, scale_exponent = dense<-53> : tensor<3xi32>}}
// CHECK:       nn.softmax %f {micro.int8 = {function = "micro_softmax_s8", params_type = "MicroSoftmaxS8Params", params = {outer = 1 : i32, axis_size = 3 : i32}, exp_table = dense<"0xFFFFFF7F{{[0-9A-F]+}}"> : tensor<256xi32>}
// CHECK:       quant.dequantize %q {micro.int8 = {function = "micro_dequantize_s8_f32", params_type = "MicroQuantizeS8Params", params = {size = 6 : i32, scale = 5.000000e-01 : f32, zero_point = -3 : i32}}}
// CHECK:       nn.logistic %a {micro.int8 = {function = "micro_lut_s8", table = dense<"0x{{[0-9A-F]+}}"> : tensor<256xi8>}}
// CHECK:       nn.relu %a {micro.int8 = {function = "micro_lut_s8", table = dense<"0x020406{{[0-9A-F]+}}0202"> : tensor<256xi8>}}
// CHECK:       nn.add %r, %r {micro.int8 = {function = "micro_add_s8", params_type = "MicroBinaryS8Params", params = {ndim = 1 : i32, {{.*}}, a_offset = -2 : i32, b_offset = -2 : i32, left_shift = 20 : i32, a_multiplier = 1073741824 : i32, a_shift = 0 : i32, b_multiplier = 1073741824 : i32, b_shift = 0 : i32,
func.func @ops(%x: tensor<1x6xf32>, %a: tensor<1x6x!quant.uniform<i8:f32, 0.1:0>>) -> (tensor<1x3x!quant.uniform<i8:f32, 0.00390625:-128>>, tensor<1x6xf32>, tensor<1x6x!quant.uniform<i8:f32, 0.00390625:-128>>, tensor<1x6x!quant.uniform<i8:f32, 0.05:2>>) {
  %q = quant.quantize %x : (tensor<1x6xf32>) -> tensor<1x6x!quant.uniform<i8:f32, 0.5:-3>>
  %w = nn.constant {value = dense<[[1, 2, 3, 4, 5, 6], [0, 1, 0, 1, 0, 1], [-1, -1, -1, -1, -1, -1]]> : tensor<3x6xi8>} : tensor<3x6x!quant.uniform<i8:f32, 0.25:0>>
  %f = nn.fully_connected %q, %w : (tensor<1x6x!quant.uniform<i8:f32, 0.5:-3>>, tensor<3x6x!quant.uniform<i8:f32, 0.25:0>>) -> tensor<1x3x!quant.uniform<i8:f32, 0.2:1>>
  %s = nn.softmax %f {beta = 1.0 : f32} : (tensor<1x3x!quant.uniform<i8:f32, 0.2:1>>) -> tensor<1x3x!quant.uniform<i8:f32, 0.00390625:-128>>
  %d = quant.dequantize %q : (tensor<1x6x!quant.uniform<i8:f32, 0.5:-3>>) -> tensor<1x6xf32>
  %l = nn.logistic %a : (tensor<1x6x!quant.uniform<i8:f32, 0.1:0>>) -> tensor<1x6x!quant.uniform<i8:f32, 0.00390625:-128>>
  %r = nn.relu %a : (tensor<1x6x!quant.uniform<i8:f32, 0.1:0>>) -> tensor<1x6x!quant.uniform<i8:f32, 0.05:2>>
  %m = nn.add %r, %r : (tensor<1x6x!quant.uniform<i8:f32, 0.05:2>>, tensor<1x6x!quant.uniform<i8:f32, 0.05:2>>) -> tensor<1x6x!quant.uniform<i8:f32, 0.05:2>>
  func.return %s, %d, %l, %m : tensor<1x3x!quant.uniform<i8:f32, 0.00390625:-128>>, tensor<1x6xf32>, tensor<1x6x!quant.uniform<i8:f32, 0.00390625:-128>>, tensor<1x6x!quant.uniform<i8:f32, 0.05:2>>
}

// -----

// Float operators and data movement get no record.
// CHECK-LABEL: func.func @untouched
// CHECK-NOT:   micro.int8
func.func @untouched(%x: tensor<1x6xf32>, %a: tensor<1x6x!quant.uniform<i8:f32, 0.1:0>>) -> (tensor<1x6xf32>, tensor<6x1x!quant.uniform<i8:f32, 0.1:0>>) {
  %y = nn.relu %x : (tensor<1x6xf32>) -> tensor<1x6xf32>
  %t = nn.transpose %a {perm = array<i64: 1, 0>} : (tensor<1x6x!quant.uniform<i8:f32, 0.1:0>>) -> tensor<6x1x!quant.uniform<i8:f32, 0.1:0>>
  func.return %y, %t : tensor<1x6xf32>, tensor<6x1x!quant.uniform<i8:f32, 0.1:0>>
}
