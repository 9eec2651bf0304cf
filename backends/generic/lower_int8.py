"""
The generic backend's int8 kernels: each operator `quant-compute-params` annotated with a
`micro.int8` record becomes one `kernel.call` of the function the record names, with the
record's constant arrays as weight-blob globals and its parameter struct as `params`.

The argument order of each call is the C prototype in `kernels/generic/int8/*.h`.
"""

from __future__ import annotations

from xdsl.dialects.builtin import DictionaryAttr, IntegerAttr, StringAttr
from xdsl.ir import Attribute, Operation, SSAValue

from micro.backends.generic import int8_abi
from micro.dialects import kernel, nn
from micro.lowering.convert_nn_to_kernel import LoweringContext
from micro.lowering.quant_compute_params import ATTR, dense_array

BACKEND = "generic"

_HEADERS = {
    "micro_conv2d_s8": "conv2d_s8",
    "micro_depthwise_conv2d_s8": "depthwise_conv2d_s8",
    "micro_fully_connected_s8": "fully_connected_s8",
    "micro_avg_pool2d_s8": "pool2d_s8",
    "micro_max_pool2d_s8": "pool2d_s8",
    "micro_add_s8": "binary_s8",
    "micro_sub_s8": "binary_s8",
    "micro_mul_s8": "binary_s8",
    "micro_softmax_s8": "softmax_s8",
    "micro_lut_s8": "activation_s8",
    "micro_mean_s8": "mean_s8",
    "micro_quantize_f32_s8": "quantize_s8",
    "micro_dequantize_s8_f32": "quantize_s8",
    "micro_requantize_s8_s8": "quantize_s8",
}


class _Record:
    def __init__(self, ctx: LoweringContext, op: Operation, record: DictionaryAttr):
        self.ctx, self.op, self.data = ctx, op, record.data
        function = self.data["function"]
        assert isinstance(function, StringAttr)
        self.function = function.data

    def array(self, name: str) -> SSAValue:
        hint = self.op.results[0].name_hint or "q"
        return self.ctx.constant(dense_array(self.data[name]), f"{hint}_{name}")

    def integer(self, name: str) -> int:
        value = self.data.get(name)
        return value.value.data if isinstance(value, IntegerAttr) else 0

    def call(
        self,
        args: list[SSAValue],
        writes: list[int],
        *,
        scratch: int | None = None,
        in_place: list[tuple[int, int, bool]] | None = None,
        literals: dict[int, str] | None = None,
    ) -> bool:
        params_type = self.data.get("params_type")
        params = self.data.get("params")
        self.ctx.insert(
            kernel.CallOp(
                self.function,
                args,
                backend=BACKEND,
                header=f"generic/int8/{_HEADERS[self.function]}.h",
                writes=writes,
                scratch=scratch,
                in_place=in_place or [],
                literals=literals,
                params_type=params_type.data if isinstance(params_type, StringAttr) else None,
                params=dict(params.data) if isinstance(params, DictionaryAttr) else None,
            )
        )
        return True


def _same_shape(a: SSAValue, b: SSAValue) -> bool:
    return nn.tensor_shape(a) == nn.tensor_shape(b)


def lower_int8(ctx: LoweringContext, op: Operation) -> bool:
    """Lower an operator carrying a `micro.int8` record; False if it has none."""
    attr: Attribute | None = op.attributes.get(ATTR)
    if not isinstance(attr, DictionaryAttr):
        return False
    r = _Record(ctx, op, attr)
    fn = r.function
    if fn == "micro_conv2d_s8":
        assert isinstance(op, nn.Conv2DOp)
        w = ctx.weight(op.filter, "conv_s8_panels", int8_abi.pack_panels_s8)
        bias, mult, shift = r.array("folded_bias"), r.array("multipliers"), r.array("shifts")
        x = ctx.buffer(op.input)
        y = ctx.result_buffer(op.result)
        scratch = ctx.scratch(r.integer("scratch_size"))
        if scratch is None:
            return r.call([x, w, bias, mult, shift, y], [5], literals={6: "NULL"})
        return r.call([x, w, bias, mult, shift, y, scratch], [5, 6], scratch=6)
    if fn == "micro_depthwise_conv2d_s8":
        assert isinstance(op, nn.DepthwiseConv2DOp)
        w = ctx.weight(op.filter)
        bias, mult, shift = r.array("folded_bias"), r.array("multipliers"), r.array("shifts")
        x = ctx.buffer(op.input)
        y = ctx.result_buffer(op.result)
        return r.call([x, w, bias, mult, shift, y], [5])
    if fn == "micro_fully_connected_s8":
        assert isinstance(op, nn.FullyConnectedOp)
        w = ctx.weight(op.weights)
        bias = r.array("folded_bias")
        mantissa, exponent = r.array("scale_mantissa"), r.array("scale_exponent")
        x = ctx.buffer(op.input)
        y = ctx.result_buffer(op.result)
        return r.call([x, w, bias, mantissa, exponent, y], [5])
    if fn in ("micro_add_s8", "micro_sub_s8", "micro_mul_s8"):
        lhs, rhs = op.operands
        out = op.results[0]
        a, b = ctx.buffer(lhs), ctx.buffer(rhs)
        y = ctx.result_buffer(out)
        in_place = [(2, i, True) for i, v in enumerate((lhs, rhs)) if _same_shape(v, out)]
        return r.call([a, b, y], [2], in_place=in_place)
    if fn == "micro_softmax_s8":
        table = r.array("exp_table")
        x = ctx.buffer(op.operands[0])
        y = ctx.result_buffer(op.results[0])
        return r.call([x, y, table], [1], in_place=[(1, 0, True)])
    if fn == "micro_lut_s8":
        table = r.array("table")
        x = ctx.buffer(op.operands[0])
        y = ctx.result_buffer(op.results[0])
        size = _elements(op.results[0])
        return r.call([x, y, table], [1], in_place=[(1, 0, True)], literals={2: str(size)})
    if fn in ("micro_avg_pool2d_s8", "micro_max_pool2d_s8", "micro_mean_s8"):
        x = ctx.buffer(op.operands[0])
        y = ctx.result_buffer(op.results[0])
        return r.call([x, y], [1])
    if fn in ("micro_quantize_f32_s8", "micro_requantize_s8_s8"):
        # One element read before its (no larger) result is written: safe in place.
        same = fn == "micro_requantize_s8_s8"
        x = ctx.buffer(op.operands[0])
        y = ctx.result_buffer(op.results[0])
        return r.call([x, y], [1], in_place=[(1, 0, same)])
    if fn == "micro_dequantize_s8_f32":
        x = ctx.buffer(op.operands[0])
        y = ctx.result_buffer(op.results[0])
        return r.call([x, y], [1])
    raise ctx.fail(op, f"internal: no int8 lowering for kernel {fn}")


def _elements(value: SSAValue) -> int:
    n = 1
    for d in nn.tensor_shape(value):
        n *= d
    return n
