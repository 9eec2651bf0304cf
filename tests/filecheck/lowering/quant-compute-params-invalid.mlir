// RUN: not micro-opt %s -p quant-compute-params 2>&1 | filecheck %s

// An int8 softmax whose output quantization TFLite rejects: named, on one line.
// CHECK: error: <module>: nn.softmax (producing 's'): an int8 softmax output needs scale 1/256 and zero point -128
// CHECK-NOT: Traceback
func.func @bad(%x: tensor<1x4x!quant.uniform<i8:f32, 0.1:0>>) -> tensor<1x4x!quant.uniform<i8:f32, 0.01:0>> {
  %s = nn.softmax %x {beta = 1.0 : f32} : (tensor<1x4x!quant.uniform<i8:f32, 0.1:0>>) -> tensor<1x4x!quant.uniform<i8:f32, 0.01:0>>
  func.return %s : tensor<1x4x!quant.uniform<i8:f32, 0.01:0>>
}
