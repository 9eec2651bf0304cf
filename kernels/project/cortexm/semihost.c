/*
 * semihost.c - semihosting calls for the QEMU harness, and the benchmark's output hook
 * micro_bench_write() on top of them. QEMU 7.2 sends SYS_WRITE0 to stderr, so stdout is a
 * file opened as ":tt" (mode 4), as newlib's rdimon does.
 */
#include <stddef.h>
#include <stdint.h>

#include "bench_io.h"
#include "semihost.h"

#define SYS_OPEN 0x01
#define SYS_WRITE 0x05
#define SYS_WRITE0 0x04
#define SYS_EXIT 0x18
#define SYS_EXIT_EXTENDED 0x20
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

static int sh_call(int op, void *arg) {
  register int r0 __asm("r0") = op;
  register void *r1 __asm("r1") = arg;
  __asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

static size_t sh_length(const char *text) {
  size_t n = 0;
  while (text[n] != '\0') ++n;
  return n;
}

void sh_write_stdout(const char *text) {
  static int handle = -1;
  uintptr_t args[3];
  if (handle < 0) {
    args[0] = (uintptr_t)":tt";
    args[1] = 4; /* "w" */
    args[2] = 3; /* strlen(":tt") */
    handle = sh_call(SYS_OPEN, args);
  }
  args[0] = (uintptr_t)handle;
  args[1] = (uintptr_t)text;
  args[2] = sh_length(text);
  (void)sh_call(SYS_WRITE, args);
}

void sh_write_stderr(const char *text) { (void)sh_call(SYS_WRITE0, (void *)(uintptr_t)text); }

void sh_exit(int status) {
  uintptr_t args[2];
  args[0] = ADP_STOPPED_APPLICATION_EXIT;
  args[1] = (uintptr_t)status;
  (void)sh_call(SYS_EXIT_EXTENDED, args);
  (void)sh_call(SYS_EXIT, (void *)(uintptr_t)ADP_STOPPED_APPLICATION_EXIT);
  for (;;) {
  }
}

void micro_bench_write(const char *text) { sh_write_stdout(text); }
