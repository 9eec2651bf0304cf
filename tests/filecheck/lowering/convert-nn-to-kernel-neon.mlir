// RUN: micro-opt %s -p 'convert-nn-to-kernel{target=ARM64}' | filecheck %s
// RUN: micro-opt %s -p 'convert-nn-to-kernel{target=ARM32}' | filecheck %s
// RUN: micro-opt %s -p 'convert-nn-to-kernel{target=ARM64 kernels=generic}' | filecheck %s --check-prefix=GENERIC

// ARM64 and ARM32: an operator whose generic kernel has a NEON twin gets backend "neon"
// (same operands, weight layout and scratch); softmax has no twin and stays generic.
// kernels=generic keeps every operator on the generic kernels.
// CHECK:      builtin.module attributes {micro.target = "ARM{{(64|32)}}"} {
// CHECK:      kernel.conv2d_hybrid %x : memref<1x4x4x2xf32>, %q : memref<2x1x1x2xi8> -> %h : memref<1x4x4x2xf32>, scratch %scratch : memref<32xi8> {backend = "neon"
// CHECK:      kernel.conv2d %h : memref<1x4x4x2xf32>, %{{.*}} : memref<16xf32> -> %p : memref<1x4x4x2xf32> {backend = "neon"
// CHECK:      kernel.binary %r : memref<1x32xf32>, %r : memref<1x32xf32> -> %s : memref<1x32xf32> {backend = "neon", fn = "mul"
// CHECK:      kernel.softmax %s : memref<1x32xf32> -> %o : memref<1x32xf32> {backend = "generic"

// GENERIC:      builtin.module attributes {micro.target = "ARM64"} {
// GENERIC-NOT:  "neon"
// GENERIC:      kernel.conv2d %h : memref<1x4x4x2xf32>, %{{.*}} : memref<16xf32> -> %p : memref<1x4x4x2xf32> {backend = "generic"
// GENERIC-NOT:  "neon"
func.func @mixed(%x: tensor<1x4x4x2xf32>) -> tensor<1x32xf32> {
  %q = nn.constant {value = dense<3> : tensor<2x1x1x2xi8>} : tensor<2x1x1x2x!quant.uniform<i8:f32, 0.25:0>>
  %h = nn.conv2d %x, %q {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2x!quant.uniform<i8:f32, 0.25:0>>) -> tensor<1x4x4x2xf32>
  %f = nn.constant {value = dense<1.0> : tensor<2x1x1x2xf32>} : tensor<2x1x1x2xf32>
  %p = nn.conv2d %h, %f {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>) -> tensor<1x4x4x2xf32>
  %r = nn.reshape %p : (tensor<1x4x4x2xf32>) -> tensor<1x32xf32>
  %s = nn.mul %r, %r : (tensor<1x32xf32>, tensor<1x32xf32>) -> tensor<1x32xf32>
  %o = nn.softmax %s {beta = 1.0 : f32} : (tensor<1x32xf32>) -> tensor<1x32xf32>
  func.return %o : tensor<1x32xf32>
}
