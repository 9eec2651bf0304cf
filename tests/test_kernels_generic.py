"""
The portable C99 float32 kernels in `kernels/generic/fp32/`, against independent numpy
references of the TFLite semantics their headers document.

Every kernel is compiled once per (compiler, flag set) together with a small C driver
(below) that reads the kernel's parameter struct and its input arrays from a binary file,
allocates every buffer with exactly the size it needs (so AddressSanitizer catches any
overrun, including of the conv scratch buffer, whose size the kernel itself reports),
runs the kernel and writes the output. The scratch-size formulas and the conv weight
packing are checked against `micro.backends.generic.abi`, the compiler's copy of them.
"""

from __future__ import annotations

import itertools
import math
import os
import shutil
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest

from micro.backends.generic.abi import (
    conv2d_f32_scratch_size,
    conv2d_hybrid_scratch_size,
    conv_is_pointwise,
    conv_reads_padding,
    pack_conv2d_f32,
    pack_panels_f32,
)

REPO = Path(__file__).resolve().parents[1]
GENERIC = REPO / "kernels" / "generic"
FP32 = GENERIC / "fp32"

# ------------------------------------------------------------------------------------------
# Build configurations

WARNINGS = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-Wvla"]
FLAG_SETS = {
    "O2": ["-O2"],
    "O3native": ["-O3", "-march=native"],
    # other register-block shapes of conv2d_f32.c (the defaults depend on the target)
    "O2-mr1np1": ["-O2", "-DMICRO_CONV_MR=1", "-DMICRO_CONV_NP=1"],
    "O2-mr5np3": ["-O2", "-DMICRO_CONV_MR=5", "-DMICRO_CONV_NP=3"],
    "asan": [
        "-O1",
        "-g",
        "-fno-omit-frame-pointer",
        "-fsanitize=address,undefined",
        "-fno-sanitize-recover=all",
    ],
}
NO_CLANG = pytest.mark.skipif(shutil.which("clang") is None, reason="clang is not installed")


def _cfgs(flag_sets: list[str]) -> list:
    return [
        pytest.param((cc, fs), id=f"{cc}-{fs}", marks=[NO_CLANG] if cc == "clang" else [])
        for cc in ("gcc", "clang")
        for fs in flag_sets
    ]


CFGS = _cfgs(["O2", "O3native"])
SAN_CFGS = _cfgs(["asan"])
ALL_CFGS = _cfgs(list(FLAG_SETS))

ACTS = {"none": (-math.inf, math.inf), "relu": (0.0, math.inf), "relu6": (0.0, 6.0)}

# ------------------------------------------------------------------------------------------
# C drivers. Input file: int32 mode, the raw params struct, then arrays as an int64 byte count
# (-1 for NULL) followed by the bytes. Output file: [uint64 scratch size,] output bytes.

DRIVER_PRELUDE = r"""
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE *in_f, *out_f;

static void die(const char *msg) {
  fprintf(stderr, "driver: %s\n", msg);
  exit(2);
}
static void get(void *dst, size_t n) {
  if (n && fread(dst, 1, n, in_f) != n) die("short read");
}
/* a buffer of exactly the array's size (NULL for a -1 count) */
static void *get_array(void) {
  int64_t n;
  void *p;
  get(&n, sizeof n);
  if (n < 0) return NULL;
  p = malloc(n ? (size_t)n : 1);
  if (!p) die("out of memory");
  get(p, (size_t)n);
  return p;
}
static void put(const void *src, size_t n) {
  if (n && fwrite(src, 1, n, out_f) != n) die("short write");
}
/* an output buffer of exactly n floats, poisoned with NaN so unwritten elements show */
static float *new_output(size_t n) {
  float *p = (float *)malloc(n ? n * sizeof(float) : 1);
  if (!p) die("out of memory");
  memset(p, 0xff, n * sizeof(float));
  return p;
}
static void run(int32_t mode);
int main(int argc, char **argv) {
  int32_t mode;
  if (argc != 3) die("usage: driver IN OUT");
  in_f = fopen(argv[1], "rb");
  out_f = fopen(argv[2], "wb");
  if (!in_f || !out_f) die("cannot open files");
  get(&mode, sizeof mode);
  run(mode);
  fclose(in_f);
  if (fclose(out_f) != 0) die("cannot write output");
  return 0;
}
#define CHECK_SIZE(T, n) typedef char check_size_##T[sizeof(T) == (n) ? 1 : -1]
"""

DRIVERS = {
    "conv2d_f32": r"""
#include "conv2d_f32.h"
CHECK_SIZE(MicroConv2dParams, 68);
static void run(int32_t mode) {
  MicroConv2dParams p;
  uint64_t ss;
  get(&p, sizeof p);
  ss = micro_conv2d_f32_scratch_size(&p);
  put(&ss, sizeof ss);
  if (mode == 0) {
    float *in = get_array(), *w = get_array(), *bias = get_array();
    size_t n = (size_t)p.batch * p.out_h * p.out_w * p.out_c;
    float *out = new_output(n);
    float *scratch = ss ? (float *)malloc((size_t)ss) : NULL;
    if (ss && !scratch) die("out of memory");
    micro_conv2d_f32(in, w, bias, out, scratch, &p);
    put(out, n * sizeof(float));
    free(in), free(w), free(bias), free(out), free(scratch);
  }
}
""",
    "conv2d_hybrid": r"""
#include "conv2d_hybrid.h"
CHECK_SIZE(MicroConv2dParams, 68);
static void run(int32_t mode) {
  MicroConv2dParams p;
  uint64_t ss;
  get(&p, sizeof p);
  ss = micro_conv2d_hybrid_scratch_size(&p);
  put(&ss, sizeof ss);
  if (mode == 0) {
    float w_scale;
    float *in = (float *)get_array();
    int8_t *w = (int8_t *)get_array();
    float *bias;
    size_t n = (size_t)p.batch * p.out_h * p.out_w * p.out_c;
    float *out = new_output(n);
    void *scratch = malloc(ss ? (size_t)ss : 1);
    if (!scratch) die("out of memory");
    get(&w_scale, sizeof w_scale);
    bias = (float *)get_array();
    micro_conv2d_hybrid_f32(in, w, w_scale, bias, out, scratch, &p);
    put(out, n * sizeof(float));
    free(in), free(w), free(bias), free(out), free(scratch);
  }
}
""",
    "depthwise_conv2d_f32": r"""
#include "depthwise_conv2d_f32.h"
CHECK_SIZE(MicroDepthwiseConv2dParams, 72);
static void run(int32_t mode) {
  MicroDepthwiseConv2dParams p;
  float *in, *w, *bias, *out;
  size_t n;
  (void)mode;
  get(&p, sizeof p);
  in = get_array(), w = get_array(), bias = get_array();
  n = (size_t)p.batch * p.out_h * p.out_w * p.out_c;
  out = new_output(n);
  micro_depthwise_conv2d_f32(in, w, bias, out, &p);
  put(out, n * sizeof(float));
  free(in), free(w), free(bias), free(out);
}
""",
    "fully_connected_f32": r"""
#include "fully_connected_f32.h"
CHECK_SIZE(MicroFullyConnectedParams, 20);
static void run(int32_t mode) {
  MicroFullyConnectedParams p;
  float *in, *w, *bias, *out;
  size_t n;
  (void)mode;
  get(&p, sizeof p);
  in = get_array(), w = get_array(), bias = get_array();
  n = (size_t)p.batch * p.out_features;
  out = new_output(n);
  micro_fully_connected_f32(in, w, bias, out, &p);
  put(out, n * sizeof(float));
  free(in), free(w), free(bias), free(out);
}
""",
    "pool2d_f32": r"""
#include "pool2d_f32.h"
CHECK_SIZE(MicroPool2dParams, 60);
/* mode: 0 average, 1 max */
static void run(int32_t mode) {
  MicroPool2dParams p;
  float *in, *out;
  size_t n;
  get(&p, sizeof p);
  in = get_array();
  n = (size_t)p.batch * p.out_h * p.out_w * p.channels;
  out = new_output(n);
  if (mode == 0)
    micro_avg_pool2d_f32(in, out, &p);
  else
    micro_max_pool2d_f32(in, out, &p);
  put(out, n * sizeof(float));
  free(in), free(out);
}
""",
    "binary_f32": r"""
#include "binary_f32.h"
CHECK_SIZE(MicroBinaryParams, 84);
/* mode: op * 4 + alias, op 0..5 = add sub mul div maximum minimum, alias 1: out = a, 2: out = b */
static void run(int32_t mode) {
  typedef void (*Fn)(const float *, const float *, float *, const MicroBinaryParams *);
  static const Fn fns[6] = {micro_add_f32, micro_sub_f32, micro_mul_f32,
                            micro_div_f32, micro_maximum_f32, micro_minimum_f32};
  MicroBinaryParams p;
  float *a, *b, *out;
  size_t n = 1;
  int32_t d, alias = mode % 4;
  get(&p, sizeof p);
  a = get_array(), b = get_array();
  for (d = 0; d < p.ndim; ++d) n *= (size_t)p.out_shape[d];
  out = alias == 1 ? a : alias == 2 ? b : new_output(n);
  fns[mode / 4](a, b, out, &p);
  put(out, n * sizeof(float));
  free(a), free(b);
  if (!alias) free(out);
}
""",
    "softmax_f32": r"""
#include "softmax_f32.h"
CHECK_SIZE(MicroSoftmaxParams, 12);
/* mode 1: in place */
static void run(int32_t mode) {
  MicroSoftmaxParams p;
  float *in, *out;
  size_t n;
  get(&p, sizeof p);
  in = get_array();
  n = (size_t)p.outer * p.axis_size;
  out = mode == 1 ? in : new_output(n);
  micro_softmax_f32(in, out, &p);
  put(out, n * sizeof(float));
  if (mode != 1) free(out);
  free(in);
}
""",
}

KERNELS = sorted(DRIVERS)

# ------------------------------------------------------------------------------------------
# Build and run


def _compile(cc: str, flags: list[str], sources: list[Path], out: Path, link: bool) -> str | None:
    """Compile (and link); returns the error report on failure."""
    cmd = [cc, *WARNINGS, *flags, f"-I{GENERIC}", f"-I{FP32}", *map(str, sources)]
    cmd += ["-o", str(out), "-lm"] if link else ["-c", "-o", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return f"compile failed: {' '.join(cmd)}\n{proc.stderr}"
    return None


class Builds:
    """Kernel + driver executables, built on first use and cached for the session."""

    def __init__(self, root: Path):
        self.root = root
        self.cache: dict[tuple[str, str, str], tuple[Path, str | None]] = {}

    def get(self, kernel: str, cfg: tuple[str, str]) -> Path:
        cc, flag_set = cfg
        key = (kernel, cc, flag_set)
        if key not in self.cache:
            out_dir = self.root / f"{cc}-{flag_set}"
            out_dir.mkdir(exist_ok=True)
            driver = out_dir / f"driver_{kernel}.c"
            driver.write_text(DRIVER_PRELUDE + DRIVERS[kernel])
            exe = out_dir / kernel
            sources = [driver, FP32 / f"{kernel}.c"]
            self.cache[key] = exe, _compile(cc, FLAG_SETS[flag_set], sources, exe, link=True)
        exe, error = self.cache[key]
        if error:
            pytest.fail(error)
        return exe


@pytest.fixture(scope="session")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Builds:
    return Builds(tmp_path_factory.mktemp("generic_kernels"))


def arr(a: np.ndarray | None, dtype=np.float32) -> bytes:
    if a is None:
        return struct.pack("<q", -1)
    data = np.ascontiguousarray(a, dtype=dtype).tobytes()
    return struct.pack("<q", len(data)) + data


def run_driver(exe: Path, payload: bytes, tmp_path: Path) -> bytes:
    src, dst = tmp_path / "in.bin", tmp_path / "out.bin"
    src.write_bytes(payload)
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0", UBSAN_OPTIONS="print_stacktrace=1")
    proc = subprocess.run(
        [str(exe), str(src), str(dst)], capture_output=True, text=True, env=env, check=False
    )
    if proc.returncode != 0:
        pytest.fail(f"{exe.name} exited with {proc.returncode}\n{proc.stderr}")
    return dst.read_bytes()


def assert_close(y: np.ndarray, ref: np.ndarray) -> None:
    assert y.shape == ref.shape
    assert np.all(np.isfinite(y)), "non-finite output (unwritten element?)"
    err = np.abs(y.astype(np.float64) - ref).max(initial=0.0)
    tol = 1e-5 * np.abs(ref).max(initial=0.0) + 1e-6
    assert err <= tol, f"max error {err:g} > {tol:g}"


# ------------------------------------------------------------------------------------------
# Geometry and references


def out_and_pads(n: int, k: int, s: int, d: int, padding) -> tuple[int, int, int]:
    """(out, pad_before, pad_after) for TFLite SAME / VALID or explicit (before, after)."""
    eff = (k - 1) * d + 1
    if padding == "same":
        out = -(-n // s)
        total = max((out - 1) * s + eff - n, 0)
        return out, total // 2, total - total // 2
    before, after = (0, 0) if padding == "valid" else padding
    return (n + before + after - eff) // s + 1, before, after


def window_sum(x, out_hw, k_hw, stride, dil, pads, tap):
    """sum over taps of tap(ky, kx, patch) with patch = padded x at the tap, [B, oh, ow, C]."""
    b, h, w, c = x.shape
    (oh, ow), (kh, kw), (sh, sw), (dh, dw), (pt, pl) = out_hw, k_hw, stride, dil, pads
    ph = max(pt + h, (oh - 1) * sh + (kh - 1) * dh + 1)
    pw = max(pl + w, (ow - 1) * sw + (kw - 1) * dw + 1)
    xp = np.zeros((b, ph, pw, c), dtype=x.dtype)
    xp[:, pt : pt + h, pl : pl + w] = x
    total = None
    for ky in range(kh):
        for kx in range(kw):
            y0, x0 = ky * dh, kx * dw
            patch = xp[:, y0 : y0 + (oh - 1) * sh + 1 : sh, x0 : x0 + (ow - 1) * sw + 1 : sw]
            term = tap(ky, kx, patch)
            total = term if total is None else total + term
    return total


def conv_ref(x, w_ohwi, bias, stride, dil, pads, out_hw, act):
    w = w_ohwi.astype(np.float64)
    y = window_sum(
        x.astype(np.float64),
        out_hw,
        w.shape[1:3],
        stride,
        dil,
        pads,
        lambda ky, kx, patch: patch @ w[:, ky, kx, :].T,
    )
    if bias is not None:
        y = y + bias.astype(np.float64)
    return np.clip(y, *ACTS[act])


def conv_params(b, h, w, c, oh, ow, oc, kh, kw, stride, dil, pads, act) -> bytes:
    return struct.pack("<15i2f", b, h, w, c, oh, ow, oc, kh, kw, *stride, *dil, *pads, *ACTS[act])


# ------------------------------------------------------------------------------------------
# conv2d_f32

# (batch, in_h, in_w, in_c, out_c, (k_h, k_w), (stride_h, stride_w), (dil_h, dil_w),
#  padding_h, padding_w, act)
CONV_CASES = [
    (1, 5, 7, 3, 5, (3, 3), (1, 1), (1, 1), "same", "same", "none"),
    (2, 9, 8, 4, 13, (3, 3), (2, 2), (1, 1), "same", "same", "relu"),  # pad_bottom = top + 1
    (1, 10, 10, 8, 16, (3, 3), (1, 1), (2, 2), "same", "same", "relu6"),
    (1, 11, 9, 5, 24, (5, 3), (2, 1), (1, 2), "valid", "valid", "none"),
    (1, 11, 13, 16, 17, (1, 1), (1, 1), (1, 1), "valid", "valid", "none"),  # pointwise, M=143
    (2, 7, 5, 3, 9, (1, 1), (1, 1), (1, 1), "same", "same", "relu6"),  # pointwise, batch 2
    (1, 9, 9, 6, 7, (1, 1), (2, 2), (1, 1), "same", "same", "relu"),  # 1x1 stride 2 (im2col)
    (1, 6, 5, 4, 10, (1, 1), (1, 1), (1, 1), (0, 1), (0, 2), "none"),  # 1x1, bottom/right pad
    (1, 16, 16, 16, 32, (3, 3), (1, 1), (1, 1), "same", "same", "relu"),  # M=256
    (1, 23, 23, 3, 8, (7, 7), (2, 2), (1, 1), "same", "same", "relu"),
    (1, 3, 3, 4, 6, (3, 3), (1, 1), (1, 1), "valid", "valid", "none"),  # M=1
    (1, 8, 9, 5, 33, (3, 3), (1, 1), (1, 1), "same", "same", "relu6"),  # 5 panels
    (1, 2, 3, 2, 5, (5, 5), (1, 1), (1, 1), "same", "same", "none"),  # mostly padding
    (2, 12, 11, 3, 11, (3, 3), (2, 2), (2, 2), (2, 0), (1, 3), "relu"),
    (1, 8, 7, 40, 31, (3, 3), (1, 1), (1, 1), "valid", "valid", "none"),
    (1, 9, 10, 7, 40, (2, 4), (1, 3), (1, 1), "same", "same", "relu6"),
]
CONV_SAN = [0, 1, 2, 4, 7, 11, 13]


def _conv_case(case, seed):
    b, h, w, c, oc, (kh, kw), stride, dil, pad_h, pad_w, _ = case
    oh, pt, pb = out_and_pads(h, kh, stride[0], dil[0], pad_h)
    ow, pl, pr = out_and_pads(w, kw, stride[1], dil[1], pad_w)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((b, h, w, c)).astype(np.float32)
    wt = rng.standard_normal((oc, kh, kw, c)).astype(np.float32)
    bias = rng.standard_normal(oc).astype(np.float32)
    geo = dict(oh=oh, ow=ow, pads=(pt, pl), all_pads=(pt, pb, pl, pr))
    return x, wt, bias, geo


def check_conv(builds, cfg, case, tmp_path, seed):
    b, h, w, c, oc, (kh, kw), stride, dil, _, _, act = case
    x, wt, bias, g = _conv_case(case, seed)
    exe = builds.get("conv2d_f32", cfg)
    params = conv_params(b, h, w, c, g["oh"], g["ow"], oc, kh, kw, stride, dil, g["pads"], act)
    out = run_driver(
        exe,
        struct.pack("<i", 0) + params + arr(x) + arr(pack_conv2d_f32(wt)) + arr(bias),
        tmp_path,
    )
    (scratch,) = struct.unpack_from("<Q", out)
    pt, pb, pl, pr = g["all_pads"]
    reads = conv_reads_padding((h, w), (g["oh"], g["ow"]), (kh, kw), stride, dil, (pt, pl, pb, pr))
    assert scratch == conv2d_f32_scratch_size(c, reads)
    y = np.frombuffer(out, np.float32, offset=8).reshape(b, g["oh"], g["ow"], oc)
    assert_close(y, conv_ref(x, wt, bias, stride, dil, g["pads"], (g["oh"], g["ow"]), act))


@pytest.mark.parametrize("cfg", CFGS)
@pytest.mark.parametrize("idx", range(len(CONV_CASES)))
def test_conv2d_f32(builds, cfg, idx, tmp_path):
    check_conv(builds, cfg, CONV_CASES[idx], tmp_path, seed=idx)


@pytest.mark.parametrize("cfg", SAN_CFGS)
@pytest.mark.parametrize("idx", CONV_SAN)
def test_conv2d_f32_sanitized(builds, cfg, idx, tmp_path):
    check_conv(builds, cfg, CONV_CASES[idx], tmp_path, seed=idx)


@pytest.mark.parametrize("shape", ["O2-mr1np1", "O2-mr5np3"])
@pytest.mark.parametrize("idx", range(len(CONV_CASES)))
def test_conv2d_f32_block_shapes(builds, shape, idx, tmp_path):
    check_conv(builds, ("gcc", shape), CONV_CASES[idx], tmp_path, seed=idx)


def test_conv2d_f32_null_bias(builds, tmp_path):
    case = CONV_CASES[1]
    b, h, w, c, oc, (kh, kw), stride, dil, _, _, act = case
    x, wt, _, g = _conv_case(case, 99)
    exe = builds.get("conv2d_f32", ("gcc", "asan"))
    params = conv_params(b, h, w, c, g["oh"], g["ow"], oc, kh, kw, stride, dil, g["pads"], act)
    out = run_driver(
        exe,
        struct.pack("<i", 0) + params + arr(x) + arr(pack_conv2d_f32(wt)) + arr(None),
        tmp_path,
    )
    y = np.frombuffer(out, np.float32, offset=8).reshape(b, g["oh"], g["ow"], oc)
    assert_close(y, conv_ref(x, wt, None, stride, dil, g["pads"], (g["oh"], g["ow"]), act))


def _scratch_grid():
    for b, (h, w), c, (kh, kw), s, d, pad in itertools.product(
        (1, 3),
        ((1, 1), (5, 7), (8, 8), (9, 9), (20, 13)),
        (1, 3, 16),
        ((1, 1), (3, 3), (1, 3)),
        (1, 2),
        (1, 2),
        ("same", "valid", (0, 1)),
    ):
        oh, pt, pb = out_and_pads(h, kh, s, d, pad)
        ow, pl, pr = out_and_pads(w, kw, s, d, pad)
        if oh >= 1 and ow >= 1:
            yield b, h, w, c, oh, ow, kh, kw, s, d, (pt, pb, pl, pr)


SCRATCH_GRID = list(_scratch_grid())


@pytest.mark.parametrize("kernel", ["conv2d_f32", "conv2d_hybrid"])
def test_conv_scratch_size_matches_abi(builds, kernel, tmp_path):
    exe = builds.get(kernel, ("gcc", "O2"))
    for i, (b, h, w, c, oh, ow, kh, kw, s, d, pads) in enumerate(SCRATCH_GRID):
        if kernel == "conv2d_hybrid" and d != 1:
            continue
        pt, _, pl, _ = pads
        params = conv_params(b, h, w, c, oh, ow, 5, kh, kw, (s, s), (d, d), (pt, pl), "none")
        out = run_driver(exe, struct.pack("<i", 1) + params, tmp_path)
        (got,) = struct.unpack("<Q", out)
        pt, pb, pl, pr = pads
        pointwise = conv_is_pointwise(kh, kw, (s, s), (pt, pl, pb, pr), (d, d))
        if kernel == "conv2d_f32":
            reads = conv_reads_padding((h, w), (oh, ow), (kh, kw), (s, s), (d, d), (pt, pl, pb, pr))
            want = conv2d_f32_scratch_size(c, reads)
        else:
            want = conv2d_hybrid_scratch_size(b, h, w, c, oh, ow, kh, kw, pointwise)
        assert got == want, f"case {i}: {SCRATCH_GRID[i]}"


# ------------------------------------------------------------------------------------------
# conv2d_hybrid: bit-exact against a float32 re-implementation of the header's steps


def hybrid_ref(x, w_i8, w_scale, bias, stride, pads, out_hw, act):
    f32 = np.float32
    outs = []
    for xb in x.astype(f32):
        rng_ = f32(max(abs(xb.min()), abs(xb.max())))
        if rng_ == 0:
            q = np.zeros(xb.shape, np.int64)
            s_in = f32(1.0)
        else:
            s_in = f32(rng_ / f32(127))
            inv = f32(f32(127) / rng_)
            t = (xb * inv).astype(f32).astype(np.float64)
            q = np.clip(np.sign(t) * np.floor(np.abs(t) + 0.5), -127, 127).astype(np.int64)
        scale = f32(s_in * f32(w_scale))
        wq = w_i8.astype(np.int64)
        acc = window_sum(
            q[None],
            out_hw,
            wq.shape[1:3],
            stride,
            (1, 1),
            pads,
            lambda ky, kx, patch, wq=wq: patch @ wq[:, ky, kx, :].T,
        )[0]
        y = (acc.astype(f32) * scale).astype(f32)
        if bias is not None:
            y = (y + bias.astype(f32)).astype(f32)
        lo, hi = ACTS[act]
        outs.append(np.minimum(np.maximum(y, f32(lo)), f32(hi)))
    return np.stack(outs)


# (batch, in_h, in_w, in_c, out_c, (k_h, k_w), stride, padding, act, input kind)
HYBRID_CASES = [
    (1, 5, 7, 3, 5, (3, 3), 1, "same", "none", "normal"),
    (2, 9, 8, 4, 13, (3, 3), 2, "same", "relu", "normal"),  # per-image ranges differ
    (1, 11, 13, 16, 17, (1, 1), 1, "valid", "relu6", "normal"),  # pointwise
    (1, 8, 9, 21, 33, (3, 3), 1, "same", "none", "ties"),  # exact .5 ties
    (2, 6, 6, 2, 3, (3, 3), 1, "same", "none", "zero_first"),  # range == 0 for image 0
    (1, 10, 10, 8, 9, (5, 5), 2, "valid", "relu", "normal"),
    (1, 2, 3, 2, 5, (5, 5), 1, "same", "none", "nobias"),
    (1, 12, 11, 40, 7, (3, 3), 1, "valid", "none", "normal"),  # K = 360
]
HYBRID_SAN = [1, 2, 3, 4, 6]


def check_hybrid(builds, cfg, case, tmp_path, seed):
    b, h, w, c, oc, (kh, kw), s, pad, act, kind = case
    oh, pt, pb = out_and_pads(h, kh, s, 1, pad)
    ow, pl, pr = out_and_pads(w, kw, s, 1, pad)
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal((b, h, w, c)) * 3).astype(np.float32)
    if kind == "ties":  # range 127 makes inv == 1, so x.5 values are exact ties
        x = (rng.integers(-250, 251, size=x.shape) / 2).astype(np.float32)
        x.flat[0] = 127.0
    if kind == "zero_first":
        x[0] = 0.0
    wt = rng.integers(-127, 128, size=(oc, kh, kw, c)).astype(np.int8)
    w_scale = np.float32(0.0123)
    bias = None if kind == "nobias" else rng.standard_normal(oc).astype(np.float32)
    exe = builds.get("conv2d_hybrid", cfg)
    params = conv_params(b, h, w, c, oh, ow, oc, kh, kw, (s, s), (1, 1), (pt, pl), act)
    payload = (
        struct.pack("<i", 0)
        + params
        + arr(x)
        + arr(wt, np.int8)
        + struct.pack("<f", w_scale)
        + arr(bias)
    )
    out = run_driver(exe, payload, tmp_path)
    (scratch,) = struct.unpack_from("<Q", out)
    pointwise = conv_is_pointwise(kh, kw, (s, s), (pt, pl, pb, pr), (1, 1))
    assert scratch == conv2d_hybrid_scratch_size(b, h, w, c, oh, ow, kh, kw, pointwise)
    y = np.frombuffer(out, np.float32, offset=8).reshape(b, oh, ow, oc)
    ref = hybrid_ref(x, wt, w_scale, bias, (s, s), (pt, pl), (oh, ow), act)
    np.testing.assert_array_equal(y, ref)


@pytest.mark.parametrize("cfg", CFGS)
@pytest.mark.parametrize("idx", range(len(HYBRID_CASES)))
def test_conv2d_hybrid(builds, cfg, idx, tmp_path):
    check_hybrid(builds, cfg, HYBRID_CASES[idx], tmp_path, seed=100 + idx)


@pytest.mark.parametrize("cfg", SAN_CFGS)
@pytest.mark.parametrize("idx", HYBRID_SAN)
def test_conv2d_hybrid_sanitized(builds, cfg, idx, tmp_path):
    check_hybrid(builds, cfg, HYBRID_CASES[idx], tmp_path, seed=100 + idx)


# ------------------------------------------------------------------------------------------
# depthwise_conv2d_f32

# (batch, in_h, in_w, in_c, multiplier, (k_h, k_w), stride, dilation, padding, act)
DW_CASES = [
    (1, 7, 9, 16, 1, (3, 3), (1, 1), (1, 1), "same", "none"),
    (2, 9, 8, 17, 1, (3, 3), (2, 2), (1, 1), "same", "relu6"),  # asymmetric pad, tail
    (1, 10, 11, 35, 1, (3, 3), (1, 1), (2, 2), "same", "relu"),
    (1, 8, 8, 3, 2, (3, 3), (1, 1), (1, 1), "same", "none"),
    (2, 11, 13, 9, 2, (5, 5), (2, 1), (1, 2), "valid", "relu"),
    (1, 6, 6, 5, 3, (3, 3), (2, 2), (1, 1), "same", "relu6"),
    (1, 2, 3, 32, 1, (5, 5), (1, 1), (1, 1), "same", "none"),  # mostly padding
    (1, 13, 13, 48, 1, (3, 3), (2, 2), (1, 1), (0, 1), "relu"),
    (1, 5, 5, 1, 1, (3, 3), (1, 1), (1, 1), "valid", "none"),
    (1, 4, 4, 4, 1, (3, 3), (1, 1), (1, 1), (2, 2), "none"),  # a row of bias-only pixels
]
DW_SAN = [1, 3, 4, 6, 9]


def check_depthwise(builds, cfg, case, tmp_path, seed):
    b, h, w, c, m, (kh, kw), stride, dil, pad, act = case
    oh, pt, _ = out_and_pads(h, kh, stride[0], dil[0], pad)
    ow, pl, _ = out_and_pads(w, kw, stride[1], dil[1], pad)
    oc = c * m
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((b, h, w, c)).astype(np.float32)
    wt = rng.standard_normal((1, kh, kw, oc)).astype(np.float32)
    bias = rng.standard_normal(oc).astype(np.float32)
    params = struct.pack(
        "<16i2f", b, h, w, c, oh, ow, oc, m, kh, kw, *stride, *dil, pt, pl, *ACTS[act]
    )
    exe = builds.get("depthwise_conv2d_f32", cfg)
    out = run_driver(exe, struct.pack("<i", 0) + params + arr(x) + arr(wt) + arr(bias), tmp_path)
    y = np.frombuffer(out, np.float32).reshape(b, oh, ow, oc)
    x_rep = np.repeat(x.astype(np.float64), m, axis=-1)  # channel ic * m + j reads in[ic]
    w64 = wt.astype(np.float64)
    ref = window_sum(
        x_rep,
        (oh, ow),
        (kh, kw),
        stride,
        dil,
        (pt, pl),
        lambda ky, kx, patch: patch * w64[0, ky, kx],
    )
    assert_close(y, np.clip(ref + bias, *ACTS[act]))


@pytest.mark.parametrize("cfg", CFGS)
@pytest.mark.parametrize("idx", range(len(DW_CASES)))
def test_depthwise_conv2d_f32(builds, cfg, idx, tmp_path):
    check_depthwise(builds, cfg, DW_CASES[idx], tmp_path, seed=200 + idx)


@pytest.mark.parametrize("cfg", SAN_CFGS)
@pytest.mark.parametrize("idx", DW_SAN)
def test_depthwise_conv2d_f32_sanitized(builds, cfg, idx, tmp_path):
    check_depthwise(builds, cfg, DW_CASES[idx], tmp_path, seed=200 + idx)


# ------------------------------------------------------------------------------------------
# fully_connected_f32

# (batch, in_features, out_features, has_bias, act)
FC_CASES = [
    (1, 1, 1, True, "none"),
    (1, 7, 3, True, "relu"),
    (1, 64, 10, True, "none"),
    (1, 129, 33, False, "relu6"),
    (2, 17, 5, True, "relu"),
    (3, 256, 130, False, "none"),
    (1, 8, 4, False, "none"),
    (4, 300, 7, True, "relu6"),
]


def check_fc(builds, cfg, case, tmp_path, seed):
    b, n_in, n_out, has_bias, act = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((b, n_in)).astype(np.float32)
    wt = rng.standard_normal((n_out, n_in)).astype(np.float32)
    bias = rng.standard_normal(n_out).astype(np.float32) if has_bias else None
    params = struct.pack("<3i2f", b, n_in, n_out, *ACTS[act])
    exe = builds.get("fully_connected_f32", cfg)
    packed = pack_panels_f32(wt)
    out = run_driver(
        exe, struct.pack("<i", 0) + params + arr(x) + arr(packed) + arr(bias), tmp_path
    )
    y = np.frombuffer(out, np.float32).reshape(b, n_out)
    ref = x.astype(np.float64) @ wt.astype(np.float64).T
    if bias is not None:
        ref = ref + bias
    assert_close(y, np.clip(ref, *ACTS[act]))


@pytest.mark.parametrize("cfg", CFGS + SAN_CFGS)
@pytest.mark.parametrize("idx", range(len(FC_CASES)))
def test_fully_connected_f32(builds, cfg, idx, tmp_path):
    check_fc(builds, cfg, FC_CASES[idx], tmp_path, seed=300 + idx)


# ------------------------------------------------------------------------------------------
# pool2d_f32

# (batch, in_h, in_w, channels, (k_h, k_w), (stride_h, stride_w), padding, count_include_pad,
#  act)
POOL_CASES = [
    (1, 8, 8, 16, (2, 2), (2, 2), "valid", 0, "none"),
    (2, 9, 7, 3, (3, 3), (2, 2), "same", 0, "relu"),  # asymmetric pad
    (1, 10, 11, 20, (3, 3), (1, 1), "same", 0, "relu6"),
    (1, 7, 7, 35, (7, 7), (1, 1), "valid", 0, "none"),  # global
    (1, 6, 5, 17, (3, 2), (2, 3), "same", 1, "none"),  # count_include_pad
    (1, 5, 5, 4, (5, 5), (1, 1), "same", 0, "none"),  # windows larger than the image
]


def pool_ref(x, kind, k_hw, stride, pads, out_hw, count_include_pad, act):
    b, h, w, c = x.shape
    x = x.astype(np.float64)
    out = np.zeros((b, *out_hw, c))
    for oy, ox in itertools.product(range(out_hw[0]), range(out_hw[1])):
        y0, x0 = oy * stride[0] - pads[0], ox * stride[1] - pads[1]
        win = x[:, max(y0, 0) : min(y0 + k_hw[0], h), max(x0, 0) : min(x0 + k_hw[1], w)]
        if kind == "max":
            out[:, oy, ox] = win.max(axis=(1, 2))
        else:
            count = k_hw[0] * k_hw[1] if count_include_pad else win.shape[1] * win.shape[2]
            out[:, oy, ox] = win.sum(axis=(1, 2)) / count
    return np.clip(out, *ACTS[act])


def check_pool(builds, cfg, kind, case, tmp_path, seed):
    b, h, w, c, (kh, kw), stride, pad, cip, act = case
    oh, pt, _ = out_and_pads(h, kh, stride[0], 1, pad)
    ow, pl, _ = out_and_pads(w, kw, stride[1], 1, pad)
    x = np.random.default_rng(seed).standard_normal((b, h, w, c)).astype(np.float32) * 4
    params = struct.pack("<13i2f", b, h, w, c, oh, ow, kh, kw, *stride, pt, pl, cip, *ACTS[act])
    exe = builds.get("pool2d_f32", cfg)
    mode = 0 if kind == "avg" else 1
    out = run_driver(exe, struct.pack("<i", mode) + params + arr(x), tmp_path)
    y = np.frombuffer(out, np.float32).reshape(b, oh, ow, c)
    assert_close(y, pool_ref(x, kind, (kh, kw), stride, (pt, pl), (oh, ow), cip, act))


@pytest.mark.parametrize("cfg", CFGS + SAN_CFGS)
@pytest.mark.parametrize("kind", ["avg", "max"])
@pytest.mark.parametrize("idx", range(len(POOL_CASES)))
def test_pool2d_f32(builds, cfg, kind, idx, tmp_path):
    check_pool(builds, cfg, kind, POOL_CASES[idx], tmp_path, seed=400 + idx)


# ------------------------------------------------------------------------------------------
# binary_f32

BINARY_OPS = {
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "div": np.divide,
    "maximum": np.maximum,
    "minimum": np.minimum,
}

# (a shape, b shape, alias: "" / "a" (out = a) / "b" (out = b), act)
BINARY_SHAPES = [
    ((2, 3, 5, 7), (2, 3, 5, 7), "", "none"),  # same shape
    ((37,), (37,), "a", "relu"),  # same shape, in place into a
    ((3, 17), (3, 17), "b", "relu6"),  # same shape, in place into b
    ((), (4, 5), "", "relu"),  # scalar a
    ((6, 7), (1,), "a", "none"),  # scalar b, in place
    ((1, 4, 1, 3), (2, 1, 5, 3), "", "relu6"),
    ((3, 1), (1, 20), "", "none"),  # inner dim broadcast on a
    ((2, 3, 4), (4,), "", "none"),
    ((2, 1, 3, 1, 2, 5), (1, 4, 3, 2, 1, 5), "", "relu"),  # six dims
    ((), (), "", "none"),  # a single element
]


def binary_params(a_shape, b_shape, act):
    out_shape = np.broadcast_shapes(a_shape, b_shape)
    nd = len(out_shape)

    def strides(shape):
        shape = (1,) * (nd - len(shape)) + tuple(shape)
        contiguous = np.cumprod((1, *shape[::-1]))[:-1][::-1]
        return [0 if n == 1 else int(s) for n, s in zip(shape, contiguous, strict=True)]

    pad = [0] * (6 - nd)
    return out_shape, struct.pack(
        "<19i2f",
        nd,
        *out_shape,
        *pad,
        *strides(a_shape),
        *pad,
        *strides(b_shape),
        *pad,
        *ACTS[act],
    )


def check_binary(builds, cfg, op, case, tmp_path, seed):
    a_shape, b_shape, alias, act = case
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(a_shape).astype(np.float32) * 3
    b = rng.standard_normal(b_shape).astype(np.float32) * 3
    if op == "div":  # keep the divisor away from zero
        b = (np.sign(b) + (b == 0)) * (0.5 + np.abs(b)).astype(np.float32)
    out_shape, params = binary_params(a_shape, b_shape, act)
    mode = list(BINARY_OPS).index(op) * 4 + {"": 0, "a": 1, "b": 2}[alias]
    exe = builds.get("binary_f32", cfg)
    out = run_driver(exe, struct.pack("<i", mode) + params + arr(a) + arr(b), tmp_path)
    y = np.frombuffer(out, np.float32).reshape(out_shape)
    ref = BINARY_OPS[op](a.astype(np.float64), b.astype(np.float64))
    assert_close(y, np.clip(ref, *ACTS[act]))


@pytest.mark.parametrize("cfg", CFGS)
@pytest.mark.parametrize("op", list(BINARY_OPS))
@pytest.mark.parametrize("idx", range(len(BINARY_SHAPES)))
def test_binary_f32(builds, cfg, op, idx, tmp_path):
    check_binary(builds, cfg, op, BINARY_SHAPES[idx], tmp_path, seed=500 + idx)


@pytest.mark.parametrize("cfg", SAN_CFGS)
@pytest.mark.parametrize("op", ["sub", "div", "maximum"])
@pytest.mark.parametrize("idx", range(len(BINARY_SHAPES)))
def test_binary_f32_sanitized(builds, cfg, op, idx, tmp_path):
    check_binary(builds, cfg, op, BINARY_SHAPES[idx], tmp_path, seed=500 + idx)


@pytest.mark.parametrize("cfg", CFGS + SAN_CFGS)
def test_binary_f32_strided_operand(builds, cfg, tmp_path):
    """A transposed view of a (element strides (1, 5)): the general strided inner loop."""
    rng = np.random.default_rng(7)
    a_store = rng.standard_normal((3, 5)).astype(np.float32)  # a = a_store.T, shape (5, 3)
    b = rng.standard_normal((5, 3)).astype(np.float32)
    params = struct.pack(
        "<19i2f", 2, 5, 3, 0, 0, 0, 0, 1, 5, 0, 0, 0, 0, 3, 1, 0, 0, 0, 0, *ACTS["none"]
    )
    exe = builds.get("binary_f32", cfg)
    out = run_driver(exe, struct.pack("<i", 1 * 4) + params + arr(a_store) + arr(b), tmp_path)
    y = np.frombuffer(out, np.float32).reshape(5, 3)
    assert_close(y, a_store.T.astype(np.float64) - b)


# ------------------------------------------------------------------------------------------
# softmax_f32

# (outer, axis_size, beta, in_place, input scale)
SOFTMAX_CASES = [
    (1, 10, 1.0, False, 1.0),
    (3, 1001, 1.0, False, 3.0),
    (4, 17, 0.5, True, 1.0),
    (2, 1, 1.0, False, 1.0),
    (5, 33, 0.5, False, 60.0),  # large logits: needs the max subtraction
]


def check_softmax(builds, cfg, case, tmp_path, seed):
    outer, n, beta, in_place, scale = case
    x = (np.random.default_rng(seed).standard_normal((outer, n)) * scale).astype(np.float32)
    params = struct.pack("<2if", outer, n, beta)
    exe = builds.get("softmax_f32", cfg)
    out = run_driver(exe, struct.pack("<i", int(in_place)) + params + arr(x), tmp_path)
    y = np.frombuffer(out, np.float32).reshape(outer, n)
    z = (x.astype(np.float64) - x.max(axis=1, keepdims=True)) * beta
    e = np.exp(z)
    assert_close(y, e / e.sum(axis=1, keepdims=True))


@pytest.mark.parametrize("cfg", CFGS + SAN_CFGS)
@pytest.mark.parametrize("idx", range(len(SOFTMAX_CASES)))
def test_softmax_f32(builds, cfg, idx, tmp_path):
    check_softmax(builds, cfg, SOFTMAX_CASES[idx], tmp_path, seed=600 + idx)


# ------------------------------------------------------------------------------------------
# Each kernel on its own: strict warnings, no globals, no calls outside a few libc/libm routines

ALLOWED_UNDEFINED = {"memcpy", "memset", "memmove", "expf", "fmaf", "__stack_chk_fail"}


@pytest.mark.parametrize("cfg", CFGS)
@pytest.mark.parametrize("kernel", KERNELS)
def test_kernel_object_is_self_contained(cfg, kernel, tmp_path):
    cc, flag_set = cfg
    obj = tmp_path / f"{kernel}.o"
    error = _compile(cc, [*FLAG_SETS[flag_set], "-Wshadow"], [FP32 / f"{kernel}.c"], obj, False)
    if error:
        pytest.fail(error)
    nm = shutil.which("nm")
    if nm is None:
        pytest.skip("nm is not installed")
    lines = subprocess.run(
        [nm, "-P", str(obj)], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    for line in lines:
        name, kind = line.split()[:2]
        if name.startswith(".L"):  # the compiler's own constant pools
            continue
        if kind == "U":
            assert name in ALLOWED_UNDEFINED, f"{kernel} calls {name}"
        elif kind == "T":
            assert name.startswith("micro_"), f"{kernel} exports {name}"
        else:
            # local code, or local read-only constants (a table in flash); never
            # mutable or exported data
            assert kind in ("t", "r"), f"{kernel} defines data symbol {name} ({kind})"
