// RUN: micro-opt %s -p 'convert-kernel-to-c{profile=true}' | filecheck %s

// profile=true: every kernel call is bracketed by MicroProfileBegin/MicroProfileEnd (its
// index into net_profile_ticks), net.c names each call, and net.h defines NET_PROFILE.
// CHECK:        c.file "src/net.h" guard "MICRO_NET_H_" {
// CHECK:          c.include "micro_profile.h"
// CHECK:          c.define "NET_PROFILE" "1"
// CHECK-NEXT:     c.global @net_profile : !c.opaque<"MicroProfile"> {extern, const}
// CHECK:        c.file "src/net.c" {
// CHECK:          c.global @net_profile_names : !c.array<2 x !c.ptr<const !c.opaque<"char">>> {init = ["fully_connected -> y [1x2]", "softmax -> z [1x2]"], static}
// CHECK-NEXT:     c.global @net_profile_ticks : !c.array<2 x ui64> {static}
// CHECK-NEXT:     c.global @net_profile : !c.opaque<"MicroProfile"> {init = #c.struct<["count", 2 : i32], ["names", @net_profile_names], ["ticks", @net_profile_ticks]>, const}
// CHECK-NEXT:     c.func @net_inference(
// CHECK:            c.comment "0: fully_connected -> y [1x2]"
// CHECK:            c.call @MicroProfileBegin() :
// CHECK-NEXT:       c.call @micro_fully_connected_f32(
// CHECK-NEXT:       %[[T0:.*]] = c.symbol @net_profile_ticks : !c.ptr<ui64>
// CHECK-NEXT:       %[[I0:.*]] = c.literal "0" : i32
// CHECK-NEXT:       c.call @MicroProfileEnd(%[[T0]], %[[I0]]) : !c.ptr<ui64>, i32
// CHECK-NEXT:       c.comment "1: softmax -> z [1x2]"
// CHECK:            c.call @MicroProfileBegin() :
// CHECK-NEXT:       c.call @micro_softmax_f32(
// CHECK-NEXT:       %[[T1:.*]] = c.symbol @net_profile_ticks : !c.ptr<ui64>
// CHECK-NEXT:       %[[I1:.*]] = c.literal "1" : i32
// CHECK-NEXT:       c.call @MicroProfileEnd(%[[T1]], %[[I1]]) : !c.ptr<ui64>, i32
// CHECK-NEXT:       c.return
// CHECK:          c.copy_file "src/micro_profile.h" from "runtime/micro_profile.h"
// CHECK-NEXT:     c.copy_file "src/micro_profile.c" from "runtime/micro_profile.c"

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
