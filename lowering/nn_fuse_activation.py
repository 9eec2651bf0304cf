"""
`nn-fuse-activation`: fold stand-alone clamp activations into the operator that produces
their input, and clean up what importers leave behind.

Before:
    %y = nn.conv2d %x, %w, %b {...} : (...) -> tensor<1x8x8x4xf32>
    %z = nn.relu6 %y : (tensor<1x8x8x4xf32>) -> tensor<1x8x8x4xf32>
After:
    %z = nn.conv2d %x, %w, %b {..., activation = #nn<activation relu6>} : (...) -> ...

Rules:
* a clamp (`nn.relu`, `nn.relu6`, `nn.relu_n1_to_1`) whose input comes from an operator
  with an `activation` property, used by nothing else and not a graph output, is fused:
  the two clamp intervals are intersected, and fusion happens only when the intersection
  is itself one of the fused activations (relu then relu6 is relu6);
* two stacked clamps compose the same way into one;
* in int8 graphs only a clamp whose result has its input's quantization fuses (one
  that also requantizes stays an operator: a lookup table);
* a reshape to the shape it already has disappears, and a reshape of a reshape becomes
  one reshape.

Fusing saves a full pass over the tensor and a buffer; results are bit-identical because
clamping commutes with nothing in between.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
)

from micro.dialects import nn


def _clamp_of(op: Operation) -> nn.Activation | None:
    for kind, activation in nn.CLAMP_OPS.items():
        if isinstance(op, kind):
            return activation
    return None


def _compose(inner: nn.Activation, outer: nn.Activation) -> nn.Activation | None:
    """The activation equal to applying `inner` then `outer`, if there is one."""
    lo1, hi1 = inner.bounds()
    lo2, hi2 = outer.bounds()
    lo, hi = max(lo1, lo2), min(hi1, hi2)
    if lo > hi:
        return None
    return nn.Activation.from_bounds(lo, hi)


def _only_use_is(value: SSAValue, user: Operation) -> bool:
    uses = list(value.uses)
    return len(uses) == 1 and uses[0].operation is user


class FuseClampIntoProducer(RewritePattern):
    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        activation = _clamp_of(op)
        if activation is None:
            return
        producer = op.operands[0].owner
        if not isinstance(producer, Operation) or not isinstance(producer, nn.FUSABLE_OPS):
            return
        if not _only_use_is(producer.results[0], op):
            return
        if producer.results[0].type != op.results[0].type:
            return  # an int8 clamp that also requantizes is an operator of its own
        fused = _compose(nn.get_activation(producer), activation)
        if fused is None:
            return
        producer.properties["activation"] = nn.ActivationAttr(fused)
        rewriter.replace_all_uses_with(op.results[0], producer.results[0])
        rewriter.erase(op)


class ComposeClamps(RewritePattern):
    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        outer = _clamp_of(op)
        if outer is None:
            return
        producer = op.operands[0].owner
        if not isinstance(producer, Operation):
            return
        inner = _clamp_of(producer)
        if inner is None or not _only_use_is(producer.results[0], op):
            return
        if producer.results[0].type != op.results[0].type:
            return
        fused = _compose(inner, outer)
        if fused is None:
            return
        kind = next(k for k, a in nn.CLAMP_OPS.items() if a == fused)
        rewriter.replace(op, kind(producer.operands[0], op.results[0].type))


class FoldReshapes(RewritePattern):
    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if not isinstance(op, nn.ReshapeOp):
            return
        if op.input.type == op.result.type:
            rewriter.replace(op, (), (op.input,))
            return
        producer = op.input.owner
        if isinstance(producer, nn.ReshapeOp):
            rewriter.replace(op, nn.ReshapeOp(producer.input, op.result.type))


@dataclass(frozen=True)
class NNFuseActivationPass(ModulePass):
    """Fuse clamp activations into their producers; fold trivial reshapes."""

    name = "nn-fuse-activation"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(
            GreedyRewritePatternApplier([FuseClampIntoProducer(), ComposeClamps(), FoldReshapes()]),
            apply_recursively=True,
        ).rewrite_module(op)
