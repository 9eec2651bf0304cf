// A header gets an include guard and extern "C" around its declarations.
// RUN: micro-translate --emit-c %s | filecheck %s
// RUN: micro-translate --emit-c %s > %t.h
// RUN: %if cc %{ %cc -std=c99 -Wall -Wextra -Werror -pedantic -fsyntax-only -x c %t.h %}

// CHECK:      /* ===== src/net.h ===== */
// CHECK-NEXT: #ifndef MICRO_NET_H_
// CHECK-NEXT: #define MICRO_NET_H_
// CHECK-NEXT: /* Generated. */
// CHECK-NEXT: #include <stdint.h>
// CHECK-EMPTY:
// CHECK-NEXT: #ifdef __cplusplus
// CHECK-NEXT: extern "C" {
// CHECK-NEXT: #endif
// CHECK-NEXT: #define NET_ARENA_SIZE 1024
// CHECK-EMPTY:
// CHECK-NEXT: void net_inference(uint8_t *arena, const uint8_t *weights);
// CHECK-EMPTY:
// CHECK-NEXT: extern const float net_table[4];
// CHECK-EMPTY:
// CHECK-NEXT: #ifdef __cplusplus
// CHECK-NEXT: }
// CHECK-NEXT: #endif
// CHECK-NEXT: #endif /* MICRO_NET_H_ */
c.file "src/net.h" guard "MICRO_NET_H_" {
  c.comment "Generated."
  c.include "stdint.h" {system}
  c.define "NET_ARENA_SIZE" "1024"
  c.func @net_inference(["arena", "weights"]) : (!c.ptr<ui8>, !c.ptr<const ui8>) -> () {}
  c.global @net_table : !c.array<4 x f32> {extern, const}
}
