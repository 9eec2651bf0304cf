// The whole pipeline on the bundled example, stage by stage, with every C file of the
// project compiled.
// RUN: micro-translate --import-tflite %S/../../../examples/digits/digits_cnn.tflite -o %t.nn.mlir
// RUN: micro-opt %t.nn.mlir -p nn-fuse-activation,convert-nn-to-kernel,memory-plan | filecheck %s --check-prefix=PLAN
// RUN: micro-opt %t.nn.mlir -p nn-fuse-activation,convert-nn-to-kernel,memory-plan,convert-kernel-to-c -o %t.c.mlir
// RUN: micro-translate --emit-c %t.c.mlir | filecheck %s
// RUN: rm -rf %t.project && micro-translate --emit-c %t.c.mlir -o %t.project
// RUN: %if cc %{ %compile-project %cc %t.project | filecheck %s --check-prefix=BUILD %}
// BUILD: compiled 13 files

// PLAN: func.func @main(%arena: memref<3072xi8>) attributes {micro.arena_size = 3072 : i64, micro.live_set_peak = 3072 : i64, micro.memory_plan = "greedy_by_size"}
// PLAN: kernel.input %input : memref<1x8x8x1xf32> {name = "input", index = 0 : i64}
// PLAN: kernel.conv2d %input
// PLAN: kernel.output %probabilities : memref<1x10xf32> {name = "probabilities", index = 0 : i64}

// CHECK:      /* ===== src/net.c ===== */
// CHECK:      void net_inference(uint8_t *arena, const uint8_t *weights) {
// CHECK-NEXT:   /* 0: conv2d -> conv1_Relu [1x8x8x8] */
// CHECK-NEXT:   micro_conv2d_f32(
// CHECK:        /* 4: softmax -> probabilities [1x10] */
// CHECK-NEXT:   micro_softmax_f32(
// CHECK:      }
// CHECK:      const MicroModelDesc net_model = {
// CHECK:      /* ===== src/net.bin: 9136 bytes of data ===== */
