"""
Every NEON kernel in `kernels/neon/` against its generic twin in `kernels/generic/`, run
under QEMU user mode (../shared/TARGETS.md): int8 outputs identical byte for byte, float
outputs within |y - ref| <= 1e-5 * max|ref| + 1e-6 per case.

Each kernel family has one C test program (its driver below plus the generic and the
NEON source) that reads many cases from one file, runs both kernels on the same inputs and
writes both outputs; it is built once per architecture variant and session and shared by
the xdist workers. Every input and output buffer ends where an inaccessible page begins
(`guarded()`), so a kernel reading or writing past the end of a buffer faults under QEMU;
the two outputs are poisoned with different bytes, so an output element a kernel does
not write shows as a difference.

Architecture variants: AArch64 baseline (-O3, run on QEMU's default `max` core), built for
a Cortex-A53 and run with `-cpu cortex-a53` (no dot product: QEMU faults on SDOT), built
with the dot product (armv8.2-a+dotprod) and run with `-cpu cortex-a76`; 32-bit ARM with
NEON (armv7-a, hard float, `-cpu cortex-a15`) and with the dot product. The case grids use
odd sizes so that every vector tail runs. A variant whose cross compiler or QEMU is missing
is skipped with the reason.
"""

from __future__ import annotations

import fcntl
import functools
import os
import re
import shutil
import struct
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pytest

from micro.backends.generic import int8_abi as abi
from micro.backends.generic.abi import pack_conv2d_f32, pack_panels_f32
from micro.backends.targets import ARM_CPUS, cpu_flags, get_target

REPO = Path(__file__).resolve().parents[1]
KERNELS = REPO / "kernels"
INCLUDE_DIRS = ["neon", "neon/fp32", "neon/int8", "generic", "generic/fp32", "generic/int8"]
WARNINGS = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-Wvla"]

# ------------------------------------------------------------------------------------------
# Architecture variants


@dataclass(frozen=True)
class Arch:
    name: str
    compiler: str
    flags: tuple[str, ...]
    qemu: tuple[str, ...]


ARCHS = {
    a.name: a
    for a in (
        Arch("arm64", "aarch64-linux-gnu-gcc", ("-O3",), ("qemu-aarch64",)),
        Arch(
            "arm64-a53",
            "aarch64-linux-gnu-gcc",
            ("-O2", "-mcpu=cortex-a53"),
            ("qemu-aarch64", "-cpu", "cortex-a53"),
        ),
        Arch(
            "arm64-dotprod",
            "aarch64-linux-gnu-gcc",
            ("-O2", "-march=armv8.2-a+dotprod"),
            ("qemu-aarch64", "-cpu", "cortex-a76"),
        ),
        Arch(
            "arm32",
            "arm-linux-gnueabihf-gcc",
            ("-O2", "-march=armv7-a", "-mfpu=neon", "-mfloat-abi=hard"),
            ("qemu-arm", "-cpu", "cortex-a15"),
        ),
        Arch(
            "arm32-dotprod",
            "arm-linux-gnueabihf-gcc",
            ("-O2", "-march=armv8.2-a+dotprod", "-mfpu=neon-fp-armv8", "-mfloat-abi=hard"),
            ("qemu-arm",),
        ),
    )
}


@functools.cache
def _arch_problem(name: str) -> str | None:
    """Why `name` cannot run here (None: it can): a missing tool, or a probe program that
    does not build statically or does not run under its QEMU (cached per process)."""
    arch = ARCHS[name]
    missing = [t for t in (arch.compiler, arch.qemu[0]) if shutil.which(t) is None]
    if missing:
        return f"{', '.join(missing)} not installed (scripts/setup.sh installs them as root)"
    probe = Path(os.environ.get("TMPDIR", "/tmp")) / f"micro-neon-probe-{name}-{os.getpid()}"
    source = probe.with_suffix(".c")
    source.write_text("#include <arm_neon.h>\nint main(void) { return 0; }\n")
    try:
        build = subprocess.run(
            [arch.compiler, *arch.flags, "-static", str(source), "-o", str(probe)],
            capture_output=True,
            text=True,
        )
        if build.returncode != 0:
            return f"{arch.compiler} cannot build a static NEON program: {build.stderr[-300:]}"
        run = subprocess.run([*arch.qemu, str(probe)], capture_output=True, text=True, timeout=60)
        if run.returncode != 0:
            return f"{' '.join(arch.qemu)} cannot run a program: {run.stderr[-300:]}"
    finally:
        source.unlink(missing_ok=True)
        probe.unlink(missing_ok=True)
    return None


def need_arch(name: str) -> Arch:
    problem = _arch_problem(name)
    if problem:
        pytest.skip(problem)
    return ARCHS[name]


# ------------------------------------------------------------------------------------------
# The C test programs. Input: cases, each an int32 mode, the raw parameter struct and the
# arrays (int64 byte count, -1 for NULL, then the bytes). Output per case: the generic
# kernel's output bytes, then the NEON kernel's.

PRELUDE = r"""
#define _DEFAULT_SOURCE /* mmap's MAP_ANONYMOUS */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static FILE *in_f, *out_f;

static void die(const char *msg) {
  fprintf(stderr, "driver: %s\n", msg);
  exit(2);
}
static void get(void *dst, size_t n) {
  if (n && fread(dst, 1, n, in_f) != n) die("short read");
}

/* n bytes that end where an inaccessible page begins: reading or writing past the end
 * faults. Every buffer of a case is released when the case is done. */
#define MAX_BUFFERS 32
static struct { unsigned char *base; size_t span; } buffers[MAX_BUFFERS];
static int n_buffers;
static void *guarded(size_t n) {
  const size_t page = (size_t)sysconf(_SC_PAGESIZE);
  const size_t span = (n + page - 1) / page * page + page;
  unsigned char *base;
  if (n_buffers == MAX_BUFFERS) die("too many buffers");
  base = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) die("mmap failed");
  if (mprotect(base + span - page, page, PROT_NONE) != 0) die("mprotect failed");
  buffers[n_buffers].base = base;
  buffers[n_buffers].span = span;
  ++n_buffers;
  return base + span - page - n;
}
static void release_all(void) {
  while (n_buffers > 0) {
    --n_buffers;
    munmap(buffers[n_buffers].base, buffers[n_buffers].span);
  }
}
/* the next array of the case (NULL for a -1 count), *n its bytes */
static void *get_array_n(size_t *n) {
  int64_t count;
  void *p;
  if (n) *n = 0;
  get(&count, sizeof count);
  if (count < 0) return NULL;
  p = guarded((size_t)count);
  get(p, (size_t)count);
  if (n) *n = (size_t)count;
  return p;
}
static void *get_array(void) { return get_array_n(NULL); }
static void *copy_of(const void *src, size_t n) {
  void *p = guarded(n);
  memcpy(p, src, n);
  return p;
}
static void *output(size_t n, int poison) {
  void *p = guarded(n);
  memset(p, poison, n);
  return p;
}
/* the two outputs: the generic kernel's, then the NEON kernel's */
static void put_pair(const void *generic, const void *neon, size_t n) {
  if (n && (fwrite(generic, 1, n, out_f) != n || fwrite(neon, 1, n, out_f) != n))
    die("short write");
}
static size_t prod(const int32_t *d, int32_t n) {
  size_t s = 1;
  int32_t i;
  for (i = 0; i < n; ++i) s *= (size_t)d[i];
  return s;
}

static void run_case(int32_t mode);

int main(int argc, char **argv) {
  int32_t mode;
  (void)prod;
  (void)copy_of;
  (void)get_array;
  if (argc != 3) die("usage: driver IN OUT");
  in_f = fopen(argv[1], "rb");
  out_f = fopen(argv[2], "wb");
  if (!in_f || !out_f) die("cannot open files");
  while (fread(&mode, sizeof mode, 1, in_f) == 1) {
    run_case(mode);
    release_all();
  }
  fclose(in_f);
  if (fclose(out_f) != 0) die("cannot write output");
  return 0;
}
"""

DRIVERS: dict[str, str] = {
    "requant": r"""
#include "micro_int8.h"
#include "micro_neon.h"
/* micro_mbqm against micro_neon_mbqm_s32, four lanes at a time */
static void run_case(int32_t mode) {
  size_t n, i;
  const int32_t *x = get_array_n(&n), *m = get_array(), *s = get_array();
  int32_t *yg, *yn;
  (void)mode;
  n /= sizeof(int32_t);
  yg = output(n * 4, 0x5a), yn = output(n * 4, 0xa5);
  for (i = 0; i < n; ++i) yg[i] = micro_mbqm(x[i], m[i], s[i]);
  for (i = 0; i + 4 <= n; i += 4) {
    const MicroNeonRequant r = micro_neon_requant_load(m + i, s + i);
    vst1q_s32(yn + i, micro_neon_mbqm_s32(vld1q_s32(x + i), r.mult, r.left, r.neg_right));
  }
  put_pair(yg, yn, n * 4);
}
""",
    "conv2d_f32": r"""
#include "conv2d_f32_neon.h"
static void run_case(int32_t mode) {
  MicroConv2dParams p;
  const float *in, *w, *bias;
  float *yg, *yn;
  size_t n, ss;
  (void)mode;
  get(&p, sizeof p);
  in = get_array(), w = get_array(), bias = get_array();
  ss = micro_conv2d_f32_scratch_size(&p);
  if (micro_neon_conv2d_f32_scratch_size(&p) != ss) die("scratch sizes differ");
  n = (size_t)p.batch * p.out_h * p.out_w * p.out_c * sizeof(float);
  yg = output(n, 0x5a), yn = output(n, 0xa5);
  micro_conv2d_f32(in, w, bias, yg, ss ? guarded(ss) : NULL, &p);
  micro_neon_conv2d_f32(in, w, bias, yn, ss ? guarded(ss) : NULL, &p);
  put_pair(yg, yn, n);
}
""",
    "conv2d_hybrid": r"""
#include "conv2d_hybrid_neon.h"
/* mode 1: the scratch is the input buffer itself (batch 1), as the memory planner allows */
static void run_case(int32_t mode) {
  MicroConv2dParams p;
  const float *in, *bias;
  const int8_t *w;
  float w_scale, *yg, *yn;
  size_t n, n_in, ss;
  get(&p, sizeof p);
  in = get_array_n(&n_in), w = get_array(), bias = get_array();
  get(&w_scale, sizeof w_scale);
  ss = micro_conv2d_hybrid_scratch_size(&p);
  if (micro_neon_conv2d_hybrid_scratch_size(&p) != ss) die("scratch sizes differ");
  n = (size_t)p.batch * p.out_h * p.out_w * p.out_c * sizeof(float);
  yg = output(n, 0x5a), yn = output(n, 0xa5);
  if (mode == 1) {
    const size_t shared = ((n_in > ss ? n_in : ss) + 15) / 16 * 16; /* float aligned */
    float *ig = output(shared, 0), *in2 = output(shared, 0);
    memcpy(ig, in, n_in), memcpy(in2, in, n_in);
    micro_conv2d_hybrid_f32(ig, w, w_scale, bias, yg, ig, &p);
    micro_neon_conv2d_hybrid_f32(in2, w, w_scale, bias, yn, in2, &p);
  } else {
    micro_conv2d_hybrid_f32(in, w, w_scale, bias, yg, ss ? guarded(ss) : NULL, &p);
    micro_neon_conv2d_hybrid_f32(in, w, w_scale, bias, yn, ss ? guarded(ss) : NULL, &p);
  }
  put_pair(yg, yn, n);
}
""",
    "depthwise_conv2d_f32": r"""
#include "depthwise_conv2d_f32_neon.h"
static void run_case(int32_t mode) {
  MicroDepthwiseConv2dParams p;
  const float *in, *w, *bias;
  float *yg, *yn;
  size_t n;
  (void)mode;
  get(&p, sizeof p);
  in = get_array(), w = get_array(), bias = get_array();
  n = (size_t)p.batch * p.out_h * p.out_w * p.out_c * sizeof(float);
  yg = output(n, 0x5a), yn = output(n, 0xa5);
  micro_depthwise_conv2d_f32(in, w, bias, yg, &p);
  micro_neon_depthwise_conv2d_f32(in, w, bias, yn, &p);
  put_pair(yg, yn, n);
}
""",
    "fully_connected_f32": r"""
#include "fully_connected_f32_neon.h"
static void run_case(int32_t mode) {
  MicroFullyConnectedParams p;
  const float *in, *w, *bias;
  float *yg, *yn;
  size_t n;
  (void)mode;
  get(&p, sizeof p);
  in = get_array(), w = get_array(), bias = get_array();
  n = (size_t)p.batch * p.out_features * sizeof(float);
  yg = output(n, 0x5a), yn = output(n, 0xa5);
  micro_fully_connected_f32(in, w, bias, yg, &p);
  micro_neon_fully_connected_f32(in, w, bias, yn, &p);
  put_pair(yg, yn, n);
}
""",
    "pool2d_f32": r"""
#include "pool2d_f32_neon.h"
/* mode 0: average, 1: max */
static void run_case(int32_t mode) {
  MicroPool2dParams p;
  const float *in;
  float *yg, *yn;
  size_t n;
  get(&p, sizeof p);
  in = get_array();
  n = (size_t)p.batch * p.out_h * p.out_w * p.channels * sizeof(float);
  yg = output(n, 0x5a), yn = output(n, 0xa5);
  if (mode == 0) {
    micro_avg_pool2d_f32(in, yg, &p);
    micro_neon_avg_pool2d_f32(in, yn, &p);
  } else {
    micro_max_pool2d_f32(in, yg, &p);
    micro_neon_max_pool2d_f32(in, yn, &p);
  }
  put_pair(yg, yn, n);
}
""",
    "binary_f32": r"""
#include "binary_f32_neon.h"
/* mode: op * 4 + alias; op 0..2 = add, sub, mul; alias 1: out = a, 2: out = b */
static void run_case(int32_t mode) {
  typedef void (*Fn)(const float *, const float *, float *, const MicroBinaryParams *);
  static const Fn generic[3] = {micro_add_f32, micro_sub_f32, micro_mul_f32};
  static const Fn neon[3] = {micro_neon_add_f32, micro_neon_sub_f32, micro_neon_mul_f32};
  MicroBinaryParams p;
  float *a, *b, *a2, *b2, *yg, *yn;
  size_t na, nb, n;
  const int32_t op = mode / 4, alias = mode % 4;
  get(&p, sizeof p);
  a = get_array_n(&na), b = get_array_n(&nb);
  a2 = copy_of(a, na), b2 = copy_of(b, nb);
  n = prod(p.out_shape, p.ndim) * sizeof(float);
  yg = alias == 1 ? a : alias == 2 ? b : output(n, 0x5a);
  yn = alias == 1 ? a2 : alias == 2 ? b2 : output(n, 0xa5);
  generic[op](a, b, yg, &p);
  neon[op](a2, b2, yn, &p);
  put_pair(yg, yn, n);
}
""",
    "conv2d_s8": r"""
#include "conv2d_s8_neon.h"
static void run_case(int32_t mode) {
  MicroConv2dS8Params p;
  const int8_t *in, *w;
  const int32_t *bias, *mult, *shift;
  int8_t *yg, *yn;
  size_t n, ss;
  (void)mode;
  get(&p, sizeof p);
  in = get_array(), w = get_array(), bias = get_array(), mult = get_array(),
  shift = get_array();
  ss = micro_conv2d_s8_scratch_size(&p);
  if (micro_neon_conv2d_s8_scratch_size(&p) != ss) die("scratch sizes differ");
  n = (size_t)p.batch * p.out_h * p.out_w * p.out_c;
  yg = output(n, 0x5a), yn = output(n, 0xa5);
  micro_conv2d_s8(in, w, bias, mult, shift, yg, ss ? guarded(ss) : NULL, &p);
  micro_neon_conv2d_s8(in, w, bias, mult, shift, yn, ss ? guarded(ss) : NULL, &p);
  put_pair(yg, yn, n);
}
""",
    "depthwise_conv2d_s8": r"""
#include "depthwise_conv2d_s8_neon.h"
static void run_case(int32_t mode) {
  MicroDepthwiseConv2dS8Params p;
  const int8_t *in, *w;
  const int32_t *bias, *mult, *shift;
  int8_t *yg, *yn;
  size_t n;
  (void)mode;
  get(&p, sizeof p);
  in = get_array(), w = get_array(), bias = get_array(), mult = get_array(),
  shift = get_array();
  n = (size_t)p.batch * p.out_h * p.out_w * p.out_c;
  yg = output(n, 0x5a), yn = output(n, 0xa5);
  micro_depthwise_conv2d_s8(in, w, bias, mult, shift, yg, &p);
  micro_neon_depthwise_conv2d_s8(in, w, bias, mult, shift, yn, &p);
  put_pair(yg, yn, n);
}
""",
    "fully_connected_s8": r"""
#include "fully_connected_s8_neon.h"
static void run_case(int32_t mode) {
  MicroFullyConnectedS8Params p;
  const int8_t *in, *w;
  const int32_t *bias, *exponent;
  const int64_t *mantissa;
  int8_t *yg, *yn;
  size_t n;
  (void)mode;
  get(&p, sizeof p);
  in = get_array(), w = get_array(), bias = get_array(), mantissa = get_array(),
  exponent = get_array();
  n = (size_t)p.batch * p.out_features;
  yg = output(n, 0x5a), yn = output(n, 0xa5);
  micro_fully_connected_s8(in, w, bias, mantissa, exponent, yg, &p);
  micro_neon_fully_connected_s8(in, w, bias, mantissa, exponent, yn, &p);
  put_pair(yg, yn, n);
}
""",
    "pool2d_s8": r"""
#include "pool2d_s8_neon.h"
/* mode 0: average, 1: max */
static void run_case(int32_t mode) {
  MicroPool2dS8Params p;
  const int8_t *in;
  int8_t *yg, *yn;
  size_t n;
  get(&p, sizeof p);
  in = get_array();
  n = (size_t)p.batch * p.out_h * p.out_w * p.channels;
  yg = output(n, 0x5a), yn = output(n, 0xa5);
  if (mode == 0) {
    micro_avg_pool2d_s8(in, yg, &p);
    micro_neon_avg_pool2d_s8(in, yn, &p);
  } else {
    micro_max_pool2d_s8(in, yg, &p);
    micro_neon_max_pool2d_s8(in, yn, &p);
  }
  put_pair(yg, yn, n);
}
""",
    "binary_s8": r"""
#include "binary_s8_neon.h"
/* mode: op * 4 + alias; op 0..2 = add, sub, mul; alias 1: out = a, 2: out = b */
static void run_case(int32_t mode) {
  typedef void (*Fn)(const int8_t *, const int8_t *, int8_t *, const MicroBinaryS8Params *);
  static const Fn generic[3] = {micro_add_s8, micro_sub_s8, micro_mul_s8};
  static const Fn neon[3] = {micro_neon_add_s8, micro_neon_sub_s8, micro_neon_mul_s8};
  MicroBinaryS8Params p;
  int8_t *a, *b, *a2, *b2, *yg, *yn;
  size_t na, nb, n;
  const int32_t op = mode / 4, alias = mode % 4;
  get(&p, sizeof p);
  a = get_array_n(&na), b = get_array_n(&nb);
  a2 = copy_of(a, na), b2 = copy_of(b, nb);
  n = prod(p.out_shape, p.ndim);
  yg = alias == 1 ? a : alias == 2 ? b : output(n, 0x5a);
  yn = alias == 1 ? a2 : alias == 2 ? b2 : output(n, 0xa5);
  generic[op](a, b, yg, &p);
  neon[op](a2, b2, yn, &p);
  put_pair(yg, yn, n);
}
""",
}


def _sources(family: str) -> list[Path]:
    """The generic and NEON C files a family's program links (none for the helpers)."""
    if family == "requant":
        return []
    folder = "int8" if family.endswith("_s8") else "fp32"
    return [
        KERNELS / "generic" / folder / f"{family}.c",
        KERNELS / "neon" / folder / f"{family}_neon.c",
    ]


class Builds:
    """Test programs per (family, arch): built once in a directory the xdist workers share
    (under a file lock), then cached."""

    def __init__(self, root: Path):
        self.root = root
        self.cache: dict[tuple[str, str], Path] = {}

    def get(self, family: str, arch: Arch) -> Path:
        key = (family, arch.name)
        if key in self.cache:
            return self.cache[key]
        exe = self.root / f"{family}-{arch.name}"
        err = self.root / f"{family}-{arch.name}.err"
        with open(self.root / f"{family}-{arch.name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not exe.exists() and not err.exists():
                driver = self.root / f"driver_{family}.c"
                driver.write_text(PRELUDE + DRIVERS[family])
                cmd = [arch.compiler, *WARNINGS, *arch.flags, "-static"]
                cmd += [f"-I{KERNELS / d}" for d in INCLUDE_DIRS]
                cmd += [str(driver), *map(str, _sources(family)), "-o", f"{exe}.tmp", "-lm"]
                proc = subprocess.run(cmd, capture_output=True, text=True)
                if proc.returncode != 0:
                    err.write_text(f"{' '.join(cmd)}\n{proc.stderr}")
                else:
                    Path(f"{exe}.tmp").replace(exe)
        if err.exists():
            pytest.fail(f"compile failed: {err.read_text()}")
        self.cache[key] = exe
        return exe


@pytest.fixture(scope="session")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Builds:
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # shared by the workers of this run
    root = root / "neon_kernel_builds"
    root.mkdir(exist_ok=True)
    return Builds(root)


# ------------------------------------------------------------------------------------------
# Cases


@dataclass(frozen=True)
class Case:
    what: str
    mode: int
    payload: bytes  # the parameter struct and the arrays
    dtype: type  # of the output
    count: int  # output elements


def arr(a: np.ndarray | None, dtype: type | None = None) -> bytes:
    if a is None:
        return struct.pack("<q", -1)
    data = np.ascontiguousarray(a if dtype is None else np.asarray(a, dtype)).tobytes()
    return struct.pack("<q", len(data)) + data


ACTS = {"none": (-np.inf, np.inf), "relu": (0.0, np.inf), "relu6": (0.0, 6.0)}
INT8_ACTS = ("NONE", "RELU", "RELU6")


def _pads(n: int, k: int, s: int, d: int, padding: str) -> tuple[int, int]:
    out, before, _ = abi.compute_padding(n, k, s, d, padding)
    return out, before


def _f32(rng: np.random.Generator, shape: Sequence[int], scale: float = 1.0) -> np.ndarray:
    return (rng.standard_normal(tuple(shape)) * scale).astype(np.float32)


def _s8(rng: np.random.Generator, shape: Sequence[int], lo: int = -128) -> np.ndarray:
    return rng.integers(lo, 128, size=tuple(shape)).astype(np.int8)


def _extreme_requant(
    rng: np.random.Generator, n: int, positive_shifts: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Multipliers over their whole range [2^30, 2^31) and shifts from -31 up (to +6 with
    positive_shifts: left shifts that wrap), edges included."""
    mult = rng.integers(2**30, 2**31, n).astype(np.int64)
    mult[:: max(n // 3, 1)] = 2**31 - 1
    shift = rng.integers(-31, 7 if positive_shifts else 1, n)
    shift[:: max(n // 4, 1)] = 0
    return mult.astype(np.int32), shift.astype(np.int32)


# (batch, h, w, in_c, out_c, (k_h, k_w), stride, dilation, padding)
CONV_GEOMS = [
    (1, 5, 7, 3, 5, (3, 3), (1, 1), (1, 1), "SAME"),
    (2, 9, 8, 4, 13, (3, 3), (2, 2), (1, 1), "SAME"),
    (1, 10, 10, 8, 16, (3, 3), (1, 1), (2, 2), "SAME"),
    (1, 11, 9, 5, 24, (5, 3), (2, 1), (1, 2), "VALID"),
    (1, 7, 7, 16, 32, (1, 1), (1, 1), (1, 1), "VALID"),  # pointwise
    (1, 6, 5, 33, 17, (1, 1), (1, 1), (1, 1), "SAME"),  # pointwise, odd sizes
    (1, 9, 9, 19, 7, (1, 1), (2, 2), (1, 1), "VALID"),  # strided 1x1
    (1, 4, 5, 300, 20, (3, 3), (1, 1), (1, 1), "SAME"),  # in_c > 256: scratch
    (1, 13, 5, 1, 9, (10, 4), (2, 1), (1, 1), "SAME"),  # one input channel, tall kernel
    (2, 3, 3, 2, 1, (3, 3), (1, 1), (1, 1), "SAME"),  # one output channel
    (1, 12, 12, 3, 8, (3, 3), (2, 2), (1, 1), "VALID"),  # a network's stem
    (1, 1, 1, 40, 33, (1, 1), (1, 1), (1, 1), "VALID"),  # one pixel
    (1, 5, 17, 12, 48, (3, 3), (1, 1), (1, 1), "SAME"),
    (1, 8, 8, 64, 64, (3, 3), (1, 1), (1, 1), "SAME"),
    (1, 6, 7, 27, 31, (2, 2), (2, 2), (1, 1), "SAME"),
    (1, 3, 40, 9, 16, (1, 7), (1, 3), (1, 1), "SAME"),  # wide kernel rows
    (1, 7, 7, 2, 18, (7, 7), (1, 1), (1, 1), "SAME"),  # 49 taps: several segments
    (1, 12, 12, 7, 8, (7, 7), (2, 2), (1, 1), "SAME"),  # few channels, k too long to gather
]

# (batch, h, w, in_c, depth multiplier, (k_h, k_w), stride, dilation, padding)
DW_GEOMS = [
    (1, 7, 9, 16, 1, (3, 3), (1, 1), (1, 1), "SAME"),
    (2, 9, 8, 17, 1, (3, 3), (2, 2), (1, 1), "SAME"),  # 16 + 1
    (1, 10, 11, 35, 1, (3, 3), (1, 1), (2, 2), "SAME"),  # 32 + 3
    (1, 8, 8, 3, 2, (3, 3), (1, 1), (1, 1), "SAME"),  # gathered
    (2, 11, 13, 9, 2, (5, 5), (2, 1), (1, 2), "VALID"),
    (1, 6, 6, 5, 3, (3, 3), (2, 2), (1, 1), "SAME"),
    (1, 2, 3, 32, 1, (5, 5), (1, 1), (1, 1), "SAME"),  # mostly padding
    (1, 13, 13, 48, 1, (3, 3), (2, 2), (1, 1), "SAME"),
    (1, 5, 5, 1, 1, (3, 3), (1, 1), (1, 1), "VALID"),  # one channel
    (1, 25, 10, 1, 8, (10, 8), (2, 2), (1, 1), "SAME"),  # one input channel, multiplier 8
    (1, 6, 7, 1, 20, (3, 3), (1, 1), (1, 1), "SAME"),  # broadcast, 16 + 4
    (1, 9, 9, 24, 1, (3, 3), (1, 1), (1, 1), "SAME"),  # 16 + 8
    (1, 5, 5, 4, 4, (3, 3), (1, 1), (1, 1), "SAME"),  # gathered, 16
    (1, 12, 12, 64, 1, (3, 3), (1, 1), (1, 1), "SAME"),
    (1, 4, 4, 7, 1, (3, 3), (1, 1), (1, 1), (3, 3, 3, 3)),  # padding-only windows
]

# (batch, in_features, out_features)
FC_GEOMS = [
    (1, 1, 1),
    (1, 7, 3),
    (1, 16, 16),
    (1, 17, 5),
    (1, 64, 10),
    (1, 129, 33),
    (2, 24, 4),
    (3, 256, 130),
    (1, 640, 128),
    (1, 8, 4),
    (4, 300, 7),
    (1, 31, 6),
    (1, 1000, 12),
]

# (batch, h, w, channels, (k_h, k_w), stride, padding)
POOL_GEOMS = [
    (1, 8, 8, 16, (2, 2), (2, 2), "VALID"),
    (2, 9, 7, 17, (3, 3), (2, 2), "SAME"),
    (1, 7, 7, 33, (7, 7), (1, 1), "VALID"),  # global, 49
    (1, 5, 6, 3, (3, 2), (1, 1), "SAME"),
    (1, 12, 12, 8, (12, 12), (1, 1), "VALID"),  # 144 elements: 64-bit division
    (1, 17, 17, 5, (17, 17), (1, 1), "VALID"),  # 289: 32-bit sums
    (1, 4, 4, 40, (3, 3), (1, 1), "SAME"),
    (1, 10, 3, 24, (1, 3), (1, 1), "VALID"),
    (1, 6, 6, 1, (2, 2), (1, 1), "SAME"),
    (1, 257, 257, 2, (257, 257), (1, 1), "VALID"),  # 66049 elements: per-channel division
    (1, 5, 5, 80, (5, 5), (1, 1), "VALID"),  # global: one run of pixels, 64 + 16 channels
    (1, 6, 4, 150, (3, 4), (1, 1), "VALID"),  # image-wide windows, 2 x 64 + 16 + 6 channels
    (1, 6, 6, 70, (3, 3), (2, 2), "SAME"),
]

# (a shape, b shape, alias: "" / "a" (out = a) / "b" (out = b))
BINARY_SHAPES = [
    ((2, 3, 5, 7), (2, 3, 5, 7), ""),
    ((37,), (37,), "a"),
    ((3, 17), (3, 17), "b"),
    ((), (4, 5), ""),
    ((6, 7), (1,), "a"),
    ((1, 4, 1, 3), (2, 1, 5, 3), ""),
    ((3, 1), (1, 20), ""),
    ((2, 3, 4), (4,), ""),
    ((2, 1, 3, 1, 2, 5), (1, 4, 3, 2, 1, 5), ""),
    ((), (), ""),
    ((1, 8, 8, 32), (1, 8, 8, 32), "b"),
    ((1, 5, 5, 24), (1, 1, 1, 24), ""),
    ((1, 1, 1, 24), (1, 5, 5, 24), ""),
    ((50,), (1,), ""),
]
BINARY_OPS = ("add", "sub", "mul")


def requant_cases(rng: np.random.Generator) -> list[Case]:
    edge = [0, 1, -1, 2**31 - 1, -(2**31), 2**30, -(2**30), 12345, -12345, 3, -3, 2**16, -(2**16)]
    n = 4096
    x = np.concatenate([np.repeat(edge, 40), rng.integers(-(2**31), 2**31, n - 40 * len(edge))])
    m = rng.integers(2**30, 2**31, n)
    m[::11] = 2**31 - 1
    m[5::13] = 2**30
    m[7::17] = 0
    s = rng.integers(-31, 31, n)
    s[::7] = 0
    s[3::19] = -31
    # ties of RoundingDivideByPOT: values whose remainder is exactly half
    e = rng.integers(1, 31, 512)
    ties = (rng.integers(-(2**20), 2**20, 512) << e) + (1 << (e - 1)) * rng.choice([-1, 1], 512)
    x[-512:] = np.clip(ties, -(2**31), 2**31 - 1)
    m[-512:] = 2**31 - 1  # SRDHM by (almost) one keeps the tie
    s[-512:] = -e
    payload = arr(x, np.int32) + arr(m, np.int32) + arr(s, np.int32)
    return [Case("micro_mbqm vs micro_neon_mbqm_s32", 0, payload, np.int32, n)]


def conv2d_f32_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for i, (b, h, w, c, oc, (kh, kw), st, dl, pad) in enumerate(CONV_GEOMS):
        act = list(ACTS)[i % 3]
        oh, pt = _pads(h, kh, st[0], dl[0], pad)
        ow, pl = _pads(w, kw, st[1], dl[1], pad)
        x, wt = _f32(rng, (b, h, w, c)), _f32(rng, (oc, kh, kw, c))
        bias = None if i % 4 == 3 else _f32(rng, (oc,))
        params = struct.pack("<15i2f", b, h, w, c, oh, ow, oc, kh, kw, *st, *dl, pt, pl, *ACTS[act])
        payload = params + arr(x) + arr(pack_conv2d_f32(wt)) + arr(bias)
        cases.append(Case(f"conv {CONV_GEOMS[i]} {act}", 0, payload, np.float32, b * oh * ow * oc))
    return cases


def conv2d_hybrid_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for i, (b, h, w, c, oc, (kh, kw), st, dl, pad) in enumerate(CONV_GEOMS):
        if dl != (1, 1):
            continue  # the hybrid convolution has no dilation (LiteRT ignores it)
        act = list(ACTS)[i % 3]
        oh, pt = _pads(h, kh, st[0], 1, pad)
        ow, pl = _pads(w, kw, st[1], 1, pad)
        if i % 5 == 2:  # values on the quantization's ties: max |x| = 127, steps of 0.5
            x = (rng.integers(-254, 255, (b, h, w, c)) / 2).astype(np.float32)
            x.flat[0] = 127.0
        elif i % 5 == 4:
            x = np.zeros((b, h, w, c), np.float32)  # range 0
        else:
            x = _f32(rng, (b, h, w, c), 2.0)
        wt = _s8(rng, (oc, kh, kw, c), lo=-127)
        bias = None if i % 4 == 3 else _f32(rng, (oc,))
        params = struct.pack(
            "<15i2f", b, h, w, c, oh, ow, oc, kh, kw, *st, 1, 1, pt, pl, *ACTS[act]
        )
        payload = params + arr(x) + arr(wt) + arr(bias) + struct.pack("<f", 0.003 * (i + 1))
        count = b * oh * ow * oc
        cases.append(Case(f"hybrid conv {CONV_GEOMS[i]} {act}", 0, payload, np.float32, count))
        if b == 1:
            cases.append(
                Case(f"hybrid conv {CONV_GEOMS[i]} in place", 1, payload, np.float32, count)
            )
    return cases


def depthwise_conv2d_f32_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for i, (b, h, w, c, m, (kh, kw), st, dl, pad) in enumerate(DW_GEOMS):
        act = list(ACTS)[i % 3]
        padding = pad if isinstance(pad, str) else (pad[0], pad[2])
        oh, pt = _pads(h, kh, st[0], dl[0], padding)
        ow, pl = _pads(w, kw, st[1], dl[1], padding if isinstance(pad, str) else (pad[1], pad[3]))
        oc = c * m
        x, wt, bias = _f32(rng, (b, h, w, c)), _f32(rng, (kh, kw, oc)), _f32(rng, (oc,))
        params = struct.pack(
            "<16i2f", b, h, w, c, oh, ow, oc, m, kh, kw, *st, *dl, pt, pl, *ACTS[act]
        )
        payload = params + arr(x) + arr(wt) + arr(bias)
        cases.append(
            Case(f"depthwise {DW_GEOMS[i]} {act}", 0, payload, np.float32, b * oh * ow * oc)
        )
    return cases


def fully_connected_f32_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for i, (b, k, o) in enumerate(FC_GEOMS):
        act = list(ACTS)[i % 3]
        x, wt = _f32(rng, (b, k)), _f32(rng, (o, k))
        bias = None if i % 3 == 1 else _f32(rng, (o,))
        params = struct.pack("<3i2f", b, k, o, *ACTS[act])
        payload = params + arr(x) + arr(pack_panels_f32(wt)) + arr(bias)
        cases.append(Case(f"fc {FC_GEOMS[i]} {act}", 0, payload, np.float32, b * o))
    return cases


def pool2d_f32_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for i, (b, h, w, c, (kh, kw), st, pad) in enumerate(POOL_GEOMS):
        if kh * kw > 300:
            continue  # the per-channel-division case is about the int8 kernel
        oh, pt = _pads(h, kh, st[0], 1, pad)
        ow, pl = _pads(w, kw, st[1], 1, pad)
        x = _f32(rng, (b, h, w, c), 4.0)
        for mode, kind in enumerate(("avg", "max")):
            act = list(ACTS)[(i + mode) % 3]
            cip = i % 2 if kind == "avg" else 0
            params = struct.pack("<13i2f", b, h, w, c, oh, ow, kh, kw, *st, pt, pl, cip, *ACTS[act])
            what = f"{kind} pool {POOL_GEOMS[i]} {act} count_include_pad={cip}"
            cases.append(Case(what, mode, params + arr(x), np.float32, b * oh * ow * c))
    return cases


def _strides(shape: Sequence[int], nd: int) -> list[int]:
    shape = (1,) * (nd - len(shape)) + tuple(shape)
    contiguous = np.cumprod((1, *shape[::-1]))[:-1][::-1]
    return [0 if n == 1 else int(s) for n, s in zip(shape, contiguous, strict=True)]


def binary_f32_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for i, (a_shape, b_shape, alias) in enumerate(BINARY_SHAPES):
        out_shape = np.broadcast_shapes(a_shape, b_shape)
        nd = len(out_shape)
        pad = [0] * (6 - nd)
        for op_index, op in enumerate(BINARY_OPS):
            act = list(ACTS)[(i + op_index) % 3]
            params = struct.pack(
                "<19i2f", nd, *out_shape, *pad, *_strides(a_shape, nd), *pad,
                *_strides(b_shape, nd), *pad, *ACTS[act],
            )  # fmt: skip
            a, b = _f32(rng, a_shape, 3.0), _f32(rng, b_shape, 3.0)
            mode = op_index * 4 + {"": 0, "a": 1, "b": 2}[alias]
            what = f"{op} {a_shape} {b_shape} alias={alias or '-'} {act}"
            count = int(np.prod(out_shape))
            cases.append(Case(what, mode, params + arr(a) + arr(b), np.float32, count))
    return cases


def _out_scale(
    rng: np.random.Generator, in_scale: float, w_scales: np.ndarray, depth: int
) -> float:
    """An output scale for about +-3 standard deviations of the real outputs, times a
    random factor (below 1: more saturation)."""
    w_scale = float(np.median(w_scales))
    return float(np.float32(in_scale * w_scale * 60 * np.sqrt(depth) / 127 * rng.uniform(0.3, 3)))


def conv2d_s8_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for i, (b, h, w, c, oc, (kh, kw), st, dl, pad) in enumerate(CONV_GEOMS):
        for variant in range(2):
            in_zp = int(rng.integers(-128, 128))
            in_scale = float(rng.uniform(0.005, 0.1))
            w_scales = (0.002 * 10.0 ** rng.uniform(0, 2, oc)).astype(np.float32)
            x = _s8(rng, (b, h, w, c))
            wt = _s8(rng, (oc, kh, kw, c), lo=-127 if variant == 0 else -128)
            bias = rng.integers(-(2**14), 2**14, oc).astype(np.int32)
            r = abi.conv2d_s8(
                (b, h, w, c), wt, bias, input_scale=in_scale, input_zero_point=in_zp,
                filter_scales=w_scales,
                output_scale=_out_scale(rng, in_scale, w_scales, kh * kw * c),
                output_zero_point=int(rng.integers(-128, 128)), stride=st, dilation=dl,
                padding=pad, activation=INT8_ACTS[(i + variant) % 3],
            )  # fmt: skip
            mult, shift = r.multipliers, r.shifts
            if variant == 1:
                mult, shift = _extreme_requant(rng, oc, positive_shifts=True)
            payload = r.params.pack() + arr(x) + arr(r.packed_weights) + arr(r.folded_bias)
            payload += arr(mult, np.int32) + arr(shift, np.int32)
            what = f"conv {CONV_GEOMS[i]} {'extreme requant' if variant else ''}"
            cases.append(Case(what, 0, payload, np.int8, int(np.prod(r.output_shape))))
    return cases


def depthwise_conv2d_s8_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for i, (b, h, w, c, m, (kh, kw), st, dl, pad) in enumerate(DW_GEOMS):
        for variant in range(2):
            oc = c * m
            in_scale = float(rng.uniform(0.005, 0.1))
            w_scales = (0.002 * 10.0 ** rng.uniform(0, 2, oc)).astype(np.float32)
            x = _s8(rng, (b, h, w, c))
            wt = _s8(rng, (1, kh, kw, oc), lo=-127 if variant == 0 else -128)
            r = abi.depthwise_conv2d_s8(
                (b, h, w, c), wt, rng.integers(-(2**14), 2**14, oc).astype(np.int32),
                input_scale=in_scale, input_zero_point=int(rng.integers(-128, 128)),
                filter_scales=w_scales,
                output_scale=_out_scale(rng, in_scale, w_scales, kh * kw),
                output_zero_point=int(rng.integers(-128, 128)), stride=st, dilation=dl,
                padding=pad, activation=INT8_ACTS[(i + variant) % 3],
            )  # fmt: skip
            mult, shift = r.multipliers, r.shifts
            if variant == 1:
                mult, shift = _extreme_requant(rng, oc, positive_shifts=True)
            payload = r.params.pack() + arr(x) + arr(r.weights) + arr(r.folded_bias)
            payload += arr(mult, np.int32) + arr(shift, np.int32)
            what = f"depthwise {DW_GEOMS[i]} {'extreme requant' if variant else ''}"
            cases.append(Case(what, 0, payload, np.int8, int(np.prod(r.output_shape))))
    return cases


def fully_connected_s8_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for i, (b, k, o) in enumerate(FC_GEOMS):
        for per_channel in (True, False):
            in_scale = float(rng.uniform(0.005, 0.1))
            w_scales = (0.002 * 10.0 ** rng.uniform(0, 2, o if per_channel else 1)).astype(
                np.float32
            )
            x = _s8(rng, (b, k))
            wt = _s8(rng, (o, k), lo=-128 if i % 2 else -127)
            r = abi.fully_connected_s8(
                (b, k), wt, rng.integers(-(2**14), 2**14, o).astype(np.int32),
                input_scale=in_scale, input_zero_point=int(rng.integers(-128, 128)),
                weight_scales=w_scales,
                output_scale=_out_scale(rng, in_scale, w_scales, k),
                output_zero_point=int(rng.integers(-128, 128)),
                activation=INT8_ACTS[i % 3],
                weight_zero_points=0 if per_channel else int(rng.integers(-20, 20)),
            )  # fmt: skip
            payload = r.params.pack() + arr(x) + arr(r.weights) + arr(r.folded_bias)
            payload += arr(r.scale_mantissa) + arr(r.scale_exponent)
            what = f"fc {FC_GEOMS[i]} {'per-channel' if per_channel else 'per-tensor'}"
            cases.append(Case(what, 0, payload, np.int8, b * o))
    # requantization edges: scales that put many products on a tie (0.5, 0.25, 3 * 2^-7),
    # scales that saturate, and scales whose exponent is out of a double's normal range
    # (the double-precision path must fall back to the integer emulation)
    edge_scales = [0.5, 0.25, 3 * 2.0**-7, 2.0**-12, 1.0, 1e6, 1e-300, 5e-324, 2.0**980, 0.0]
    for i, scales in enumerate(([0.5] * 32, [0.25] * 32, [3 * 2.0**-7] * 32, edge_scales)):
        o, k = len(scales), 37  # small values: accumulators near the int8 range
        weights = rng.integers(-3, 4, (o, k)).astype(np.int8)
        r = abi.fully_connected_s8(
            (1, k), weights, rng.integers(-30, 30, o).astype(np.int32),
            input_scale=0.05, input_zero_point=0, weight_scales=[0.01] * o, output_scale=0.1,
            output_zero_point=int(rng.integers(-20, 20)),
        )  # fmt: skip
        parts = [abi.float_scale_parts(v) for v in scales]
        mantissa = np.array([m for m, _ in parts], np.int64)
        exponent = np.array([e for _, e in parts], np.int32)
        x = rng.integers(-8, 9, (1, k)).astype(np.int8)
        payload = r.params.pack() + arr(x) + arr(r.weights) + arr(r.folded_bias)
        payload += arr(mantissa) + arr(exponent)
        cases.append(Case(f"fc requantization edges {i}", 0, payload, np.int8, o))
    return cases


def pool2d_s8_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for i, (b, h, w, c, (kh, kw), st, pad) in enumerate(POOL_GEOMS):
        x = _s8(rng, (b, h, w, c))
        for mode, kind in enumerate(("avg", "max")):
            act = INT8_ACTS[(i + mode) % 3]
            r = abi.pool2d_s8(
                kind, (b, h, w, c), filter_hw=(kh, kw), stride=st, padding=pad, activation=act,
                output_scale=float(rng.uniform(0.01, 0.05)),
                output_zero_point=int(rng.integers(-128, 128)),
            )  # fmt: skip
            what = f"{kind} pool {POOL_GEOMS[i]} {act}"
            cases.append(
                Case(what, mode, r.params.pack() + arr(x), np.int8, int(np.prod(r.output_shape)))
            )
    # extreme windows: mixes of -128 and 127 (ties of the rounding division), and windows of
    # -128 or 127 only, up to the largest sums each lane width and division path takes
    for kh, fill in ((2, None), (3, None), (4, None), (16, -128), (16, 127), (17, -128), (23, 127)):
        if fill is None:
            x = np.where(rng.random((1, 9, 9, 19)) < 0.5, -128, 127).astype(np.int8)
        else:
            x = np.full((1, kh + 2, kh + 1, 18), fill, np.int8)
        r = abi.pool2d_s8("avg", x.shape, filter_hw=(kh, kh), stride=(1, 1), padding="SAME",
                          output_scale=0.02, output_zero_point=0)  # fmt: skip
        what = f"avg pool of extremes {kh}x{kh} {fill}"
        cases.append(Case(what, 0, r.params.pack() + arr(x), np.int8, int(np.prod(r.output_shape))))
    return cases


def binary_s8_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for i, (a_shape, b_shape, alias) in enumerate(BINARY_SHAPES):
        for op_index, op in enumerate(BINARY_OPS):
            while True:
                scales = rng.uniform(0.01, 0.1, 3)
                try:
                    r = abi.binary_s8(
                        op, a_shape, b_shape, a_scale=scales[0],
                        a_zero_point=int(rng.integers(-128, 128)), b_scale=scales[1],
                        b_zero_point=int(rng.integers(-128, 128)),
                        output_scale=scales[2] * (4 if op == "mul" else 1),
                        output_zero_point=int(rng.integers(-128, 128)),
                        activation=INT8_ACTS[(i + op_index) % 3],
                    )  # fmt: skip
                    break
                except NotImplementedError:
                    continue  # a SUB LiteRT cannot run: other scales
            a, b = _s8(rng, a_shape), _s8(rng, b_shape)
            mode = op_index * 4 + {"": 0, "a": 1, "b": 2}[alias]
            what = f"{op} {a_shape} {b_shape} alias={alias or '-'}"
            count = int(np.prod(r.output_shape))
            cases.append(Case(what, mode, r.params.pack() + arr(a) + arr(b), np.int8, count))
    # an operand read with stride 3 (a strided view of a [4, 27] buffer)
    for op_index, op in enumerate(BINARY_OPS):
        r = abi.binary_s8(op, (4, 9), (4, 9), a_scale=0.02, a_zero_point=-128, b_scale=0.03,
                          b_zero_point=127, output_scale=0.05, output_zero_point=5)  # fmt: skip
        layout = {
            "ndim": 2,
            "out_shape": (4, 9, 0, 0, 0, 0),
            "a_strides": (27, 3, 0, 0, 0, 0),
            "b_strides": (9, 1, 0, 0, 0, 0),
        }
        params = replace(
            r.params,
            fields=tuple((n, k, layout.get(n, v)) for n, k, v in r.params.fields),
        )
        payload = params.pack() + arr(_s8(rng, (4, 27))) + arr(_s8(rng, (4, 9)))
        cases.append(Case(f"{op} with a strided operand", op_index * 4, payload, np.int8, 36))
    return cases


@dataclass(frozen=True)
class Family:
    cases: Callable[[np.random.Generator], list[Case]]
    exact: bool  # int8: identical; float: within tolerance


FAMILIES = {
    "requant": Family(requant_cases, True),
    "conv2d_f32": Family(conv2d_f32_cases, False),
    "conv2d_hybrid": Family(conv2d_hybrid_cases, False),
    "depthwise_conv2d_f32": Family(depthwise_conv2d_f32_cases, False),
    "fully_connected_f32": Family(fully_connected_f32_cases, False),
    "pool2d_f32": Family(pool2d_f32_cases, False),
    "binary_f32": Family(binary_f32_cases, False),
    "conv2d_s8": Family(conv2d_s8_cases, True),
    "depthwise_conv2d_s8": Family(depthwise_conv2d_s8_cases, True),
    "fully_connected_s8": Family(fully_connected_s8_cases, True),
    "pool2d_s8": Family(pool2d_s8_cases, True),
    "binary_s8": Family(binary_s8_cases, True),
}


def _differences(case: Case, got: np.ndarray, want: np.ndarray, exact: bool) -> str | None:
    """Why the NEON output `got` fails against the generic `want` (None: it passes)."""
    if exact:
        bad = np.flatnonzero(got != want)
        if bad.size:
            i = int(bad[0])
            return (
                f"{bad.size} of {want.size} differ, first at {i}: NEON {got[i]}, generic {want[i]}"
            )
        return None
    g, w = got.astype(np.float64), want.astype(np.float64)
    bound = 1e-5 * float(np.max(np.abs(w), initial=0.0)) + 1e-6
    error = np.abs(g - w)
    if not np.all(error <= bound):  # NaN fails too
        i = int(np.nanargmax(np.where(np.isnan(error), np.inf, error)))
        return (
            f"max |NEON - generic| = {error[i]:.3e} at {i} (NEON {g[i]!r}, "
            f"generic {w[i]!r}) > {bound:.3e}"
        )
    return None


SDOT_FAMILIES = ("conv2d_s8", "fully_connected_s8", "conv2d_hybrid")
"""The kernels with a dot-product (SDOT) path."""


def _family_archs() -> list[tuple[str, str]]:
    """Every family on every variant, except that the dot-product variants (which change
    only the kernels that use SDOT) run those kernels only."""
    return [
        (family, arch)
        for family in FAMILIES
        for arch in ARCHS
        if family in SDOT_FAMILIES or not arch.endswith("-dotprod")
    ]


@pytest.mark.parametrize(("family", "arch_name"), _family_archs())
def test_neon_kernel_matches_generic(
    builds: Builds, family: str, arch_name: str, tmp_path: Path
) -> None:
    arch = need_arch(arch_name)
    spec = FAMILIES[family]
    cases = spec.cases(np.random.default_rng(list(FAMILIES).index(family) + 1))
    exe = builds.get(family, arch)
    source, result = tmp_path / "cases.bin", tmp_path / "outputs.bin"
    source.write_bytes(b"".join(struct.pack("<i", c.mode) + c.payload for c in cases))
    run = subprocess.run(
        [*arch.qemu, str(exe), str(source), str(result)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, f"{exe.name} exited with {run.returncode}: {run.stderr[-2000:]}"
    raw = result.read_bytes()
    failures, offset = [], 0
    for case in cases:
        n = case.count * np.dtype(case.dtype).itemsize
        want = np.frombuffer(raw, case.dtype, case.count, offset)
        got = np.frombuffer(raw, case.dtype, case.count, offset + n)
        offset += 2 * n
        why = _differences(case, got, want, spec.exact)
        if why:
            failures.append(f"{case.what}: {why}")
    assert offset == len(raw), f"{len(raw)} output bytes, expected {offset}"
    assert not failures, f"{len(failures)} of {len(cases)} cases fail:\n" + "\n".join(failures[:8])


# ------------------------------------------------------------------------------------------
# SDOT exactly where the core has it; warning-free builds


DOTPROD_CORES = {"cortex-a55", "cortex-a76", "neoverse-n1"}
SDOT_KERNELS = [
    "int8/conv2d_s8_neon.c",
    "int8/fully_connected_s8_neon.c",
    "fp32/conv2d_hybrid_neon.c",
]


def _objdump(compiler: str) -> str:
    return compiler.removesuffix("gcc") + "objdump"


@pytest.mark.parametrize(
    ("target", "cpu"), [(t, c) for t, cores in ARM_CPUS.items() for c in ("", *cores)]
)
def test_sdot_only_for_cores_with_the_dot_product(target: str, cpu: str, tmp_path: Path) -> None:
    """The int8 kernels built for a core (micro.cfg cpu=, the toolchain file's flags) contain
    SDOT exactly when the core has the dot-product extension."""
    info = get_target(target)
    compiler = f"{info.triple}-gcc"
    if shutil.which(compiler) is None or shutil.which(_objdump(compiler)) is None:
        pytest.skip(f"{compiler} not installed (scripts/setup.sh installs it as root)")
    flags = cpu_flags(info, cpu)
    for name in SDOT_KERNELS:
        obj = tmp_path / "kernel.o"
        cmd = [compiler, *WARNINGS, "-O2", *flags, *(f"-I{KERNELS / d}" for d in INCLUDE_DIRS)]
        build = subprocess.run(
            [*cmd, "-c", str(KERNELS / "neon" / name), "-o", str(obj)],
            capture_output=True,
            text=True,
        )
        assert build.returncode == 0, build.stderr
        listing = subprocess.run(
            [_objdump(compiler), "-d", str(obj)], capture_output=True, text=True, check=True
        ).stdout
        has_sdot = re.search(r"\tv?sdot\b", listing) is not None
        assert has_sdot == (cpu in DOTPROD_CORES), f"{target} cpu={cpu or '(baseline)'} {name}"


CLANG_TARGETS = [
    "--target=aarch64-linux-gnu",
    "--target=aarch64-linux-gnu -march=armv8.2-a+dotprod",
    "--target=armv7a-linux-gnueabihf -mfpu=neon -mfloat-abi=hard",
    "--target=armv8.2a-linux-gnueabihf -march=armv8.2-a+dotprod -mfpu=neon-fp-armv8"
    " -mfloat-abi=hard",
]


@pytest.mark.parametrize("flags", CLANG_TARGETS)
def test_neon_kernels_compile_cleanly_with_clang(flags: str, tmp_path: Path) -> None:
    """gcc builds every kernel with -Werror above; clang (cross, compile only) must too."""
    if shutil.which("clang") is None:
        pytest.skip("clang is not installed")
    for source in sorted((KERNELS / "neon").glob("*/*.c")):
        cmd = [
            "clang",
            *WARNINGS,
            "-O2",
            *flags.split(),
            *(f"-I{KERNELS / d}" for d in INCLUDE_DIRS),
        ]
        result = subprocess.run(
            [*cmd, "-c", str(source), "-o", str(tmp_path / "k.o")], capture_output=True, text=True
        )
        if "unknown target" in result.stderr or "no such file" in result.stderr.lower():
            pytest.skip(f"clang cannot build for {flags}: {result.stderr[:200]}")
        assert result.returncode == 0, f"{source.name} {flags}:\n{result.stderr}"
