// RUN: micro-opt %s --verify-diagnostics --split-input-file | filecheck %s

%x = memref.alloc() : memref<1x8x8x3xf32>
%w = memref.alloc() : memref<200xf32>
%y = memref.alloc() : memref<1x8x8x4xf32>
// CHECK: 'kernel.conv2d' packed filter holds 200 floats, expected 216
kernel.conv2d %x : memref<1x8x8x3xf32>, %w : memref<200xf32> -> %y : memref<1x8x8x4xf32> {backend = "generic", kernel_size = array<i64: 3, 3>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>}

// -----

%x = memref.alloc() : memref<1x8x8x3xf32>
%w = memref.alloc() : memref<4x3x3x3xf32>
%y = memref.alloc() : memref<1x6x6x4xf32>
// CHECK: 'kernel.conv2d_hybrid' expects a filter of element type i8
kernel.conv2d_hybrid %x : memref<1x8x8x3xf32>, %w : memref<4x3x3x3xf32> -> %y : memref<1x6x6x4xf32> {backend = "generic", kernel_size = array<i64: 3, 3>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, filter_scale = 0.5 : f32}

// -----

%x = memref.alloc() : memref<1x8x8x3xf32>
%w = memref.alloc() : memref<4x3x3x3xi8>
%y = memref.alloc() : memref<1x4x4x4xf32>
// CHECK: 'kernel.conv2d_hybrid' supports dilation 1 only
kernel.conv2d_hybrid %x : memref<1x8x8x3xf32>, %w : memref<4x3x3x3xi8> -> %y : memref<1x4x4x4xf32> {backend = "generic", kernel_size = array<i64: 3, 3>, strides = array<i64: 1, 1>, dilations = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, filter_scale = 0.5 : f32}

// -----

%x = memref.alloc() : memref<1x64xf32>
%w = memref.alloc() : memref<2x60x8xf32>
%y = memref.alloc() : memref<1x10xf32>
// CHECK: 'kernel.fully_connected' shapes do not match
kernel.fully_connected %x : memref<1x64xf32>, %w : memref<2x60x8xf32> -> %y : memref<1x10xf32> {backend = "generic"}

// -----

%x = memref.alloc() : memref<1x64xf32>
%w = memref.alloc() : memref<1x64x8xf32>
%y = memref.alloc() : memref<1x10xf32>
// CHECK: 'kernel.fully_connected' packed weights memref<1x64x8xf32> do not hold 10 outputs in panels of 8
kernel.fully_connected %x : memref<1x64xf32>, %w : memref<1x64x8xf32> -> %y : memref<1x10xf32> {backend = "generic"}

// -----

%x = memref.alloc() : memref<4xf32>
// CHECK: 'kernel.binary' fn 'pow' is not one of add, sub, mul, div, maximum, minimum
kernel.binary %x : memref<4xf32>, %x : memref<4xf32> -> %x : memref<4xf32> {backend = "generic", fn = "pow"}

// -----

%x = memref.alloc() : memref<4xf32>
%y = memref.alloc() : memref<5xf32>
// CHECK: 'kernel.unary' input and output shapes differ
kernel.unary %x : memref<4xf32> -> %y : memref<5xf32> {backend = "generic", fn = "relu"}

// -----

%x = memref.alloc() : memref<4xf32>
// CHECK: 'kernel.reshape' element counts differ
%r = kernel.reshape %x : memref<4xf32> to memref<2x3xf32>

// -----

%x = memref.alloc() : memref<1x4x4x4xf32>
%y = memref.alloc() : memref<1x2x2x4xf32>
// CHECK: 'kernel.pool2d' mode must be 'avg' or 'max'
kernel.pool2d %x : memref<1x4x4x4xf32> -> %y : memref<1x2x2x4xf32> {backend = "generic", mode = "min", kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, count_include_pad = 0 : i64}

// -----

%x = memref.alloc() : memref<4xf32>
// CHECK: 'kernel.call' writes [3] must name distinct operands of 1
kernel.call "micro_k"(%x) {backend = "generic", header = "generic/k.h", writes = array<i64: 3>} : memref<4xf32>

// -----

%x = memref.alloc() : memref<4xf32>
%y = memref.alloc() : memref<4xf32>
// CHECK: 'kernel.call' scratch operand must be written
kernel.call "micro_k"(%x, %y) {backend = "generic", header = "generic/k.h", writes = array<i64: 1>, scratch = 0 : i64} : memref<4xf32>, memref<4xf32>

// -----

%x = memref.alloc() : memref<4xf32>
// CHECK: 'kernel.call' callee 'not a name' is not a C name
kernel.call "not a name"(%x) {backend = "generic", header = "generic/k.h", writes = array<i64: 0>} : memref<4xf32>

// -----

%x = memref.alloc() : memref<4xf32>
// CHECK: 'kernel.call' params and params_type go together
kernel.call "micro_k"(%x) {backend = "generic", header = "generic/k.h", writes = array<i64: 0>, params = {n = 1 : i32}} : memref<4xf32>

// -----

%x = memref.alloc() : memref<4xf32>
// CHECK: 'kernel.call' literal position '5' is not an argument position (0..1)
kernel.call "micro_k"(%x) {backend = "generic", header = "generic/k.h", writes = array<i64: 0>, literals = {"5" = "NULL"}} : memref<4xf32>

// -----

%x = memref.alloc() : memref<4xi8>
// CHECK: 'kernel.input' scale and zero_point go together
kernel.input %x : memref<4xi8> {name = "q", index = 0 : i64, scale = 0.5 : f64}
