// RUN: micro-opt %s -p nn-fuse-activation | filecheck %s

// CHECK-LABEL: func.func @conv_relu6
func.func @conv_relu6(%x: tensor<1x4x4x2xf32>, %w: tensor<3x1x1x2xf32>) -> tensor<1x4x4x3xf32> {
  // CHECK-NEXT: %[[Y:.*]] = nn.conv2d %x, %w {{{.*}}activation = #nn<activation relu6>}
  // CHECK-NEXT: func.return %[[Y]]
  %y = nn.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x4x4x2xf32>, tensor<3x1x1x2xf32>) -> tensor<1x4x4x3xf32>
  %z = nn.relu6 %y : (tensor<1x4x4x3xf32>) -> tensor<1x4x4x3xf32>
  func.return %z : tensor<1x4x4x3xf32>
}

// A fused relu followed by relu6 is relu6.
// CHECK-LABEL: func.func @compose_into_fused
func.func @compose_into_fused(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK-NEXT: %[[S:.*]] = nn.add %a, %b {activation = #nn<activation relu6>}
  // CHECK-NEXT: func.return %[[S]]
  %s = nn.add %a, %b {activation = #nn<activation relu>} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %r = nn.relu6 %s : (tensor<4xf32>) -> tensor<4xf32>
  func.return %r : tensor<4xf32>
}

// relu6 then relu_n1_to_1 clamps to [0, 1], which no fused activation is: no fusion.
// CHECK-LABEL: func.func @not_representable
func.func @not_representable(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK-NEXT: %[[S:.*]] = nn.add %a, %b {activation = #nn<activation relu6>}
  // CHECK-NEXT: %[[R:.*]] = nn.relu_n1_to_1 %[[S]]
  // CHECK-NEXT: func.return %[[R]]
  %s = nn.add %a, %b {activation = #nn<activation relu6>} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %r = nn.relu_n1_to_1 %s : (tensor<4xf32>) -> tensor<4xf32>
  func.return %r : tensor<4xf32>
}

// The producer's plain result is also a graph output: fusing would change it.
// CHECK-LABEL: func.func @producer_has_other_use
func.func @producer_has_other_use(%a: tensor<4xf32>, %b: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  // CHECK-NEXT: %[[S:.*]] = nn.add %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // CHECK-NEXT: %[[R:.*]] = nn.relu %[[S]]
  // CHECK-NEXT: func.return %[[S]], %[[R]]
  %s = nn.add %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %r = nn.relu %s : (tensor<4xf32>) -> tensor<4xf32>
  func.return %s, %r : tensor<4xf32>, tensor<4xf32>
}

// Stand-alone clamps compose; the graph input cannot absorb an activation.
// CHECK-LABEL: func.func @stacked_clamps
func.func @stacked_clamps(%a: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK-NEXT: %[[R:.*]] = nn.relu6 %a
  // CHECK-NEXT: func.return %[[R]]
  %r = nn.relu %a : (tensor<4xf32>) -> tensor<4xf32>
  %s = nn.relu6 %r : (tensor<4xf32>) -> tensor<4xf32>
  func.return %s : tensor<4xf32>
}

// CHECK-LABEL: func.func @reshapes
func.func @reshapes(%a: tensor<1x2x3xf32>) -> tensor<3x2xf32> {
  // CHECK-NEXT: %[[R:.*]] = nn.reshape %a : (tensor<1x2x3xf32>) -> tensor<3x2xf32>
  // CHECK-NEXT: func.return %[[R]]
  %r = nn.reshape %a : (tensor<1x2x3xf32>) -> tensor<6xf32>
  %s = nn.reshape %r : (tensor<6xf32>) -> tensor<6xf32>
  %t = nn.reshape %s : (tensor<6xf32>) -> tensor<3x2xf32>
  func.return %t : tensor<3x2xf32>
}

// int8: a relu that keeps the quantization of its input fuses (its clamp is then
// computed in the output's quantization); one that requantizes stays an operator.
// CHECK-LABEL: func.func @int8_relu
// CHECK-NEXT:  %[[Y:.*]] = nn.add %a, %b {activation = #nn<activation relu>}
// CHECK-NEXT:  %[[Z:.*]] = nn.relu6 %[[Y]] : (tensor<1x4x!quant.uniform<i8:f32, 0.05:2>>) -> tensor<1x4x!quant.uniform<i8:f32, 0.025:-128>>
// CHECK-NEXT:  func.return %[[Z]]
func.func @int8_relu(%a: tensor<1x4x!quant.uniform<i8:f32, 0.05:2>>, %b: tensor<1x4x!quant.uniform<i8:f32, 0.05:2>>) -> tensor<1x4x!quant.uniform<i8:f32, 0.025:-128>> {
  %y = nn.add %a, %b : (tensor<1x4x!quant.uniform<i8:f32, 0.05:2>>, tensor<1x4x!quant.uniform<i8:f32, 0.05:2>>) -> tensor<1x4x!quant.uniform<i8:f32, 0.05:2>>
  %r = nn.relu %y : (tensor<1x4x!quant.uniform<i8:f32, 0.05:2>>) -> tensor<1x4x!quant.uniform<i8:f32, 0.05:2>>
  %z = nn.relu6 %r : (tensor<1x4x!quant.uniform<i8:f32, 0.05:2>>) -> tensor<1x4x!quant.uniform<i8:f32, 0.025:-128>>
  func.return %z : tensor<1x4x!quant.uniform<i8:f32, 0.025:-128>>
}
