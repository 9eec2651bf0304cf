// RUN: micro-opt %s -p convert-nn-to-kernel | filecheck %s

// The general tensor operators (ONNX's) become `kernel.call`s of the kernels in
// kernels/generic/tensor and kernels/generic/fp32 with their parameter structs computed at
// compile time: shapes collapsed (a 2x3 element-wise operation is 6 elements in one
// dimension), a splat read as one element with stride 0, element sizes and index widths
// recorded, a reduction's scratch (one double per output) allocated.

// CHECK-LABEL: func.func @ops()
func.func @ops(%x: tensor<2x3xf32>, %i: tensor<2xi64>, %c: tensor<2x3xi1>) -> (tensor<2x3xf32>, tensor<2x3xi1>, tensor<3xf32>, tensor<2x2xf32>, tensor<2x3xf32>, tensor<3x2xf32>) {
  %e = nn.unary %x {fn = "erf"} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %s = nn.splat {value = 2.0 : f32} : tensor<2x3xf32>
  %p = nn.binary %e, %s {fn = "pow"} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %l = nn.compare %p, %x {fn = "less"} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xi1>
  %r = nn.reduce %x {fn = "max", axes = array<i64: 0>, keep_dims = 0 : i64} : (tensor<2x3xf32>) -> tensor<3xf32>
  %g = nn.gather %x, %i {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<2x2xf32>
  %w = nn.where %c, %x, %p : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %t = nn.transpose %x {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  func.return %p, %l, %r, %g, %w, %t : tensor<2x3xf32>, tensor<2x3xi1>, tensor<3xf32>, tensor<2x2xf32>, tensor<2x3xf32>, tensor<3x2xf32>
}
// CHECK:      %[[X:.*]] = memref.alloc() {alignment = 16 : i64} : memref<2x3xf32>
// CHECK:      %[[I:.*]] = memref.alloc() {alignment = 16 : i64} : memref<2xi64>
// CHECK:      %[[C:.*]] = memref.alloc() {alignment = 16 : i64} : memref<2x3xi1>
// CHECK:      kernel.call "micro_math_f32"(%[[X]], %[[E:.*]]) {{{.*}}header = "generic/fp32/math_f32.h", writes = array<i64: 1>, in_place = array<i64: 1, 0, 1>, params_type = "MicroMathParams", params = {count = 6 : i32, fn = 5 : i32
// CHECK-NEXT: %[[S:.*]] = memref.get_global @s_value : memref<1xf32>
// CHECK:      kernel.call "micro_binary_f32"(%[[E]], %[[S]], %[[P:.*]]) {{{.*}}params = {ndim = 1 : i32, out_shape = [6 : i32, {{.*}}], a_strides = [1 : i32, {{.*}}], b_strides = [0 : i32, {{.*}}], fn = 6 : i32}}
// CHECK:      kernel.call "micro_compare_f32"(%[[P]], %[[X]], %[[L:.*]]) {{{.*}}fn = 1 : i32}} : memref<2x3xf32>, memref<2x3xf32>, memref<2x3xi1>
// CHECK:      %[[SCRATCH:.*]] = memref.alloc() {alignment = 16 : i64} : memref<24xi8>
// CHECK-NEXT: kernel.call "micro_reduce_f32"(%[[X]], %{{.*}}, %[[SCRATCH]]) {{{.*}}writes = array<i64: 1, 2>, scratch = 2 : i64, params_type = "MicroReduceParams", params = {ndim = 2 : i32, in_shape = [2 : i32, 3 : i32, {{.*}}], reduce = [1 : i32, 0 : i32, {{.*}}], fn = 2 : i32}}
// CHECK:      kernel.call "micro_gather"(%[[X]], %[[I]], %{{.*}}) {{{.*}}params = {outer = 2 : i32, axis_size = 3 : i32, inner = 1 : i32, index_count = 2 : i32, elem_size = 4 : i32, index_bytes = 8 : i32}}
// CHECK:      kernel.call "micro_where"(%[[C]], %[[X]], %[[P]], %{{.*}}) {{{.*}}writes = array<i64: 3>
// CHECK:      kernel.call "micro_transpose"(%[[X]], %{{.*}})
