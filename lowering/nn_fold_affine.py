"""
`nn-fold-affine`: fold a per-channel scale or shift by constants into the convolution or
fully connected layer that produces its input, so that the layer's kernel does it for
free (ONNX graphs keep BatchNormalization after a Gemm, and bias additions, as separate
Mul and Add nodes).

Before:
    %y = nn.fully_connected %x, %w : (tensor<1x784xf32>, tensor<64x784xf32>) -> tensor<1x64xf32>
    %s = nn.constant {value = dense<...>} : tensor<64xf32>
    %z = nn.mul %y, %s : (tensor<1x64xf32>, tensor<64xf32>) -> tensor<1x64xf32>
    %t = nn.constant {value = dense<...>} : tensor<64xf32>
    %u = nn.add %z, %t {activation = #nn<activation relu>} : ...
After:
    %w2 = nn.constant {value = dense<w * s>} : tensor<64x784xf32>
    %b2 = nn.constant {value = dense<t>} : tensor<64xf32>
    %u = nn.fully_connected %x, %w2, %b2 {activation = #nn<activation relu>} : ...

Folds when: the layer is f32 with constant f32 weights (not a splat, not int8), has no
fused activation and no other use; the other operand is a constant that varies only
along the output channels (the last axis), and the result keeps the layer's shape. A
scale multiplies the weights of each output channel and the bias; a shift (add, or
subtract from the layer's result) adds to the bias; an add's fused activation moves to
the layer. The products round once more than the unfolded graph did (one float32
multiply per weight), well within the 1e-5 relative criterion.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import Float32Type, ModuleOp, f32
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
)
from xdsl.rewriter import InsertPoint

from micro.dialects import nn
from micro.lowering.nn_layout import constant_array, make_constant

_LAYERS = (nn.Conv2DOp, nn.DepthwiseConv2DOp, nn.FullyConnectedOp)


def _channel_vector(value: SSAValue, channels: int) -> np.ndarray | None:
    """A constant that broadcasts along the last axis only, as `channels` values."""
    array = constant_array(value)
    if array is None or not isinstance(nn.element_type(value), Float32Type):
        return None
    if array.size == 1:
        return np.full(channels, array.reshape(-1)[0], np.float32)
    if array.shape[-1] != channels or array.size != channels:
        return None
    return np.ascontiguousarray(array.reshape(channels), dtype=np.float32)


def _foldable_layer(value: SSAValue) -> Operation | None:
    layer = value.owner
    if not isinstance(layer, _LAYERS) or len(list(value.uses)) != 1:
        return None
    if nn.get_activation(layer) != nn.Activation.NONE:
        return None
    weights = layer.operands[1]
    if not isinstance(nn.element_type(weights), Float32Type):
        return None
    array = constant_array(weights)
    if array is None or (array.size > 1 and all(s == 0 for s in array.strides)):
        return None
    bias = layer.operands[2] if len(layer.operands) > 2 else None
    if bias is not None and constant_array(bias) is None:
        return None
    return layer


class FoldAffineIntoLayer(RewritePattern):
    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if not isinstance(op, nn.AddOp | nn.SubOp | nn.MulOp):
            return
        lhs, rhs = op.operands
        candidates = [(lhs, rhs)] if isinstance(op, nn.SubOp) else [(lhs, rhs), (rhs, lhs)]
        for produced, other in candidates:
            layer = _foldable_layer(produced)
            if layer is None or nn.tensor_shape(op.results[0]) != nn.tensor_shape(produced):
                continue
            channels = nn.tensor_shape(produced)[-1]
            vector = _channel_vector(other, channels)
            if vector is None:
                continue
            if isinstance(op, nn.MulOp) and nn.get_activation(op) != nn.Activation.NONE:
                continue
            self._fold(op, layer, vector, rewriter)
            return

    @staticmethod
    def _fold(
        op: Operation, layer: Operation, vector: np.ndarray, rewriter: PatternRewriter
    ) -> None:
        x, weights = layer.operands[0], layer.operands[1]
        bias_value = layer.operands[2] if len(layer.operands) > 2 else None
        channels = vector.size
        w = np.asarray(constant_array(weights), dtype=np.float32)
        b = (
            np.asarray(constant_array(bias_value), dtype=np.float32).reshape(channels)
            if bias_value is not None
            else np.zeros(channels, np.float32)
        )
        if isinstance(op, nn.MulOp):
            # output channel: axis 0 of conv / fully connected weights, last of depthwise
            axis = w.ndim - 1 if isinstance(layer, nn.DepthwiseConv2DOp) else 0
            shape = [1] * w.ndim
            shape[axis] = channels
            w = (w * vector.reshape(shape)).astype(np.float32)
            b = (b * vector).astype(np.float32)
        elif isinstance(op, nn.SubOp):
            b = (b - vector).astype(np.float32)
        else:
            b = (b + vector).astype(np.float32)
        point = InsertPoint.before(layer)
        new_w = make_constant(w, f32, weights.name_hint)
        new_b = make_constant(b, f32, (bias_value.name_hint if bias_value else None) or "bias")
        rewriter.insert([new_w, new_b], point)
        properties = dict(layer.properties)
        if not isinstance(op, nn.MulOp):
            properties["activation"] = nn.ActivationAttr(nn.get_activation(op))
        new_layer = type(layer).create(
            operands=[x, new_w.results[0], new_b.results[0]],
            result_types=[op.results[0].type],
            properties=properties,
            attributes=dict(layer.attributes),
        )
        new_layer.results[0].name_hint = op.results[0].name_hint
        rewriter.insert(new_layer, point)
        rewriter.replace(op, [], [new_layer.results[0]])
        rewriter.erase(layer)


@dataclass(frozen=True)
class NNFoldAffinePass(ModulePass):
    """Fold per-channel constant scales and shifts into the producing layer's weights."""

    name = "nn-fold-affine"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(
            GreedyRewritePatternApplier([FoldAffineIntoLayer()]), apply_recursively=True
        ).rewrite_module(op)
