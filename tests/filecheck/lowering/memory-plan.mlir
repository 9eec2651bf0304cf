// RUN: micro-opt %s -p memory-plan --split-input-file | filecheck %s
// RUN: micro-opt %s -p 'memory-plan{algorithm=linear}' --split-input-file | filecheck %s --check-prefix=LINEAR
// RUN: micro-opt %s -p 'memory-plan{preserve-inputs=true}' --split-input-file | filecheck %s --check-prefix=PRESERVE

// x (256 B) dies at the first fully connected layer; h (128 B) is overwritten in place by
// relu into r; the reshape view v keeps r alive to the second layer; o lives to the end.
//   o  256 B  [fc2, end]  -> +0
//   x  256 B  [0, fc1]    -> +0    (never live with o)
//   h  128 B  [fc1, fc2]  -> +256  (live with x and with o)
// CHECK-LABEL: func.func @chain(%arena: memref<384xi8>) attributes {micro.arena_size = 384 : i64, micro.live_set_peak = 384 : i64, micro.memory_plan = "greedy_by_size"}
// CHECK:       %[[C0:.*]] = arith.constant 0 : index
// CHECK-NEXT:  %x = memref.view %arena[%[[C0]]][] : memref<384xi8> to memref<1x64xf32>
// CHECK:       %[[C256:.*]] = arith.constant 256 : index
// CHECK-NEXT:  %h = memref.view %arena[%[[C256]]][] : memref<384xi8> to memref<1x32xf32>
// CHECK:       %[[C256B:.*]] = arith.constant 256 : index
// CHECK-NEXT:  %r = memref.view %arena[%[[C256B]]][] : memref<384xi8> to memref<1x32xf32>
// CHECK:       %[[C0B:.*]] = arith.constant 0 : index
// CHECK-NEXT:  %o = memref.view %arena[%[[C0B]]][] : memref<384xi8> to memref<1x64xf32>
// Without reuse every buffer has bytes of its own (h and r still share: in place).
// LINEAR-LABEL: func.func @chain(%arena: memref<640xi8>)
// Keeping the input alive to the end stops o from reusing its bytes.
// PRESERVE-LABEL: func.func @chain(%arena: memref<640xi8>)
"memref.global"() <{sym_name = "w1", type = memref<4x64x8xf32>, initial_value = dense<1.0> : tensor<4x64x8xf32>, sym_visibility = "private", constant}> : () -> ()
"memref.global"() <{sym_name = "w2", type = memref<8x32x8xf32>, initial_value = dense<1.0> : tensor<8x32x8xf32>, sym_visibility = "private", constant}> : () -> ()
func.func @chain() {
  %x = memref.alloc() : memref<1x64xf32>
  kernel.input %x : memref<1x64xf32> {name = "x", index = 0 : i64}
  %w1 = memref.get_global @w1 : memref<4x64x8xf32>
  %h = memref.alloc() : memref<1x32xf32>
  kernel.fully_connected %x : memref<1x64xf32>, %w1 : memref<4x64x8xf32> -> %h : memref<1x32xf32> {backend = "generic"}
  %r = memref.alloc() : memref<1x32xf32>
  kernel.unary %h : memref<1x32xf32> -> %r : memref<1x32xf32> {backend = "generic", fn = "relu"}
  %v = kernel.reshape %r : memref<1x32xf32> to memref<4x8xf32>
  %w2 = memref.get_global @w2 : memref<8x32x8xf32>
  %o = memref.alloc() : memref<1x64xf32>
  kernel.fully_connected %v : memref<4x8xf32>, %w2 : memref<8x32x8xf32> -> %o : memref<1x64xf32> {backend = "generic"}
  kernel.output %o : memref<1x64xf32> {name = "o", index = 0 : i64}
  func.return
}

// -----

// A scratch buffer lives only during its kernel, so the next output can reuse it.
//   y   4 B x 64 = 256 B [conv, end] -> +0
//   s   64 B             [conv]      -> +256
//   x   12 B -> 16 B     [0, conv]   -> +320
// CHECK-LABEL: func.func @scratch(%arena: memref<336xi8>)
// An element-wise kernel over a dying graph input writes over it.
// CHECK-LABEL: func.func @in_place_input(%arena: memref<16xi8>)
// CHECK:       %[[A:.*]] = arith.constant 0 : index
// CHECK-NEXT:  %a = memref.view %arena[%[[A]]][] : memref<16xi8> to memref<4xf32>
// CHECK:       %[[B:.*]] = arith.constant 0 : index
// CHECK-NEXT:  %b = memref.view %arena[%[[B]]][] : memref<16xi8> to memref<4xf32>
// PRESERVE-LABEL: func.func @in_place_input(%arena: memref<32xi8>)
"memref.global"() <{sym_name = "w", type = memref<192xf32>, initial_value = dense<1.0> : tensor<192xf32>, sym_visibility = "private", constant}> : () -> ()
func.func @scratch() {
  %x = memref.alloc() : memref<1x1x1x3xf32>
  kernel.input %x : memref<1x1x1x3xf32> {name = "x", index = 0 : i64}
  %w = memref.get_global @w : memref<192xf32>
  %y = memref.alloc() : memref<1x1x1x64xf32>
  %s = memref.alloc() : memref<64xi8>
  kernel.conv2d %x : memref<1x1x1x3xf32>, %w : memref<192xf32> -> %y : memref<1x1x1x64xf32>, scratch %s : memref<64xi8> {backend = "generic", kernel_size = array<i64: 1, 1>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>}
  kernel.output %y : memref<1x1x1x64xf32> {name = "y", index = 0 : i64}
  func.return
}
func.func @in_place_input() {
  %a = memref.alloc() : memref<4xf32>
  kernel.input %a : memref<4xf32> {name = "a", index = 0 : i64}
  %b = memref.alloc() : memref<4xf32>
  kernel.unary %a : memref<4xf32> -> %b : memref<4xf32> {backend = "generic", fn = "tanh"}
  kernel.output %b : memref<4xf32> {name = "b", index = 0 : i64}
  func.return
}

// -----

// The hybrid convolution's scratch (the int8 copy of its input, 32 B) overwrites its
// float input (64 B) when the input dies there: the arena holds input/scratch and output.
// CHECK-LABEL: func.func @hybrid_scratch_in_input(%arena: memref<128xi8>)
// CHECK:       %[[XO:.*]] = arith.constant [[X:[0-9]+]] : index
// CHECK-NEXT:  %x = memref.view %arena[%[[XO]]][]
// CHECK:       %[[SO:.*]] = arith.constant [[X]] : index
// CHECK-NEXT:  %s = memref.view %arena[%[[SO]]][]
// With the input preserved, the scratch needs bytes of its own.
// PRESERVE-LABEL: func.func @hybrid_scratch_in_input(%arena: memref<160xi8>)
"memref.global"() <{sym_name = "q", type = memref<4x1x1x4xi8>, initial_value = dense<1> : tensor<4x1x1x4xi8>, sym_visibility = "private", constant}> : () -> ()
func.func @hybrid_scratch_in_input() {
  %x = memref.alloc() : memref<1x2x2x4xf32>
  kernel.input %x : memref<1x2x2x4xf32> {name = "x", index = 0 : i64}
  %q = memref.get_global @q : memref<4x1x1x4xi8>
  %y = memref.alloc() : memref<1x2x2x4xf32>
  %s = memref.alloc() : memref<32xi8>
  kernel.conv2d_hybrid %x : memref<1x2x2x4xf32>, %q : memref<4x1x1x4xi8> -> %y : memref<1x2x2x4xf32>, scratch %s : memref<32xi8> {backend = "generic", kernel_size = array<i64: 1, 1>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, filter_scale = 0.5 : f32}
  kernel.output %y : memref<1x2x2x4xf32> {name = "y", index = 0 : i64}
  func.return
}
