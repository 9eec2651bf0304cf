// RUN: micro-opt %s -p nn-fold-affine | filecheck %s

// A per-channel scale then shift after a fully connected layer (BatchNormalization after
// a Gemm, as ONNX keeps it): both fold into the layer, the shift's activation too.
// CHECK-LABEL: func.func @fc_scale_shift
func.func @fc_scale_shift(%x: tensor<1x3xf32>) -> tensor<1x2xf32> {
  // CHECK-NEXT: %[[W:.*]] = nn.constant {value = dense<{{\[}}[2.000000e+00, 4.000000e+00, 6.000000e+00], [-3.000000e+00, -3.000000e+00, -3.000000e+00]]> : tensor<2x3xf32>}
  // CHECK-NEXT: %[[B:.*]] = nn.constant {value = dense<[1.500000e+00, -3.500000e+00]> : tensor<2xf32>}
  // CHECK-NEXT: %[[Y:.*]] = nn.fully_connected %x, %[[W]], %[[B]] {activation = #nn<activation relu>}
  // CHECK-NEXT: func.return %[[Y]]
  %w = nn.constant {value = dense<[[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]]> : tensor<2x3xf32>} : tensor<2x3xf32>
  %b = nn.constant {value = dense<[0.5, 0.5]> : tensor<2xf32>} : tensor<2xf32>
  %y = nn.fully_connected %x, %w, %b : (tensor<1x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  %s = nn.constant {value = dense<[2.0, -3.0]> : tensor<2xf32>} : tensor<2xf32>
  %z = nn.mul %y, %s : (tensor<1x2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  %t = nn.constant {value = dense<[0.5, -2.0]> : tensor<2xf32>} : tensor<2xf32>
  %u = nn.add %t, %z {activation = #nn<activation relu>} : (tensor<2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  func.return %u : tensor<1x2xf32>
}

// A bias added after a convolution (ONNX Conv without B, then Add): a new bias.
// CHECK-LABEL: func.func @conv_bias_add
func.func @conv_bias_add(%x: tensor<1x4x4x1xf32>) -> tensor<1x4x4x2xf32> {
  // CHECK:      %[[B:.*]] = nn.constant {value = dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>}
  // CHECK-NEXT: %[[Y:.*]] = nn.conv2d %x, %{{.*}}, %[[B]]
  // CHECK-NEXT: func.return %[[Y]]
  %w = nn.constant {value = dense<[[[[0.5]]], [[[0.25]]]]> : tensor<2x1x1x1xf32>} : tensor<2x1x1x1xf32>
  %y = nn.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x4x4x1xf32>, tensor<2x1x1x1xf32>) -> tensor<1x4x4x2xf32>
  %c = nn.constant {value = dense<[[[[1.0, 2.0]]]]> : tensor<1x1x1x2xf32>} : tensor<1x1x1x2xf32>
  %z = nn.add %y, %c : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x4x4x2xf32>
  func.return %z : tensor<1x4x4x2xf32>
}

// Not folded: the constant varies along another axis than the channels (%a); the
// layer's result has another use (%m and %a share %y); the layer already clamps (%s);
// the weights are not constant (%v).
// CHECK-LABEL: func.func @not_folded
func.func @not_folded(%x: tensor<2x3xf32>, %wx: tensor<2x3xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>) {
  // CHECK-NEXT: %[[W:.*]] = nn.constant
  // CHECK-NEXT: %[[Y:.*]] = nn.fully_connected %x, %[[W]]
  // CHECK-NEXT: %[[C:.*]] = nn.constant
  // CHECK-NEXT: %[[A:.*]] = nn.add %[[Y]], %[[C]]
  // CHECK-NEXT: %[[K:.*]] = nn.constant
  // CHECK-NEXT: %[[M:.*]] = nn.mul %[[Y]], %[[K]]
  // CHECK-NEXT: %[[R:.*]] = nn.fully_connected %x, %[[W]] {activation = #nn<activation relu>}
  // CHECK-NEXT: %[[S:.*]] = nn.mul %[[R]], %[[K]]
  // CHECK-NEXT: %[[V:.*]] = nn.fully_connected %x, %wx
  // CHECK-NEXT: %[[T:.*]] = nn.mul %[[V]], %[[K]]
  // CHECK-NEXT: func.return %[[A]], %[[M]], %[[S]], %[[T]]
  %w = nn.constant {value = dense<[[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]]> : tensor<2x3xf32>} : tensor<2x3xf32>
  %y = nn.fully_connected %x, %w : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x2xf32>
  %rows = nn.constant {value = dense<[[1.0], [2.0]]> : tensor<2x1xf32>} : tensor<2x1xf32>
  %a = nn.add %y, %rows : (tensor<2x2xf32>, tensor<2x1xf32>) -> tensor<2x2xf32>
  %k = nn.constant {value = dense<[3.0, 4.0]> : tensor<2xf32>} : tensor<2xf32>
  %m = nn.mul %y, %k : (tensor<2x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  %r = nn.fully_connected %x, %w {activation = #nn<activation relu>} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x2xf32>
  %s = nn.mul %r, %k : (tensor<2x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  %v = nn.fully_connected %x, %wx : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x2xf32>
  %t = nn.mul %v, %k : (tensor<2x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  func.return %a, %m, %s, %t : tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>
}
