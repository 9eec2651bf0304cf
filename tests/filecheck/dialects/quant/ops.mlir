// RUN: MICRO_ROUNDTRIP
// RUN: MICRO_GENERIC_ROUNDTRIP

// CHECK: "test.op"() {per_tensor = !quant.uniform<i8:f32, 0.5:-3>} : () -> ()
"test.op"() {per_tensor = !quant.uniform<i8:f32, 0.5:-3>} : () -> ()

// A zero point may be omitted (it is then 0).
// CHECK: "test.op"() {implicit_zero = !quant.uniform<i8:f32, 0.25:0>} : () -> ()
"test.op"() {implicit_zero = !quant.uniform<i8:f32, 0.25>} : () -> ()

// CHECK: "test.op"() {per_axis = !quant.uniform<i8:f32:0, {0.1:0, 0.25:0, 0.0078431377:-1}>} : () -> ()
"test.op"() {per_axis = !quant.uniform<i8:f32:0, {0.1:0, 0.25:0, 0.0078431377:-1}>} : () -> ()

// CHECK: %t = "test.op"() : () -> tensor<2x3x!quant.uniform<i8:f32, 0.5:0>>
%t = "test.op"() : () -> tensor<2x3x!quant.uniform<i8:f32, 0.5:0>>

%f = "test.op"() : () -> tensor<2x3xf32>
// CHECK: %q = quant.quantize %f : (tensor<2x3xf32>) -> tensor<2x3x!quant.uniform<i8:f32, 0.5:-3>>
%q = quant.quantize %f : (tensor<2x3xf32>) -> tensor<2x3x!quant.uniform<i8:f32, 0.5:-3>>
// CHECK: %r = quant.requantize %q : (tensor<2x3x!quant.uniform<i8:f32, 0.5:-3>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.25:7>>
%r = quant.requantize %q : (tensor<2x3x!quant.uniform<i8:f32, 0.5:-3>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.25:7>>
// CHECK: %d = quant.dequantize %r : (tensor<2x3x!quant.uniform<i8:f32, 0.25:7>>) -> tensor<2x3xf32>
%d = quant.dequantize %r : (tensor<2x3x!quant.uniform<i8:f32, 0.25:7>>) -> tensor<2x3xf32>
