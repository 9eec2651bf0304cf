"""
Per-operator tests: single-operator TFLite models built with micro's flatbuffer writer,
compiled by micro-convert, run as C, compared with LiteRT's reference kernels bit for
bit. One model holds a grid of independent branches (one input and one output each), so
a whole grid costs one conversion and one C build; a failure names the branch's config.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from conftest import litert_reference, run_model_bytes

from micro.frontends.tflite_builder import Quantization, TFLiteModelBuilder


@dataclass
class Branch:
    """One independent operator: its config (for messages) and how to add it."""

    config: str
    input_shape: tuple[int, ...]
    build: Callable[[TFLiteModelBuilder, int], int]  # (builder, input index) -> output index
    input_dtype: type = np.float32
    input_quant: Quantization | None = None
    input_range: tuple[float, float] = (-2.0, 2.0)


@dataclass
class Grid:
    branches: list[Branch] = field(default_factory=list[Branch])

    def add(self, branch: Branch) -> None:
        self.branches.append(branch)

    def model(self) -> bytes:
        builder = TFLiteModelBuilder()
        for i, branch in enumerate(self.branches):
            x = builder.add_input(
                f"in{i}", list(branch.input_shape), branch.input_dtype, branch.input_quant
            )
            builder.mark_output(branch.build(builder, x))
        return builder.build()

    def inputs(self, seed: int) -> list[np.ndarray]:
        rng = np.random.default_rng(seed)
        arrays = []
        for branch in self.branches:
            if np.dtype(branch.input_dtype) == np.int8:
                arrays.append(rng.integers(-128, 128, branch.input_shape, dtype=np.int8))
            else:
                lo, hi = branch.input_range
                arrays.append(rng.uniform(lo, hi, branch.input_shape).astype(np.float32))
        return arrays


def check_grid(grid: Grid, tmp_path: Path, seeds: tuple[int, ...] = (0, 1)) -> None:
    model = grid.model()
    for seed in seeds:
        inputs = grid.inputs(seed)
        got = run_model_bytes(model, inputs, tmp_path / f"run{seed}")
        want = litert_reference(model, inputs)
        for branch, y, ref in zip(grid.branches, got, want, strict=True):
            assert y.shape == ref.shape, branch.config
            if not np.array_equal(y, ref):
                diff = np.abs(y.astype(np.float64) - ref.astype(np.float64))
                pytest.fail(
                    f"{branch.config} (seed {seed}): {int(np.count_nonzero(y != ref))} values "
                    f"differ from LiteRT, max |diff| {diff.max():.3g}"
                )


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(1000 + seed)


# --------------------------------------------------------------------------- float32


def _conv_branch(
    i: int,
    h: int,
    w: int,
    c: int,
    oc: int,
    k: tuple[int, int],
    stride: int,
    dil: int,
    padding: str,
    act: str,
    bias: bool = True,
) -> Branch:
    def build(b: TFLiteModelBuilder, x: int) -> int:
        rng = _rng(i)
        weights = b.add_constant(f"w{i}", rng.standard_normal((oc, *k, c)).astype(np.float32))
        ins = [x, weights]
        if bias:
            ins.append(b.add_constant(f"b{i}", rng.standard_normal(oc).astype(np.float32)))
        kh, kw = (k[0] - 1) * dil + 1, (k[1] - 1) * dil + 1
        if padding == "SAME":
            oh, ow = -(-h // stride), -(-w // stride)
        else:
            oh, ow = (h - kh) // stride + 1, (w - kw) // stride + 1
        y = b.add_tensor(f"y{i}", [1, oh, ow, oc], np.float32)
        b.add_operator(
            "CONV_2D",
            ins,
            [y],
            {
                "padding": padding,
                "stride_h": stride,
                "stride_w": stride,
                "dilation_h_factor": dil,
                "dilation_w_factor": dil,
                "fused_activation_function": act,
            },
        )
        return y

    return Branch(
        f"conv {h}x{w}x{c}->{oc} k{k} s{stride} d{dil} {padding} {act}", (1, h, w, c), build
    )


def test_conv2d_f32(tmp_path: Path) -> None:
    grid = Grid()
    configs = [
        (7, 9, 3, 5, (3, 3), 1, 1, "SAME", "RELU"),
        (8, 8, 16, 16, (3, 3), 2, 1, "SAME", "NONE"),
        (9, 7, 4, 13, (3, 2), 2, 1, "VALID", "RELU6"),
        (10, 10, 3, 8, (5, 5), 1, 2, "SAME", "RELU_N1_TO_1"),
        (6, 6, 300, 9, (3, 3), 1, 1, "SAME", "NONE"),  # more channels than the zero row
        (5, 5, 8, 17, (1, 1), 1, 1, "VALID", "NONE"),  # pointwise
        (5, 6, 8, 3, (1, 1), 2, 1, "SAME", "RELU"),  # strided 1x1
        (1, 1, 7, 4, (1, 1), 1, 1, "SAME", "NONE"),
        (11, 4, 2, 6, (4, 3), 3, 1, "SAME", "NONE"),
    ]
    for i, cfg in enumerate(configs):
        grid.add(_conv_branch(i, *cfg))  # LiteRT requires a CONV_2D bias
    check_grid(grid, tmp_path)


def test_depthwise_conv2d_f32(tmp_path: Path) -> None:
    grid = Grid()
    configs = [  # h, w, c, multiplier, k, stride, dil, padding, act
        (7, 9, 3, 1, (3, 3), 1, 1, "SAME", "RELU"),
        (8, 8, 16, 1, (3, 3), 2, 1, "SAME", "RELU6"),
        (9, 7, 4, 2, (3, 2), 2, 1, "VALID", "NONE"),
        (10, 10, 5, 3, (5, 5), 1, 2, "SAME", "NONE"),
        (6, 6, 37, 1, (3, 3), 1, 1, "VALID", "RELU_N1_TO_1"),
    ]
    for i, (h, w, c, m, k, s, d, pad, act) in enumerate(configs):

        def build(
            b: TFLiteModelBuilder, x: int, i=i, h=h, w=w, c=c, m=m, k=k, s=s, d=d, pad=pad, act=act
        ) -> int:
            rng = _rng(i)
            oc = c * m
            wt = b.add_constant(f"w{i}", rng.standard_normal((1, *k, oc)).astype(np.float32))
            bias = b.add_constant(f"b{i}", rng.standard_normal(oc).astype(np.float32))
            kh, kw = (k[0] - 1) * d + 1, (k[1] - 1) * d + 1
            oh, ow = (
                (-(-h // s), -(-w // s))
                if pad == "SAME"
                else ((h - kh) // s + 1, (w - kw) // s + 1)
            )
            y = b.add_tensor(f"y{i}", [1, oh, ow, oc], np.float32)
            b.add_operator(
                "DEPTHWISE_CONV_2D",
                [x, wt, bias],
                [y],
                {
                    "padding": pad,
                    "stride_h": s,
                    "stride_w": s,
                    "dilation_h_factor": d,
                    "dilation_w_factor": d,
                    "depth_multiplier": m,
                    "fused_activation_function": act,
                },
            )
            return y

        grid.add(
            Branch(f"depthwise {h}x{w}x{c} m{m} k{k} s{s} d{d} {pad} {act}", (1, h, w, c), build)
        )
    check_grid(grid, tmp_path)


def test_fully_connected_f32(tmp_path: Path) -> None:
    grid = Grid()
    configs = [
        ((1, 64), 10, True, "NONE"),
        ((1, 5), 33, False, "RELU"),
        ((3, 17), 9, True, "RELU6"),
        ((1, 2, 2, 16), 7, True, "NONE"),
        ((1, 1000), 4, True, "NONE"),
    ]
    for i, (shape, out, has_bias, act) in enumerate(configs):

        def build(
            b: TFLiteModelBuilder, x: int, i=i, shape=shape, out=out, has_bias=has_bias, act=act
        ) -> int:
            rng = _rng(i)
            n_in = shape[-1] if len(shape) == 2 else int(np.prod(shape[1:]))
            rows = int(np.prod(shape)) // n_in
            wt = b.add_constant(f"w{i}", rng.standard_normal((out, n_in)).astype(np.float32))
            ins = [x, wt] + (
                [b.add_constant(f"b{i}", rng.standard_normal(out).astype(np.float32))]
                if has_bias
                else []
            )
            y = b.add_tensor(f"y{i}", [rows, out], np.float32)
            b.add_operator("FULLY_CONNECTED", ins, [y], {"fused_activation_function": act})
            return y

        grid.add(Branch(f"fc {shape}->{out} bias={has_bias} {act}", shape, build))
    check_grid(grid, tmp_path)


def test_pooling_f32(tmp_path: Path) -> None:
    grid = Grid()
    configs = [
        ("AVERAGE_POOL_2D", 8, 8, 16, (2, 2), 2, "VALID", "NONE"),
        ("AVERAGE_POOL_2D", 9, 7, 3, (3, 3), 2, "SAME", "RELU"),
        ("MAX_POOL_2D", 9, 7, 5, (3, 3), 2, "SAME", "NONE"),
        ("MAX_POOL_2D", 8, 8, 20, (2, 2), 2, "VALID", "RELU6"),
        ("AVERAGE_POOL_2D", 5, 5, 35, (5, 5), 1, "VALID", "NONE"),
    ]
    for i, (op, h, w, c, k, s, pad, act) in enumerate(configs):

        def build(
            b: TFLiteModelBuilder, x: int, i=i, op=op, h=h, w=w, c=c, k=k, s=s, pad=pad, act=act
        ) -> int:
            oh, ow = (
                (-(-h // s), -(-w // s))
                if pad == "SAME"
                else ((h - k[0]) // s + 1, (w - k[1]) // s + 1)
            )
            y = b.add_tensor(f"y{i}", [1, oh, ow, c], np.float32)
            b.add_operator(
                op,
                [x],
                [y],
                {
                    "padding": pad,
                    "stride_h": s,
                    "stride_w": s,
                    "filter_height": k[0],
                    "filter_width": k[1],
                    "fused_activation_function": act,
                },
            )
            return y

        grid.add(Branch(f"{op} {h}x{w}x{c} k{k} s{s} {pad} {act}", (1, h, w, c), build))
    check_grid(grid, tmp_path)


def test_elementwise_f32(tmp_path: Path) -> None:
    grid = Grid()
    binary = [
        ("ADD", (1, 4, 5, 3), (3,), "RELU"),
        ("SUB", (2, 3), (2, 3), "NONE"),
        ("MUL", (1, 4, 1, 3), (2, 1, 5, 1), "NONE"),
        ("DIV", (4, 4), (1,), "NONE"),
        ("MAXIMUM", (3, 1), (1, 6), "NONE"),
        ("MINIMUM", (5,), (5,), "NONE"),
        ("ADD", (1, 8, 8, 16), (1, 8, 8, 16), "RELU6"),
    ]
    for i, (op, a_shape, b_shape, act) in enumerate(binary):

        def build(
            b: TFLiteModelBuilder, x: int, i=i, op=op, b_shape=b_shape, a_shape=a_shape, act=act
        ) -> int:
            rng = _rng(i)
            other = rng.uniform(0.5, 2.0, b_shape).astype(np.float32)  # no division by ~0
            c = b.add_constant(f"c{i}", other)
            out = np.broadcast_shapes(a_shape, b_shape)
            y = b.add_tensor(f"y{i}", list(out), np.float32)
            opts = {"fused_activation_function": act} if op in ("ADD", "SUB", "MUL") else None
            b.add_operator(op, [x, c], [y], opts)
            return y

        grid.add(Branch(f"{op} {a_shape} {b_shape} {act}", a_shape, build))
    for i, op in enumerate(("RELU", "RELU6", "RELU_N1_TO_1", "LOGISTIC", "TANH"), start=100):

        def build(b: TFLiteModelBuilder, x: int, i=i, op=op) -> int:
            y = b.add_tensor(f"y{i}", [2, 7, 3], np.float32)
            b.add_operator(op, [x], [y])
            return y

        grid.add(Branch(op, (2, 7, 3), build, input_range=(-8.0, 8.0)))
    for i, beta in enumerate((1.0, 0.5), start=200):

        def build(b: TFLiteModelBuilder, x: int, i=i, beta=beta) -> int:
            y = b.add_tensor(f"y{i}", [3, 10], np.float32)
            b.add_operator("SOFTMAX", [x], [y], {"beta": beta})
            return y

        grid.add(Branch(f"softmax beta {beta}", (3, 10), build, input_range=(-5.0, 5.0)))
    check_grid(grid, tmp_path)


def test_mean_f32(tmp_path: Path) -> None:
    grid = Grid()
    configs = [
        ((1, 7, 7, 16), [1, 2], True),
        ((1, 5, 3, 4), [1, 2], False),
        ((2, 3, 4), [0], False),
        ((2, 3, 4), [-1], True),
        ((3, 4, 5), [0, 2], False),
        ((6,), [0], True),
    ]
    for i, (shape, axes, keep) in enumerate(configs):

        def build(b: TFLiteModelBuilder, x: int, i=i, shape=shape, axes=axes, keep=keep) -> int:
            a = b.add_constant(f"axes{i}", np.array(axes, dtype=np.int32))
            norm = {v % len(shape) for v in axes}
            out = [1 if d in norm else n for d, n in enumerate(shape) if keep or d not in norm]
            y = b.add_tensor(f"y{i}", out, np.float32)
            b.add_operator("MEAN", [x, a], [y], {"keep_dims": keep})
            return y

        grid.add(Branch(f"mean {shape} axes {axes} keep={keep}", shape, build))
    check_grid(grid, tmp_path)
