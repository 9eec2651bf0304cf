"""
The int8 kernels in `kernels/generic/int8/` and the type-agnostic data movers in
`kernels/generic/data/`, bit for bit against LiteRT's reference kernels.

Every case builds a single-operator int8 TFLite model with TFLiteModelBuilder, runs it in
LiteRT with the BUILTIN_REF op resolver on seeded random inputs, computes the kernel's
parameters with `micro.backends.generic.int8_abi` from the same quantization parameters,
runs the C kernel and requires identical outputs (np.array_equal).

All kernels are compiled into one C driver per (compiler, flag set), once per test session
and shared between xdist workers. The driver reads a kernel id, the raw parameter struct
(as `CStruct.pack()` lays it out, which checks the Python struct layouts against the C
ones) and the input arrays from a binary file, allocates every buffer with exactly the
size it needs (so AddressSanitizer catches any overrun, including of the conv scratch
buffer, whose size the kernel reports), runs the kernel and writes the output.
"""

from __future__ import annotations

import fcntl
import math
import os
import shutil
import struct
import subprocess
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from micro.backends.generic import int8_abi as abi
from micro.frontends.tflite_builder import Quantization, TFLiteModelBuilder

litert = pytest.importorskip("ai_edge_litert.interpreter")

REPO = Path(__file__).resolve().parents[1]
GENERIC = REPO / "kernels" / "generic"
INT8 = GENERIC / "int8"
DATA = GENERIC / "data"
SOURCES = sorted(INT8.glob("*.c")) + sorted(DATA.glob("*.c"))

# ------------------------------------------------------------------------------------------
# Build configurations

WARNINGS = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-Wvla"]
FLAG_SETS = {
    "O2": ["-O2"],
    "O3native": ["-O3", "-march=native"],
    "asan": [
        "-O1",
        "-g",
        "-fno-omit-frame-pointer",
        "-fsanitize=address,undefined",
        "-fno-sanitize-recover=all",
    ],
}
HAVE_CLANG = shutil.which("clang") is not None
CFGS = [
    (cc, fs) for cc in ("gcc", "clang") for fs in ("O2", "O3native") if cc == "gcc" or HAVE_CLANG
]
SAN_CFGS = [(cc, "asan") for cc in ("gcc", "clang") if cc == "gcc" or HAVE_CLANG]

# ------------------------------------------------------------------------------------------
# The C driver. Input file: int32 kernel id, then per kernel the raw params struct and
# arrays as an int64 byte count followed by the bytes. Output file: the output bytes
# (conv: uint64 scratch size first).

DRIVER = r"""
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "activation_s8.h"
#include "binary_s8.h"
#include "conv2d_s8.h"
#include "depthwise_conv2d_s8.h"
#include "fully_connected_s8.h"
#include "mean_s8.h"
#include "pad.h"
#include "pool2d_s8.h"
#include "quantize_s8.h"
#include "softmax_s8.h"
#include "transpose.h"

#define CHECK_SIZE(T, n) typedef char check_size_##T[sizeof(T) == (n) ? 1 : -1]
CHECK_SIZE(MicroConv2dS8Params, 76);
CHECK_SIZE(MicroDepthwiseConv2dS8Params, 80);
CHECK_SIZE(MicroFullyConnectedS8Params, 28);
CHECK_SIZE(MicroPool2dS8Params, 56);
CHECK_SIZE(MicroBinaryS8Params, 124);
CHECK_SIZE(MicroSoftmaxS8Params, 8);
CHECK_SIZE(MicroMeanS8Params, 68);
CHECK_SIZE(MicroQuantizeS8Params, 12);
CHECK_SIZE(MicroRequantizeS8Params, 20);
CHECK_SIZE(MicroPadParams, 84);
CHECK_SIZE(MicroTransposeParams, 56);

static FILE *in_f, *out_f;

static void die(const char *msg) {
  fprintf(stderr, "driver: %s\n", msg);
  exit(2);
}
static void get(void *dst, size_t n) {
  if (n && fread(dst, 1, n, in_f) != n) die("short read");
}
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
/* an output buffer of exactly n bytes, poisoned so unwritten elements show */
static void *new_output(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) die("out of memory");
  memset(p, 0x5a, n);
  return p;
}
static size_t prod(const int32_t *d, int32_t n) {
  size_t s = 1;
  int32_t i;
  for (i = 0; i < n; ++i) s *= (size_t)d[i];
  return s;
}

enum { CONV, DW, FC, AVG, MAX, ADD, SUB, MUL, SOFTMAX, LUT, MEAN, QUANT, DEQUANT, REQUANT,
       PAD, TRANSPOSE, HELPERS };

/* helper checks: micro_mbqm and micro_round_mul_double on arrays of arguments */
static void run_helpers(void) {
  int32_t n, i;
  int32_t *x, *m, *s, *acc, *e, *res;
  int64_t *mant;
  get(&n, sizeof n);
  x = get_array(), m = get_array(), s = get_array();
  acc = get_array(), mant = get_array(), e = get_array();
  res = new_output((size_t)n * 8);
  for (i = 0; i < n; ++i) res[i] = micro_mbqm(x[i], m[i], s[i]);
  for (i = 0; i < n; ++i) res[n + i] = micro_round_mul_double(acc[i], mant[i], e[i]);
  put(res, (size_t)n * 8);
  free(x), free(m), free(s), free(acc), free(mant), free(e), free(res);
}

int main(int argc, char **argv) {
  int32_t kind, alias = 0;
  if (argc != 3) die("usage: driver IN OUT");
  in_f = fopen(argv[1], "rb");
  out_f = fopen(argv[2], "wb");
  if (!in_f || !out_f) die("cannot open files");
  get(&kind, sizeof kind);
  if (kind >= 100) alias = kind / 100, kind %= 100;
  switch (kind) {
    case CONV: {
      MicroConv2dS8Params p;
      uint64_t ss;
      int8_t *in, *w, *out, *scratch;
      int32_t *bias, *mult, *shift;
      size_t n;
      get(&p, sizeof p);
      in = get_array(), w = get_array(), bias = get_array(), mult = get_array(),
      shift = get_array();
      ss = micro_conv2d_s8_scratch_size(&p);
      scratch = ss ? malloc((size_t)ss) : NULL;
      n = (size_t)p.batch * p.out_h * p.out_w * p.out_c;
      out = new_output(n);
      micro_conv2d_s8(in, w, bias, mult, shift, out, scratch, &p);
      put(&ss, sizeof ss);
      put(out, n);
      free(in), free(w), free(bias), free(mult), free(shift), free(out), free(scratch);
      break;
    }
    case DW: {
      MicroDepthwiseConv2dS8Params p;
      int8_t *in, *w, *out;
      int32_t *bias, *mult, *shift;
      size_t n;
      get(&p, sizeof p);
      in = get_array(), w = get_array(), bias = get_array(), mult = get_array(),
      shift = get_array();
      n = (size_t)p.batch * p.out_h * p.out_w * p.out_c;
      out = new_output(n);
      micro_depthwise_conv2d_s8(in, w, bias, mult, shift, out, &p);
      put(out, n);
      free(in), free(w), free(bias), free(mult), free(shift), free(out);
      break;
    }
    case FC: {
      MicroFullyConnectedS8Params p;
      int8_t *in, *w, *out;
      int32_t *bias, *ex;
      int64_t *mant;
      size_t n;
      get(&p, sizeof p);
      in = get_array(), w = get_array(), bias = get_array(), mant = get_array(),
      ex = get_array();
      n = (size_t)p.batch * p.out_features;
      out = new_output(n);
      micro_fully_connected_s8(in, w, bias, mant, ex, out, &p);
      put(out, n);
      free(in), free(w), free(bias), free(mant), free(ex), free(out);
      break;
    }
    case AVG:
    case MAX: {
      MicroPool2dS8Params p;
      int8_t *in, *out;
      size_t n;
      get(&p, sizeof p);
      in = get_array();
      n = (size_t)p.batch * p.out_h * p.out_w * p.channels;
      out = new_output(n);
      if (kind == AVG)
        micro_avg_pool2d_s8(in, out, &p);
      else
        micro_max_pool2d_s8(in, out, &p);
      put(out, n);
      free(in), free(out);
      break;
    }
    case ADD:
    case SUB:
    case MUL: {
      MicroBinaryS8Params p;
      int8_t *a, *b, *out;
      size_t n;
      get(&p, sizeof p);
      a = get_array(), b = get_array();
      n = prod(p.out_shape, p.ndim);
      out = alias == 1 ? a : alias == 2 ? b : new_output(n);
      if (kind == ADD) micro_add_s8(a, b, out, &p);
      if (kind == SUB) micro_sub_s8(a, b, out, &p);
      if (kind == MUL) micro_mul_s8(a, b, out, &p);
      put(out, n);
      free(a), free(b);
      if (!alias) free(out);
      break;
    }
    case SOFTMAX: {
      MicroSoftmaxS8Params p;
      int8_t *in, *out;
      int32_t *table;
      size_t n;
      get(&p, sizeof p);
      in = get_array(), table = get_array();
      n = (size_t)p.outer * p.axis_size;
      out = alias ? in : new_output(n);
      micro_softmax_s8(in, out, table, &p);
      put(out, n);
      free(in), free(table);
      if (!alias) free(out);
      break;
    }
    case LUT: {
      int32_t size;
      int8_t *in, *table, *out;
      get(&size, sizeof size);
      in = get_array(), table = get_array();
      out = new_output((size_t)size);
      micro_lut_s8(in, out, size, table);
      put(out, (size_t)size);
      free(in), free(table), free(out);
      break;
    }
    case MEAN: {
      MicroMeanS8Params p;
      int8_t *in, *out;
      size_t n = 1;
      int32_t d;
      get(&p, sizeof p);
      in = get_array();
      for (d = 0; d < p.ndim; ++d)
        if (!p.reduced[d]) n *= (size_t)p.in_shape[d];
      out = new_output(n);
      micro_mean_s8(in, out, &p);
      put(out, n);
      free(in), free(out);
      break;
    }
    case QUANT: {
      MicroQuantizeS8Params p;
      float *in;
      int8_t *out;
      get(&p, sizeof p);
      in = get_array();
      out = new_output((size_t)p.size);
      micro_quantize_f32_s8(in, out, &p);
      put(out, (size_t)p.size);
      free(in), free(out);
      break;
    }
    case DEQUANT: {
      MicroQuantizeS8Params p;
      int8_t *in;
      float *out;
      get(&p, sizeof p);
      in = get_array();
      out = new_output((size_t)p.size * sizeof(float));
      micro_dequantize_s8_f32(in, out, &p);
      put(out, (size_t)p.size * sizeof(float));
      free(in), free(out);
      break;
    }
    case REQUANT: {
      MicroRequantizeS8Params p;
      int8_t *in, *out;
      get(&p, sizeof p);
      in = get_array();
      out = alias ? in : new_output((size_t)p.size);
      micro_requantize_s8_s8(in, out, &p);
      put(out, (size_t)p.size);
      free(in);
      if (!alias) free(out);
      break;
    }
    case PAD: {
      MicroPadParams p;
      void *in, *out;
      size_t n;
      int32_t d;
      get(&p, sizeof p);
      in = get_array();
      n = (size_t)p.elem_size;
      for (d = 0; d < p.ndim; ++d)
        n *= (size_t)(p.in_shape[d] + p.pad_before[d] + p.pad_after[d]);
      out = new_output(n);
      micro_pad(in, out, &p);
      put(out, n);
      free(in), free(out);
      break;
    }
    case TRANSPOSE: {
      MicroTransposeParams p;
      void *in, *out;
      size_t n;
      get(&p, sizeof p);
      in = get_array();
      n = prod(p.in_shape, p.ndim) * (size_t)p.elem_size;
      out = new_output(n);
      micro_transpose(in, out, &p);
      put(out, n);
      free(in), free(out);
      break;
    }
    case HELPERS:
      run_helpers();
      break;
    default:
      die("unknown kernel");
  }
  fclose(in_f);
  if (fclose(out_f) != 0) die("cannot write output");
  return 0;
}
"""

KIND = {
    "conv": 0, "dw": 1, "fc": 2, "avg": 3, "max": 4, "add": 5, "sub": 6, "mul": 7,
    "softmax": 8, "lut": 9, "mean": 10, "quant": 11, "dequant": 12, "requant": 13,
    "pad": 14, "transpose": 15, "helpers": 16,
}  # fmt: skip


class Builds:
    """Driver executables per (compiler, flag set): built once in a directory shared by
    the xdist workers (under a file lock), then cached."""

    def __init__(self, root: Path):
        self.root = root
        self.cache: dict[tuple[str, str], Path] = {}

    def get(self, cfg: tuple[str, str]) -> Path:
        if cfg in self.cache:
            return self.cache[cfg]
        cc, flag_set = cfg
        exe = self.root / f"driver-{cc}-{flag_set}"
        err = self.root / f"driver-{cc}-{flag_set}.err"
        with open(self.root / f"{cc}-{flag_set}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not exe.exists() and not err.exists():
                src = self.root / "driver.c"
                if not src.exists():
                    tmp = self.root / f"driver.c.{os.getpid()}"
                    tmp.write_text(DRIVER)
                    tmp.replace(src)
                cmd = [cc, *WARNINGS, *FLAG_SETS[flag_set], f"-I{GENERIC}", f"-I{INT8}"]
                cmd += [f"-I{DATA}", str(src), *map(str, SOURCES), "-o", str(exe) + ".tmp"]
                proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
                if proc.returncode != 0:
                    err.write_text(f"{' '.join(cmd)}\n{proc.stderr}")
                else:
                    Path(str(exe) + ".tmp").replace(exe)
        if err.exists():
            pytest.fail(f"compile failed: {err.read_text()}")
        self.cache[cfg] = exe
        return exe


@pytest.fixture(scope="session")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Builds:
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # shared by the workers of this run
    root = root / "int8_kernel_builds"
    root.mkdir(exist_ok=True)
    return Builds(root)


def arr(a: np.ndarray | None, dtype=None) -> bytes:
    if a is None:
        return struct.pack("<q", -1)
    data = np.ascontiguousarray(a if dtype is None else np.asarray(a, dtype)).tobytes()
    return struct.pack("<q", len(data)) + data


def run_c(builds: Builds, cfg, payload: bytes, tmp_path: Path) -> bytes:
    exe = builds.get(cfg)
    src, dst = tmp_path / f"in-{cfg[0]}-{cfg[1]}.bin", tmp_path / f"out-{cfg[0]}-{cfg[1]}.bin"
    src.write_bytes(payload)
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0", UBSAN_OPTIONS="print_stacktrace=1")
    proc = subprocess.run(
        [str(exe), str(src), str(dst)], capture_output=True, text=True, env=env, check=False
    )
    if proc.returncode != 0:
        pytest.fail(f"{exe.name} exited with {proc.returncode}\n{proc.stderr}")
    return dst.read_bytes()


def check_all(builds, cfgs, payload, tmp_path, expected: np.ndarray, offset: int = 0, what=""):
    """Run the payload under every config and require output == expected bit for bit."""
    for cfg in cfgs:
        out = run_c(builds, cfg, payload, tmp_path)
        got = np.frombuffer(out, dtype=expected.dtype, offset=offset)
        assert got.size == expected.size, f"{cfg}: {got.size} outputs, want {expected.size}"
        got = got.reshape(expected.shape)
        if not np.array_equal(got, expected):
            bad = np.argwhere(got != expected)
            i = tuple(bad[0])
            pytest.fail(
                f"{what} {cfg}: {len(bad)} of {expected.size} outputs differ from LiteRT, "
                f"first at {i}: got {got[i]}, LiteRT {expected[i]}"
            )


def configs(idx: int, san: Sequence[int]) -> list[tuple[str, str]]:
    return CFGS + (SAN_CFGS if idx in san else [])


# ------------------------------------------------------------------------------------------
# LiteRT


def run_litert(model: bytes, inputs: Sequence[np.ndarray]) -> np.ndarray:
    interp = litert.Interpreter(
        model_content=model, experimental_op_resolver_type=litert.OpResolverType.BUILTIN_REF
    )
    interp.allocate_tensors()
    for detail, value in zip(interp.get_input_details(), inputs, strict=True):
        interp.set_tensor(detail["index"], value)
    interp.invoke()
    return interp.get_tensor(interp.get_output_details()[0]["index"])


def q(scale, zero_point) -> Quantization:
    scales = [float(np.float32(s)) for s in np.atleast_1d(scale)]
    zps = [int(z) for z in np.atleast_1d(zero_point)]
    if len(zps) == 1 and len(scales) > 1:
        zps = zps * len(scales)
    return Quantization(scales, zps)


def qdim(scale, quantized_dimension: int) -> Quantization:
    scales = [float(np.float32(s)) for s in np.atleast_1d(scale)]
    return Quantization(scales, [0] * len(scales), quantized_dimension=quantized_dimension)


def rand_s8(rng: np.random.Generator, shape, zero_point: int = 0, spread: int = 0) -> np.ndarray:
    """Random int8 values: uniform over the whole range, or within zero_point +- spread."""
    if spread:
        v = zero_point + rng.integers(-spread, spread + 1, size=shape)
        return np.clip(v, -128, 127).astype(np.int8)
    return rng.integers(-128, 128, size=shape).astype(np.int8)


def rand_weights(rng: np.random.Generator, shape, wmax: int = 127) -> np.ndarray:
    return rng.integers(-wmax, wmax + 1, size=shape).astype(np.int8)


def calibrated_scale(in_scale, w_scales, x, zero_point, w, depth: int, factor: float) -> float:
    """An output scale covering about +-3 standard deviations of the real outputs, times
    factor (1: what a calibrating converter picks; < 1 saturates more, > 1 is coarser)."""
    rms_x = math.sqrt(np.mean((x.astype(np.float64) - zero_point) ** 2)) or 1.0
    rms_w = math.sqrt(np.mean(w.astype(np.float64) ** 2)) or 1.0
    w_geo = math.exp(np.mean(np.log(np.asarray(w_scales, np.float64))))
    return float(np.float32(factor * 3 * math.sqrt(depth) * rms_x * rms_w * in_scale * w_geo / 127))


def channel_scales(rng: np.random.Generator, base: float, n: int) -> np.ndarray:
    """Per-channel scales spread over two orders of magnitude."""
    return (base * 10.0 ** rng.uniform(0, 2, n)).astype(np.float32)


ACT_OUTPUT_SCALE = {"RELU6": 6.0 / 255, "RELU_N1_TO_1": 2.0 / 255}


def fit_activation(act: str, in_scale: float, calibrated: float, factor: float):
    """For RELU6 / RELU_N1_TO_1, whose ranges are absolute, rescale the input so that the
    calibrated output scale is the activation's natural one. Returns (in_scale, out_scale)."""
    if act in ACT_OUTPUT_SCALE:
        target = ACT_OUTPUT_SCALE[act]
        return float(np.float32(in_scale * target / calibrated)), float(np.float32(target * factor))
    return in_scale, calibrated


def bias_for(rng, in_scale, w_scales, n, real_std: float) -> tuple[np.ndarray, np.ndarray]:
    """A realistic int32 bias (real values ~ N(0, real_std)) and its scales
    in_scale * w_scale[c]."""
    bias_scales = (np.float64(np.float32(in_scale)) * w_scales.astype(np.float64)).astype(
        np.float32
    )
    bias = rng.normal(0, real_std, n) / bias_scales
    return np.clip(np.round(bias), -(2**24), 2**24).astype(np.int32), bias_scales


# ------------------------------------------------------------------------------------------
# Helpers in micro_int8.h against Python models of TFLite's integer arithmetic


def py_mbqm(x: int, m: int, s: int) -> int:
    left, right = max(s, 0), max(-s, 0)
    return abi._rdbpot(abi._srdhm(abi.wrap_i32(x << left), m), right)


def test_fixed_point_helpers(builds, tmp_path):
    rng = np.random.default_rng(1)
    n = 4000
    edge = [0, 1, -1, 2**31 - 1, -(2**31), 2**30, -(2**30), 12345, -12345]
    x = np.concatenate([edge * 20, rng.integers(-(2**31), 2**31, n - 20 * len(edge))])
    x = x.astype(np.int64)
    m = rng.integers(2**30, 2**31, n)
    m[:50] = 2**31 - 1
    m[50:100] = 2**30
    s = rng.integers(-31, 8, n)
    s[::7] = 0
    # the float-requantization emulation: realistic accumulators and FC scales, plus
    # products that land on and next to ties
    acc = rng.integers(-(2**24), 2**24, n).astype(np.int64)
    acc[:9] = edge
    scales = 10.0 ** rng.uniform(-9, 1, n)
    scales[::5] = 0.5
    scales[1::5] = 0.25
    scales[2::5] = 2.0**-20 * 3
    parts = [abi.float_scale_parts(float(v)) for v in scales]
    mant = np.array([p[0] for p in parts], np.int64)
    ex = np.array([p[1] for p in parts], np.int32)
    want_mbqm = [py_mbqm(int(a), int(b), int(c)) for a, b, c in zip(x, m, s, strict=True)]
    want_round = []
    for a, v in zip(acc, scales, strict=True):
        r = abi.round_half_away(float(a) * float(v))
        want_round.append(int(min(max(r, -(2**31)), 2**31 - 1)))
    payload = struct.pack("<ii", KIND["helpers"], n)
    payload += arr(x, np.int32) + arr(m, np.int32) + arr(s, np.int32)
    payload += arr(acc, np.int32) + arr(mant) + arr(ex)
    expected = np.array(want_mbqm + want_round, np.int32)
    check_all(builds, CFGS + SAN_CFGS, payload, tmp_path, expected, what="helpers")


def test_quantize_multiplier_corner_cases():
    assert abi.quantize_multiplier(0.0) == (0, 0)
    assert abi.quantize_multiplier(1.0) == (2**30, 1)
    assert abi.quantize_multiplier(0.5) == (2**30, 0)
    # rounds up to 2^31: halved, shift + 1
    assert abi.quantize_multiplier(1.0 - 2.0**-40) == (2**30, 1)
    # tiny multipliers flush to zero
    assert abi.quantize_multiplier(2.0**-33) == (0, 0)
    assert abi.quantize_multiplier(2.0**-32)[1] == -31
    with pytest.raises(ValueError, match="must be in"):
        abi.quantize_multiplier_smaller_than_one_exp(1.5)


# ------------------------------------------------------------------------------------------
# CONV_2D

# (batch, h, w, in_c, out_c, (kh, kw), stride, dilation, padding, act,
#  in_zp, out_zp, in_scale, w_scale_base, out_factor); out_factor scales the calibrated
#  output scale (calibrated_scale). Per-channel weight scales spread over 100x.
CONV_CASES = [
    (1, 5, 7, 3, 5, (3, 3), (1, 1), (1, 1), "SAME", "NONE", -128, 0, 0.02, 0.003, 1.0),
    (2, 9, 8, 4, 13, (3, 3), (2, 2), (1, 1), "SAME", "RELU", -5, -128, 0.5, 0.01, 1.0),
    (1, 10, 10, 8, 16, (3, 3), (1, 1), (2, 2), "SAME", "RELU6", 17, -20, 0.05, 0.002, 0.5),
    (1, 11, 9, 5, 24, (5, 3), (2, 1), (1, 2), "VALID", "NONE", 127, 5, 0.1, 0.001, 1.0),
    (1, 11, 13, 16, 17, (1, 1), (1, 1), (1, 1), "VALID", "NONE", 0, 0, 0.01, 0.005, 2.0),
    (2, 7, 5, 3, 9, (1, 1), (1, 1), (1, 1), "SAME", "RELU_N1_TO_1", -3, 2, 0.2, 0.01, 1.0),
    (1, 9, 9, 6, 7, (1, 1), (2, 2), (1, 1), "SAME", "RELU", 44, -100, 0.05, 0.02, 1.0),
    # small weights and inputs near the zero point: multipliers > 1 (shift > 0)
    (1, 6, 6, 7, 11, (3, 3), (1, 1), (1, 1), "SAME", "NONE", -7, 3, 0.5, 0.05, 0.5),
    # a coarse output: multipliers around 2^-20
    (1, 6, 5, 9, 19, (3, 3), (2, 2), (1, 1), "VALID", "NONE", 9, -9, 0.002, 0.0001, 3000.0),
    (1, 16, 16, 16, 32, (3, 3), (1, 1), (1, 1), "SAME", "RELU", -128, -128, 0.03, 0.004, 1.0),
    (1, 23, 23, 3, 8, (7, 7), (2, 2), (1, 1), "SAME", "RELU6", -1, -128, 0.02, 0.01, 1.0),
    (1, 3, 3, 4, 6, (3, 3), (1, 1), (1, 1), "VALID", "NONE", 3, 1, 0.1, 0.01, 0.3),
    (1, 8, 9, 5, 33, (3, 3), (1, 1), (1, 1), "SAME", "RELU6", 100, -50, 0.01, 0.01, 1.0),
    (1, 2, 3, 2, 5, (5, 5), (1, 1), (1, 1), "SAME", "NONE", -60, 60, 0.1, 0.02, 1.0),
    (2, 12, 11, 3, 11, (3, 3), (2, 2), (2, 2), "SAME", "RELU", -128, 0, 0.05, 0.01, 1.0),
    (1, 8, 7, 40, 31, (3, 3), (1, 1), (1, 1), "VALID", "NONE", 12, -12, 0.02, 0.002, 1.0),
    (1, 9, 10, 7, 40, (2, 4), (1, 3), (1, 1), "SAME", "RELU6", -20, -128, 0.05, 0.005, 1.0),
    # in_c > the on-stack zero-point row: scratch
    (1, 5, 4, 300, 6, (3, 3), (1, 1), (1, 1), "SAME", "NONE", -17, 4, 0.01, 0.001, 1.0),
]
# cases with small weights (|w| <= wmax) and inputs within zero point +- spread
CONV_SMALL = {7: (1, 3)}
CONV_SAN = [1, 2, 7, 13, 14, 17]


def build_conv(idx, rng):
    """The model, the kernel's arguments and an input for CONV_CASES[idx]."""
    b, h, w, c, oc, (kh, kw), stride, dil, pad, act, izp, ozp, isc, wsc, factor = CONV_CASES[idx]
    wmax, spread = CONV_SMALL.get(idx, (127, 0))
    w_scales = channel_scales(rng, wsc, oc)
    wt = rand_weights(rng, (oc, kh, kw, c), wmax)
    x = rand_s8(rng, (b, h, w, c), izp, spread)
    osc = calibrated_scale(isc, w_scales, x, izp, wt, kh * kw * c, factor)
    isc, osc = fit_activation(act, isc, osc / factor, factor)
    bias, bias_scales = bias_for(rng, isc, w_scales, oc, 20 * osc)
    mb = TFLiteModelBuilder()
    x_t = mb.add_input("x", [b, h, w, c], np.int8, q(isc, izp))
    w_t = mb.add_constant("w", wt, qdim(w_scales, 0))
    b_t = mb.add_constant("b", bias, qdim(bias_scales, 0))
    oh, _, _ = abi.compute_padding(h, kh, stride[0], dil[0], pad)
    ow, _, _ = abi.compute_padding(w, kw, stride[1], dil[1], pad)
    y_t = mb.add_tensor("y", [b, oh, ow, oc], np.int8, q(osc, ozp))
    mb.add_operator(
        "CONV_2D",
        [x_t, w_t, b_t],
        [y_t],
        {
            "padding": pad,
            "stride_h": stride[0],
            "stride_w": stride[1],
            "dilation_h_factor": dil[0],
            "dilation_w_factor": dil[1],
            "fused_activation_function": act,
        },
    )
    mb.mark_output(y_t)
    kernel = abi.conv2d_s8(
        [b, h, w, c], wt, bias, input_scale=isc, input_zero_point=izp, filter_scales=w_scales,
        output_scale=osc, output_zero_point=ozp, stride=stride, dilation=dil, padding=pad,
        activation=act,
    )  # fmt: skip
    return mb.build(), kernel, x


@pytest.mark.parametrize("idx", range(len(CONV_CASES)))
def test_conv2d_s8(builds, idx, tmp_path):
    model, k, x = build_conv(idx, np.random.default_rng(1000 + idx))
    ref = run_litert(model, [x])
    assert ref.shape == k.output_shape
    payload = struct.pack("<i", KIND["conv"]) + k.params.pack() + arr(x) + arr(k.packed_weights)
    payload += arr(k.folded_bias) + arr(k.multipliers) + arr(k.shifts)
    for cfg in configs(idx, CONV_SAN):
        out = run_c(builds, cfg, payload, tmp_path)
        (scratch,) = struct.unpack_from("<Q", out)
        assert scratch == k.scratch_size
    check_all(builds, configs(idx, CONV_SAN), payload, tmp_path, ref, offset=8, what="conv")


def test_conv2d_s8_block_shapes(builds, tmp_path):
    """Other register-block shapes of conv2d_s8.c give the same bits."""
    for mr, np_ in ((1, 1), (3, 2)):
        exe_cfg = ("gcc", f"O2-mr{mr}np{np_}")
        FLAG_SETS[exe_cfg[1]] = ["-O2", f"-DMICRO_CONV_S8_MR={mr}", f"-DMICRO_CONV_S8_NP={np_}"]
        for idx in (1, 12, 16):
            model, k, x = build_conv(idx, np.random.default_rng(1000 + idx))
            ref = run_litert(model, [x])
            payload = struct.pack("<i", KIND["conv"]) + k.params.pack() + arr(x)
            payload += arr(k.packed_weights) + arr(k.folded_bias) + arr(k.multipliers)
            payload += arr(k.shifts)
            check_all(builds, [exe_cfg], payload, tmp_path, ref, offset=8, what="conv")


def test_conv2d_s8_rejects_what_litert_rejects():
    wt = np.zeros((4, 3, 3, 2), np.int8)
    with pytest.raises(ValueError, match="zero points"):
        abi.conv2d_s8(
            [1, 5, 5, 2], wt, None, input_scale=0.1, input_zero_point=0, filter_scales=0.1,
            output_scale=0.1, output_zero_point=0, filter_zero_points=[1, 0, 0, 0],
        )  # fmt: skip
    with pytest.raises(NotImplementedError, match="grouped"):
        abi.conv2d_s8(
            [1, 5, 5, 4], wt, None, input_scale=0.1, input_zero_point=0, filter_scales=0.1,
            output_scale=0.1, output_zero_point=0,
        )  # fmt: skip


# ------------------------------------------------------------------------------------------
# DEPTHWISE_CONV_2D

# (batch, h, w, in_c, multiplier, (kh, kw), stride, dilation, padding, act,
#  in_zp, out_zp, in_scale, w_scale_base, out_factor)
DW_CASES = [
    (1, 7, 9, 16, 1, (3, 3), (1, 1), (1, 1), "SAME", "NONE", -128, 0, 0.02, 0.005, 1.0),
    (2, 9, 8, 17, 1, (3, 3), (2, 2), (1, 1), "SAME", "RELU6", 5, -128, 0.05, 0.01, 1.0),
    (1, 10, 11, 35, 1, (3, 3), (1, 1), (2, 2), "SAME", "RELU", -5, -7, 0.1, 0.002, 0.5),
    (1, 8, 8, 3, 2, (3, 3), (1, 1), (1, 1), "SAME", "NONE", 17, 17, 0.01, 0.01, 1.0),
    (2, 11, 13, 9, 2, (5, 5), (2, 1), (1, 2), "VALID", "RELU", 127, -1, 0.03, 0.004, 1.0),
    (1, 6, 6, 5, 3, (3, 3), (2, 2), (1, 1), "SAME", "RELU6", 0, -128, 0.2, 0.03, 2.0),
    (1, 2, 3, 32, 1, (5, 5), (1, 1), (1, 1), "SAME", "NONE", -30, 30, 0.05, 0.01, 1.0),
    (1, 13, 13, 70, 1, (3, 3), (2, 2), (1, 1), "VALID", "RELU_N1_TO_1", 3, 0, 0.1, 0.02, 1.0),
    (1, 5, 5, 1, 1, (3, 3), (1, 1), (1, 1), "VALID", "NONE", -128, 5, 0.5, 0.05, 1.0),
    # small weights and inputs near the zero point: multipliers > 1
    (1, 6, 7, 10, 2, (3, 3), (1, 1), (1, 1), "SAME", "NONE", 9, -3, 0.02, 0.002, 0.5),
    (1, 9, 9, 24, 1, (3, 3), (1, 1), (1, 1), "SAME", "RELU", -2, -128, 0.002, 0.0001, 3000.0),
]
DW_SMALL = {9: (1, 2)}
DW_SAN = [1, 3, 4, 6]


@pytest.mark.parametrize("idx", range(len(DW_CASES)))
def test_depthwise_conv2d_s8(builds, idx, tmp_path):
    b, h, w, c, m, (kh, kw), stride, dil, pad, act, izp, ozp, isc, wsc, factor = DW_CASES[idx]
    rng = np.random.default_rng(2000 + idx)
    oc = c * m
    wmax, spread = DW_SMALL.get(idx, (127, 0))
    w_scales = channel_scales(rng, wsc, oc)
    wt = rand_weights(rng, (1, kh, kw, oc), wmax)
    x = rand_s8(rng, (b, h, w, c), izp, spread)
    osc = calibrated_scale(isc, w_scales, x, izp, wt, kh * kw, factor)
    isc, osc = fit_activation(act, isc, osc / factor, factor)
    bias, bias_scales = bias_for(rng, isc, w_scales, oc, 20 * osc)
    mb = TFLiteModelBuilder()
    x_t = mb.add_input("x", [b, h, w, c], np.int8, q(isc, izp))
    w_t = mb.add_constant("w", wt, qdim(w_scales, 3))
    b_t = mb.add_constant("b", bias, qdim(bias_scales, 0))
    k = abi.depthwise_conv2d_s8(
        [b, h, w, c], wt, bias, input_scale=isc, input_zero_point=izp, filter_scales=w_scales,
        output_scale=osc, output_zero_point=ozp, stride=stride, dilation=dil, padding=pad,
        activation=act,
    )  # fmt: skip
    y_t = mb.add_tensor("y", list(k.output_shape), np.int8, q(osc, ozp))
    mb.add_operator(
        "DEPTHWISE_CONV_2D",
        [x_t, w_t, b_t],
        [y_t],
        {
            "padding": pad,
            "stride_h": stride[0],
            "stride_w": stride[1],
            "dilation_h_factor": dil[0],
            "dilation_w_factor": dil[1],
            "depth_multiplier": m,
            "fused_activation_function": act,
        },
    )
    mb.mark_output(y_t)
    ref = run_litert(mb.build(), [x])
    payload = struct.pack("<i", KIND["dw"]) + k.params.pack() + arr(x) + arr(k.weights)
    payload += arr(k.folded_bias) + arr(k.multipliers) + arr(k.shifts)
    check_all(builds, configs(idx, DW_SAN), payload, tmp_path, ref, what="depthwise")


# ------------------------------------------------------------------------------------------
# FULLY_CONNECTED

# (input shape, out_features, per_channel, weight_zp, has_bias, keep_num_dims, act,
#  in_zp, out_zp, in_scale, w_scale_base, out_factor)
FC_CASES = [
    ((1, 1), 1, False, 0, True, False, "NONE", 0, 0, 0.1, 0.01, 1.0),
    ((1, 7), 3, False, 0, True, False, "RELU", -128, -128, 0.05, 0.01, 1.0),
    ((1, 64), 10, True, 0, True, False, "NONE", 5, -5, 0.02, 0.002, 1.0),
    ((1, 129), 33, False, 0, False, False, "RELU6", -17, -128, 0.03, 0.01, 0.5),
    ((2, 17), 5, True, 0, True, False, "RELU_N1_TO_1", 127, 0, 0.2, 0.01, 1.0),
    ((3, 256), 130, False, 3, True, False, "NONE", 12, 7, 0.01, 0.003, 1.0),
    ((2, 3, 40), 9, True, 0, True, True, "NONE", -60, 20, 0.05, 0.004, 2.0),
    ((4, 300), 7, False, -9, False, False, "RELU", 1, -2, 0.02, 0.0005, 1.0),
    # small weights and inputs near the zero point: output multiplier > 1
    ((2, 31), 6, False, 0, True, False, "NONE", -3, 3, 0.5, 0.05, 0.5),
    # a coarse output: tiny multipliers
    ((2, 50), 12, True, 0, True, False, "NONE", 30, -30, 0.002, 0.0001, 3000.0),
]
FC_SMALL = {8: (1, 2)}
FC_SAN = [2, 5, 6, 7]


@pytest.mark.parametrize("idx", range(len(FC_CASES)))
def test_fully_connected_s8(builds, idx, tmp_path):
    shape, o, per_channel, wzp, has_bias, keep, act, izp, ozp, isc, wsc, factor = FC_CASES[idx]
    rng = np.random.default_rng(3000 + idx)
    k_in = shape[-1]
    wmax, spread = FC_SMALL.get(idx, (127, 0))
    w_scales = channel_scales(rng, wsc, o) if per_channel else np.array([wsc], np.float32)
    wt = rand_weights(rng, (o, k_in), wmax)
    x = rand_s8(rng, shape, izp, spread)
    osc = calibrated_scale(isc, w_scales, x, izp, wt, k_in, factor)
    isc, osc = fit_activation(act, isc, osc / factor, factor)
    if wzp:
        wt = np.clip(wt.astype(np.int32) + wzp, -128, 127).astype(np.int8)
    bias, bias_scales = bias_for(rng, isc, w_scales, o if per_channel else 1, 20 * osc)
    if not per_channel:
        bias = np.repeat(bias, o)
    mb = TFLiteModelBuilder()
    x_t = mb.add_input("x", list(shape), np.int8, q(isc, izp))
    w_t = mb.add_constant("w", wt, qdim(w_scales, 0) if per_channel else q(w_scales[0], wzp))
    inputs = [x_t, w_t]
    if has_bias:
        inputs.append(mb.add_constant("b", bias, qdim(bias_scales, 0)))
    k = abi.fully_connected_s8(
        shape, wt, bias if has_bias else None, input_scale=isc, input_zero_point=izp,
        weight_scales=w_scales, weight_zero_points=wzp, output_scale=osc,
        output_zero_point=ozp, activation=act, keep_num_dims=keep,
        bias_scale=float(bias_scales[0]) if has_bias and not per_channel else None,
    )  # fmt: skip
    y_t = mb.add_tensor("y", list(k.output_shape), np.int8, q(osc, ozp))
    mb.add_operator(
        "FULLY_CONNECTED", inputs, [y_t], {"fused_activation_function": act, "keep_num_dims": keep}
    )
    mb.mark_output(y_t)
    ref = run_litert(mb.build(), [x])
    assert ref.shape == k.output_shape
    payload = struct.pack("<i", KIND["fc"]) + k.params.pack() + arr(x) + arr(k.weights)
    payload += arr(k.folded_bias) + arr(k.scale_mantissa) + arr(k.scale_exponent)
    check_all(builds, configs(idx, FC_SAN), payload, tmp_path, ref, what="fc")


def test_fully_connected_s8_requantizes_like_litert_on_ties(builds, tmp_path):
    """LiteRT's reference FC rounds acc * scale in double, ties away from zero; a fixed-point
    multiplier would round -4.5 to -4. Scale exactly 0.5 makes every odd acc a tie."""
    x = np.arange(-64, 64, dtype=np.int8).reshape(128, 1)
    wt = np.ones((2, 1), np.int8)
    wt[1] = -3
    mb = TFLiteModelBuilder()
    x_t = mb.add_input("x", [128, 1], np.int8, q(1.0, 0))
    w_t = mb.add_constant("w", wt, q(0.5, 0))
    y_t = mb.add_tensor("y", [128, 2], np.int8, q(1.0, 0))
    mb.add_operator("FULLY_CONNECTED", [x_t, w_t, -1], [y_t], {})
    mb.mark_output(y_t)
    ref = run_litert(mb.build(), [x])
    assert ref[9, 0] == -28  # -55 * 0.5 = -27.5 -> -28
    k = abi.fully_connected_s8(
        [128, 1], wt, None, input_scale=1.0, input_zero_point=0, weight_scales=0.5,
        output_scale=1.0, output_zero_point=0,
    )  # fmt: skip
    payload = struct.pack("<i", KIND["fc"]) + k.params.pack() + arr(x) + arr(k.weights)
    payload += arr(k.folded_bias) + arr(k.scale_mantissa) + arr(k.scale_exponent)
    check_all(builds, CFGS, payload, tmp_path, ref, what="fc ties")


# ------------------------------------------------------------------------------------------
# AVERAGE_POOL_2D / MAX_POOL_2D

# (batch, h, w, c, (kh, kw), stride, padding, act, zp, scale)
POOL_CASES = [
    (1, 8, 8, 16, (2, 2), (2, 2), "VALID", "NONE", 0, 0.1),
    (2, 9, 7, 3, (3, 3), (2, 2), "SAME", "RELU", -5, 0.05),
    (1, 10, 11, 70, (3, 3), (1, 1), "SAME", "RELU6", -128, 0.03),
    (1, 7, 7, 35, (7, 7), (1, 1), "VALID", "NONE", 17, 0.2),
    (1, 6, 5, 17, (3, 2), (2, 3), "SAME", "RELU_N1_TO_1", 3, 0.02),
    (1, 5, 5, 4, (5, 5), (1, 1), "SAME", "NONE", -1, 0.1),
    (1, 13, 12, 9, (1, 3), (1, 2), "SAME", "RELU", 60, 0.5),
]
POOL_SAN = [1, 4]


@pytest.mark.parametrize("kind", ["avg", "max"])
@pytest.mark.parametrize("idx", range(len(POOL_CASES)))
def test_pool2d_s8(builds, kind, idx, tmp_path):
    b, h, w, c, (kh, kw), stride, pad, act, zp, sc = POOL_CASES[idx]
    rng = np.random.default_rng(4000 + idx)
    k = abi.pool2d_s8(
        kind, [b, h, w, c], filter_hw=(kh, kw), stride=stride, padding=pad, activation=act,
        output_scale=sc, output_zero_point=zp,
    )  # fmt: skip
    mb = TFLiteModelBuilder()
    x_t = mb.add_input("x", [b, h, w, c], np.int8, q(sc, zp))
    y_t = mb.add_tensor("y", list(k.output_shape), np.int8, q(sc, zp))
    mb.add_operator(
        "AVERAGE_POOL_2D" if kind == "avg" else "MAX_POOL_2D",
        [x_t],
        [y_t],
        {
            "padding": pad,
            "stride_h": stride[0],
            "stride_w": stride[1],
            "filter_height": kh,
            "filter_width": kw,
            "fused_activation_function": act,
        },
    )
    mb.mark_output(y_t)
    x = rand_s8(rng, (b, h, w, c))
    ref = run_litert(mb.build(), [x])
    payload = struct.pack("<i", KIND[kind]) + k.params.pack() + arr(x)
    check_all(builds, configs(idx, POOL_SAN), payload, tmp_path, ref, what=kind)


def test_avg_pool_rounding_division_is_exact():
    """The kernel's reciprocal multiply equals C's truncating division for every window
    size up to 4096 and every sum it can see."""
    for n in [*range(1, 300), 511, 512, 513, 1000, 4095, 4096]:
        lo = 0
        while (1 << lo) < n:
            lo += 1
        shift = 8 + 2 * lo
        magic = ((1 << shift) - 1) // n + 1
        v = np.arange(0, 128 * n + n // 2 + 1, dtype=np.uint64)
        assert np.array_equal((v * np.uint64(magic)) >> np.uint64(shift), v // np.uint64(n)), n


# ------------------------------------------------------------------------------------------
# ADD / SUB / MUL

# (op, a_shape, b_shape, act, (a_scale, a_zp), (b_scale, b_zp), out_factor, spread)
# The output quantization is calibrated on the actual result (calibrated_output), scaled by
# out_factor; spread > 0 draws inputs within zero point +- spread.
BINARY_CASES = [
    ("add", (1, 5, 7, 3), (1, 5, 7, 3), "NONE", (0.05, -3), (0.02, 10), 1.0, 0),
    ("add", (2, 4, 5, 3), (3,), "RELU", (0.1, -128), (0.3, 5), 1.0, 0),
    ("add", (2, 1, 5, 1), (1, 4, 1, 6), "RELU6", (0.03, 17), (0.03, 17), 1.0, 0),
    ("add", (1,), (3, 4), "NONE", (1.0, 0), (0.001, 127), 1.0, 0),
    ("add", (1, 33, 40), (1, 33, 40), "RELU_N1_TO_1", (0.01, 0), (0.02, -1), 1.0, 0),
    ("add", (3, 1, 10), (3, 7, 1), "NONE", (0.002, -100), (0.004, 100), 0.3, 0),
    ("add", (2, 3, 300), (2, 3, 300), "NONE", (0.5, 127), (0.0004, -128), 1.0, 0),
    ("sub", (1, 5, 7, 3), (1, 5, 7, 3), "NONE", (0.05, -3), (0.02, 10), 1.0, 0),
    ("sub", (2, 20, 30), (30,), "RELU", (0.1, 0), (0.2, -20), 1.0, 0),
    ("sub", (4, 1), (1, 9), "RELU6", (0.04, 5), (0.05, -5), 1.0, 0),
    ("mul", (1, 5, 7, 3), (1, 5, 7, 3), "NONE", (0.05, -3), (0.02, 10), 1.0, 0),
    ("mul", (2, 16, 20), (20,), "RELU", (0.1, -128), (0.05, 3), 1.0, 0),
    ("mul", (3, 1, 4), (1, 5, 1), "NONE", (0.5, 0), (0.5, 0), 1.0, 3),  # multiplier > 1
    ("mul", (1, 40, 30), (1,), "RELU6", (0.02, 10), (0.01, -10), 0.5, 0),
]
BINARY_SAN = [1, 2, 4, 6, 8, 11, 12]
ACT_RANGE = {"RELU": (0.0, math.inf), "RELU6": (0.0, 6.0), "RELU_N1_TO_1": (-1.0, 1.0)}


def calibrated_output(real: np.ndarray, act: str, factor: float) -> tuple[float, int]:
    """(scale, zero point) covering the real values (clipped by the activation), the
    scale times factor."""
    lo, hi = ACT_RANGE.get(act, (-math.inf, math.inf))
    v = np.clip(real, lo, hi)
    vmin, vmax = min(float(v.min()), 0.0), max(float(v.max()), 0.0)
    scale = float(np.float32(factor * max(vmax - vmin, 1e-6) / 255))
    return scale, int(np.clip(round(-128 - vmin / scale), -128, 127))


@pytest.mark.parametrize("idx", range(len(BINARY_CASES)))
def test_binary_s8(builds, idx, tmp_path):
    op, a_shape, b_shape, act, (asc, azp), (bsc, bzp), factor, spread = BINARY_CASES[idx]
    rng = np.random.default_rng(5000 + idx)
    a, b = rand_s8(rng, a_shape, azp, spread), rand_s8(rng, b_shape, bzp, spread)
    ra = (a.astype(np.float64) - azp) * np.float32(asc)
    rb = (b.astype(np.float64) - bzp) * np.float32(bsc)
    osc, ozp = calibrated_output({"add": ra + rb, "sub": ra - rb, "mul": ra * rb}[op], act, factor)
    k = abi.binary_s8(
        op, a_shape, b_shape, a_scale=asc, a_zero_point=azp, b_scale=bsc, b_zero_point=bzp,
        output_scale=osc, output_zero_point=ozp, activation=act,
    )  # fmt: skip
    mb = TFLiteModelBuilder()
    a_t = mb.add_input("a", list(a_shape), np.int8, q(asc, azp))
    b_t = mb.add_input("b", list(b_shape), np.int8, q(bsc, bzp))
    y_t = mb.add_tensor("y", list(k.output_shape), np.int8, q(osc, ozp))
    mb.add_operator(op.upper(), [a_t, b_t], [y_t], {"fused_activation_function": act})
    mb.mark_output(y_t)
    ref = run_litert(mb.build(), [a, b])
    body = k.params.pack() + arr(a) + arr(b)
    check_all(builds, configs(idx, BINARY_SAN), struct.pack("<i", KIND[op]) + body, tmp_path, ref)
    # in place: out aliases whichever operand has the output's shape
    for alias, shape in ((1, a_shape), (2, b_shape)):
        if tuple(shape) == tuple(k.output_shape):
            payload = struct.pack("<i", alias * 100 + KIND[op]) + body
            check_all(builds, CFGS[:1] + SAN_CFGS[:1], payload, tmp_path, ref, what="in place")


def test_binary_s8_rejects_what_litert_rejects():
    with pytest.raises(ValueError, match="must be in"):  # ADD output multiplier >= 1: aborts
        abi.binary_s8(
            "add", [4], [4], a_scale=1.0, a_zero_point=0, b_scale=1.0, b_zero_point=0,
            output_scale=1e-7, output_zero_point=0,
        )  # fmt: skip
    with pytest.raises(NotImplementedError):
        abi.binary_s8(
            "sub", [4], [4], a_scale=1.0, a_zero_point=0, b_scale=1.0, b_zero_point=0,
            output_scale=1e-7, output_zero_point=0,
        )  # fmt: skip


# ------------------------------------------------------------------------------------------
# SOFTMAX

# (shape, beta, in_scale, in_zp, input kind)
SOFTMAX_CASES = [
    ((1, 10), 1.0, 0.1, 0, "random"),
    ((3, 7, 33), 1.0, 0.05, -20, "random"),
    ((2, 300), 0.5, 0.2, 5, "random"),
    ((4, 16), 1.0, 1.0, 0, "random"),  # diff_min cuts most of the range
    ((5, 12), 2.0, 0.01, 100, "random"),
    ((2, 64), 1.0, 0.0625, -128, "ties"),  # many elements equal to the maximum
    ((1, 1), 1.0, 0.1, 0, "random"),
    ((6, 100), 0.5, 0.03, 3, "narrow"),
    ((2, 511), 1.0, 0.05, 0, "flat"),  # the largest all-equal row LiteRT accepts
]
SOFTMAX_SAN = [1, 5, 8]


@pytest.mark.parametrize("idx", range(len(SOFTMAX_CASES)))
def test_softmax_s8(builds, idx, tmp_path):
    shape, beta, isc, izp, kind = SOFTMAX_CASES[idx]
    rng = np.random.default_rng(6000 + idx)
    k = abi.softmax_s8(shape, input_scale=isc, beta=beta)
    mb = TFLiteModelBuilder()
    x_t = mb.add_input("x", list(shape), np.int8, q(isc, izp))
    y_t = mb.add_tensor("y", list(shape), np.int8, q(1.0 / 256, -128))
    mb.add_operator("SOFTMAX", [x_t], [y_t], {"beta": beta})
    mb.mark_output(y_t)
    x = rand_s8(rng, shape)
    if kind == "ties":
        x = np.where(rng.random(shape) < 0.7, np.int8(90), x).astype(np.int8)
    elif kind == "flat":
        x = np.full(shape, 90, np.int8)
    elif kind == "narrow":
        x = rng.integers(-3, 4, size=shape).astype(np.int8)
    ref = run_litert(mb.build(), [x])
    body = k.params.pack() + arr(x) + arr(k.exp_table)
    check_all(builds, configs(idx, SOFTMAX_SAN), struct.pack("<i", KIND["softmax"]) + body,
              tmp_path, ref, what="softmax")  # fmt: skip
    payload = struct.pack("<i", 100 + KIND["softmax"]) + body
    check_all(builds, SAN_CFGS[:1], payload, tmp_path, ref, what="softmax in place")


def test_softmax_s8_output_quantization_is_checked():
    with pytest.raises(ValueError, match="zero point"):
        abi.softmax_s8([1, 4], input_scale=0.1, output_zero_point=0)
    with pytest.raises(ValueError, match="scale"):
        abi.softmax_s8([1, 4], input_scale=0.1, output_scale=1.0 / 255)
    abi.softmax_s8([1, 4], input_scale=0.1, output_scale=1.0005 / 256)  # within tolerance


# ------------------------------------------------------------------------------------------
# LOGISTIC / TANH

# (op, in_scale, in_zp, out_scale, out_zp)
LUT_CASES = [
    ("LOGISTIC", 0.1, 0, 1.0 / 256, -128),
    ("LOGISTIC", 0.02, -128, 1.0 / 256, -128),
    ("LOGISTIC", 0.5, 17, 1.0 / 256, -128),
    ("LOGISTIC", 0.0625, 100, 1.0 / 256, 0),
    ("TANH", 0.05, 0, 1.0 / 128, 0),
    ("TANH", 0.01, -50, 1.0 / 128, 0),
    ("TANH", 0.3, 5, 1.0 / 128, 0),
    ("TANH", 0.03, 0, 0.01, 20),  # LiteRT accepts any output quantization for TANH
]


@pytest.mark.parametrize("idx", range(len(LUT_CASES)))
def test_logistic_tanh_s8(builds, idx, tmp_path):
    op, isc, izp, osc, ozp = LUT_CASES[idx]
    table_fn = abi.logistic_s8_table if op == "LOGISTIC" else abi.tanh_s8_table
    table = table_fn(isc, izp, osc, ozp)
    mb = TFLiteModelBuilder()
    x_t = mb.add_input("x", [2, 256], np.int8, q(isc, izp))
    y_t = mb.add_tensor("y", [2, 256], np.int8, q(osc, ozp))
    mb.add_operator(op, [x_t], [y_t])
    mb.mark_output(y_t)
    x = np.concatenate([np.arange(-128, 128), np.random.default_rng(idx).permutation(256) - 128])
    x = x.astype(np.int8).reshape(2, 256)  # every input value
    ref = run_litert(mb.build(), [x])
    payload = struct.pack("<ii", KIND["lut"], x.size) + arr(x) + arr(table)
    check_all(builds, CFGS[:2] + SAN_CFGS[:1], payload, tmp_path, ref, what=op)


def test_logistic_output_scale_is_checked():
    with pytest.raises(ValueError, match="1/256"):
        abi.logistic_s8_table(0.1, 0, 1.0 / 255, -128)


# ------------------------------------------------------------------------------------------
# MEAN

# (shape, axes, keep_dims, (in_scale, in_zp), (out_scale, out_zp))
MEAN_CASES = [
    ((1, 7, 9, 16), (1, 2), True, (0.05, -3), (0.05, -3)),  # same quantization
    ((2, 5, 6, 70), (1, 2), False, (0.05, 10), (0.02, -5)),
    ((2, 4, 4, 3), (2, 1), True, (0.1, 0), (0.06, -5)),  # out scale < in scale
    ((3, 5, 7), (-1,), False, (0.02, 17), (0.03, 1)),
    ((2, 3, 4, 5), (0, 2), True, (0.2, 0), (0.1, 5)),
    ((2, 3, 4, 5), (1, 3), False, (0.01, -20), (0.01, -20)),
    ((4, 6, 8), (0, 1, 2), False, (0.05, 3), (0.002, 100)),
    ((1, 1, 12, 10), (1, 2), True, (0.1, 0), (0.3, -60)),
    ((2, 9, 9, 8), (1, 2), False, (0.5, 127), (0.5, 127)),
]
MEAN_SAN = [1, 3, 4]


@pytest.mark.parametrize("idx", range(len(MEAN_CASES)))
def test_mean_s8(builds, idx, tmp_path):
    shape, axes, keep, (isc, izp), (osc, ozp) = MEAN_CASES[idx]
    rng = np.random.default_rng(7000 + idx)
    k = abi.mean_s8(
        shape, axes, keep_dims=keep, input_scale=isc, input_zero_point=izp, output_scale=osc,
        output_zero_point=ozp,
    )  # fmt: skip
    mb = TFLiteModelBuilder()
    x_t = mb.add_input("x", list(shape), np.int8, q(isc, izp))
    a_t = mb.add_constant("axes", np.array(axes, np.int32))
    y_t = mb.add_tensor("y", list(k.output_shape), np.int8, q(osc, ozp))
    mb.add_operator("MEAN", [x_t, a_t], [y_t], {"keep_dims": keep})
    mb.mark_output(y_t)
    x = rand_s8(rng, shape)
    ref = run_litert(mb.build(), [x])
    assert ref.shape == k.output_shape
    payload = struct.pack("<i", KIND["mean"]) + k.params.pack() + arr(x)
    check_all(builds, configs(idx, MEAN_SAN), payload, tmp_path, ref, what="mean")


# ------------------------------------------------------------------------------------------
# QUANTIZE / DEQUANTIZE

# (scale, zero_point)
QUANT_CASES = [(0.1, 0), (0.0078125, -128), (0.0037, 17), (2.5, 127), (1e-4, -5), (0.5, 3)]


def quant_inputs(rng, scale, zp) -> np.ndarray:
    s = np.float32(scale)
    ties = ((np.arange(-300, 300) + 0.5) * s).astype(np.float32)  # exact when s is a power of 2
    near = np.nextafter(ties, np.float32(np.inf)).astype(np.float32)
    grid = (np.arange(-300, 300) * s).astype(np.float32)
    extremes = np.array([1e6, -1e6, 1e8, -1e8, 0.0, -0.0, 1e-30, -1e-30], np.float32) * s
    noise = (rng.standard_normal(500) * 100 * s).astype(np.float32)
    return np.concatenate([ties, near, grid, extremes, noise]).astype(np.float32)


@pytest.mark.parametrize("idx", range(len(QUANT_CASES)))
def test_quantize_f32_s8(builds, idx, tmp_path):
    scale, zp = QUANT_CASES[idx]
    x = quant_inputs(np.random.default_rng(8000 + idx), scale, zp)
    k = abi.quantize_f32_s8(x.shape, scale=scale, zero_point=zp)
    mb = TFLiteModelBuilder()
    x_t = mb.add_input("x", list(x.shape), np.float32)
    y_t = mb.add_tensor("y", list(x.shape), np.int8, q(scale, zp))
    mb.add_operator("QUANTIZE", [x_t], [y_t])
    mb.mark_output(y_t)
    ref = run_litert(mb.build(), [x])
    payload = struct.pack("<i", KIND["quant"]) + k.params.pack() + arr(x)
    check_all(builds, CFGS + SAN_CFGS[:1], payload, tmp_path, ref, what="quantize")


@pytest.mark.parametrize("idx", range(len(QUANT_CASES)))
def test_dequantize_s8_f32(builds, idx, tmp_path):
    scale, zp = QUANT_CASES[idx]
    x = np.arange(-128, 128, dtype=np.int8)
    k = abi.dequantize_s8_f32(x.shape, scale=scale, zero_point=zp)
    mb = TFLiteModelBuilder()
    x_t = mb.add_input("x", list(x.shape), np.int8, q(scale, zp))
    y_t = mb.add_tensor("y", list(x.shape), np.float32)
    mb.add_operator("DEQUANTIZE", [x_t], [y_t])
    mb.mark_output(y_t)
    ref = run_litert(mb.build(), [x])
    payload = struct.pack("<i", KIND["dequant"]) + k.params.pack() + arr(x)
    check_all(builds, CFGS + SAN_CFGS[:1], payload, tmp_path, ref, what="dequantize")


# ((in_scale, in_zp), (out_scale, out_zp))
REQUANT_CASES = [
    ((0.1, 0), (0.1, 0)),  # same scale
    ((0.1, -128), (0.1, 5)),
    ((0.05, 3), (0.2, -7)),  # multiplier < 1
    ((0.3, -20), (0.01, 0)),  # multiplier > 1 (saturates)
    ((0.0123, 127), (0.0456, -128)),
    ((1e-3, 0), (1e-5, 1)),
]


@pytest.mark.parametrize("idx", range(len(REQUANT_CASES)))
def test_requantize_s8_s8(builds, idx, tmp_path):
    (isc, izp), (osc, ozp) = REQUANT_CASES[idx]
    x = np.arange(-128, 128, dtype=np.int8)
    k = abi.requantize_s8_s8(
        x.shape, input_scale=isc, input_zero_point=izp, output_scale=osc, output_zero_point=ozp
    )
    mb = TFLiteModelBuilder()
    x_t = mb.add_input("x", list(x.shape), np.int8, q(isc, izp))
    y_t = mb.add_tensor("y", list(x.shape), np.int8, q(osc, ozp))
    mb.add_operator("QUANTIZE", [x_t], [y_t])
    mb.mark_output(y_t)
    ref = run_litert(mb.build(), [x])
    body = k.params.pack() + arr(x)
    check_all(builds, CFGS + SAN_CFGS[:1], struct.pack("<i", KIND["requant"]) + body, tmp_path,
              ref, what="requantize")  # fmt: skip
    check_all(builds, SAN_CFGS[:1], struct.pack("<i", 100 + KIND["requant"]) + body, tmp_path,
              ref, what="requantize in place")  # fmt: skip


# ------------------------------------------------------------------------------------------
# PAD / TRANSPOSE

# (dtype, quantization (scale, zp) or None, shape, paddings)
PAD_CASES = [
    (np.int8, (0.1, -5), (1, 4, 5, 3), ((0, 0), (1, 1), (2, 0), (0, 0))),
    (np.int8, (0.05, 17), (2, 3, 7), ((1, 0), (0, 2), (3, 1))),
    (np.int8, (0.02, -128), (1, 7, 7, 40), ((0, 0), (1, 2), (1, 2), (0, 0))),
    (np.float32, None, (2, 3, 4), ((0, 1), (2, 2), (1, 0))),
    (np.float32, None, (5,), ((3, 4),)),
    (np.int16, (0.001, 0), (3, 4, 5), ((1, 1), (0, 0), (2, 3))),
    (np.int8, (0.1, 3), (1, 2, 3, 4, 5), ((0, 1), (1, 0), (0, 0), (2, 1), (0, 2))),
]


@pytest.mark.parametrize("idx", range(len(PAD_CASES)))
def test_pad(builds, idx, tmp_path):
    dtype, qp, shape, pads = PAD_CASES[idx]
    rng = np.random.default_rng(9000 + idx)
    if np.dtype(dtype).kind == "f":
        x = rng.standard_normal(shape).astype(dtype)
    else:
        info = np.iinfo(dtype)
        x = rng.integers(info.min, info.max, size=shape, endpoint=True).astype(dtype)
    pad_value = 0 if qp is None else qp[1]  # TFLite: the output zero point
    k = abi.pad_params(
        shape, pads, elem_size=np.dtype(dtype).itemsize,
        pad_value=abi.pad_value_bits(pad_value, dtype),
    )  # fmt: skip
    mb = TFLiteModelBuilder()
    quant = None if qp is None else q(*qp)
    x_t = mb.add_input("x", list(shape), dtype, quant)
    p_t = mb.add_constant("paddings", np.array(pads, np.int32))
    y_t = mb.add_tensor("y", list(k.output_shape), dtype, quant)
    mb.add_operator("PAD", [x_t, p_t], [y_t])
    mb.mark_output(y_t)
    ref = run_litert(mb.build(), [x])
    assert np.array_equal(ref, np.pad(x, pads, constant_values=pad_value))
    payload = struct.pack("<i", KIND["pad"]) + k.params.pack() + arr(x)
    check_all(builds, CFGS[:2] + SAN_CFGS, payload, tmp_path, ref, what="pad")


def test_pad_8_byte_elements(builds, tmp_path):
    x = np.arange(2 * 3 * 4, dtype=np.int64).reshape(2, 3, 4) - 10
    pads = ((1, 0), (0, 1), (2, 2))
    k = abi.pad_params(x.shape, pads, elem_size=8, pad_value=abi.pad_value_bits(7, np.int64))
    ref = np.pad(x, pads, constant_values=7)
    payload = struct.pack("<i", KIND["pad"]) + k.params.pack() + arr(x)
    check_all(builds, CFGS[:1] + SAN_CFGS[:1], payload, tmp_path, ref, what="pad int64")


# (dtype, shape, perm)
TRANSPOSE_CASES = [
    (np.int8, (2, 3, 4), (2, 0, 1)),
    (np.int8, (1, 5, 7, 16), (0, 3, 1, 2)),  # NHWC -> NCHW
    (np.int8, (2, 3, 4, 5, 6), (4, 2, 0, 3, 1)),
    (np.float32, (3, 5, 7, 2), (0, 2, 3, 1)),
    (np.float32, (4, 9), (1, 0)),
    (np.int16, (2, 1, 3, 4, 5), (3, 1, 0, 4, 2)),
    (np.int8, (2, 3, 4, 5, 2, 3), (5, 4, 3, 2, 1, 0)),
    (np.float32, (2, 2, 3), (0, 1, 2)),  # identity
]


@pytest.mark.parametrize("idx", range(len(TRANSPOSE_CASES)))
def test_transpose(builds, idx, tmp_path):
    dtype, shape, perm = TRANSPOSE_CASES[idx]
    rng = np.random.default_rng(9500 + idx)
    if np.dtype(dtype).kind == "f":
        x = rng.standard_normal(shape).astype(dtype)
    else:
        info = np.iinfo(dtype)
        x = rng.integers(info.min, info.max, size=shape, endpoint=True).astype(dtype)
    k = abi.transpose_params(shape, perm, elem_size=np.dtype(dtype).itemsize)
    mb = TFLiteModelBuilder()
    quant = q(0.1, 0) if np.dtype(dtype).kind == "i" else None
    x_t = mb.add_input("x", list(shape), dtype, quant)
    p_t = mb.add_constant("perm", np.array(perm, np.int32))
    y_t = mb.add_tensor("y", list(k.output_shape), dtype, quant)
    mb.add_operator("TRANSPOSE", [x_t, p_t], [y_t])
    mb.mark_output(y_t)
    ref = run_litert(mb.build(), [x])
    assert np.array_equal(ref, np.transpose(x, perm))
    payload = struct.pack("<i", KIND["transpose"]) + k.params.pack() + arr(x)
    check_all(builds, CFGS[:2] + SAN_CFGS, payload, tmp_path, ref, what="transpose")


def test_transpose_8_byte_elements(builds, tmp_path):
    x = np.arange(3 * 4 * 5, dtype=np.float64).reshape(3, 4, 5)
    k = abi.transpose_params(x.shape, (2, 0, 1), elem_size=8)
    payload = struct.pack("<i", KIND["transpose"]) + k.params.pack() + arr(x)
    check_all(builds, CFGS[:1] + SAN_CFGS[:1], payload, tmp_path, np.transpose(x, (2, 0, 1)))


# ------------------------------------------------------------------------------------------
# The C struct initializers the compiler can emit compile and match the packed bytes


def test_struct_initializers_match_pack(tmp_path):
    k = abi.binary_s8(
        "add", [2, 1, 5], [4, 1], a_scale=0.1, a_zero_point=-128, b_scale=0.2, b_zero_point=3,
        output_scale=0.3, output_zero_point=0,
    )  # fmt: skip
    qk = abi.quantize_f32_s8([4], scale=0.1, zero_point=-3)
    src = tmp_path / "init.c"
    src.write_text(
        '#include <stdio.h>\n#include "binary_s8.h"\n#include "quantize_s8.h"\n'
        f"static const MicroBinaryS8Params p = {k.params.c_initializer()};\n"
        f"static const MicroQuantizeS8Params qp = {qk.params.c_initializer()};\n"
        "int main(void) { fwrite(&p, sizeof p, 1, stdout); fwrite(&qp, sizeof qp, 1, stdout);"
        " return 0; }\n"
    )
    exe = tmp_path / "init"
    subprocess.run(
        ["gcc", *WARNINGS, f"-I{GENERIC}", f"-I{INT8}", str(src), "-o", str(exe)], check=True
    )
    out = subprocess.run([str(exe)], capture_output=True, check=True).stdout
    assert out == k.params.pack() + qk.params.pack()
    assert math.isclose(float(np.frombuffer(out[-8:-4], np.float32)[0]), np.float32(0.1))


# ------------------------------------------------------------------------------------------
# Randomized sweeps over quantization parameters: many small models, two configs each.
# They exercise rounding corner cases (ties of the fixed-point and float requantizations,
# multipliers of every magnitude) more densely than the hand-picked grids above.

SWEEP_CFGS = [CFGS[0], CFGS[-1]]


def random_scale(rng, lo_exp: float, hi_exp: float) -> float:
    return float(np.float32(10.0 ** rng.uniform(lo_exp, hi_exp)))


@pytest.mark.parametrize("seed", range(4))
def test_conv2d_s8_random_quantization(builds, seed, tmp_path):
    rng = np.random.default_rng(11000 + seed)
    for _ in range(8):
        b, h, w = 2, int(rng.integers(1, 6)), int(rng.integers(1, 6))
        c, oc = int(rng.integers(1, 20)), int(rng.integers(1, 24))
        kh, kw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        isc, izp = random_scale(rng, -3, 0), int(rng.integers(-128, 128))
        osc, ozp = random_scale(rng, -3, 1), int(rng.integers(-128, 128))
        w_scales = channel_scales(rng, random_scale(rng, -4, -1), oc)
        wt = rand_weights(rng, (oc, kh, kw, c), int(rng.choice([1, 8, 127])))
        bias, bias_scales = bias_for(rng, isc, w_scales, oc, 10 * osc)
        act = str(rng.choice(["NONE", "RELU", "RELU6", "RELU_N1_TO_1"]))
        mb = TFLiteModelBuilder()
        x_t = mb.add_input("x", [b, h, w, c], np.int8, q(isc, izp))
        w_t = mb.add_constant("w", wt, qdim(w_scales, 0))
        b_t = mb.add_constant("b", bias, qdim(bias_scales, 0))
        k = abi.conv2d_s8(
            [b, h, w, c], wt, bias, input_scale=isc, input_zero_point=izp,
            filter_scales=w_scales, output_scale=osc, output_zero_point=ozp, padding="SAME",
            activation=act,
        )  # fmt: skip
        y_t = mb.add_tensor("y", list(k.output_shape), np.int8, q(osc, ozp))
        mb.add_operator(
            "CONV_2D", [x_t, w_t, b_t], [y_t], {"padding": "SAME", "fused_activation_function": act}
        )
        mb.mark_output(y_t)
        x = rand_s8(rng, (b, h, w, c))
        ref = run_litert(mb.build(), [x])
        payload = struct.pack("<i", KIND["conv"]) + k.params.pack() + arr(x)
        payload += arr(k.packed_weights) + arr(k.folded_bias) + arr(k.multipliers) + arr(k.shifts)
        check_all(builds, SWEEP_CFGS, payload, tmp_path, ref, offset=8, what="conv sweep")


@pytest.mark.parametrize("seed", range(4))
def test_fully_connected_s8_random_quantization(builds, seed, tmp_path):
    rng = np.random.default_rng(12000 + seed)
    for _ in range(10):
        batch, k_in, o = int(rng.integers(1, 9)), int(rng.integers(1, 70)), int(rng.integers(1, 20))
        per_channel = bool(rng.integers(0, 2))
        isc, izp = random_scale(rng, -3, 0), int(rng.integers(-128, 128))
        osc, ozp = random_scale(rng, -3, 1), int(rng.integers(-128, 128))
        wsc = random_scale(rng, -4, -1)
        w_scales = channel_scales(rng, wsc, o) if per_channel else np.array([wsc], np.float32)
        wzp = 0 if per_channel else int(rng.integers(-10, 11))
        wt = rand_weights(rng, (o, k_in), 100)
        bias, bias_scales = bias_for(rng, isc, w_scales, o if per_channel else 1, 10 * osc)
        if not per_channel:
            bias = np.repeat(bias, o)
        mb = TFLiteModelBuilder()
        x_t = mb.add_input("x", [batch, k_in], np.int8, q(isc, izp))
        w_t = mb.add_constant("w", wt, qdim(w_scales, 0) if per_channel else q(wsc, wzp))
        b_t = mb.add_constant("b", bias, qdim(bias_scales, 0))
        y_t = mb.add_tensor("y", [batch, o], np.int8, q(osc, ozp))
        mb.add_operator("FULLY_CONNECTED", [x_t, w_t, b_t], [y_t], {})
        mb.mark_output(y_t)
        x = rand_s8(rng, (batch, k_in))
        ref = run_litert(mb.build(), [x])
        k = abi.fully_connected_s8(
            [batch, k_in], wt, bias, input_scale=isc, input_zero_point=izp,
            weight_scales=w_scales, weight_zero_points=wzp, output_scale=osc,
            output_zero_point=ozp,
        )  # fmt: skip
        payload = struct.pack("<i", KIND["fc"]) + k.params.pack() + arr(x) + arr(k.weights)
        payload += arr(k.folded_bias) + arr(k.scale_mantissa) + arr(k.scale_exponent)
        check_all(builds, SWEEP_CFGS, payload, tmp_path, ref, what="fc sweep")


@pytest.mark.parametrize("op", ["add", "sub", "mul"])
def test_binary_s8_random_quantization(builds, op, tmp_path):
    rng = np.random.default_rng(13000 + ["add", "sub", "mul"].index(op))
    for _ in range(12):
        shape = (int(rng.integers(1, 4)), int(rng.integers(1, 30)), int(rng.integers(1, 30)))
        asc, azp = random_scale(rng, -3, 0), int(rng.integers(-128, 128))
        bsc, bzp = random_scale(rng, -3, 0), int(rng.integers(-128, 128))
        a, b = rand_s8(rng, shape), rand_s8(rng, shape)
        ra = (a.astype(np.float64) - azp) * asc
        rb = (b.astype(np.float64) - bzp) * bsc
        real = {"add": ra + rb, "sub": ra - rb, "mul": ra * rb}[op]
        osc, ozp = calibrated_output(real, "NONE", float(10.0 ** rng.uniform(-0.5, 0.5)))
        try:
            k = abi.binary_s8(
                op, shape, shape, a_scale=asc, a_zero_point=azp, b_scale=bsc, b_zero_point=bzp,
                output_scale=osc, output_zero_point=ozp,
            )  # fmt: skip
        except NotImplementedError:
            continue
        mb = TFLiteModelBuilder()
        a_t = mb.add_input("a", list(shape), np.int8, q(asc, azp))
        b_t = mb.add_input("b", list(shape), np.int8, q(bsc, bzp))
        y_t = mb.add_tensor("y", list(shape), np.int8, q(osc, ozp))
        mb.add_operator(op.upper(), [a_t, b_t], [y_t], {})
        mb.mark_output(y_t)
        ref = run_litert(mb.build(), [a, b])
        payload = struct.pack("<i", KIND[op]) + k.params.pack() + arr(a) + arr(b)
        check_all(builds, SWEEP_CFGS, payload, tmp_path, ref, what=f"{op} sweep")


def test_softmax_s8_random_quantization(builds, tmp_path):
    rng = np.random.default_rng(14000)
    for _ in range(20):
        shape = (int(rng.integers(1, 5)), int(rng.integers(1, 200)))
        isc, izp = random_scale(rng, -2.5, 0.5), int(rng.integers(-128, 128))
        beta = float(rng.choice([1.0, 0.5, 2.0, float(rng.uniform(0.1, 3))]))
        k = abi.softmax_s8(shape, input_scale=isc, beta=beta)
        mb = TFLiteModelBuilder()
        x_t = mb.add_input("x", list(shape), np.int8, q(isc, izp))
        y_t = mb.add_tensor("y", list(shape), np.int8, q(1.0 / 256, -128))
        mb.add_operator("SOFTMAX", [x_t], [y_t], {"beta": beta})
        mb.mark_output(y_t)
        x = rand_s8(rng, shape, izp, int(rng.choice([0, 5, 30])))
        ref = run_litert(mb.build(), [x])
        payload = struct.pack("<i", KIND["softmax"]) + k.params.pack() + arr(x) + arr(k.exp_table)
        check_all(builds, SWEEP_CFGS[:1], payload, tmp_path, ref, what="softmax sweep")


def test_lut_tables_random_quantization():
    """The LOGISTIC / TANH tables against LiteRT for many input quantizations (every int8
    input value each time); tables only, no C."""
    rng = np.random.default_rng(15000)
    x = np.arange(-128, 128, dtype=np.int8)
    for i in range(40):
        op = "LOGISTIC" if i % 2 else "TANH"
        isc, izp = random_scale(rng, -3, 0.5), int(rng.integers(-128, 128))
        osc, ozp = (1.0 / 256, -128) if op == "LOGISTIC" else (1.0 / 128, 0)
        mb = TFLiteModelBuilder()
        x_t = mb.add_input("x", [256], np.int8, q(isc, izp))
        y_t = mb.add_tensor("y", [256], np.int8, q(osc, ozp))
        mb.add_operator(op, [x_t], [y_t])
        mb.mark_output(y_t)
        ref = run_litert(mb.build(), [x])
        fn = abi.logistic_s8_table if op == "LOGISTIC" else abi.tanh_s8_table
        table = fn(isc, izp, osc, ozp)
        assert np.array_equal(table[x.view(np.uint8)], ref), (op, isc, izp)


def test_mean_s8_random_quantization(builds, tmp_path):
    rng = np.random.default_rng(16000)
    for _ in range(16):
        shape = tuple(int(d) for d in rng.integers(1, 8, size=int(rng.integers(2, 5))))
        nd = len(shape)
        axes = sorted(rng.choice(nd, size=int(rng.integers(1, nd + 1)), replace=False).tolist())
        keep = bool(rng.integers(0, 2))
        isc, izp = random_scale(rng, -2, 0), int(rng.integers(-128, 128))
        osc, ozp = float(np.float32(isc * 10.0 ** rng.uniform(-1, 0.5))), int(rng.integers(-60, 60))
        k = abi.mean_s8(
            shape, axes, keep_dims=keep, input_scale=isc, input_zero_point=izp,
            output_scale=osc, output_zero_point=ozp,
        )  # fmt: skip
        mb = TFLiteModelBuilder()
        x_t = mb.add_input("x", list(shape), np.int8, q(isc, izp))
        a_t = mb.add_constant("axes", np.array(axes, np.int32))
        y_t = mb.add_tensor("y", list(k.output_shape), np.int8, q(osc, ozp))
        mb.add_operator("MEAN", [x_t, a_t], [y_t], {"keep_dims": keep})
        mb.mark_output(y_t)
        x = rand_s8(rng, shape)
        ref = run_litert(mb.build(), [x])
        payload = struct.pack("<i", KIND["mean"]) + k.params.pack() + arr(x)
        check_all(builds, SWEEP_CFGS, payload, tmp_path, ref, what=f"mean sweep {shape} {axes}")
