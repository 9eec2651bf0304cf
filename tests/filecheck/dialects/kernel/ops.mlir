// RUN: MICRO_ROUNDTRIP
// RUN: MICRO_GENERIC_ROUNDTRIP

%x = memref.alloc() : memref<1x8x8x3xf32>
// CHECK: kernel.input %x : memref<1x8x8x3xf32> {name = "input_1", index = 0 : i64}
kernel.input %x : memref<1x8x8x3xf32> {name = "input_1", index = 0 : i64}
%w = memref.get_global @w : memref<216xf32>
%b = memref.get_global @b : memref<4xf32>
%y = memref.alloc() : memref<1x8x8x4xf32>
%s = memref.alloc() : memref<6912xi8>
// CHECK: kernel.conv2d %x : memref<1x8x8x3xf32>, %w : memref<216xf32>, bias %b : memref<4xf32> -> %y : memref<1x8x8x4xf32>, scratch %s : memref<6912xi8> {backend = "generic", kernel_size = array<i64: 3, 3>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, activation = #nn<activation relu>}
kernel.conv2d %x : memref<1x8x8x3xf32>, %w : memref<216xf32>, bias %b : memref<4xf32> -> %y : memref<1x8x8x4xf32>, scratch %s : memref<6912xi8> {backend = "generic", kernel_size = array<i64: 3, 3>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, activation = #nn<activation relu>}

%qw = memref.get_global @qw : memref<4x3x3x3xi8>
%h = memref.alloc() : memref<1x6x6x4xf32>
// Bias and scratch are optional.
// CHECK: kernel.conv2d_hybrid %x : memref<1x8x8x3xf32>, %qw : memref<4x3x3x3xi8> -> %h : memref<1x6x6x4xf32> {backend = "generic", kernel_size = array<i64: 3, 3>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, filter_scale = 5.000000e-01 : f32}
kernel.conv2d_hybrid %x : memref<1x8x8x3xf32>, %qw : memref<4x3x3x3xi8> -> %h : memref<1x6x6x4xf32> {backend = "generic", kernel_size = array<i64: 3, 3>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, filter_scale = 0.5 : f32}

%dw = memref.get_global @dw : memref<1x3x3x4xf32>
%d = memref.alloc() : memref<1x8x8x4xf32>
// CHECK: kernel.depthwise_conv2d %y : memref<1x8x8x4xf32>, %dw : memref<1x3x3x4xf32> -> %d : memref<1x8x8x4xf32> {backend = "generic", kernel_size = array<i64: 3, 3>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, depth_multiplier = 1 : i64}
kernel.depthwise_conv2d %y : memref<1x8x8x4xf32>, %dw : memref<1x3x3x4xf32> -> %d : memref<1x8x8x4xf32> {backend = "generic", kernel_size = array<i64: 3, 3>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, depth_multiplier = 1 : i64}

%p = memref.alloc() : memref<1x4x4x4xf32>
// CHECK: kernel.pool2d %d : memref<1x8x8x4xf32> -> %p : memref<1x4x4x4xf32> {backend = "generic", mode = "avg", kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, count_include_pad = 0 : i64}
kernel.pool2d %d : memref<1x8x8x4xf32> -> %p : memref<1x4x4x4xf32> {backend = "generic", mode = "avg", kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, count_include_pad = 0 : i64}

// CHECK: %r = kernel.reshape %p : memref<1x4x4x4xf32> to memref<1x64xf32>
%r = kernel.reshape %p : memref<1x4x4x4xf32> to memref<1x64xf32>
%fw = memref.get_global @fw : memref<2x64x8xf32>
%f = memref.alloc() : memref<1x10xf32>
// CHECK: kernel.fully_connected %r : memref<1x64xf32>, %fw : memref<2x64x8xf32> -> %f : memref<1x10xf32> {backend = "generic"}
kernel.fully_connected %r : memref<1x64xf32>, %fw : memref<2x64x8xf32> -> %f : memref<1x10xf32> {backend = "generic"}
// CHECK: kernel.binary %f : memref<1x10xf32>, %f : memref<1x10xf32> -> %f : memref<1x10xf32> {backend = "generic", fn = "add"}
kernel.binary %f : memref<1x10xf32>, %f : memref<1x10xf32> -> %f : memref<1x10xf32> {backend = "generic", fn = "add"}
// CHECK: kernel.unary %f : memref<1x10xf32> -> %f : memref<1x10xf32> {backend = "generic", fn = "relu6"}
kernel.unary %f : memref<1x10xf32> -> %f : memref<1x10xf32> {backend = "generic", fn = "relu6"}
%o = memref.alloc() : memref<1x10xf32>
// CHECK: kernel.softmax %f : memref<1x10xf32> -> %o : memref<1x10xf32> {backend = "generic", beta = 1.000000e+00 : f32}
kernel.softmax %f : memref<1x10xf32> -> %o : memref<1x10xf32> {backend = "generic", beta = 1.0 : f32}
%o2 = memref.alloc() : memref<1x10xf32>
// CHECK: kernel.copy %o : memref<1x10xf32> -> %o2 : memref<1x10xf32>
kernel.copy %o : memref<1x10xf32> -> %o2 : memref<1x10xf32>
// CHECK: kernel.output %o2 : memref<1x10xf32> {name = "probabilities", index = 0 : i64}
kernel.output %o2 : memref<1x10xf32> {name = "probabilities", index = 0 : i64}

%mi = memref.alloc() : memref<1x4x4x8xf32>
%mo = memref.alloc() : memref<1x8xf32>
// CHECK: kernel.call "micro_mean_f32"(%mi, %mo) {backend = "generic", header = "generic/fp32/mean_f32.h", writes = array<i64: 1>, params_type = "MicroMeanParams", params = {ndim = 4 : i32, in_shape = [1 : i32, 4 : i32, 4 : i32, 8 : i32, 0 : i32, 0 : i32], reduce = [0 : i32, 1 : i32, 1 : i32, 0 : i32, 0 : i32, 0 : i32]}} : memref<1x4x4x8xf32>, memref<1x8xf32>
kernel.call "micro_mean_f32"(%mi, %mo) {backend = "generic", header = "generic/fp32/mean_f32.h", writes = array<i64: 1>, params_type = "MicroMeanParams", params = {ndim = 4 : i32, in_shape = [1 : i32, 4 : i32, 4 : i32, 8 : i32, 0 : i32, 0 : i32], reduce = [0 : i32, 1 : i32, 1 : i32, 0 : i32, 0 : i32, 0 : i32]}} : memref<1x4x4x8xf32>, memref<1x8xf32>
%sc = memref.alloc() : memref<64xi8>
// CHECK: kernel.call "micro_k"(%mi, %mo, %sc) {backend = "generic", header = "generic/k.h", writes = array<i64: 1, 2>, scratch = 2 : i64, in_place = array<i64: 2, 0, 0>} : memref<1x4x4x8xf32>, memref<1x8xf32>, memref<64xi8>
kernel.call "micro_k"(%mi, %mo, %sc) {backend = "generic", header = "generic/k.h", writes = array<i64: 1, 2>, scratch = 2 : i64, in_place = array<i64: 2, 0, 0>} : memref<1x4x4x8xf32>, memref<1x8xf32>, memref<64xi8>
// Literal C arguments are spliced in at their positions (here: between the buffers).
// CHECK: kernel.call "micro_lut_s8"(%lin, %lout, %ltab) {backend = "generic", header = "generic/int8/activation_s8.h", writes = array<i64: 1>, in_place = array<i64: 1, 0, 1>, literals = {"2" = "32"}} : memref<32xi8>, memref<32xi8>, memref<256xi8>
%lin = memref.alloc() : memref<32xi8>
%lout = memref.alloc() : memref<32xi8>
%ltab = memref.get_global @table : memref<256xi8>
kernel.call "micro_lut_s8"(%lin, %lout, %ltab) {backend = "generic", header = "generic/int8/activation_s8.h", writes = array<i64: 1>, in_place = array<i64: 1, 0, 1>, literals = {"2" = "32"}} : memref<32xi8>, memref<32xi8>, memref<256xi8>
// Graph inputs and outputs may carry their quantization.
// CHECK: kernel.input %lin : memref<32xi8> {name = "q", index = 1 : i64, scale = 5.000000e-01 : f64, zero_point = -3 : i32}
kernel.input %lin : memref<32xi8> {name = "q", index = 1 : i64, scale = 0.5 : f64, zero_point = -3 : i32}
