// RUN: micro-opt %s -p convert-kernel-to-c | filecheck %s

// For a Cortex-M target the weights are compiled in: weight.c defines them as one const
// 16-byte-aligned byte array (flash), weight.h declares it, the model description points
// at it, and there is no net.bin. The runtime is configured with no heap, no files and no
// stdio (a generated micro_config.h instead of the library's), and the benchmark is the
// microcontroller one (data baked in, no files).
// CHECK:        c.global @net_model : !c.opaque<"MicroModelDesc"> {init = #c.struct<{{.*}}["flash_weights", @net_weights]{{.*}}>, const}
// CHECK:        c.file "src/weight.h"
// CHECK:          c.global @net_weights : !c.array<144 x ui8> {extern, const}
// CHECK:        c.file "src/weight.c"
// CHECK:          c.global @net_weights : !c.array<144 x ui8> {init = dense<"0x0000803F0000A040{{[0-9A-F]+}}"> : tensor<144xui8>, const, align = 16 : i64}
// CHECK-NOT:    c.binary_file
// CHECK:        c.file "src/micro_config.h" guard "MICRO_CONFIG_H_" {
// CHECK:          c.define "MICRO_NO_MALLOC" "1"
// CHECK-NEXT:     c.define "MICRO_NO_FILESYSTEM" "1"
// CHECK-NEXT:     c.define "MICRO_NO_LOG" "1"
// CHECK-NOT:    c.copy_file "src/micro_config.h"
// CHECK:        c.copy_file "src/allocator.c" from "runtime/allocator.c"
// CHECK:        c.copy_file "benchmark/benchmark.c" from "benchmark/benchmark_mcu.c"
// CHECK-NOT:    load_input
// CHECK-NOT:    c.copy_file "src/kernels/conv2d
builtin.module attributes {micro.source = "tiny.tflite", micro.target = "cortex-m7"} {
  "memref.global"() <{sym_name = "w", type = memref<1x4x8xf32>, initial_value = dense<[[[1.0, 5.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [2.0, 6.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [3.0, 7.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [4.0, 8.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]]]> : tensor<1x4x8xf32>, sym_visibility = "private", constant}> : () -> ()
  "memref.global"() <{sym_name = "b", type = memref<2xf32>, initial_value = dense<[0.5, -0.5]> : tensor<2xf32>, sym_visibility = "private", constant}> : () -> ()
  func.func @main(%arena: memref<32xi8>) attributes {micro.arena_size = 32 : i64} {
    %c0 = arith.constant 0 : index
    %x = memref.view %arena[%c0][] : memref<32xi8> to memref<1x4xf32>
    kernel.input %x : memref<1x4xf32> {name = "in", index = 0 : i64}
    %w = memref.get_global @w : memref<1x4x8xf32>
    %b = memref.get_global @b : memref<2xf32>
    %c16 = arith.constant 16 : index
    %y = memref.view %arena[%c16][] : memref<32xi8> to memref<1x2xf32>
    kernel.fully_connected %x : memref<1x4xf32>, %w : memref<1x4x8xf32>, bias %b : memref<2xf32> -> %y : memref<1x2xf32> {backend = "generic", activation = #nn<activation relu6>}
    %c0_1 = arith.constant 0 : index
    %z = memref.view %arena[%c0_1][] : memref<32xi8> to memref<1x2xf32>
    kernel.softmax %y : memref<1x2xf32> -> %z : memref<1x2xf32> {backend = "generic", beta = 1.0 : f32}
    kernel.output %z : memref<1x2xf32> {name = "probs", index = 0 : i64}
    func.return
  }
}
