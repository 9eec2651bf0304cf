// RUN: micro-opt %s --verify-diagnostics --split-input-file | filecheck %s

c.file "a.c" {
// CHECK: a global cannot be both static and extern
  c.global @g : f32 {static, extern}
}

// -----

c.file "a.c" {
// CHECK: an extern declaration cannot have an initializer
  c.global @g : f32 {extern, init = 1.0 : f32}
}

// -----

c.file "a.c" {
// CHECK: function 'f' has 1 parameters but 2 names
  c.func @f(["a", "b"]) : (f32) -> () {
  ^bb0(%a: f32):
    c.return
  }
}

// -----

c.file "a.c" {
  c.func @f(["p"]) : (!c.ptr<f32>) -> () {
  ^bb0(%p: !c.ptr<f32>):
// CHECK: c.offset needs a byte pointer base, got !c.ptr<f32>
    %q = c.offset %p[4] : !c.ptr<f32> -> !c.ptr<f32>
    c.return
  }
}

// -----

// CHECK: 'c.include' expects parent op 'c.file'
c.include "stdio.h" {system}

// -----

c.file "a.c" {
// CHECK: a C comment cannot contain '*/'
  c.comment "oops */"
}

// -----

c.file "a.c" {
// CHECK: C arrays need a positive size, got 0
  c.global @g : !c.array<0 x f32> {static}
}
