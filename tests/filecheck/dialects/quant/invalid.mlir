// RUN: micro-opt %s --parsing-diagnostics --verify-diagnostics --split-input-file | filecheck %s

// CHECK: quantization scale must be positive and finite, got -0.5
"test.op"() {t = !quant.uniform<i8:f32, -0.5:0>} : () -> ()

// -----

// CHECK: zero point 200 is outside the range [-128, 127] of i8
"test.op"() {t = !quant.uniform<i8:f32, 0.5:200>} : () -> ()

// -----

// CHECK: quantized storage type must be an integer type
"test.op"() {t = !quant.uniform<f32:f32, 0.5:0>} : () -> ()

// -----

// CHECK: per-axis quantization needs at least one scale
"test.op"() {t = !quant.uniform<i8:f32:0, {}>} : () -> ()

// -----

%f = "test.op"() : () -> tensor<2x3xf32>
// CHECK: 'quant.quantize' input shape (2, 3) and result shape (3, 2) differ
%q = quant.quantize %f : (tensor<2x3xf32>) -> tensor<3x2x!quant.uniform<i8:f32, 0.5:-3>>

// -----

%f = "test.op"() : () -> tensor<2x3xf32>
// CHECK: 'quant.dequantize' converts a quantized tensor into a float one, not f32 into f32
%d = quant.dequantize %f : (tensor<2x3xf32>) -> tensor<2x3xf32>

// -----

%f = "test.op"() : () -> tensor<2x3xf32>
// CHECK: 'quant.requantize' converts between per-tensor quantized types, not f32 into !quant.uniform<i8:f32, 0.5:0>
%r = quant.requantize %f : (tensor<2x3xf32>) -> tensor<2x3x!quant.uniform<i8:f32, 0.5:0>>
