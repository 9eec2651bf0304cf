// RUN: micro-translate --emit-c %s | filecheck %s
// RUN: micro-translate --emit-c %s > %t.c
// RUN: echo "typedef struct Params { float lo, hi; int n; } Params;" > %t.h
// RUN: %if cc %{ %cc -std=c99 -Wall -Wextra -Werror -pedantic -include %t.h -c %t.c -o %t.o %}

// CHECK:      /* ===== src/t.c ===== */
// CHECK-NEXT: /* A test file. */
// CHECK-NEXT: #include <math.h>
// CHECK-NEXT: #include <stdint.h>
// CHECK-EMPTY:
// CHECK-NEXT: #define T_SIZE 64
// CHECK-EMPTY:
// CHECK-NEXT: static const float weights[5] __attribute__((aligned(16))) = {
// CHECK-NEXT:   0.0f, -2.5f, 0.1f, 1.0e-5f, 3.0e38f,
// CHECK-NEXT: };
// CHECK-NEXT: const int8_t small[3] = {
// CHECK-NEXT:   -128, 0, 127,
// CHECK-NEXT: };
// CHECK-NEXT: const char *const names[2] = {"in\"put", "out"};
// CHECK-NEXT: const Params p = {.lo = -INFINITY, .hi = INFINITY, .n = 3};
// CHECK-EMPTY:
// CHECK-NEXT: /*
// CHECK-NEXT:  * a two-line
// CHECK-NEXT:  * comment
// CHECK-NEXT:  */
// CHECK-NEXT: void kernel(float *out, const float *a, const float *b, int32_t n);
// CHECK-EMPTY:
// CHECK-NEXT: void run(uint8_t *arena, const uint8_t *weights_blob) {
// CHECK-NEXT:   kernel((float *)(arena), (const float *)(weights_blob + 16), weights, 5);
// CHECK-NEXT:   kernel(
// CHECK-NEXT:       (float *)(arena + 1048576), (const float *)(weights_blob + 2097152),
// CHECK-NEXT:       (const float *)(weights_blob + 3145728), 5);
// CHECK-NEXT: }
c.file "src/t.c" {
  c.comment "A test file."
  c.include "math.h" {system}
  c.include "stdint.h" {system}
  c.define "T_SIZE" "64"
  c.global @weights : !c.array<5 x f32> {static, const, align = 16 : i64, init = dense<[0.0, -2.5, 0.1, 1.0e-5, 3.0e38]> : tensor<5xf32>}
  c.global @small : !c.array<3 x i8> {const, init = dense<[-128, 0, 127]> : tensor<3xi8>}
  c.global @names : !c.array<2 x !c.opaque<"char *const">> {const, init = ["in\"put", "out"]}
  c.global @p : !c.opaque<"Params"> {const, init = #c.struct<["lo", 0xFF800000 : f32], ["hi", 0x7F800000 : f32], ["n", 3 : i32]>}
  c.comment "a two-line\ncomment"
  c.func @kernel(["out", "a", "b", "n"]) : (!c.ptr<f32>, !c.ptr<const f32>, !c.ptr<const f32>, i32) -> () {}
  c.func @run(["arena", "weights_blob"]) : (!c.ptr<ui8>, !c.ptr<const ui8>) -> () {
  ^bb0(%arena: !c.ptr<ui8>, %blob: !c.ptr<const ui8>):
    %o = c.offset %arena[0] : !c.ptr<ui8> -> !c.ptr<f32>
    %w = c.offset %blob[16] : !c.ptr<const ui8> -> !c.ptr<const f32>
    %t = c.symbol @weights : !c.ptr<const f32>
    %n = c.literal "5" : i32
    c.call @kernel(%o, %w, %t, %n) : !c.ptr<f32>, !c.ptr<const f32>, !c.ptr<const f32>, i32
    %o2 = c.offset %arena[1048576] : !c.ptr<ui8> -> !c.ptr<f32>
    %w2 = c.offset %blob[2097152] : !c.ptr<const ui8> -> !c.ptr<const f32>
    %w3 = c.offset %blob[3145728] : !c.ptr<const ui8> -> !c.ptr<const f32>
    c.call @kernel(%o2, %w2, %w3, %n) : !c.ptr<f32>, !c.ptr<const f32>, !c.ptr<const f32>, i32
    c.return
  }
}
