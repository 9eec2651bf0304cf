// The printer only prints the c dialect: anything else is an error, and nothing is printed.
// RUN: not micro-translate --emit-c %s 2>&1 | filecheck %s
// RUN: not micro-translate --emit-c %s 2>/dev/null | filecheck %s --check-prefix=STDOUT --allow-empty

// CHECK: error: emit-c: expected only c.file, c.binary_file and c.copy_file at module level, found 'func.func' (run convert-kernel-to-c first)
// STDOUT-NOT: {{.}}
c.file "src/a.c" {
  c.include "stdint.h" {system}
}
func.func @f() {
  func.return
}
