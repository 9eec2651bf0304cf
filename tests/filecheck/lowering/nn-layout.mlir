// RUN: micro-opt %s -p nn-layout | filecheck %s

// A pure CNN as the ONNX importer writes it: every NHWC operator wrapped in transposes.
// They cancel: only the input's C = 1 transpose is left, and it is a reshape (a view).
// CHECK-LABEL: func.func @cnn
func.func @cnn(%x: tensor<1x1x8x8xf32>, %w: tensor<4x3x3x1xf32>, %b: tensor<4x1x1xf32>) -> tensor<1x4x4x4xf32> {
  // CHECK-NEXT: %[[V:.*]] = nn.reshape %x : (tensor<1x1x8x8xf32>) -> tensor<1x8x8x1xf32>
  // CHECK-NEXT: %[[C:.*]] = nn.conv2d %[[V]], %w
  // CHECK-NEXT: %[[B:.*]] = nn.constant {{.*}} : tensor<1x1x1x4xf32>
  // CHECK-NEXT: %[[A:.*]] = nn.add %[[C]], %[[B]]
  // CHECK-NEXT: %[[R:.*]] = nn.relu %[[A]]
  // CHECK-NEXT: %[[P:.*]] = nn.max_pool2d %[[R]]
  // CHECK-NEXT: %[[O:.*]] = nn.transpose %[[P]] {perm = array<i64: 0, 3, 1, 2>}
  // CHECK-NEXT: func.return %[[O]]
  %0 = nn.transpose %x {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x1x8x8xf32>) -> tensor<1x8x8x1xf32>
  %1 = nn.conv2d %0, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x8x1xf32>, tensor<4x3x3x1xf32>) -> tensor<1x8x8x4xf32>
  %2 = nn.transpose %1 {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x8x8x4xf32>) -> tensor<1x4x8x8xf32>
  %bias = nn.constant {value = dense<[[[1.0]], [[2.0]], [[3.0]], [[4.0]]]> : tensor<4x1x1xf32>} : tensor<4x1x1xf32>
  %3 = nn.add %2, %bias : (tensor<1x4x8x8xf32>, tensor<4x1x1xf32>) -> tensor<1x4x8x8xf32>
  %4 = nn.relu %3 : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %5 = nn.transpose %4 {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x4x8x8xf32>) -> tensor<1x8x8x4xf32>
  %6 = nn.max_pool2d %5 {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x8x8x4xf32>) -> tensor<1x4x4x4xf32>
  %7 = nn.transpose %6 {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  func.return %7 : tensor<1x4x4x4xf32>
}

// Flatten after the last convolution: the transpose folds into the fully connected
// layer's weights (columns permuted at compile time).
// CHECK-LABEL: func.func @flatten_into_fc
func.func @flatten_into_fc(%x: tensor<1x2x2x3xf32>) -> tensor<1x5xf32> {
  // CHECK-NOT:  nn.transpose
  // CHECK:      %[[F:.*]] = nn.reshape %x : (tensor<1x2x2x3xf32>) -> tensor<1x12xf32>
  // CHECK-NEXT: %[[Y:.*]] = nn.fully_connected %[[F]], %{{.*}} : (tensor<1x12xf32>, tensor<5x12xf32>) -> tensor<1x5xf32>
  // CHECK-NEXT: func.return %[[Y]]
  %t = nn.transpose %x {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x2x2x3xf32>) -> tensor<1x3x2x2xf32>
  %f = nn.reshape %t : (tensor<1x3x2x2xf32>) -> tensor<1x12xf32>
  %w = nn.constant {value = dense<1.0> : tensor<5x12xf32>} : tensor<5x12xf32>
  %y = nn.fully_connected %f, %w : (tensor<1x12xf32>, tensor<5x12xf32>) -> tensor<1x5xf32>
  func.return %y : tensor<1x5xf32>
}

// Two transposes compose; one that permutes nothing goes away.
// CHECK-LABEL: func.func @compose
func.func @compose(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  // CHECK-NEXT: func.return %x
  %a = nn.transpose %x {perm = array<i64: 1, 2, 0>} : (tensor<2x3x4xf32>) -> tensor<3x4x2xf32>
  %b = nn.transpose %a {perm = array<i64: 2, 0, 1>} : (tensor<3x4x2xf32>) -> tensor<2x3x4xf32>
  func.return %b : tensor<2x3x4xf32>
}

// A reduction's axes follow a transpose sunk below it.
// CHECK-LABEL: func.func @reduce_axes
func.func @reduce_axes(%x: tensor<1x5x5x8xf32>) -> tensor<1x8x1x1xf32> {
  // CHECK-NEXT: %[[R:.*]] = nn.reduce %x {fn = "mean", axes = array<i64: 1, 2>, keep_dims = 1 : i64} : (tensor<1x5x5x8xf32>) -> tensor<1x1x1x8xf32>
  // CHECK-NEXT: %[[V:.*]] = nn.reshape %[[R]] : (tensor<1x1x1x8xf32>) -> tensor<1x8x1x1xf32>
  // CHECK-NEXT: func.return %[[V]]
  %t = nn.transpose %x {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x5x5x8xf32>) -> tensor<1x8x5x5xf32>
  %r = nn.reduce %t {fn = "mean", axes = array<i64: 2, 3>, keep_dims = 1 : i64} : (tensor<1x8x5x5xf32>) -> tensor<1x8x1x1xf32>
  func.return %r : tensor<1x8x1x1xf32>
}

// Quantized (TFLite int8) graphs are left alone.
// CHECK-LABEL: func.func @int8_untouched
func.func @int8_untouched(%x: tensor<1x2x3x4x!quant.uniform<i8:f32, 0.5:1>>) -> tensor<1x4x2x3x!quant.uniform<i8:f32, 0.5:1>> {
  // CHECK-NEXT: nn.transpose %x
  %t = nn.transpose %x {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x2x3x4x!quant.uniform<i8:f32, 0.5:1>>) -> tensor<1x4x2x3x!quant.uniform<i8:f32, 0.5:1>>
  func.return %t : tensor<1x4x2x3x!quant.uniform<i8:f32, 0.5:1>>
}
