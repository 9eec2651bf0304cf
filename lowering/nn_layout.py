"""
`nn-layout`: cancel the layout transposes an importer inserted (ONNX's NCHW around `nn`'s
NHWC convolutions and pools), so that a pure CNN keeps none.

Before (Conv -> Relu -> MaxPool as the ONNX importer writes it):
    %a = nn.transpose %x {perm = array<i64: 0, 2, 3, 1>}      // NCHW -> NHWC
    %c = nn.conv2d %a, %w {...}
    %d = nn.transpose %c {perm = array<i64: 0, 3, 1, 2>}      // NHWC -> NCHW
    %r = nn.relu %d
    %e = nn.transpose %r {perm = array<i64: 0, 2, 3, 1>}
    %p = nn.max_pool2d %e {...}
After:
    %a = nn.transpose %x {perm = array<i64: 0, 2, 3, 1>}      // or a reshape when C = 1
    %c = nn.conv2d %a, %w {...}
    %r = nn.relu %c
    %p = nn.max_pool2d %r {...}

Rules, applied until none matches:
* two transposes in a row compose into one; a transpose that permutes nothing goes away;
* a transpose that moves only dimensions of size 1 is a reshape (a view, no copy);
* a transpose of a constant is folded into the constant (a splat stays a splat);
* a transpose sinks below an operator that does not care about layout (element-wise
  ops, whose constant operands are permuted instead, and ops with axes -- reduce,
  softmax, concat, pad, slice, LRN, arg-max, top-k, resize -- whose axes are remapped),
  when every non-constant operand is transposed the same way: sunk transposes meet the
  next convolution's and cancel;
* a transpose flattened into a fully connected layer (Flatten after the last conv) is
  folded into the layer's weights, whose columns are permuted at compile time.

Only operators on float, integer and boolean tensors move; quantized (TFLite int8)
graphs are left as they are. Operators left unused are removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import (
    BytesAttr,
    DenseIntOrFPElementsAttr,
    IntegerAttr,
    ModuleOp,
    TensorType,
    i64,
)
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
)
from xdsl.rewriter import InsertPoint
from xdsl.utils.hints import isa

from micro.dialects import nn, quant

_ELEMENTWISE = (
    nn.AddOp,
    nn.SubOp,
    nn.MulOp,
    nn.DivOp,
    nn.MaximumOp,
    nn.MinimumOp,
    nn.BinaryOp,
    nn.CompareOp,
    nn.WhereOp,
    nn.UnaryOp,
    nn.ReluOp,
    nn.Relu6Op,
    nn.ReluN1To1Op,
    nn.LogisticOp,
    nn.TanhOp,
    nn.CastOp,
)

_DTYPES = {
    "f32": np.dtype(np.float32),
    "i64": np.dtype(np.int64),
    "i32": np.dtype(np.int32),
    "i1": np.dtype(np.bool_),
    "i8": np.dtype(np.int8),
    "ui8": np.dtype(np.uint8),
}


def _perm_of(value: SSAValue) -> tuple[int, ...] | None:
    owner = value.owner
    if isinstance(owner, nn.TransposeOp):
        return tuple(int(p) for p in owner.perm.get_values())
    return None


def _inverse(perm: Sequence[int]) -> list[int]:
    inv = [0] * len(perm)
    for i, p in enumerate(perm):
        inv[p] = i
    return inv


def _is_constant(value: SSAValue) -> bool:
    return isinstance(value.owner, nn.ConstantOp | nn.SplatOp)


def _is_plain(op: Operation) -> bool:
    """No quantized operand or result: the TFLite int8 graphs are not touched."""
    for value in (*op.operands, *op.results):
        if isa(value.type, TensorType[Attribute]) and quant.is_quantized_type(
            value.type.element_type
        ):
            return False
    return True


def constant_array(value: SSAValue) -> np.ndarray | None:
    """The array of an `nn.constant` (a broadcast view for an `nn.splat`), else None."""
    owner = value.owner
    shape = nn.tensor_shape(value)
    elem = str(nn.element_type(value))
    if elem not in _DTYPES:
        return None
    dtype = _DTYPES[elem]
    if isinstance(owner, nn.SplatOp):
        return np.broadcast_to(np.array(owner.scalar(), dtype=dtype), shape)
    if isinstance(owner, nn.ConstantOp):
        return np.frombuffer(owner.value.data.data, dtype=dtype).reshape(shape)
    return None


def make_constant(array: np.ndarray, elem: Attribute, hint: str | None = None) -> Operation:
    """An `nn.splat` for a broadcast view of one value, else an `nn.constant`."""
    result_type = TensorType(elem, list(array.shape))
    if array.size > 1 and all(s == 0 for s in array.strides):
        op: Operation = nn.SplatOp(array.reshape(-1)[0].item(), result_type)
    else:
        data = DenseIntOrFPElementsAttr(
            result_type, BytesAttr(np.ascontiguousarray(array).tobytes())
        )
        op = nn.ConstantOp(data, result_type)
    if hint:
        op.results[0].name_hint = hint
    return op


def _retyped(value: SSAValue, shape: Sequence[int]) -> TensorType:
    return TensorType(nn.element_type(value), list(shape))


class ComposeTransposes(RewritePattern):
    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if not isinstance(op, nn.TransposeOp):
            return
        perm = [int(p) for p in op.perm.get_values()]
        if perm == list(range(len(perm))):
            rewriter.replace(op, (), (op.input,))
            return
        inner = _perm_of(op.input)
        if inner is not None:
            assert isinstance(op.input.owner, nn.TransposeOp)
            composed = [inner[q] for q in perm]
            source = op.input.owner.input
            if composed == list(range(len(composed))):
                rewriter.replace(op, (), (source,))
            else:
                rewriter.replace(op, nn.TransposeOp(source, op.result.type, composed))
            return
        shape = nn.tensor_shape(op.input)
        if [p for p in perm if shape[p] != 1] == sorted(p for p in perm if shape[p] != 1):
            rewriter.replace(op, nn.ReshapeOp(op.input, op.result.type))
            return
        array = constant_array(op.input)
        if array is not None:
            new = make_constant(np.transpose(array, perm), nn.element_type(op.result))
            rewriter.replace(op, new)


Operand = SSAValue | tuple[np.ndarray, Attribute]
"""An operand of a rebuilt op: a value, or a constant still to be created."""


def _sink_operands(op: Operation) -> tuple[list[Operand], tuple[int, ...]] | None:
    """The operands of `op` in the layout below their common transpose, and its perm."""
    rank = len(nn.tensor_shape(op.results[0]))
    perm: tuple[int, ...] | None = None
    for value in op.operands:
        if _is_constant(value):
            continue
        p = _perm_of(value)
        if p is None or len(p) != rank or (perm is not None and p != perm):
            return None
        perm = p
    if perm is None or not _is_plain(op):
        return None
    inv = _inverse(perm)
    operands: list[Operand] = []
    for value in op.operands:
        if not _is_constant(value):
            owner = value.owner
            assert isinstance(owner, nn.TransposeOp)
            operands.append(owner.input)
            continue
        array = constant_array(value)
        if array is None or array.ndim > rank:
            return None
        array = array.reshape((1,) * (rank - array.ndim) + array.shape)
        operands.append((np.transpose(array, inv), nn.element_type(value)))
    return operands, perm


def _sink(
    rewriter: PatternRewriter,
    op: Operation,
    operands: Sequence[Operand],
    perm: Sequence[int],
    properties: dict[str, Attribute] | None = None,
    result_perms: Sequence[Sequence[int]] | None = None,
) -> None:
    """Rebuild `op` on `operands` (the layout below `perm`); transpose its results back."""
    result_perms = result_perms or [perm] * len(op.results)
    new_types: list[Attribute] = []
    for result, rp in zip(op.results, result_perms, strict=True):
        shape = nn.tensor_shape(result)
        inv = _inverse(rp)
        new_types.append(_retyped(result, [shape[inv[j]] for j in range(len(shape))]))
    values: list[SSAValue] = []
    for operand in operands:
        if isinstance(operand, SSAValue):
            values.append(operand)
            continue
        constant = make_constant(*operand)
        rewriter.insert(constant, InsertPoint.before(op))
        values.append(constant.results[0])
    new_op = type(op).create(
        operands=values,
        result_types=new_types,
        properties={**op.properties, **(properties or {})},
        attributes=dict(op.attributes),
    )
    rewriter.insert(new_op, InsertPoint.before(op))
    replacements: list[SSAValue] = []
    for old, new, rp in zip(op.results, new_op.results, result_perms, strict=True):
        new.name_hint = old.name_hint
        back = nn.TransposeOp(new, old.type, rp)
        rewriter.insert(back, InsertPoint.before(op))
        replacements.append(back.result)
    rewriter.replace(op, (), replacements)


def _i64(value: int) -> IntegerAttr:
    return IntegerAttr(value, i64)


def _i64_array(values: Sequence[int]) -> Attribute:
    from xdsl.dialects.builtin import DenseArrayBase

    return DenseArrayBase.from_list(i64, [int(v) for v in values])


def _reduced_perm(perm: Sequence[int], axes: Sequence[int]) -> list[int]:
    """Perm from the kept dims in source order to the kept dims in transposed order."""
    kept = [perm[i] for i in range(len(perm)) if i not in axes]
    order = sorted(kept)
    return [order.index(k) for k in kept]


class SinkTransposes(RewritePattern):
    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if isinstance(op, _ELEMENTWISE):
            sunk = _sink_operands(op)
            if sunk is not None:
                _sink(rewriter, op, *sunk)
            return
        if not op.operands or _perm_of(op.operands[0]) is None or not _is_plain(op):
            return
        perm = _perm_of(op.operands[0])
        assert perm is not None
        source = op.operands[0].owner
        assert isinstance(source, nn.TransposeOp)
        x = source.input
        if isinstance(op, nn.ReduceOp | nn.ArgReduceOp):
            axes = (
                [int(a) for a in op.axes.get_values()]
                if isinstance(op, nn.ReduceOp)
                else [op.axis.value.data]
            )
            keep = bool(op.keep_dims.value.data)
            new_axes = sorted(perm[a] for a in axes)
            props: dict[str, Attribute] = (
                {"axes": _i64_array(new_axes)}
                if isinstance(op, nn.ReduceOp)
                else {"axis": _i64(new_axes[0])}
            )
            result_perm = list(perm) if keep else _reduced_perm(perm, axes)
            _sink(rewriter, op, [x], perm, props, [result_perm])
        elif isinstance(op, nn.SoftmaxOp):
            _sink(rewriter, op, [x], perm, {"axis": _i64(perm[op.axis_index()])})
        elif isinstance(op, nn.LRNOp):
            _sink(rewriter, op, [x], perm, {"axis": _i64(perm[op.axis.value.data])})
        elif isinstance(op, nn.TopKOp):
            _sink(rewriter, op, [x], perm, {"axis": _i64(perm[op.axis.value.data])})
        elif isinstance(op, nn.ConcatOp):
            if any(_perm_of(v) != perm for v in op.inputs):
                return
            inputs = [v.owner.input for v in op.inputs]  # type: ignore[union-attr]
            _sink(rewriter, op, inputs, perm, {"axis": _i64(perm[op.axis.value.data])})
        elif isinstance(op, nn.PadOp):
            flat = [int(v) for v in op.paddings.get_values()]
            inv = _inverse(perm)
            pads = [v for j in range(len(perm)) for v in flat[2 * inv[j] : 2 * inv[j] + 2]]
            _sink(rewriter, op, [x], perm, {"paddings": _i64_array(pads)})
        elif isinstance(op, nn.SliceOp):
            inv = _inverse(perm)
            starts = [int(v) for v in op.starts.get_values()]
            steps = [int(v) for v in op.steps.get_values()]
            props = {
                "starts": _i64_array([starts[inv[j]] for j in range(len(perm))]),
                "steps": _i64_array([steps[inv[j]] for j in range(len(perm))]),
            }
            _sink(rewriter, op, [x], perm, props)
        elif isinstance(op, nn.ResizeOp):
            inv = _inverse(perm)
            scales = op.scale_values()
            from xdsl.dialects.builtin import DenseArrayBase, f64

            props = {
                "scales": DenseArrayBase.from_list(f64, [scales[inv[j]] for j in range(len(perm))])
            }
            _sink(rewriter, op, [x], perm, props)


class FoldFlattenIntoWeights(RewritePattern):
    """fully_connected(reshape(transpose(x))) -> fully_connected(reshape(x)), permuted weights."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if not isinstance(op, nn.FullyConnectedOp) or not _is_plain(op):
            return
        reshape = op.input.owner
        if not isinstance(reshape, nn.ReshapeOp) or len(list(reshape.result.uses)) != 1:
            return
        perm = _perm_of(reshape.input)
        weights = constant_array(op.weights)
        if perm is None or weights is None or perm[0] != 0:
            return
        t_shape = nn.tensor_shape(reshape.input)
        out_features, in_features = weights.shape
        rows = nn.tensor_shape(reshape.result)
        if int(np.prod(t_shape[1:])) != in_features or rows[-1] != in_features:
            return
        if int(np.prod(rows[:-1])) != t_shape[0]:
            return
        inv = _inverse(perm)
        if _is_splat(weights):
            w = weights  # a splat is its own permutation
        else:
            w = weights.reshape((out_features, *t_shape[1:]))
            w = np.transpose(w, [0, *[inv[j] for j in range(1, len(perm))]])
            w = np.ascontiguousarray(w).reshape(out_features, in_features)
        new_w = make_constant(w, nn.element_type(op.weights), op.weights.name_hint)
        source = reshape.input.owner
        assert isinstance(source, nn.TransposeOp)
        new_reshape = nn.ReshapeOp(source.input, reshape.result.type)
        rewriter.insert([new_w, new_reshape], InsertPoint.before(op))
        new_fc = nn.FullyConnectedOp(
            new_reshape.result,
            new_w.results[0],
            op.bias,
            op.result.type,
            nn.get_activation(op),
        )
        rewriter.replace(op, new_fc)


def _is_splat(array: np.ndarray) -> bool:
    return array.size > 1 and all(s == 0 for s in array.strides)


class RemoveDeadOps(RewritePattern):
    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if op.dialect_name() != "nn" or not op.results:
            return
        if any(result.uses for result in op.results):
            return
        rewriter.erase(op)


@dataclass(frozen=True)
class NNLayoutPass(ModulePass):
    """Cancel layout transposes: compose, sink below layout-agnostic ops, fold into weights."""

    name = "nn-layout"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(
            GreedyRewritePatternApplier(
                [
                    ComposeTransposes(),
                    SinkTransposes(),
                    FoldFlattenIntoWeights(),
                    RemoveDeadOps(),
                ]
            ),
            apply_recursively=True,
        ).rewrite_module(op)
