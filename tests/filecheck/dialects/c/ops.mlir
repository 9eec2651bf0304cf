// RUN: MICRO_ROUNDTRIP
// RUN: MICRO_GENERIC_ROUNDTRIP

// CHECK:      c.file "src/net.h" guard "MICRO_NET_H_" {
// CHECK-NEXT:   c.include "stdint.h" {system}
// CHECK-NEXT:   c.define "NET_ARENA_SIZE" "1024"
// CHECK-NEXT:   c.func @net_inference(["arena", "weights"]) : (!c.ptr<ui8>, !c.ptr<const ui8>) -> () {
// CHECK-NEXT:   }
// CHECK-NEXT:   c.global @net_model : !c.opaque<"MicroModelDesc"> {extern, const}
// CHECK-NEXT: }
c.file "src/net.h" guard "MICRO_NET_H_" {
  c.include "stdint.h" {system}
  c.define "NET_ARENA_SIZE" "1024"
  c.func @net_inference(["arena", "weights"]) : (!c.ptr<ui8>, !c.ptr<const ui8>) -> () {
  }
  c.global @net_model : !c.opaque<"MicroModelDesc"> {extern, const}
}

// CHECK:      c.file "src/net.c" {
// CHECK-NEXT:   c.comment "conv params"
// CHECK-NEXT:   c.global @k0 : !c.opaque<"P"> {static, const, init = #c.struct<["in_h", 32 : i32], ["act_max", 6.000000e+00 : f32], ["name", "x"], ["dt", #c.expr<"kX">], ["shape", [1 : i64, 2 : i64]]>}
// CHECK-NEXT:   c.global @tbl : !c.array<4 x f32> {static, const, align = 16 : i64, init = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>}
// CHECK-NEXT:   c.func static @run(["arena", "weights"]) : (!c.ptr<ui8>, !c.ptr<const ui8>) -> () {
// CHECK-NEXT:   ^bb0(%arena: !c.ptr<ui8>, %weights: !c.ptr<const ui8>):
// CHECK-NEXT:     %a = c.offset %arena[16 : i64] : !c.ptr<ui8> -> !c.ptr<f32>
// CHECK-NEXT:     %w = c.offset %weights[0 : i64] : !c.ptr<const ui8> -> !c.ptr<const f32>
// CHECK-NEXT:     %p = c.addr_of @k0 : !c.ptr<const !c.opaque<"P">>
// CHECK-NEXT:     %n = c.literal "NULL" : !c.ptr<f32>
// CHECK-NEXT:     %s = c.symbol @tbl : !c.ptr<const f32>
// CHECK-NEXT:     c.call @kernel(%a, %w, %n, %s, %p) : !c.ptr<f32>, !c.ptr<const f32>, !c.ptr<f32>, !c.ptr<const f32>, !c.ptr<const !c.opaque<"P">>
// CHECK-NEXT:     c.return
// CHECK-NEXT:   }
// CHECK-NEXT: }
c.file "src/net.c" {
  c.comment "conv params"
  c.global @k0 : !c.opaque<"P"> {static, const, init = #c.struct<["in_h", 32 : i32], ["act_max", 6.0 : f32], ["name", "x"], ["dt", #c.expr<"kX">], ["shape", [1 : i64, 2 : i64]]>}
  c.global @tbl : !c.array<4 x f32> {static, const, align = 16 : i64, init = dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>}
  c.func static @run(["arena", "weights"]) : (!c.ptr<ui8>, !c.ptr<const ui8>) -> () {
  ^bb0(%arena: !c.ptr<ui8>, %weights: !c.ptr<const ui8>):
    %a = c.offset %arena[16] : !c.ptr<ui8> -> !c.ptr<f32>
    %w = c.offset %weights[0] : !c.ptr<const ui8> -> !c.ptr<const f32>
    %p = c.addr_of @k0 : !c.ptr<const !c.opaque<"P">>
    %n = c.literal "NULL" : !c.ptr<f32>
    %s = c.symbol @tbl : !c.ptr<const f32>
    c.call @kernel(%a, %w, %n, %s, %p) : !c.ptr<f32>, !c.ptr<const f32>, !c.ptr<f32>, !c.ptr<const f32>, !c.ptr<const !c.opaque<"P">>
    c.return
  }
}

// CHECK: c.binary_file "src/net.bin" {data = dense<[1, 2, 3]> : tensor<3xui8>}
c.binary_file "src/net.bin" {data = dense<[1, 2, 3]> : tensor<3xui8>}
// CHECK: c.copy_file "src/kernels/unary_f32.c" from "generic/fp32/unary_f32.c"
c.copy_file "src/kernels/unary_f32.c" from "generic/fp32/unary_f32.c"
