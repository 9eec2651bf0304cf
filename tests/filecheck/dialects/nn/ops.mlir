// RUN: MICRO_ROUNDTRIP
// RUN: MICRO_GENERIC_ROUNDTRIP

%x, %v = "test.op"() : () -> (tensor<1x8x8x3xf32>, tensor<1x8x8x4xf32>)

// CHECK: %w = nn.constant {value = dense<1.000000e+00> : tensor<4x3x3x3xf32>} : tensor<4x3x3x3xf32>
%w = nn.constant {value = dense<1.0> : tensor<4x3x3x3xf32>} : tensor<4x3x3x3xf32>
// CHECK: %b = nn.constant {value = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>} : tensor<4xf32>
%b = nn.constant {value = dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>} : tensor<4xf32>
// A quantized constant holds its storage integers.
// CHECK: %q = nn.constant {value = dense<1> : tensor<4x3x3x3xi8>} : tensor<4x3x3x3x!quant.uniform<i8:f32, 0.5:0>>
%q = nn.constant {value = dense<1> : tensor<4x3x3x3xi8>} : tensor<4x3x3x3x!quant.uniform<i8:f32, 0.5:0>>

// CHECK: %c = nn.conv2d %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, activation = #nn<activation relu6>} : (tensor<1x8x8x3xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x8x8x4xf32>
%c = nn.conv2d %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, activation = #nn<activation relu6>} : (tensor<1x8x8x3xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x8x8x4xf32>
// The bias is optional; a hybrid convolution takes quantized weights.
// CHECK: %h = nn.conv2d %x, %q {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>} : (tensor<1x8x8x3xf32>, tensor<4x3x3x3x!quant.uniform<i8:f32, 0.5:0>>) -> tensor<1x4x4x4xf32>
%h = nn.conv2d %x, %q {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>} : (tensor<1x8x8x3xf32>, tensor<4x3x3x3x!quant.uniform<i8:f32, 0.5:0>>) -> tensor<1x4x4x4xf32>

%dw = nn.constant {value = dense<1.0> : tensor<1x3x3x6xf32>} : tensor<1x3x3x6xf32>
// CHECK: %d = nn.depthwise_conv2d %x, %dw {strides = array<i64: 1, 1>, dilations = array<i64: 2, 2>, pads = array<i64: 2, 2, 2, 2>, depth_multiplier = 2 : i64} : (tensor<1x8x8x3xf32>, tensor<1x3x3x6xf32>) -> tensor<1x8x8x6xf32>
%d = nn.depthwise_conv2d %x, %dw {strides = array<i64: 1, 1>, dilations = array<i64: 2, 2>, pads = array<i64: 2, 2, 2, 2>, depth_multiplier = 2 : i64} : (tensor<1x8x8x3xf32>, tensor<1x3x3x6xf32>) -> tensor<1x8x8x6xf32>

// CHECK: %a = nn.avg_pool2d %c {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x8x8x4xf32>) -> tensor<1x4x4x4xf32>
%a = nn.avg_pool2d %c {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x8x8x4xf32>) -> tensor<1x4x4x4xf32>
// CHECK: %m = nn.max_pool2d %c {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, activation = #nn<activation relu>} : (tensor<1x8x8x4xf32>) -> tensor<1x8x8x4xf32>
%m = nn.max_pool2d %c {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, activation = #nn<activation relu>} : (tensor<1x8x8x4xf32>) -> tensor<1x8x8x4xf32>

// Binary operators broadcast as numpy does.
// CHECK: %s = nn.add %c, %b : (tensor<1x8x8x4xf32>, tensor<4xf32>) -> tensor<1x8x8x4xf32>
%s = nn.add %c, %b : (tensor<1x8x8x4xf32>, tensor<4xf32>) -> tensor<1x8x8x4xf32>
// CHECK: %s2 = nn.sub %c, %v {activation = #nn<activation relu_n1_to_1>} : (tensor<1x8x8x4xf32>, tensor<1x8x8x4xf32>) -> tensor<1x8x8x4xf32>
%s2 = nn.sub %c, %v {activation = #nn<activation relu_n1_to_1>} : (tensor<1x8x8x4xf32>, tensor<1x8x8x4xf32>) -> tensor<1x8x8x4xf32>
// CHECK: %s3 = nn.mul %c, %v : (tensor<1x8x8x4xf32>, tensor<1x8x8x4xf32>) -> tensor<1x8x8x4xf32>
%s3 = nn.mul %c, %v : (tensor<1x8x8x4xf32>, tensor<1x8x8x4xf32>) -> tensor<1x8x8x4xf32>
// CHECK: %s4 = nn.div %c, %v : (tensor<1x8x8x4xf32>, tensor<1x8x8x4xf32>) -> tensor<1x8x8x4xf32>
%s4 = nn.div %c, %v : (tensor<1x8x8x4xf32>, tensor<1x8x8x4xf32>) -> tensor<1x8x8x4xf32>
// CHECK: %s5 = nn.maximum %c, %v : (tensor<1x8x8x4xf32>, tensor<1x8x8x4xf32>) -> tensor<1x8x8x4xf32>
%s5 = nn.maximum %c, %v : (tensor<1x8x8x4xf32>, tensor<1x8x8x4xf32>) -> tensor<1x8x8x4xf32>
// CHECK: %s6 = nn.minimum %c, %v : (tensor<1x8x8x4xf32>, tensor<1x8x8x4xf32>) -> tensor<1x8x8x4xf32>
%s6 = nn.minimum %c, %v : (tensor<1x8x8x4xf32>, tensor<1x8x8x4xf32>) -> tensor<1x8x8x4xf32>

// CHECK: %r = nn.reshape %a : (tensor<1x4x4x4xf32>) -> tensor<1x64xf32>
%r = nn.reshape %a : (tensor<1x4x4x4xf32>) -> tensor<1x64xf32>
%fw = nn.constant {value = dense<0.5> : tensor<10x64xf32>} : tensor<10x64xf32>
// CHECK: %f = nn.fully_connected %r, %fw : (tensor<1x64xf32>, tensor<10x64xf32>) -> tensor<1x10xf32>
%f = nn.fully_connected %r, %fw : (tensor<1x64xf32>, tensor<10x64xf32>) -> tensor<1x10xf32>
// CHECK: %p = nn.softmax %f {beta = 5.000000e-01 : f32} : (tensor<1x10xf32>) -> tensor<1x10xf32>
%p = nn.softmax %f {beta = 0.5 : f32} : (tensor<1x10xf32>) -> tensor<1x10xf32>

// CHECK: %u1 = nn.relu %p : (tensor<1x10xf32>) -> tensor<1x10xf32>
%u1 = nn.relu %p : (tensor<1x10xf32>) -> tensor<1x10xf32>
// CHECK: %u2 = nn.relu6 %p : (tensor<1x10xf32>) -> tensor<1x10xf32>
%u2 = nn.relu6 %p : (tensor<1x10xf32>) -> tensor<1x10xf32>
// CHECK: %u3 = nn.relu_n1_to_1 %p : (tensor<1x10xf32>) -> tensor<1x10xf32>
%u3 = nn.relu_n1_to_1 %p : (tensor<1x10xf32>) -> tensor<1x10xf32>
// CHECK: %u4 = nn.logistic %p : (tensor<1x10xf32>) -> tensor<1x10xf32>
%u4 = nn.logistic %p : (tensor<1x10xf32>) -> tensor<1x10xf32>
// CHECK: %u5 = nn.tanh %p : (tensor<1x10xf32>) -> tensor<1x10xf32>
%u5 = nn.tanh %p : (tensor<1x10xf32>) -> tensor<1x10xf32>

// CHECK: %pd = nn.pad %x {paddings = array<i64: 0, 0, 1, 2, 1, 2, 0, 0>} : (tensor<1x8x8x3xf32>) -> tensor<1x11x11x3xf32>
%pd = nn.pad %x {paddings = array<i64: 0, 0, 1, 2, 1, 2, 0, 0>} : (tensor<1x8x8x3xf32>) -> tensor<1x11x11x3xf32>
// CHECK: %mn = nn.mean %x {axes = array<i64: 1, 2>, keep_dims = 1 : i64} : (tensor<1x8x8x3xf32>) -> tensor<1x1x1x3xf32>
%mn = nn.mean %x {axes = array<i64: 1, 2>, keep_dims = 1 : i64} : (tensor<1x8x8x3xf32>) -> tensor<1x1x1x3xf32>
// CHECK: %mn2 = nn.mean %x {axes = array<i64: 1, 2>, keep_dims = 0 : i64} : (tensor<1x8x8x3xf32>) -> tensor<1x3xf32>
%mn2 = nn.mean %x {axes = array<i64: 1, 2>, keep_dims = 0 : i64} : (tensor<1x8x8x3xf32>) -> tensor<1x3xf32>
// CHECK: %tr = nn.transpose %x {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x8x8x3xf32>) -> tensor<1x3x8x8xf32>
%tr = nn.transpose %x {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x8x8x3xf32>) -> tensor<1x3x8x8xf32>
