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
"test.op"() {t = !quant.uniform_per_axis<i8:f32:0, {}>} : () -> ()
