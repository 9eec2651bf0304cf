// RUN: micro-opt %s -p convert-nn-to-kernel --split-input-file | filecheck %s

// A float convolution: the OHWI filter is repacked into the kernel's panels (4 output
// channels padded to 8: 8 * 3*3*2 = 144 floats); it reads its input in place (implicit
// GEMM) and its padding taps read the kernel's built-in zero row, so it needs no scratch;
// the graph input and output become marked buffers.
// CHECK:      builtin.module attributes {micro.target = "x86"} {
// CHECK-NEXT:   "memref.global"() <{sym_name = "w", type = memref<144xf32>, initial_value = dense<"0x0000003F0000003F0000003F0000003F0000000000000000
// CHECK-SAME:     constant, alignment = 16 : i64
// CHECK-NEXT:   "memref.global"() <{sym_name = "b", type = memref<4xf32>, initial_value = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>
// CHECK-NEXT:   func.func @conv() {
// CHECK-NEXT:     %x = memref.alloc() {alignment = 16 : i64} : memref<1x5x5x2xf32>
// CHECK-NEXT:     kernel.input %x : memref<1x5x5x2xf32> {name = "image", index = 0 : i64}
// CHECK-NEXT:     %w = memref.get_global @w : memref<144xf32>
// CHECK-NEXT:     %b = memref.get_global @b : memref<4xf32>
// CHECK-NEXT:     %y = memref.alloc() {alignment = 16 : i64} : memref<1x5x5x4xf32>
// CHECK-NEXT:     kernel.conv2d %x : memref<1x5x5x2xf32>, %w : memref<144xf32>, bias %b : memref<4xf32> -> %y : memref<1x5x5x4xf32> {backend = "generic", kernel_size = array<i64: 3, 3>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, activation = #nn<activation relu>}
// CHECK-NEXT:     kernel.output %y : memref<1x5x5x4xf32> {name = "features", index = 0 : i64}
// CHECK-NEXT:     func.return
// CHECK-NEXT:   }
// CHECK-NEXT: }
func.func @conv(%x: tensor<1x5x5x2xf32> {micro.name = "image"}) -> (tensor<1x5x5x4xf32> {micro.name = "features"}) {
  %w = nn.constant {value = dense<0.5> : tensor<4x3x3x2xf32>} : tensor<4x3x3x2xf32>
  %b = nn.constant {value = dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>} : tensor<4xf32>
  %y = nn.conv2d %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, activation = #nn<activation relu>} : (tensor<1x5x5x2xf32>, tensor<4x3x3x2xf32>, tensor<4xf32>) -> tensor<1x5x5x4xf32>
  func.return %y : tensor<1x5x5x4xf32>
}

// -----

// A hybrid convolution keeps its int8 OHWI filter, passes the scale and needs a scratch
// for the int8 copy of its input (32 B); reshape is a view; one constant used twice is one
// global.
// CHECK-LABEL: func.func @mixed()
// CHECK:      %q = memref.get_global @q : memref<2x1x1x2xi8>
// CHECK:      kernel.conv2d_hybrid %x : memref<1x4x4x2xf32>, %q : memref<2x1x1x2xi8> -> %h : memref<1x4x4x2xf32>, scratch %scratch : memref<32xi8> {{{.*}}filter_scale = 2.500000e-01 : f32}
// CHECK:      kernel.conv2d %h : memref<1x4x4x2xf32>, %{{.*}} : memref<16xf32> -> %p : memref<1x4x4x2xf32> {backend = "generic"
// CHECK:      %r = kernel.reshape %p : memref<1x4x4x2xf32> to memref<1x32xf32>
// CHECK:      kernel.binary %r : memref<1x32xf32>, %r : memref<1x32xf32> -> %s : memref<1x32xf32> {backend = "generic", fn = "mul"
// CHECK:      kernel.softmax %s : memref<1x32xf32> -> %o : memref<1x32xf32> {backend = "generic", beta = 1.000000e+00 : f32}
// CHECK-NEXT: kernel.output %o : memref<1x32xf32> {name = "output_0", index = 0 : i64}
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

// -----

// An output that is a graph input, or the same value twice, gets a copy of its own.
// CHECK-LABEL: func.func @copies()
// CHECK:      kernel.input %a : memref<4xf32> {name = "input_0", index = 0 : i64}
// CHECK:      kernel.unary %a : memref<4xf32> -> %r : memref<4xf32> {backend = "generic", fn = "relu"}
// CHECK-NEXT: %out = memref.alloc() {alignment = 16 : i64} : memref<4xf32>
// CHECK-NEXT: kernel.copy %a : memref<4xf32> -> %out : memref<4xf32>
// CHECK-NEXT: kernel.output %out : memref<4xf32> {name = "output_0", index = 0 : i64}
// CHECK-NEXT: kernel.output %r : memref<4xf32> {name = "output_1", index = 1 : i64}
// CHECK-NEXT: %out_1 = memref.alloc() {alignment = 16 : i64} : memref<4xf32>
// CHECK-NEXT: kernel.copy %r : memref<4xf32> -> %out_1 : memref<4xf32>
// CHECK-NEXT: kernel.output %out_1 : memref<4xf32> {name = "output_2", index = 2 : i64}
func.func @copies(%a: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %r = nn.relu %a : (tensor<4xf32>) -> tensor<4xf32>
  func.return %a, %r, %r : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}
