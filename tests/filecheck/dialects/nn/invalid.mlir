// RUN: micro-opt %s --verify-diagnostics --split-input-file | filecheck %s

%x, %w = "test.op"() : () -> (tensor<1x8x8x3xf32>, tensor<4x3x3x2xf32>)
// CHECK: 'nn.conv2d' input has 3 channels but the filter expects 2
%c = nn.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x8x8x3xf32>, tensor<4x3x3x2xf32>) -> tensor<1x6x6x4xf32>

// -----

%x, %w = "test.op"() : () -> (tensor<1x8x8x3xf32>, tensor<4x3x3x3xf32>)
// CHECK: 'nn.conv2d' result shape (1, 8, 8, 4), expected (1, 6, 6, 4)
%c = nn.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x8x8x3xf32>, tensor<4x3x3x3xf32>) -> tensor<1x8x8x4xf32>

// -----

%x, %w = "test.op"() : () -> (tensor<1x8x8x3xf32>, tensor<4x3x3x3xf32>)
// CHECK: 'nn.conv2d' expects positive 'strides', got [0, 1]
%c = nn.conv2d %x, %w {strides = array<i64: 0, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x8x8x3xf32>, tensor<4x3x3x3xf32>) -> tensor<1x6x6x4xf32>

// -----

%x, %w = "test.op"() : () -> (tensor<1x8x8x3xf32>, tensor<4x3x3x3xf32>)
// CHECK: 'nn.conv2d' expects 4 values in 'pads', got 2
%c = nn.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0>} : (tensor<1x8x8x3xf32>, tensor<4x3x3x3xf32>) -> tensor<1x6x6x4xf32>

// -----

%x, %w, %b = "test.op"() : () -> (tensor<1x8x8x3xf32>, tensor<4x3x3x3xf32>, tensor<5xf32>)
// CHECK: 'nn.conv2d' bias must have shape (4,), got (5,)
%c = nn.conv2d %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x8x8x3xf32>, tensor<4x3x3x3xf32>, tensor<5xf32>) -> tensor<1x6x6x4xf32>

// -----

%x, %w = "test.op"() : () -> (tensor<1x8x8x3xf32>, tensor<1x3x3x5xf32>)
// CHECK: 'nn.depthwise_conv2d' filter has 5 channels, expected input channels 3 x depth_multiplier 2
%d = nn.depthwise_conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, depth_multiplier = 2 : i64} : (tensor<1x8x8x3xf32>, tensor<1x3x3x5xf32>) -> tensor<1x8x8x5xf32>

// -----

%x, %w = "test.op"() : () -> (tensor<1x60xf32>, tensor<10x64xf32>)
// CHECK: 'nn.fully_connected' input of 60 elements is not a whole number of rows of 64 features
%f = nn.fully_connected %x, %w : (tensor<1x60xf32>, tensor<10x64xf32>) -> tensor<1x10xf32>

// -----

%x = "test.op"() : () -> tensor<1x8x8x3xf32>
// CHECK: 'nn.avg_pool2d' window is larger than the padded input
%p = nn.avg_pool2d %x {kernel = array<i64: 9, 9>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x8x8x3xf32>) -> tensor<1x1x1x3xf32>

// -----

%a, %b = "test.op"() : () -> (tensor<2x3xf32>, tensor<4x3xf32>)
// CHECK: 'nn.add' operand shapes (2, 3) and (4, 3) do not broadcast
%s = nn.add %a, %b : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>

// -----

%a = "test.op"() : () -> tensor<2x3xf32>
// CHECK: 'nn.reshape' cannot reshape (2, 3) into (7,): element counts differ
%r = nn.reshape %a : (tensor<2x3xf32>) -> tensor<7xf32>

// -----

%a = "test.op"() : () -> tensor<2x3xf32>
// CHECK: 'nn.softmax' input shape (2, 3) and result shape (3, 2) differ
%r = nn.softmax %a {beta = 1.0 : f32} : (tensor<2x3xf32>) -> tensor<3x2xf32>

// -----

// CHECK: constant value shape (3,) does not match result shape (4,)
%w = nn.constant {value = dense<1.0> : tensor<3xf32>} : tensor<4xf32>

// -----

// CHECK: constant value element type f32 does not match the storage type of !quant.uniform<i8:f32, 0.5:0>
%w = nn.constant {value = dense<1.0> : tensor<4xf32>} : tensor<4x!quant.uniform<i8:f32, 0.5:0>>

// -----

%x = "test.op"() : () -> tensor<1x8x8x3xf32>
// CHECK: 'nn.pad' result shape (1, 10, 10, 3), expected (1, 11, 11, 3)
%p = nn.pad %x {paddings = array<i64: 0, 0, 1, 2, 1, 2, 0, 0>} : (tensor<1x8x8x3xf32>) -> tensor<1x10x10x3xf32>

// -----

%x = "test.op"() : () -> tensor<1x8x8x3xf32>
// CHECK: 'nn.mean' axes [1, 4] must be distinct dimensions of a 4-D input
%m = nn.mean %x {axes = array<i64: 1, 4>, keep_dims = 0 : i64} : (tensor<1x8x8x3xf32>) -> tensor<1x8xf32>

// -----

%x = "test.op"() : () -> tensor<1x8x8x3xf32>
// CHECK: 'nn.transpose' perm [0, 1, 1, 2] is not a permutation of 4 dims
%t = nn.transpose %x {perm = array<i64: 0, 1, 1, 2>} : (tensor<1x8x8x3xf32>) -> tensor<1x8x8x8xf32>
