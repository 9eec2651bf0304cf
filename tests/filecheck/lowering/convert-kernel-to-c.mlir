// RUN: micro-opt %s -p convert-kernel-to-c | filecheck %s

// The weights go into the blob in order of first use, 16-byte aligned: w (one packed
// panel, 128 B) at 0, b at 128 (8 B, padded to 144); the CRC-32 is zlib's over the 144 B.
// CHECK:      builtin.module attributes {micro.source = "tiny.tflite", micro.target = "x86", micro.weight_size = 144 : i64} {
// CHECK-NEXT:   c.file "src/net.h" guard "MICRO_NET_H_" {
// CHECK:          c.define "NET_ARENA_SIZE" "32"
// CHECK-NEXT:     c.define "NET_WEIGHT_SIZE" "144"
// CHECK-NEXT:     c.define "NET_INPUT_NUM" "1"
// CHECK-NEXT:     c.define "NET_OUTPUT_NUM" "1"
// CHECK:          c.func @net_inference(["arena", "weights"]) : (!c.ptr<ui8>, !c.ptr<const ui8>) -> () {
// CHECK-NEXT:     }
// CHECK-NEXT:     c.global @net_model : !c.opaque<"MicroModelDesc"> {extern, const}
// CHECK:        c.file "src/net.c" {
// CHECK:          c.include "fully_connected_f32.h"
// CHECK-NEXT:     c.include "softmax_f32.h"
// CHECK-NEXT:     c.global @k0_params : !c.opaque<"MicroFullyConnectedParams"> {init = #c.struct<["batch", 1 : i32], ["in_features", 4 : i32], ["out_features", 2 : i32], ["act_min", 0.000000e+00 : f32], ["act_max", 6.000000e+00 : f32]>, static, const}
// CHECK-NEXT:     c.global @k1_params : !c.opaque<"MicroSoftmaxParams"> {init = #c.struct<["outer", 1 : i32], ["axis_size", 2 : i32], ["beta", 1.000000e+00 : f32]>, static, const}
// CHECK-NEXT:     c.func @net_inference(["arena", "weights"]) : (!c.ptr<ui8>, !c.ptr<const ui8>) -> () {
// CHECK-NEXT:     ^bb0(%[[ARENA:.*]]: !c.ptr<ui8>, %[[W:.*]]: !c.ptr<const ui8>):
// CHECK-NEXT:       c.comment "0: fully_connected -> y [1x2]"
// CHECK-NEXT:       %[[IN:.*]] = c.offset %[[ARENA]][0 : i64] : !c.ptr<ui8> -> !c.ptr<const f32>
// CHECK-NEXT:       %[[WP:.*]] = c.offset %[[W]][0 : i64] : !c.ptr<const ui8> -> !c.ptr<const f32>
// CHECK-NEXT:       %[[BP:.*]] = c.offset %[[W]][128 : i64] : !c.ptr<const ui8> -> !c.ptr<const f32>
// CHECK-NEXT:       %[[OUT:.*]] = c.offset %[[ARENA]][16 : i64] : !c.ptr<ui8> -> !c.ptr<f32>
// CHECK-NEXT:       %[[P:.*]] = c.addr_of @k0_params
// CHECK-NEXT:       c.call @micro_fully_connected_f32(%[[IN]], %[[WP]], %[[BP]], %[[OUT]], %[[P]])
// CHECK-NEXT:       c.comment "1: softmax -> z [1x2]"
// CHECK:            c.call @micro_softmax_f32(
// CHECK-NEXT:       c.return
// CHECK-NEXT:     }
// CHECK-NEXT:     c.global @net_inputs : !c.array<1 x !c.opaque<"MicroTensorDesc">> {init = [#c.struct<["name", "in"], ["data_type", #c.expr<"kMSDataTypeNumberTypeFloat32">], ["format", #c.expr<"kMSFormatNHWC">], ["ndim", 2 : i32], ["shape", [1 : i64, 4 : i64]], ["offset", 0 : i64], ["size", 16 : i64]
// CHECK-NEXT:     c.global @net_outputs : !c.array<1 x !c.opaque<"MicroTensorDesc">> {init = [#c.struct<["name", "probs"], {{.*}}["offset", 0 : i64], ["size", 8 : i64]
// CHECK-NEXT:     c.global @net_model : !c.opaque<"MicroModelDesc"> {init = #c.struct<["name", "tiny"], ["arena_size", 32 : i64], ["weight_size", 144 : i64], ["weight_crc32", #c.expr<"0xDA28305Au">], ["flash_weights", #c.expr<"NULL">], ["input_num", 1 : i32], ["inputs", @net_inputs], ["output_num", 1 : i32], ["outputs", @net_outputs], ["inference", @net_inference]>, const}
// CHECK:        c.file "src/weight.c" {
// CHECK:          c.global @net_weight_table : !c.array<2 x !c.opaque<"MicroWeightDesc">> {init = [#c.struct<["name", "w"], ["offset", 0 : i64], ["size", 128 : i64]>, #c.struct<["name", "b"], ["offset", 128 : i64], ["size", 8 : i64]>], const}
// CHECK:        c.binary_file "src/net.bin" {data = dense<"0x0000803F0000A040{{0+}}400000C040{{.*}}"> : tensor<144xui8>}
// Exactly the kernels called, with the headers they include:
// CHECK-NEXT:   c.copy_file "src/kernels/fully_connected_f32.c" from "generic/fp32/fully_connected_f32.c"
// CHECK-NEXT:   c.copy_file "src/kernels/fully_connected_f32.h" from "generic/fp32/fully_connected_f32.h"
// CHECK-NEXT:   c.copy_file "src/kernels/micro_common.h" from "generic/micro_common.h"
// CHECK-NEXT:   c.copy_file "src/kernels/softmax_f32.c" from "generic/fp32/softmax_f32.c"
// CHECK-NEXT:   c.copy_file "src/kernels/softmax_f32.h" from "generic/fp32/softmax_f32.h"
// CHECK-NEXT:   c.copy_file "src/micro_config.h" from "runtime/micro_config.h"
// CHECK-NEXT:   c.copy_file "src/micro_model.h" from "runtime/micro_model.h"
// CHECK-NOT:    c.copy_file "src/kernels/conv2d
builtin.module attributes {micro.source = "tiny.tflite", micro.target = "x86"} {
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
