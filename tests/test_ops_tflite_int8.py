"""
Per-operator int8 tests: grids of independent single-operator int8 TFLite branches built
with micro's flatbuffer writer, compiled by micro-convert, run as C and compared with
LiteRT's reference kernels byte for byte (the harness of test_ops_tflite.py).

The grids vary shapes, strides, paddings, dilations, zero points, scales and fused
activations. Weight and output scales are chosen like a converter's calibration would
(from the accumulator's range on a sample of the same random inputs), so outputs spread
over the int8 range; `check_int8_grid` also asserts that every branch's reference output
takes many distinct values and is not dominated by one (e.g. saturated) value.

LiteRT refuses an int8 CONV_2D without a bias; that case is checked against tflite-micro.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from conftest import litert_reference, run_model_bytes
from test_ops_tflite import Branch, Grid, check_grid

from micro.frontends.tflite_builder import Quantization, TFLiteModelBuilder

ACTIVATIONS = ("NONE", "RELU", "RELU6", "RELU_N1_TO_1")


# --------------------------------------------------------------------------- harness


@dataclass
class QBranch(Branch):
    """A branch with int8 quantization checks; `build` may add further int8 graph inputs
    (of `extra_inputs` shapes, in that order) with `TFLiteModelBuilder.add_input`."""

    extra_inputs: tuple[tuple[int, ...], ...] = ()
    output_quant: Quantization | None = None  # of the int8 result, when known up front
    input_fn: Callable[[np.random.Generator], np.ndarray] | None = None  # custom input
    min_distinct: int = 12  # the reference output takes at least this many values ...
    max_mode: float = 0.75  # ... and no value takes more than this fraction of it


class QGrid(Grid):
    """A Grid whose branches may have several (int8) inputs."""

    def inputs(self, seed: int) -> list[np.ndarray]:
        rng = np.random.default_rng(seed)
        arrays = []
        for branch in self.branches:
            input_fn = getattr(branch, "input_fn", None)
            if input_fn is not None:
                arrays.append(input_fn(rng))
            elif np.dtype(branch.input_dtype) == np.int8:
                arrays.append(rng.integers(-128, 128, branch.input_shape, dtype=np.int8))
            else:
                lo, hi = branch.input_range
                arrays.append(rng.uniform(lo, hi, branch.input_shape).astype(np.float32))
            for shape in getattr(branch, "extra_inputs", ()):
                arrays.append(rng.integers(-128, 128, shape, dtype=np.int8))
        return arrays


def check_int8_grid(grid: QGrid, tmp_path: Path, seeds: tuple[int, ...] = (0, 1)) -> None:
    """check_grid (identical to LiteRT), then: do the outputs carry information?"""
    check_grid(grid, tmp_path, seeds)
    model = grid.model()
    for branch, ref in zip(
        grid.branches, litert_reference(model, grid.inputs(seeds[0])), strict=True
    ):
        _assert_informative(branch, ref)


def _assert_informative(branch: Branch, ref: np.ndarray) -> None:
    min_distinct = getattr(branch, "min_distinct", 12)
    max_mode = getattr(branch, "max_mode", 0.75)
    values, counts = np.unique(ref, return_counts=True)
    want = min(min_distinct, max(ref.size // 3, 2))
    assert values.size >= want, (
        f"{branch.config}: the reference output takes only {values.size} distinct values "
        f"({values[:8].tolist()}...): pick a better output quantization"
    )
    mode = counts.max() / ref.size
    assert mode <= max_mode, (
        f"{branch.config}: {mode:.0%} of the reference output is {values[counts.argmax()]}"
    )


def _rng(tag: int) -> np.random.Generator:
    return np.random.default_rng(7000 + tag)


def _f32(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float32)


def q(scale: float, zero_point: int) -> Quantization:
    return Quantization([float(np.float32(scale))], [int(zero_point)])


def per_channel(scales: Sequence[float], dim: int) -> Quantization:
    scales = [float(s) for s in _f32(scales)]
    return Quantization(scales, [0] * len(scales), quantized_dimension=dim)


def calibrated(real: np.ndarray, margin: float = 0.9) -> Quantization:
    """An int8 quantization covering (margin x) the range of `real` and 0, as a
    converter's calibration would choose it (the extremes saturate a little)."""
    lo = min(float(real.min()), 0.0) * margin
    hi = max(float(real.max()), 0.0) * margin
    if hi - lo <= 0:
        hi = lo + 1.0
    scale = float(np.float32((hi - lo) / 255))
    zp = int(np.clip(round(-128 - lo / scale), -128, 127))
    return q(scale, zp)


CALIBRATION_BATCH = 8
"""Inputs (of a branch's shape) the output quantization is calibrated on."""


def _sample(rng: np.random.Generator, shape: Sequence[int], zero_point: int = 0) -> np.ndarray:
    """Random int8 values as the grid draws them, minus a zero point, as int64."""
    return rng.integers(-128, 128, tuple(shape)).astype(np.int64) - int(zero_point)


def _calibration_sample(rng: np.random.Generator, shape: Sequence[int], zero_point: int):
    """CALIBRATION_BATCH inputs of `shape` stacked along the first dimension."""
    return _sample(rng, (CALIBRATION_BATCH * shape[0], *shape[1:]), zero_point)


def _out_size(n: int, k: int, stride: int, dil: int, padding: str) -> int:
    eff = (k - 1) * dil + 1
    return -(-n // stride) if padding == "SAME" else (n - eff) // stride + 1


def _pair(v: int | tuple[int, int]) -> tuple[int, int]:
    return (v, v) if isinstance(v, int) else v


def _patches(
    x: np.ndarray,
    k: tuple[int, int],
    stride: int | tuple[int, int],
    dil: int | tuple[int, int],
    padding: str,
) -> np.ndarray:
    """(n, oh, ow, kh, kw, c) windows of x (NHWC, zero point already subtracted: the
    padding is 0) as TFLite's SAME / VALID places them."""
    _, h, w, _ = x.shape
    pads, index = [], []
    for n, kk, s, d in zip((h, w), k, _pair(stride), _pair(dil), strict=True):
        o = _out_size(n, kk, s, d, padding)
        total = max((o - 1) * s + (kk - 1) * d + 1 - n, 0)
        pads.append((total // 2, total - total // 2))
        index.append((np.arange(o) * s)[:, None] + (np.arange(kk) * d)[None, :])
    xp = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    iy, ix = index
    return xp[:, iy[:, None, :, None], ix[None, :, None, :], :]


def _act_options(act: str) -> dict[str, str]:
    return {"fused_activation_function": act}


def _window_options(
    padding: str, stride: int | tuple[int, int], dil: int | tuple[int, int], act: str
) -> dict[str, str | int]:
    (sh, sw), (dh, dw) = _pair(stride), _pair(dil)
    return {
        "padding": padding,
        "stride_h": sh,
        "stride_w": sw,
        "dilation_h_factor": dh,
        "dilation_w_factor": dw,
        **_act_options(act),
    }


def _target(act: str) -> float:
    """The root mean square of the real outputs to aim for: RELU_N1_TO_1 clamps to
    [-1, 1], the others should see values around their clamps."""
    return 0.8 if act == "RELU_N1_TO_1" else 3.0


def _filter_and_bias(
    rng: np.random.Generator,
    acc: np.ndarray,
    in_scale: float,
    per_channel_scales: bool,
    target: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, Quantization]:
    """Filter scales for an integer accumulator `acc` (samples..., oc) so the real outputs
    have about `target` root mean square, an int32 bias, and the calibrated output
    quantization. Returns (filter scales, bias scales, bias, output quantization)."""
    oc = acc.shape[-1]
    rms = np.sqrt(np.mean(acc.reshape(-1, oc).astype(np.float64) ** 2, axis=0)) + 1.0
    if per_channel_scales:
        w_scales = target / (in_scale * rms) * rng.uniform(0.5, 2.0, oc)
    else:
        w_scales = np.full(oc, target / (in_scale * float(rms.mean())))
    w_scales = _f32(w_scales).astype(np.float64)
    bias_scales = _f32(float(np.float32(in_scale)) * w_scales).astype(np.float64)
    bias = np.round(rng.normal(0.0, target / 2, oc) / bias_scales).astype(np.int32)
    real = (acc + bias) * bias_scales
    return w_scales, bias_scales, bias, calibrated(real)


# --------------------------------------------------------------------------- CONV_2D


def _conv_branch(
    i: int,
    shape: tuple[int, int, int, int],
    oc: int,
    k: tuple[int, int],
    stride: int | tuple[int, int],
    dil: int | tuple[int, int],
    padding: str,
    act: str,
    in_q: tuple[float, int],
    per_chan: bool = True,
    bias: str = "constant",
) -> QBranch:
    """bias: "constant" (an int32 tensor), "absent" (two inputs) or "-1" (the optional
    input given as -1)."""
    in_scale, in_zp = in_q
    rng = _rng(i)
    c = shape[3]
    wt = rng.integers(-127, 128, (oc, *k, c), dtype=np.int8)
    patches = _patches(_calibration_sample(rng, shape, in_zp), k, stride, dil, padding)
    acc = np.einsum("nyxijc,oijc->nyxo", patches, wt.astype(np.int64))
    out_shape = [shape[0], *acc.shape[1:]]
    w_scales, b_scales, b_data, out_q = _filter_and_bias(rng, acc, in_scale, per_chan, _target(act))
    if per_chan:
        wq, bq = per_channel(w_scales, 0), per_channel(b_scales, 0)
    else:
        wq, bq = q(w_scales[0], 0), q(b_scales[0], 0)

    def build(b: TFLiteModelBuilder, x: int) -> int:
        ins = [x, b.add_constant(f"w{i}", wt, wq)]
        if bias == "constant":
            ins.append(b.add_constant(f"b{i}", b_data, bq))
        elif bias == "-1":
            ins.append(-1)
        y = b.add_tensor(f"y{i}", out_shape, np.int8, out_q)
        b.add_operator("CONV_2D", ins, [y], _window_options(padding, stride, dil, act))
        return y

    kind = "per-channel" if per_chan else "per-tensor"
    return QBranch(
        f"conv {shape}->{oc} k{k} s{stride} d{dil} {padding} {act} zp{in_zp} {kind}"
        f"{'' if bias == 'constant' else f' bias {bias}'}",
        shape,
        build,
        input_dtype=np.int8,
        input_quant=q(in_scale, in_zp),
        output_quant=out_q,
    )


def test_conv2d_int8(tmp_path: Path) -> None:
    grid = QGrid()
    configs = [  # shape, oc, k, stride, dil, padding, act, (in scale, zp), per-channel
        ((1, 7, 9, 3), 5, (3, 3), 1, 1, "SAME", "RELU", (0.05, -128), True),
        ((1, 8, 8, 16), 16, (3, 3), 2, 1, "SAME", "NONE", (0.02, 0), False),
        ((1, 9, 7, 4), 13, (5, 3), 2, 1, "VALID", "RELU6", (0.1, 5), True),
        ((1, 10, 10, 3), 8, (3, 3), 1, 2, "SAME", "RELU_N1_TO_1", (0.03, -7), True),
        ((1, 6, 6, 300), 9, (3, 3), 1, 1, "SAME", "NONE", (0.05, 5), True),  # zp row
        ((1, 6, 6, 260), 4, (3, 3), 2, 1, "VALID", "RELU", (0.05, -3), True),  # no pad
        ((1, 5, 5, 8), 17, (1, 1), 1, 1, "VALID", "NONE", (0.1, 0), False),  # pointwise
        ((1, 5, 6, 8), 3, (1, 1), 2, 1, "SAME", "RELU", (0.07, -128), True),
        ((2, 6, 5, 6), 20, (3, 3), 1, 1, "SAME", "RELU6", (0.04, 12), False),  # batch 2
        ((1, 11, 9, 5), 33, (5, 3), 2, 2, "VALID", "RELU", (0.06, -20), True),
        ((1, 12, 12, 7), 6, (3, 3), 1, 1, "VALID", "RELU_N1_TO_1", (0.02, 100), False),
        ((1, 9, 10, 5), 7, (3, 2), (2, 1), (1, 2), "SAME", "RELU", (0.05, 30), True),
        ((1, 10, 7, 6), 18, (2, 3), (1, 3), (2, 1), "VALID", "NONE", (0.03, -90), False),
    ]
    assert {cfg[6] for cfg in configs} == set(ACTIVATIONS)
    for i, cfg in enumerate(configs):
        grid.add(_conv_branch(i, *cfg))
    check_int8_grid(grid, tmp_path)


def _tflm_reference(model: bytes, inputs: Sequence[np.ndarray], outputs: int) -> list[np.ndarray]:
    from tflite_micro.python.tflite_micro import runtime

    interpreter = runtime.Interpreter.from_bytes(model)
    for i, array in enumerate(inputs):
        interpreter.set_input(array, i)
    interpreter.invoke()
    return [
        interpreter.get_output(i).copy().reshape(interpreter.get_output_details(i)["shape"])
        for i in range(outputs)
    ]


def test_conv2d_int8_without_bias(tmp_path: Path) -> None:
    """An int8 CONV_2D without a bias: LiteRT refuses it (conv.cc requires a bias for
    quantized inputs), tflite-micro runs it with the same ConvPerChannel arithmetic, so
    it is the reference here."""
    grid = QGrid()
    grid.add(_conv_branch(0, (1, 10, 10, 3), 8, (3, 3), 1, 2, "SAME", "RELU_N1_TO_1",
                          (0.03, -7), True, "absent"))  # fmt: skip
    grid.add(_conv_branch(1, (1, 5, 5, 8), 17, (1, 1), 1, 1, "VALID", "NONE", (0.1, 0),
                          False, "-1"))  # fmt: skip
    grid.add(_conv_branch(2, (1, 6, 6, 300), 9, (3, 3), 1, 1, "SAME", "RELU", (0.05, 5),
                          True, "absent"))  # fmt: skip
    model = grid.model()
    with pytest.raises(RuntimeError, match="failed to prepare"):
        litert_reference(model, grid.inputs(0))
    for seed in (0, 1):
        inputs = grid.inputs(seed)
        want = _tflm_reference(model, inputs, len(grid.branches))
        specs = [(w.shape, w.dtype) for w in want]
        got = run_model_bytes(model, inputs, tmp_path / f"run{seed}", output_specs=specs)
        for branch, y, ref in zip(grid.branches, got, want, strict=True):
            assert np.array_equal(y, ref), (
                f"{branch.config} (seed {seed}): {int(np.count_nonzero(y != ref))} values "
                "differ from tflite-micro"
            )
            if seed == 0:
                _assert_informative(branch, ref)


# --------------------------------------------------------------------------- DEPTHWISE_CONV_2D


def _depthwise_branch(
    i: int,
    shape: tuple[int, int, int, int],
    m: int,
    k: tuple[int, int],
    stride: int | tuple[int, int],
    dil: int | tuple[int, int],
    padding: str,
    act: str,
    in_q: tuple[float, int],
    bias: bool = True,
    per_chan: bool = True,
) -> QBranch:
    in_scale, in_zp = in_q

    def build(b: TFLiteModelBuilder, x: int) -> int:
        rng = _rng(100 + i)
        oc = shape[3] * m
        wt = rng.integers(-127, 128, (1, *k, oc), dtype=np.int8)
        x_cal = _calibration_sample(rng, shape, in_zp)
        patches = _patches(x_cal, k, stride, dil, padding)
        patches = patches[..., np.arange(oc) // m]  # output channel o reads input o // m
        acc = np.einsum("nyxijo,ijo->nyxo", patches, wt[0].astype(np.int64))
        w_scales, b_scales, b_data, out_q = _filter_and_bias(
            rng, acc, in_scale, per_chan, _target(act)
        )
        if per_chan:
            wq, bq = per_channel(w_scales, 3), per_channel(b_scales, 0)
        else:
            wq, bq = q(w_scales[0], 0), q(b_scales[0], 0)
        ins = [x, b.add_constant(f"w{i}", wt, wq)]
        if bias:
            ins.append(b.add_constant(f"b{i}", b_data, bq))
        y = b.add_tensor(f"y{i}", [shape[0], *acc.shape[1:]], np.int8, out_q)
        options = {**_window_options(padding, stride, dil, act), "depth_multiplier": m}
        b.add_operator("DEPTHWISE_CONV_2D", ins, [y], options)
        return y

    return QBranch(
        f"depthwise {shape} m{m} k{k} s{stride} d{dil} {padding} {act} zp{in_zp}"
        f"{'' if per_chan else ' per-tensor'}{'' if bias else ' no-bias'}",
        shape,
        build,
        input_dtype=np.int8,
        input_quant=q(in_scale, in_zp),
    )


def test_depthwise_conv2d_int8(tmp_path: Path) -> None:
    grid = QGrid()
    configs = [  # shape, multiplier, k, stride, dil, padding, act, (in scale, zp)
        ((1, 7, 9, 3), 1, (3, 3), 1, 1, "SAME", "NONE", (0.05, -128)),
        ((1, 8, 8, 16), 1, (3, 3), 2, 1, "SAME", "RELU6", (0.02, 0)),
        ((1, 9, 7, 4), 2, (3, 2), 2, 1, "VALID", "RELU", (0.1, 5)),
        ((1, 10, 10, 5), 2, (5, 5), 1, 2, "SAME", "NONE", (0.03, -7)),
        ((1, 6, 6, 37), 1, (3, 3), 1, 1, "VALID", "RELU_N1_TO_1", (0.04, 20)),
        ((1, 5, 5, 40), 2, (3, 3), 1, 1, "SAME", "RELU", (0.06, 0)),  # 80 channels: 3 blocks
        ((2, 6, 6, 8), 1, (3, 3), 2, 2, "SAME", "NONE", (0.08, -50)),  # batch 2
        ((1, 7, 7, 3), 3, (2, 2), 1, 1, "VALID", "RELU6", (0.03, 9)),
    ]
    assert {cfg[6] for cfg in configs} == set(ACTIVATIONS)
    for i, cfg in enumerate(configs):
        grid.add(_depthwise_branch(i, *cfg))
    grid.add(_depthwise_branch(len(configs), (1, 6, 5, 6), 1, (3, 3), 1, 1, "SAME", "NONE",
                               (0.05, -2), bias=False))  # fmt: skip
    grid.add(_depthwise_branch(len(configs) + 1, (1, 9, 8, 6), 2, (3, 2), (1, 2), (2, 1),
                               "SAME", "RELU6", (0.04, -60), per_chan=False))  # fmt: skip
    check_int8_grid(grid, tmp_path)


# --------------------------------------------------------------------------- FULLY_CONNECTED


def _fc_branch(
    i: int,
    shape: tuple[int, ...],
    out: int,
    has_bias: bool,
    act: str,
    per_chan: bool,
    in_q: tuple[float, int],
    keep_num_dims: bool = False,
) -> QBranch:
    """A 4-D input is one row per batch entry (flattened, as after a conv); other inputs
    are rows of their last dimension."""
    in_scale, in_zp = in_q

    def build(b: TFLiteModelBuilder, x: int) -> int:
        rng = _rng(200 + i)
        n_in = int(np.prod(shape[1:])) if len(shape) == 4 else shape[-1]
        rows = int(np.prod(shape)) // n_in
        wt = rng.integers(-127, 128, (out, n_in), dtype=np.int8)
        acc = _calibration_sample(rng, (rows, n_in), in_zp) @ wt.astype(np.int64).T
        w_scales, b_scales, b_data, out_q = _filter_and_bias(
            rng, acc, in_scale, per_chan, _target(act)
        )
        if per_chan:
            wq, bq = per_channel(w_scales, 0), per_channel(b_scales, 0)
        else:
            wq, bq = q(w_scales[0], 0), q(b_scales[0], 0)
        ins = [x, b.add_constant(f"w{i}", wt, wq)]
        if has_bias:
            ins.append(b.add_constant(f"b{i}", b_data, bq))
        out_shape = [*shape[:-1], out] if keep_num_dims else [rows, out]
        y = b.add_tensor(f"y{i}", out_shape, np.int8, out_q)
        options = {**_act_options(act), "keep_num_dims": keep_num_dims}
        b.add_operator("FULLY_CONNECTED", ins, [y], options)
        return y

    kind = "per-channel" if per_chan else "per-tensor"
    return QBranch(
        f"fc {shape}->{out} bias={has_bias} {act} zp{in_zp} {kind}"
        f"{' keep_num_dims' if keep_num_dims else ''}",
        shape,
        build,
        input_dtype=np.int8,
        input_quant=q(in_scale, in_zp),
    )


def test_fully_connected_int8(tmp_path: Path) -> None:
    grid = QGrid()
    configs = [  # input shape, out features, bias, act, per-channel, (in scale, zp)
        ((1, 64), 10, True, "NONE", False, (0.05, 0)),
        ((1, 5), 33, False, "RELU", True, (0.1, -128)),
        ((3, 17), 9, True, "RELU6", True, (0.03, 7)),
        ((1, 2, 2, 16), 7, True, "NONE", False, (0.02, -3)),  # 4-D input, flattened
        ((1, 1000), 12, True, "RELU_N1_TO_1", True, (0.01, 10)),
        ((4, 30), 21, True, "RELU", False, (0.2, -60)),
        ((2, 3, 8), 5, False, "NONE", True, (0.04, 33)),  # 3-D input: 6 rows
        ((2, 3, 8), 5, True, "RELU6", False, (0.04, -33), True),  # keep_num_dims: [2, 3, 5]
    ]
    assert {cfg[3] for cfg in configs} == set(ACTIVATIONS)
    for i, cfg in enumerate(configs):
        grid.add(_fc_branch(i, *cfg))
    check_int8_grid(grid, tmp_path)


# --------------------------------------------------------------------------- pooling


def test_pooling_int8(tmp_path: Path) -> None:
    grid = QGrid()
    configs = [  # op, shape, filter, (stride h, w), padding, act, (scale, zp) of in and out
        ("AVERAGE_POOL_2D", (1, 8, 8, 16), (2, 2), (2, 2), "VALID", "NONE", (0.05, 0)),
        ("AVERAGE_POOL_2D", (1, 9, 7, 3), (3, 3), (2, 2), "SAME", "RELU", (0.1, -20)),
        ("AVERAGE_POOL_2D", (1, 5, 5, 35), (5, 5), (1, 1), "VALID", "RELU6", (0.08, -30)),
        ("AVERAGE_POOL_2D", (1, 6, 9, 40), (3, 2), (1, 2), "SAME", "NONE", (0.3, 17)),
        ("AVERAGE_POOL_2D", (2, 7, 7, 8), (3, 3), (1, 1), "SAME", "RELU_N1_TO_1", (0.01, 3)),
        ("MAX_POOL_2D", (1, 9, 7, 5), (3, 3), (2, 2), "SAME", "NONE", (0.03, 7)),
        ("MAX_POOL_2D", (1, 8, 8, 20), (2, 2), (2, 2), "VALID", "RELU6", (0.05, -30)),
        ("MAX_POOL_2D", (1, 6, 6, 33), (3, 3), (1, 1), "SAME", "RELU", (0.1, 20)),
        ("MAX_POOL_2D", (1, 7, 5, 4), (2, 3), (2, 1), "VALID", "RELU_N1_TO_1", (0.008, -5)),
    ]
    for op in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
        assert {cfg[5] for cfg in configs if cfg[0] == op} == set(ACTIVATIONS)
    for i, (op, shape, k, s, pad, act, (scale, zp)) in enumerate(configs):

        def build(
            b: TFLiteModelBuilder, x: int, i=i, op=op, shape=shape, k=k, s=s, pad=pad, act=act,
            scale=scale, zp=zp,
        ) -> int:  # fmt: skip
            n, h, w, c = shape
            oh, ow = _out_size(h, k[0], s[0], 1, pad), _out_size(w, k[1], s[1], 1, pad)
            y = b.add_tensor(f"y{i}", [n, oh, ow, c], np.int8, q(scale, zp))
            b.add_operator(
                op,
                [x],
                [y],
                {
                    "padding": pad,
                    "stride_h": s[0],
                    "stride_w": s[1],
                    "filter_height": k[0],
                    "filter_width": k[1],
                    **_act_options(act),
                },
            )
            return y

        grid.add(
            QBranch(
                f"{op} {shape} k{k} s{s} {pad} {act} q({scale}, {zp})",
                shape,
                build,
                input_dtype=np.int8,
                input_quant=q(scale, zp),
            )
        )
    check_int8_grid(grid, tmp_path)


# --------------------------------------------------------------------------- ADD / SUB / MUL


def _real(rng: np.random.Generator, shape, quant: tuple[float, int]) -> np.ndarray:
    scale, zp = quant
    return float(np.float32(scale)) * _sample(rng, shape, zp)


def _binary_branch(
    i: int,
    op: str,
    a_shape: tuple[int, ...],
    b_shape: tuple[int, ...],
    qa: tuple[float, int],
    qb: tuple[float, int],
    act: str,
    second: str = "input",  # "input": a second graph input; "constant"; "same": x op x
) -> QBranch:
    out_shape = np.broadcast_shapes(a_shape, b_shape)
    rng = _rng(300 + i)
    ra, rb = _real(rng, a_shape, qa), _real(rng, b_shape, qb)
    if second == "same":
        rb = ra
    real = {"ADD": np.add, "SUB": np.subtract, "MUL": np.multiply}[op](ra, rb)
    out_q = calibrated(real)
    const = _rng(350 + i).integers(-128, 128, b_shape, dtype=np.int8)

    def build(b: TFLiteModelBuilder, x: int) -> int:
        if second == "input":
            other = b.add_input(f"in{i}b", list(b_shape), np.int8, q(*qb))
        elif second == "constant":
            other = b.add_constant(f"c{i}", const, q(*qb))
        else:
            other = x
        y = b.add_tensor(f"y{i}", list(out_shape), np.int8, out_q)
        b.add_operator(op, [x, other], [y], _act_options(act))
        return y

    return QBranch(
        f"{op} {a_shape} q{qa} {second} {b_shape} q{qb} -> q({out_q.scale[0]:.4g}, "
        f"{out_q.zero_point[0]}) {act}",
        a_shape,
        build,
        input_dtype=np.int8,
        input_quant=q(*qa),
        extra_inputs=(b_shape,) if second == "input" else (),
    )


def test_binary_int8(tmp_path: Path) -> None:
    grid = QGrid()
    configs = [  # op, a shape, b shape, (a scale, zp), (b scale, zp), act[, second operand]
        ("ADD", (1, 4, 4, 3), (1, 1, 1, 3), (0.05, -10), (0.1, 20), "NONE"),
        ("ADD", (1, 4, 4, 3), (3,), (0.02, 0), (0.02, 0), "RELU"),
        ("ADD", (2, 3, 8), (2, 3, 8), (0.02, -128), (0.01, 127), "RELU6"),
        ("ADD", (3,), (1, 4, 4, 3), (0.004, 5), (0.006, -9), "RELU_N1_TO_1"),
        ("ADD", (1, 8, 8, 16), (1, 8, 8, 16), (0.03, 3), (0.2, -40), "NONE"),  # 1024: tables
        ("ADD", (4, 4), (4,), (0.07, 0), (0.01, 60), "RELU", "constant"),
        ("SUB", (1, 4, 4, 3), (1, 1, 1, 3), (0.05, -10), (0.1, 20), "NONE"),
        ("SUB", (2, 1, 5), (1, 4, 1), (0.02, 7), (0.03, -7), "RELU"),
        ("SUB", (1, 8, 8, 16), (1, 8, 8, 16), (0.1, 0), (0.1, 0), "RELU6"),
        ("SUB", (5, 6), (5, 6), (0.01, 100), (0.008, 100), "RELU_N1_TO_1"),
        ("MUL", (1, 4, 4, 3), (3,), (0.05, -10), (0.1, 20), "NONE"),
        ("MUL", (2, 3, 8), (2, 3, 8), (0.02, 0), (0.02, 3), "RELU6"),
        ("MUL", (1, 4, 1, 3), (2, 1, 5, 1), (0.01, -5), (0.03, 40), "RELU_N1_TO_1"),
        ("MUL", (1, 8, 8, 16), (1, 8, 8, 16), (0.02, 1), (0.02, 1), "RELU", "same"),
        ("MUL", (6, 5), (5,), (0.04, 0), (0.02, -128), "NONE", "constant"),
    ]
    for op in ("ADD", "SUB", "MUL"):
        assert {cfg[5] for cfg in configs if cfg[0] == op} == set(ACTIVATIONS)
    for i, cfg in enumerate(configs):
        grid.add(_binary_branch(i, *cfg))
    check_int8_grid(grid, tmp_path)


# ------------------------------------------------------------------- SOFTMAX / LOGISTIC / TANH


def test_softmax_logistic_tanh_int8(tmp_path: Path) -> None:
    grid = QGrid()
    softmax = [  # shape, beta, (in scale, zp), distinct output values at least
        ((3, 10), 1.0, (0.1, 0), 12),
        ((2, 5, 16), 0.5, (0.05, -10), 12),
        ((1, 1, 1, 64), 2.0, (0.02, 3), 12),
        ((4, 7), 1.0, (0.15, -128), 4),  # peaked: few distinct probabilities
        ((2, 300), 1.0, (0.06, 50), 8),  # long rows: small probabilities
    ]
    for i, (shape, beta, (scale, zp), distinct) in enumerate(softmax):

        def build(b: TFLiteModelBuilder, x: int, i=i, shape=shape, beta=beta) -> int:
            y = b.add_tensor(f"y{i}", list(shape), np.int8, q(1 / 256, -128))
            b.add_operator("SOFTMAX", [x], [y], {"beta": beta})
            return y

        grid.add(
            QBranch(
                f"softmax {shape} beta {beta} q({scale}, {zp})",
                shape,
                build,
                input_dtype=np.int8,
                input_quant=q(scale, zp),
                min_distinct=distinct,
                max_mode=0.9,  # most probabilities of a row are small
            )
        )
    unary = [  # op, shape, (in scale, zp), output quantization
        ("LOGISTIC", (2, 7, 3), (0.05, 0), (1 / 256, -128)),
        ("LOGISTIC", (4, 16), (0.1, -30), (1 / 256, -128)),
        ("LOGISTIC", (64,), (0.02, 100), (1 / 256, -128)),
        ("TANH", (2, 7, 3), (0.02, 0), (1 / 128, 0)),
        ("TANH", (4, 16), (0.05, 40), (1 / 128, 0)),
        ("TANH", (1, 8, 8), (0.01, -128), (1 / 128, 0)),
    ]
    for op, shape, (scale, zp), out_q in unary:
        i = len(grid.branches)

        def build(b: TFLiteModelBuilder, x: int, i=i, op=op, shape=shape, out_q=out_q) -> int:
            y = b.add_tensor(f"y{i}", list(shape), np.int8, q(*out_q))
            b.add_operator(op, [x], [y])
            return y

        grid.add(
            QBranch(
                f"{op} {shape} q({scale}, {zp})",
                shape,
                build,
                input_dtype=np.int8,
                input_quant=q(scale, zp),
            )
        )
    check_int8_grid(grid, tmp_path)


# ------------------------------------------------------------------- RELU, RELU6, RELU_N1_TO_1


def test_relu_int8(tmp_path: Path) -> None:
    grid = QGrid()
    configs = [  # op, shape, input quantization, output quantization (None: the same)
        ("RELU", (2, 7, 3), (0.05, 10), None),
        ("RELU6", (4, 16), (0.1, -20), None),
        ("RELU_N1_TO_1", (1, 5, 5, 3), (0.02, 5), None),
        ("RELU", (2, 7, 3), (0.05, -5), (6.6 / 255, -128)),
        ("RELU", (3, 21), (0.03, -40), (0.06, 7)),
        ("RELU6", (4, 16), (0.1, 0), (6 / 255, -128)),
        ("RELU6", (1, 6, 6, 2), (0.02, -100), (0.01, -128)),
        ("RELU_N1_TO_1", (1, 5, 5, 3), (0.02, -3), (2 / 255, 0)),
        ("RELU_N1_TO_1", (50,), (0.01, 60), (0.005, -1)),
    ]
    for i, (op, shape, in_q, out_q) in enumerate(configs):

        def build(b: TFLiteModelBuilder, x: int, i=i, op=op, shape=shape, oq=out_q or in_q):
            y = b.add_tensor(f"y{i}", list(shape), np.int8, q(*oq))
            b.add_operator(op, [x], [y])
            return y

        grid.add(
            QBranch(
                f"{op} {shape} q{in_q} -> {'same' if out_q is None else f'q{out_q}'}",
                shape,
                build,
                input_dtype=np.int8,
                input_quant=q(*in_q),
            )
        )
    # scale ratios k/8 (ties when requantizing) on every int8 value: LiteRT's ReluPrepare
    # divides the scales in float32, where the ratio often is exactly k/8
    every_value = np.arange(-128, 128, dtype=np.int8)
    ratio_rng = _rng(600)
    for j, k in enumerate((3, 5, 9, 13, 17, 34)):
        i = len(grid.branches)
        op = ("RELU", "RELU6", "RELU_N1_TO_1")[j % 3]
        out_scale = float(np.float32(ratio_rng.uniform(0.005, 0.05)))
        in_q = (float(np.float32(out_scale * k / 8)), int(ratio_rng.integers(-20, 20)))
        out_q = (out_scale, int(ratio_rng.integers(-128, -60)))

        def build(b: TFLiteModelBuilder, x: int, i=i, op=op, out_q=out_q) -> int:
            y = b.add_tensor(f"y{i}", [256], np.int8, q(*out_q))
            b.add_operator(op, [x], [y])
            return y

        grid.add(
            QBranch(
                f"{op} every int8 value q{in_q} -> q{out_q} (scale ratio {k}/8)",
                (256,),
                build,
                input_dtype=np.int8,
                input_quant=q(*in_q),
                input_fn=lambda rng: rng.permutation(every_value),
                min_distinct=8,
            )
        )
    # after a convolution: fused when it keeps the quantization, stand-alone otherwise
    for op, same in (("RELU", True), ("RELU6", False), ("RELU_N1_TO_1", True)):
        i = len(grid.branches)
        conv = _conv_branch(i, (1, 6, 6, 4), 8, (3, 3), 1, 1, "SAME", "NONE", (0.05, i - 20))

        def build(b: TFLiteModelBuilder, x: int, i=i, op=op, same=same, conv=conv) -> int:
            c = conv.build(b, x)
            c_q = conv.output_quant  # the calibrated conv output
            assert c_q is not None
            out_q = c_q if same else q(c_q.scale[0] / 2, -128)
            y = b.add_tensor(f"r{i}", [1, 6, 6, 8], np.int8, out_q)
            b.add_operator(op, [c], [y])
            return y

        grid.add(
            QBranch(
                f"conv -> {op} ({'same quantization' if same else 'requantizing'})",
                conv.input_shape,
                build,
                input_dtype=np.int8,
                input_quant=conv.input_quant,
                min_distinct=8,
            )
        )
    check_int8_grid(grid, tmp_path)


# --------------------------------------------------------------------------- MEAN


def test_mean_int8(tmp_path: Path) -> None:
    grid = QGrid()
    configs = [  # shape, axes, keep_dims, input quantization, output: same or calibrated
        ((1, 7, 7, 16), [1, 2], True, (0.1, 5), False),
        ((1, 5, 3, 4), [1, 2], False, (0.05, -128), False),
        ((1, 4, 4, 10), [1, 2], True, (0.02, 3), True),
        ((1, 6, 6, 8), [2, 1], False, (0.04, 0), True),
        ((2, 3, 4), [0], False, (0.03, -20), False),
        ((2, 3, 4), [-1], True, (0.2, 9), False),
        ((3, 4, 5), [0, 2], False, (0.07, 0), False),
        ((1, 6, 6, 8), [3], True, (0.05, 30), False),
        ((2, 5, 6), [1], True, (0.01, -1), True),
    ]
    for i, (shape, axes, keep, in_q, same) in enumerate(configs):
        norm = {a % len(shape) for a in axes}
        out_shape = [1 if d in norm else n for d, n in enumerate(shape) if keep or d not in norm]
        real = _real(_rng(400 + i), (64, *shape), in_q).mean(axis=tuple(a + 1 for a in norm))
        out_q = q(*in_q) if same else calibrated(real)

        def build(
            b: TFLiteModelBuilder, x: int, i=i, axes=axes, keep=keep, out_shape=out_shape,
            out_q=out_q,
        ) -> int:  # fmt: skip
            a = b.add_constant(f"axes{i}", np.array(axes, dtype=np.int32))
            y = b.add_tensor(f"y{i}", out_shape, np.int8, out_q)
            b.add_operator("MEAN", [x, a], [y], {"keep_dims": keep})
            return y

        grid.add(
            QBranch(
                f"mean {shape} axes {axes} keep={keep} q{in_q} -> "
                f"q({out_q.scale[0]:.4g}, {out_q.zero_point[0]})",
                shape,
                build,
                input_dtype=np.int8,
                input_quant=q(*in_q),
                min_distinct=6 if same else 12,
            )
        )
    check_int8_grid(grid, tmp_path)


# ------------------------------------------------------------------- PAD / TRANSPOSE / RESHAPE


def test_data_movement_int8(tmp_path: Path) -> None:
    grid = QGrid()
    pads = [  # shape, paddings, quantization (PAD pads with the zero point)
        ((1, 4, 5, 3), [[0, 0], [1, 2], [2, 1], [0, 0]], (0.1, 7)),
        ((2, 3), [[1, 0], [0, 2]], (0.05, -128)),
        ((1, 3, 3, 8), [[0, 0], [0, 0], [0, 0], [1, 3]], (0.02, 0)),
        ((2, 3, 4, 5), [[1, 1], [0, 0], [2, 0], [0, 1]], (0.3, -50)),
    ]
    for i, (shape, paddings, quant) in enumerate(pads):
        out_shape = [n + p[0] + p[1] for n, p in zip(shape, paddings, strict=True)]

        def build(b: TFLiteModelBuilder, x: int, i=i, paddings=paddings, out_shape=out_shape,
                  quant=quant) -> int:  # fmt: skip
            p = b.add_constant(f"pads{i}", np.array(paddings, dtype=np.int32))
            y = b.add_tensor(f"y{i}", out_shape, np.int8, q(*quant))
            b.add_operator("PAD", [x, p], [y])
            return y

        grid.add(
            QBranch(
                f"pad {shape} {paddings} q{quant}",
                shape,
                build,
                input_dtype=np.int8,
                input_quant=q(*quant),
                max_mode=0.9,
            )
        )
    transposes = [  # shape, perm, dtype
        ((2, 3, 4), [2, 0, 1], np.int8),
        ((1, 4, 5, 3), [0, 3, 1, 2], np.int8),
        ((2, 3, 4, 5), [3, 2, 1, 0], np.int8),
        ((5, 6), [1, 0], np.int8),
        ((2, 3, 4), [1, 2, 0], np.float32),
        ((1, 4, 5, 3), [0, 2, 1, 3], np.float32),
        ((2, 1, 3, 1, 4), [4, 2, 0, 3, 1], np.float32),
    ]
    for shape, perm, dtype in transposes:
        i = len(grid.branches)
        quant = q(0.04, -9) if dtype == np.int8 else None

        def build(b: TFLiteModelBuilder, x: int, i=i, shape=shape, perm=perm, dtype=dtype,
                  quant=quant) -> int:  # fmt: skip
            p = b.add_constant(f"perm{i}", np.array(perm, dtype=np.int32))
            y = b.add_tensor(f"y{i}", [shape[d] for d in perm], dtype, quant)
            b.add_operator("TRANSPOSE", [x, p], [y])
            return y

        grid.add(
            QBranch(
                f"transpose {np.dtype(dtype).name} {shape} {perm}",
                shape,
                build,
                input_dtype=dtype,
                input_quant=quant,
            )
        )
    reshapes = [  # input shape, new shape, as a shape tensor (else in the options)
        ((1, 4, 4, 3), [1, 48], True),
        ((2, 3, 4), [4, -1], True),
        ((6, 4), [2, 12], False),
    ]
    for shape, new_shape, tensor in reshapes:
        i = len(grid.branches)
        out_shape = list(np.empty(shape).reshape(new_shape).shape)

        def build(b: TFLiteModelBuilder, x: int, i=i, new_shape=new_shape, tensor=tensor,
                  out_shape=out_shape) -> int:  # fmt: skip
            y = b.add_tensor(f"y{i}", out_shape, np.int8, q(0.1, 3))
            if tensor:
                s = b.add_constant(f"shape{i}", np.array(new_shape, dtype=np.int32))
                b.add_operator("RESHAPE", [x, s], [y])
            else:
                b.add_operator("RESHAPE", [x], [y], {"new_shape": new_shape})
            return y

        grid.add(
            QBranch(
                f"reshape {shape} -> {new_shape}{'' if tensor else ' (options)'}",
                shape,
                build,
                input_dtype=np.int8,
                input_quant=q(0.1, 3),
            )
        )
    check_int8_grid(grid, tmp_path)


# --------------------------------------------------------------------------- QUANTIZE / DEQUANTIZE


def _float_conv_model_branch(i: int) -> QBranch:
    """float in -> QUANTIZE -> CONV_2D int8 (per-channel, RELU) -> DEQUANTIZE -> float out."""
    shape, oc, in_scale, in_zp = (1, 8, 8, 3), 6, 4.0 / 255, -1

    def build(b: TFLiteModelBuilder, x: int) -> int:
        rng = _rng(500 + i)
        xq = b.add_tensor(f"xq{i}", list(shape), np.int8, q(in_scale, in_zp))
        b.add_operator("QUANTIZE", [x], [xq])
        wt = rng.integers(-127, 128, (oc, 3, 3, 3), dtype=np.int8)
        sample = np.clip(np.round(rng.uniform(-2, 2, shape) / in_scale) + in_zp, -128, 127)
        patches = _patches(sample.astype(np.int64) - in_zp, (3, 3), (1, 1), 1, "SAME")
        acc = np.einsum("nyxijc,oijc->nyxo", patches, wt.astype(np.int64))
        w_scales, b_scales, b_data, out_q = _filter_and_bias(rng, acc, in_scale, True, 2.0)
        w = b.add_constant(f"w{i}", wt, per_channel(w_scales, 0))
        bias = b.add_constant(f"b{i}", b_data, per_channel(b_scales, 0))
        yq = b.add_tensor(f"yq{i}", [1, 8, 8, oc], np.int8, out_q)
        b.add_operator("CONV_2D", [xq, w, bias], [yq], {"padding": "SAME", **_act_options("RELU")})
        y = b.add_tensor(f"y{i}", [1, 8, 8, oc], np.float32)
        b.add_operator("DEQUANTIZE", [yq], [y])
        return y

    return QBranch(
        "float -> QUANTIZE -> CONV_2D int8 -> DEQUANTIZE", shape, build, input_range=(-2, 2)
    )


def _float_classifier_branch(i: int) -> QBranch:
    """float in -> QUANTIZE -> FULLY_CONNECTED int8 -> SOFTMAX int8 -> DEQUANTIZE."""
    in_scale, in_zp = 2.0 / 255, 0

    def build(b: TFLiteModelBuilder, x: int) -> int:
        rng = _rng(500 + i)
        xq = b.add_tensor(f"xq{i}", [2, 32], np.int8, q(in_scale, in_zp))
        b.add_operator("QUANTIZE", [x], [xq])
        wt = rng.integers(-127, 128, (10, 32), dtype=np.int8)
        sample = np.clip(np.round(rng.uniform(-1, 1, (64, 32)) / in_scale) + in_zp, -128, 127)
        acc = (sample.astype(np.int64) - in_zp) @ wt.astype(np.int64).T
        w_scales, b_scales, b_data, out_q = _filter_and_bias(rng, acc, in_scale, False, 2.0)
        w = b.add_constant(f"w{i}", wt, q(w_scales[0], 0))
        bias = b.add_constant(f"b{i}", b_data, q(b_scales[0], 0))
        logits = b.add_tensor(f"logits{i}", [2, 10], np.int8, out_q)
        b.add_operator("FULLY_CONNECTED", [xq, w, bias], [logits])
        probs = b.add_tensor(f"probs{i}", [2, 10], np.int8, q(1 / 256, -128))
        b.add_operator("SOFTMAX", [logits], [probs], {"beta": 1.0})
        y = b.add_tensor(f"y{i}", [2, 10], np.float32)
        b.add_operator("DEQUANTIZE", [probs], [y])
        return y

    return QBranch(
        "float -> QUANTIZE -> FULLY_CONNECTED -> SOFTMAX -> DEQUANTIZE",
        (2, 32),
        build,
        input_range=(-1, 1),
        min_distinct=8,
    )


def test_quantize_dequantize_int8(tmp_path: Path) -> None:
    grid = QGrid()
    quantize = [  # shape, float input range, output quantization
        ((2, 7, 3), (-3.0, 3.0), (0.02, 10)),  # saturates on both sides
        ((4, 16), (-1.0, 1.0), (2 / 255, -1)),
        ((1, 8, 8, 3), (0.0, 6.0), (6 / 255, -128)),
        ((33,), (-100.0, 100.0), (0.9, 0)),
    ]
    for i, (shape, rng_, quant) in enumerate(quantize):

        def build(b: TFLiteModelBuilder, x: int, i=i, shape=shape, quant=quant) -> int:
            y = b.add_tensor(f"y{i}", list(shape), np.int8, q(*quant))
            b.add_operator("QUANTIZE", [x], [y])
            return y

        grid.add(QBranch(f"quantize f32 {shape} {rng_} -> q{quant}", shape, build,
                         input_range=rng_))  # fmt: skip
    ties = len(grid.branches)  # x / scale exactly halfway between integers: rounding ties

    def build_ties(b: TFLiteModelBuilder, x: int) -> int:
        y = b.add_tensor(f"y{ties}", [4, 50], np.int8, q(1 / 16, 3))
        b.add_operator("QUANTIZE", [x], [y])
        return y

    grid.add(
        QBranch(
            "quantize f32 ties k/32 -> q(1/16, 3)",
            (4, 50),
            build_ties,
            input_fn=lambda rng: (rng.integers(-300, 300, (4, 50)) / 32).astype(np.float32),
        )
    )
    dequantize = [((2, 7, 3), (0.05, -10)), ((4, 16), (0.003, 100)), ((1, 5, 5, 4), (1.5, -128))]
    for shape, quant in dequantize:
        i = len(grid.branches)

        def build(b: TFLiteModelBuilder, x: int, i=i, shape=shape) -> int:
            y = b.add_tensor(f"y{i}", list(shape), np.float32)
            b.add_operator("DEQUANTIZE", [x], [y])
            return y

        grid.add(QBranch(f"dequantize {shape} q{quant}", shape, build, input_dtype=np.int8,
                         input_quant=q(*quant)))  # fmt: skip
    requantize = [  # shape, input quantization, output quantization
        ((2, 7, 3), (0.05, 3), (0.1, -20)),
        ((4, 16), (0.1, 0), (0.03, 5)),  # multiplier > 1: saturates
        ((3, 9), (0.05, 7), (0.05, -7)),  # zero point only
        ((1, 4, 4, 4), (0.0371, -128), (0.0412, -100)),
        ((40,), (0.02, 0), (0.5, 0)),  # coarser: few values
    ]
    for shape, in_q, out_q in requantize:
        i = len(grid.branches)

        def build(b: TFLiteModelBuilder, x: int, i=i, shape=shape, out_q=out_q) -> int:
            y = b.add_tensor(f"y{i}", list(shape), np.int8, q(*out_q))
            b.add_operator("QUANTIZE", [x], [y])
            return y

        grid.add(
            QBranch(
                f"requantize {shape} q{in_q} -> q{out_q}",
                shape,
                build,
                input_dtype=np.int8,
                input_quant=q(*in_q),
                min_distinct=8 if out_q[0] > 0.1 else 12,
            )
        )
    n = len(grid.branches)
    grid.add(_float_conv_model_branch(n))
    grid.add(_float_classifier_branch(n + 1))
    check_int8_grid(grid, tmp_path)
