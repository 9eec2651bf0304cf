// The TFLite importer on real models: explicit pads, fused activations, int8 weights of
// a hybrid model kept as quantized constants. Needs ../shared/models.
// REQUIRES: models
// RUN: micro-translate --import-tflite %models/tflite/hello_world_float.tflite | filecheck %s --check-prefix=HELLO
// RUN: micro-translate --import-tflite %models/tflite/kws_ref_model_float32.tflite | filecheck %s --check-prefix=KWS
// RUN: micro-translate --import-tflite %models/tflite/vww_96_float.tflite | filecheck %s --check-prefix=VWW
// The output is IR micro-opt reads back:
// RUN: micro-translate --import-tflite %models/tflite/kws_ref_model_float32.tflite | micro-opt | filecheck %s --check-prefix=KWS

// HELLO:      builtin.module attributes {micro.source = "hello_world_float.tflite"} {
// HELLO-NEXT:   func.func @main(%[[X:.*]]: tensor<1x1xf32> {micro.name = "serving_default_dense_input:0"}) -> (tensor<1x1xf32> {micro.name = "StatefulPartitionedCall:0"}) {
// HELLO:          %[[H1:.*]] = nn.fully_connected %[[X]], %{{.*}}, %{{.*}} {activation = #nn<activation relu>} : (tensor<1x1xf32>, tensor<16x1xf32>, tensor<16xf32>) -> tensor<1x16xf32>
// HELLO:          %[[H2:.*]] = nn.fully_connected %[[H1]], %{{.*}}, %{{.*}} {activation = #nn<activation relu>} : (tensor<1x16xf32>, tensor<16x16xf32>, tensor<16xf32>) -> tensor<1x16xf32>
// HELLO:          %[[Y:.*]] = nn.fully_connected %[[H2]], %{{.*}}, %{{.*}} {activation = #nn<activation none>} : (tensor<1x16xf32>, tensor<1x16xf32>, tensor<1xf32>) -> tensor<1x1xf32>
// HELLO-NEXT:     func.return %[[Y]] : tensor<1x1xf32>

// KWS:       func.func @main(%{{.*}}: tensor<1x49x10x1xf32> {micro.name = "input_1"}) -> (tensor<1x12xf32> {micro.name = "Identity"})
// The first convolution: 10x4 int8 filter, stride 2, SAME padding resolved to pixels.
// KWS:       nn.constant {value = dense<"0x{{[0-9A-F]+}}"> : tensor<64x10x4x1xi8>} : tensor<64x10x4x1x!quant.uniform<i8:f32, 0.0020227544009685516:0>>
// KWS:       nn.conv2d {{.*}} {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 4, 1, 5, 1>, activation = #nn<activation relu>} : (tensor<1x49x10x1xf32>, tensor<64x10x4x1x!quant.uniform<i8:f32, 0.0020227544009685516:0>>, tensor<64xf32>) -> tensor<1x25x5x64xf32>
// KWS:       nn.depthwise_conv2d {{.*}} {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, depth_multiplier = 1 : i64, activation = #nn<activation relu>}
// KWS:       nn.avg_pool2d {{.*}} {kernel = array<i64: 25, 5>, strides = array<i64: 25, 5>, pads = array<i64: 0, 0, 0, 0>, activation = #nn<activation none>} : (tensor<1x25x5x64xf32>) -> tensor<1x1x1x64xf32>
// KWS:       nn.reshape {{.*}} : (tensor<1x1x1x64xf32>) -> tensor<1x64xf32>
// KWS:       nn.softmax {{.*}} {beta = 1.000000e+00 : f32} : (tensor<1x12xf32>) -> tensor<1x12xf32>

// A stride-2 SAME convolution on an even input pads only after (bottom/right).
// VWW:       nn.conv2d {{.*}} {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>, activation = #nn<activation relu>} : (tensor<1x96x96x3xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<1x48x48x8xf32>
