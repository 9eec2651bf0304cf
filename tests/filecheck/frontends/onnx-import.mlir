// The ONNX importer on real models: NCHW operators wrapped in explicit transposes to
// nn's NHWC (which nn-layout then cancels), weights as constants, a symbolic batch
// dimension fixed with --inputShape. Needs ../shared/models.
// REQUIRES: models
// RUN: micro-translate --import-onnx %models/onnx/mnist.onnx | filecheck %s --check-prefix=MNIST
// RUN: micro-translate --import-onnx %models/onnx/mnist.onnx | micro-opt -p nn-layout,nn-fold-affine,nn-fuse-activation | filecheck %s --check-prefix=LAYOUT
// RUN: micro-translate --import-onnx %models/onnx/hello_world.onnx --inputShape=dense_2_input:1,1 | filecheck %s --check-prefix=HELLO
// RUN: not micro-translate --import-onnx %models/onnx/hello_world.onnx 2>&1 | filecheck %s --check-prefix=SYMBOLIC

// MNIST:      builtin.module attributes {micro.source = "mnist.onnx", micro.layout = "onnx"} {
// MNIST-NEXT:   func.func @main(%[[X:.*]]: tensor<1x1x28x28xf32> {micro.name = "Input3"}) -> (tensor<1x10xf32> {micro.name = "Plus214_Output_0"}) {
// MNIST:          %[[T:.*]] = nn.transpose %[[X]] {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x1x28x28xf32>) -> tensor<1x28x28x1xf32>
// MNIST:          %[[C:.*]] = nn.conv2d %[[T]], %{{.*}} {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 2, 2, 2, 2>, activation = #nn<activation none>} : (tensor<1x28x28x1xf32>, tensor<8x5x5x1xf32>) -> tensor<1x28x28x8xf32>
// MNIST-NEXT:     %{{.*}} = nn.transpose %[[C]] {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x28x28x8xf32>) -> tensor<1x8x28x28xf32>

// After nn-layout the graph is what a TFLite converter would write: no transpose left
// (C = 1 makes the input's a reshape), biases and ReLUs folded into the convolutions.
// LAYOUT-NOT:  nn.transpose
// LAYOUT:      nn.reshape %{{.*}} : (tensor<1x1x28x28xf32>) -> tensor<1x28x28x1xf32>
// LAYOUT:      nn.conv2d {{.*}}activation = #nn<activation relu>
// LAYOUT-NEXT: nn.max_pool2d
// LAYOUT:      nn.conv2d {{.*}}activation = #nn<activation relu>
// LAYOUT-NEXT: nn.max_pool2d
// LAYOUT-NEXT: nn.reshape {{.*}} -> tensor<1x256xf32>
// LAYOUT:      nn.fully_connected
// LAYOUT-NOT:  nn.transpose

// HELLO:      func.func @main(%{{.*}}: tensor<1x1xf32> {micro.name = "dense_2_input"}) -> (tensor<1x1xf32> {micro.name = "dense_4"})

// SYMBOLIC: error: {{.*}}hello_world.onnx: input 'dense_2_input' has a symbolic dimension 'N' (shape ['N', 1]); give a static shape with --inputShape="dense_2_input:1,1"
