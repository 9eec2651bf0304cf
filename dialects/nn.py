"""
The `nn` dialect: neural-network operators on tensors, value semantics, NHWC layout.

This is the level importers produce and graph passes rewrite. Every operator has the
semantics of its TFLite counterpart; options are explicit and resolved at import time
(padding is a list of pixels `[top, left, bottom, right]`, never "SAME"), so the level
below needs no knowledge of the source framework.

* Layouts: activations NHWC; `nn.conv2d` filters OHWI; `nn.depthwise_conv2d` filters
  1HWC (C = in_channels * depth_multiplier); `nn.fully_connected` weights [out, in].
* Element types: `f32`, or `!quant.uniform` types (per tensor or per axis) (a float
  operator may take quantized weights: a "hybrid" operator, computed as LiteRT does).
* Fused activations are clamp-like (`#nn<activation relu>` etc.); other activations are
  separate operators.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import auto

from xdsl.dialects.builtin import (
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    Float32Type,
    FloatAttr,
    IntegerAttr,
    IntegerType,
    StringAttr,
    TensorType,
    f32,
    f64,
    i64,
)
from xdsl.dialects.utils import EnumAttribute
from xdsl.ir import Attribute, Dialect, Operation, SpacedOpaqueSyntaxAttribute, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    ParsePropInAttrDict,
    irdl_attr_definition,
    irdl_op_definition,
    operand_def,
    opt_operand_def,
    opt_prop_def,
    prop_def,
    result_def,
    traits_def,
    var_operand_def,
)
from xdsl.traits import ConstantLike, Pure
from xdsl.utils.exceptions import VerifyException
from xdsl.utils.hints import isa
from xdsl.utils.str_enum import StrEnum

from micro.dialects.quant import UniformQuantizedPerAxisType, UniformQuantizedType, storage_type_of

# ----------------------------------------------------------------------------------------
# Attributes
# ----------------------------------------------------------------------------------------


class Activation(StrEnum):
    """A clamp-like activation fused into an operator's output."""

    NONE = auto()
    RELU = auto()
    RELU6 = auto()
    RELU_N1_TO_1 = auto()

    def bounds(self) -> tuple[float, float]:
        """The output interval [lo, hi] this activation clamps to."""
        inf = float("inf")
        return {
            Activation.NONE: (-inf, inf),
            Activation.RELU: (0.0, inf),
            Activation.RELU6: (0.0, 6.0),
            Activation.RELU_N1_TO_1: (-1.0, 1.0),
        }[self]

    @staticmethod
    def from_bounds(lo: float, hi: float) -> Activation | None:
        for act in Activation:
            if act.bounds() == (lo, hi):
                return act
        return None


@irdl_attr_definition
class ActivationAttr(EnumAttribute[Activation], SpacedOpaqueSyntaxAttribute):
    """A fused activation, printed `#nn<activation relu6>`."""

    name = "nn.activation"


# ----------------------------------------------------------------------------------------
# Shape helpers (shared by verifiers, importers and lowerings)
# ----------------------------------------------------------------------------------------


def tensor_shape(value: SSAValue | Attribute) -> tuple[int, ...]:
    type_ = value.type if isinstance(value, SSAValue) else value
    assert isa(type_, TensorType[Attribute]), f"expected a tensor, got {type_}"
    return tuple(type_.get_shape())


def element_type(value: SSAValue | Attribute) -> Attribute:
    type_ = value.type if isinstance(value, SSAValue) else value
    assert isa(type_, TensorType[Attribute]), f"expected a tensor, got {type_}"
    return type_.element_type


def is_float(value: SSAValue | Attribute) -> bool:
    return isinstance(element_type(value), Float32Type)


def is_quantized(value: SSAValue | Attribute) -> bool:
    return isinstance(element_type(value), UniformQuantizedType | UniformQuantizedPerAxisType)


def window_output_size(
    in_size: int, kernel: int, stride: int, dilation: int, pad_before: int, pad_after: int
) -> int:
    """Output length of a sliding window (convolution or pooling) over one axis."""
    effective = (kernel - 1) * dilation + 1
    return (in_size + pad_before + pad_after - effective) // stride + 1


def same_padding(in_size: int, kernel: int, stride: int, dilation: int) -> tuple[int, int]:
    """TFLite/TensorFlow SAME padding `(before, after)`; the extra pixel goes after."""
    out = -(-in_size // stride)
    effective = (kernel - 1) * dilation + 1
    total = max((out - 1) * stride + effective - in_size, 0)
    return total // 2, total - total // 2


def broadcast_shapes(a: Sequence[int], b: Sequence[int]) -> tuple[int, ...] | None:
    """Numpy broadcasting of two static shapes, or None when they do not broadcast."""
    rank = max(len(a), len(b))
    pa = (1,) * (rank - len(a)) + tuple(a)
    pb = (1,) * (rank - len(b)) + tuple(b)
    out: list[int] = []
    for x, y in zip(pa, pb, strict=True):
        if x != y and 1 not in (x, y):
            return None
        out.append(max(x, y))
    return tuple(out)


def _ints(attr: DenseArrayBase) -> tuple[int, ...]:
    return tuple(int(v) for v in attr.get_values())


def _i64_array(values: Sequence[int]) -> DenseArrayBase:
    return DenseArrayBase.from_list(i64, list(values))


def _check_len(op: Operation, name: str, values: Sequence[int], length: int) -> None:
    if len(values) != length:
        raise VerifyException(f"'{op.name}' expects {length} values in '{name}', got {len(values)}")


def _check_positive(op: Operation, name: str, values: Sequence[int]) -> None:
    if any(v <= 0 for v in values):
        raise VerifyException(f"'{op.name}' expects positive '{name}', got {list(values)}")


def _check_non_negative(op: Operation, name: str, values: Sequence[int]) -> None:
    if any(v < 0 for v in values):
        raise VerifyException(f"'{op.name}' expects non-negative '{name}', got {list(values)}")


def _check_expressed_float(op: Operation, value: SSAValue, what: str) -> None:
    elem = element_type(value)
    if isinstance(elem, Float32Type):
        return
    if isinstance(elem, UniformQuantizedType | UniformQuantizedPerAxisType):
        return
    raise VerifyException(f"'{op.name}' {what} must be f32 or quantized, got {elem}")


# ----------------------------------------------------------------------------------------
# Operations
# ----------------------------------------------------------------------------------------


@irdl_op_definition
class ConstantOp(IRDLOperation):
    """
    A constant tensor (weights). The value is held as raw bytes by reference
    (`dense<"0x...">` when printed); for a quantized result type the value holds the
    storage integers.
    """

    name = "nn.constant"

    value = prop_def(DenseIntOrFPElementsAttr)
    result = result_def(TensorType)

    traits = traits_def(ConstantLike(), Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "attr-dict `:` type($result)"

    def __init__(self, value: DenseIntOrFPElementsAttr, result_type: TensorType | None = None):
        super().__init__(properties={"value": value}, result_types=[result_type or value.type])

    def verify_(self) -> None:
        value_type = self.value.type
        assert isa(value_type, TensorType[Attribute])
        if tuple(value_type.get_shape()) != tensor_shape(self.result):
            raise VerifyException(
                f"constant value shape {tuple(value_type.get_shape())} does not match "
                f"result shape {tensor_shape(self.result)}"
            )
        if value_type.element_type != storage_type_of(element_type(self.result)):
            raise VerifyException(
                f"constant value element type {value_type.element_type} does not match the "
                f"storage type of {element_type(self.result)}"
            )


@irdl_op_definition
class Conv2DOp(IRDLOperation):
    """2-D convolution (TFLite CONV_2D): input NHWC, filter OHWI, bias [O]."""

    name = "nn.conv2d"

    input = operand_def(TensorType)
    filter = operand_def(TensorType)
    bias = opt_operand_def(TensorType)
    result = result_def(TensorType)

    strides = prop_def(DenseArrayBase)
    dilations = prop_def(DenseArrayBase)
    pads = prop_def(DenseArrayBase)
    activation = opt_prop_def(ActivationAttr)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = (
        "$input `,` $filter (`,` $bias^)? attr-dict `:` functional-type(operands, results)"
    )

    def __init__(
        self,
        input: SSAValue,
        filter: SSAValue,
        bias: SSAValue | None,
        result_type: Attribute,
        strides: Sequence[int],
        dilations: Sequence[int],
        pads: Sequence[int],
        activation: Activation = Activation.NONE,
    ):
        super().__init__(
            operands=[input, filter, bias],
            result_types=[result_type],
            properties={
                "strides": _i64_array(strides),
                "dilations": _i64_array(dilations),
                "pads": _i64_array(pads),
                "activation": ActivationAttr(activation),
            },
        )

    def verify_(self) -> None:
        strides, dilations, pads = _ints(self.strides), _ints(self.dilations), _ints(self.pads)
        _check_len(self, "strides", strides, 2)
        _check_len(self, "dilations", dilations, 2)
        _check_len(self, "pads", pads, 4)
        _check_positive(self, "strides", strides)
        _check_positive(self, "dilations", dilations)
        _check_non_negative(self, "pads", pads)
        in_shape, f_shape = tensor_shape(self.input), tensor_shape(self.filter)
        if len(in_shape) != 4 or len(f_shape) != 4:
            raise VerifyException(f"'{self.name}' expects 4-D input and filter")
        if in_shape[3] != f_shape[3]:
            raise VerifyException(
                f"'{self.name}' input has {in_shape[3]} channels but the filter expects "
                f"{f_shape[3]}"
            )
        _verify_bias(self, self.bias, f_shape[0])
        _verify_window_result(self, in_shape, f_shape[1:3], f_shape[0], strides, dilations, pads)
        _check_expressed_float(self, self.input, "input")


@irdl_op_definition
class DepthwiseConv2DOp(IRDLOperation):
    """Depthwise 2-D convolution (TFLite DEPTHWISE_CONV_2D): filter [1, KH, KW, C*M]."""

    name = "nn.depthwise_conv2d"

    input = operand_def(TensorType)
    filter = operand_def(TensorType)
    bias = opt_operand_def(TensorType)
    result = result_def(TensorType)

    strides = prop_def(DenseArrayBase)
    dilations = prop_def(DenseArrayBase)
    pads = prop_def(DenseArrayBase)
    depth_multiplier = prop_def(IntegerAttr)
    activation = opt_prop_def(ActivationAttr)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = (
        "$input `,` $filter (`,` $bias^)? attr-dict `:` functional-type(operands, results)"
    )

    def __init__(
        self,
        input: SSAValue,
        filter: SSAValue,
        bias: SSAValue | None,
        result_type: Attribute,
        strides: Sequence[int],
        dilations: Sequence[int],
        pads: Sequence[int],
        depth_multiplier: int,
        activation: Activation = Activation.NONE,
    ):
        super().__init__(
            operands=[input, filter, bias],
            result_types=[result_type],
            properties={
                "strides": _i64_array(strides),
                "dilations": _i64_array(dilations),
                "pads": _i64_array(pads),
                "depth_multiplier": IntegerAttr(depth_multiplier, i64),
                "activation": ActivationAttr(activation),
            },
        )

    def verify_(self) -> None:
        strides, dilations, pads = _ints(self.strides), _ints(self.dilations), _ints(self.pads)
        _check_len(self, "strides", strides, 2)
        _check_len(self, "dilations", dilations, 2)
        _check_len(self, "pads", pads, 4)
        _check_positive(self, "strides", strides)
        _check_positive(self, "dilations", dilations)
        _check_non_negative(self, "pads", pads)
        multiplier = self.depth_multiplier.value.data
        in_shape, f_shape = tensor_shape(self.input), tensor_shape(self.filter)
        if len(in_shape) != 4 or len(f_shape) != 4 or f_shape[0] != 1:
            raise VerifyException(f"'{self.name}' expects a 4-D input and a [1, KH, KW, C] filter")
        if multiplier <= 0 or in_shape[3] * multiplier != f_shape[3]:
            raise VerifyException(
                f"'{self.name}' filter has {f_shape[3]} channels, expected input channels "
                f"{in_shape[3]} x depth_multiplier {multiplier}"
            )
        _verify_bias(self, self.bias, f_shape[3])
        _verify_window_result(self, in_shape, f_shape[1:3], f_shape[3], strides, dilations, pads)
        _check_expressed_float(self, self.input, "input")


@irdl_op_definition
class FullyConnectedOp(IRDLOperation):
    """
    Fully connected layer (TFLite FULLY_CONNECTED): the input is read as
    [batch, in_features] rows (batch = elements / in_features), weights are [out, in].
    """

    name = "nn.fully_connected"

    input = operand_def(TensorType)
    weights = operand_def(TensorType)
    bias = opt_operand_def(TensorType)
    result = result_def(TensorType)

    activation = opt_prop_def(ActivationAttr)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = (
        "$input `,` $weights (`,` $bias^)? attr-dict `:` functional-type(operands, results)"
    )

    def __init__(
        self,
        input: SSAValue,
        weights: SSAValue,
        bias: SSAValue | None,
        result_type: Attribute,
        activation: Activation = Activation.NONE,
    ):
        super().__init__(
            operands=[input, weights, bias],
            result_types=[result_type],
            properties={"activation": ActivationAttr(activation)},
        )

    def verify_(self) -> None:
        in_shape, w_shape, out_shape = (
            tensor_shape(self.input),
            tensor_shape(self.weights),
            tensor_shape(self.result),
        )
        if len(w_shape) != 2:
            raise VerifyException(f"'{self.name}' expects 2-D weights [out, in], got {w_shape}")
        out_features, in_features = w_shape
        elements = _product(in_shape)
        if elements % in_features:
            raise VerifyException(
                f"'{self.name}' input of {elements} elements is not a whole number of rows "
                f"of {in_features} features"
            )
        batch = elements // in_features
        if _product(out_shape) != batch * out_features or out_shape[-1] != out_features:
            raise VerifyException(
                f"'{self.name}' result shape {out_shape} does not hold {batch} rows of "
                f"{out_features} features"
            )
        _verify_bias(self, self.bias, out_features)
        _check_expressed_float(self, self.input, "input")


class _Pool2DOp(IRDLOperation):
    input = operand_def(TensorType)
    result = result_def(TensorType)

    kernel = prop_def(DenseArrayBase)
    strides = prop_def(DenseArrayBase)
    pads = prop_def(DenseArrayBase)
    activation = opt_prop_def(ActivationAttr)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    def __init__(
        self,
        input: SSAValue,
        result_type: Attribute,
        kernel: Sequence[int],
        strides: Sequence[int],
        pads: Sequence[int],
        activation: Activation = Activation.NONE,
        extra_properties: dict[str, Attribute] | None = None,
    ):
        super().__init__(
            operands=[input],
            result_types=[result_type],
            properties={
                "kernel": _i64_array(kernel),
                "strides": _i64_array(strides),
                "pads": _i64_array(pads),
                "activation": ActivationAttr(activation),
                **(extra_properties or {}),
            },
        )

    def verify_(self) -> None:
        kernel, strides, pads = _ints(self.kernel), _ints(self.strides), _ints(self.pads)
        _check_len(self, "kernel", kernel, 2)
        _check_len(self, "strides", strides, 2)
        _check_len(self, "pads", pads, 4)
        _check_positive(self, "kernel", kernel)
        _check_positive(self, "strides", strides)
        _check_non_negative(self, "pads", pads)
        in_shape = tensor_shape(self.input)
        if len(in_shape) != 4:
            raise VerifyException(f"'{self.name}' expects a 4-D NHWC input")
        _verify_window_result(self, in_shape, kernel, in_shape[3], strides, (1, 1), pads)
        if element_type(self.input) != element_type(self.result):
            raise VerifyException(f"'{self.name}' input and result element types differ")


@irdl_op_definition
class AvgPool2DOp(_Pool2DOp):
    """
    Average pooling (TFLite AVERAGE_POOL_2D): divides by the number of window elements
    inside the input, unless `count_include_pad` (ONNX) is set.
    """

    name = "nn.avg_pool2d"

    count_include_pad = opt_prop_def(IntegerAttr)


@irdl_op_definition
class MaxPool2DOp(_Pool2DOp):
    """Max pooling (TFLite MAX_POOL_2D); padding never wins the maximum."""

    name = "nn.max_pool2d"


class _BinaryOp(IRDLOperation):
    lhs = operand_def(TensorType)
    rhs = operand_def(TensorType)
    result = result_def(TensorType)

    activation = opt_prop_def(ActivationAttr)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)"

    def __init__(
        self,
        lhs: SSAValue,
        rhs: SSAValue,
        result_type: Attribute,
        activation: Activation = Activation.NONE,
    ):
        super().__init__(
            operands=[lhs, rhs],
            result_types=[result_type],
            properties={"activation": ActivationAttr(activation)},
        )

    def verify_(self) -> None:
        lhs, rhs, out = tensor_shape(self.lhs), tensor_shape(self.rhs), tensor_shape(self.result)
        expected = broadcast_shapes(lhs, rhs)
        if expected is None:
            raise VerifyException(f"'{self.name}' operand shapes {lhs} and {rhs} do not broadcast")
        if expected != out:
            raise VerifyException(
                f"'{self.name}' result shape {out} is not the broadcast shape {expected}"
            )


@irdl_op_definition
class AddOp(_BinaryOp):
    """Element-wise `lhs + rhs` with numpy broadcasting (TFLite ADD)."""

    name = "nn.add"


@irdl_op_definition
class SubOp(_BinaryOp):
    """Element-wise `lhs - rhs` with numpy broadcasting (TFLite SUB)."""

    name = "nn.sub"


@irdl_op_definition
class MulOp(_BinaryOp):
    """Element-wise `lhs * rhs` with numpy broadcasting (TFLite MUL)."""

    name = "nn.mul"


@irdl_op_definition
class DivOp(_BinaryOp):
    """Element-wise `lhs / rhs` with numpy broadcasting (TFLite DIV)."""

    name = "nn.div"


@irdl_op_definition
class MaximumOp(_BinaryOp):
    """Element-wise maximum with numpy broadcasting (TFLite MAXIMUM)."""

    name = "nn.maximum"


@irdl_op_definition
class MinimumOp(_BinaryOp):
    """Element-wise minimum with numpy broadcasting (TFLite MINIMUM)."""

    name = "nn.minimum"


BINARY_OPS: tuple[type[_BinaryOp], ...] = (AddOp, SubOp, MulOp, DivOp, MaximumOp, MinimumOp)


@irdl_op_definition
class ReshapeOp(IRDLOperation):
    """Reshape (TFLite RESHAPE): same elements, new static shape given by the result type."""

    name = "nn.reshape"

    input = operand_def(TensorType)
    result = result_def(TensorType)

    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    def __init__(self, input: SSAValue, result_type: Attribute):
        super().__init__(operands=[input], result_types=[result_type])

    def verify_(self) -> None:
        if _product(tensor_shape(self.input)) != _product(tensor_shape(self.result)):
            raise VerifyException(
                f"'{self.name}' cannot reshape {tensor_shape(self.input)} into "
                f"{tensor_shape(self.result)}: element counts differ"
            )
        if element_type(self.input) != element_type(self.result):
            raise VerifyException(f"'{self.name}' input and result element types differ")


@irdl_op_definition
class PadOp(IRDLOperation):
    """
    Pad with zeros (TFLite PAD): `paddings` holds (before, after) per dimension. Zero
    means the real value 0: the zero point for a quantized tensor. ONNX Pad adds `value`
    (the constant padded with, in `constant` mode) and `mode`: `reflect` mirrors without
    repeating the edge, `edge` repeats it, `wrap` continues from the other side.
    """

    name = "nn.pad"

    input = operand_def(TensorType)
    result = result_def(TensorType)

    paddings = prop_def(DenseArrayBase)
    mode = opt_prop_def(StringAttr)
    value = opt_prop_def(FloatAttr)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    def __init__(
        self,
        input: SSAValue,
        result_type: Attribute,
        paddings: Sequence[int],
        mode: str | None = None,
        value: float | None = None,
    ):
        super().__init__(
            operands=[input],
            result_types=[result_type],
            properties={
                "paddings": _i64_array(paddings),
                "mode": StringAttr(mode) if mode is not None else None,
                "value": FloatAttr(value, f64) if value is not None else None,
            },
        )

    def pad_mode(self) -> str:
        return self.mode.data if self.mode is not None else "constant"

    def pad_value(self) -> float:
        return self.value.value.data if self.value is not None else 0.0

    def verify_(self) -> None:
        pads = _ints(self.paddings)
        in_shape, out_shape = tensor_shape(self.input), tensor_shape(self.result)
        _check_len(self, "paddings", pads, 2 * len(in_shape))
        _check_non_negative(self, "paddings", pads)
        if self.pad_mode() not in ("constant", "reflect", "edge", "wrap"):
            raise VerifyException(f"'{self.name}' has unknown mode '{self.pad_mode()}'")
        expected = tuple(d + pads[2 * i] + pads[2 * i + 1] for i, d in enumerate(in_shape))
        if expected != out_shape:
            raise VerifyException(f"'{self.name}' result shape {out_shape}, expected {expected}")
        if element_type(self.input) != element_type(self.result):
            raise VerifyException(f"'{self.name}' input and result element types differ")


@irdl_op_definition
class MeanOp(IRDLOperation):
    """
    Mean over `axes` (TFLite MEAN); with `keep_dims` the reduced dimensions stay as 1. A
    quantized mean rescales from the input's to the result's quantization.
    """

    name = "nn.mean"

    input = operand_def(TensorType)
    result = result_def(TensorType)

    axes = prop_def(DenseArrayBase)
    keep_dims = prop_def(IntegerAttr)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    def __init__(
        self, input: SSAValue, result_type: Attribute, axes: Sequence[int], keep_dims: bool
    ):
        super().__init__(
            operands=[input],
            result_types=[result_type],
            properties={
                "axes": _i64_array(sorted(set(axes))),
                "keep_dims": IntegerAttr(int(keep_dims), i64),
            },
        )

    def verify_(self) -> None:
        in_shape, out_shape = tensor_shape(self.input), tensor_shape(self.result)
        axes = _ints(self.axes)
        if not axes or any(not 0 <= a < len(in_shape) for a in axes) or len(set(axes)) != len(axes):
            raise VerifyException(
                f"'{self.name}' axes {list(axes)} must be distinct dimensions of a "
                f"{len(in_shape)}-D input"
            )
        keep = bool(self.keep_dims.value.data)
        expected = tuple(
            1 if i in axes else d for i, d in enumerate(in_shape) if keep or i not in axes
        )
        if expected != out_shape:
            raise VerifyException(f"'{self.name}' result shape {out_shape}, expected {expected}")


@irdl_op_definition
class TransposeOp(IRDLOperation):
    """Permute dimensions (TFLite TRANSPOSE): result dim i is input dim perm[i]."""

    name = "nn.transpose"

    input = operand_def(TensorType)
    result = result_def(TensorType)

    perm = prop_def(DenseArrayBase)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    def __init__(self, input: SSAValue, result_type: Attribute, perm: Sequence[int]):
        super().__init__(
            operands=[input], result_types=[result_type], properties={"perm": _i64_array(perm)}
        )

    def verify_(self) -> None:
        perm = _ints(self.perm)
        in_shape, out_shape = tensor_shape(self.input), tensor_shape(self.result)
        if sorted(perm) != list(range(len(in_shape))):
            raise VerifyException(
                f"'{self.name}' perm {list(perm)} is not a permutation of {len(in_shape)} dims"
            )
        expected = tuple(in_shape[p] for p in perm)
        if expected != out_shape:
            raise VerifyException(f"'{self.name}' result shape {out_shape}, expected {expected}")
        if element_type(self.input) != element_type(self.result):
            raise VerifyException(f"'{self.name}' input and result element types differ")


@irdl_op_definition
class SoftmaxOp(IRDLOperation):
    """
    Softmax over the last axis (TFLite SOFTMAX): `exp(beta * (x - max)) / sum`; over
    `axis` when given, and its logarithm with `log` (ONNX Softmax, LogSoftmax).
    """

    name = "nn.softmax"

    input = operand_def(TensorType)
    result = result_def(TensorType)

    beta = prop_def(FloatAttr)
    axis = opt_prop_def(IntegerAttr)
    log = opt_prop_def(IntegerAttr)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    def __init__(
        self,
        input: SSAValue,
        result_type: Attribute,
        beta: float = 1.0,
        axis: int | None = None,
        log: bool = False,
    ):
        super().__init__(
            operands=[input],
            result_types=[result_type],
            properties={
                "beta": FloatAttr(beta, f32),
                "axis": IntegerAttr(axis, i64) if axis is not None else None,
                "log": IntegerAttr(1, i64) if log else None,
            },
        )

    def axis_index(self) -> int:
        """The axis normalized over (the last one unless `axis` says otherwise)."""
        rank = len(tensor_shape(self.input))
        return self.axis.value.data if self.axis is not None else max(rank - 1, 0)

    def is_log(self) -> bool:
        return self.log is not None and bool(self.log.value.data)

    def verify_(self) -> None:
        _verify_same_shape(self, self.input, self.result)
        if self.axis is not None:
            _verify_axes(self, [self.axis.value.data], len(tensor_shape(self.input)))


class _UnaryOp(IRDLOperation):
    input = operand_def(TensorType)
    result = result_def(TensorType)

    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    def __init__(self, input: SSAValue, result_type: Attribute | None = None):
        super().__init__(operands=[input], result_types=[result_type or input.type])

    def verify_(self) -> None:
        _verify_same_shape(self, self.input, self.result)


@irdl_op_definition
class ReluOp(_UnaryOp):
    """`max(x, 0)` (TFLite RELU)."""

    name = "nn.relu"


@irdl_op_definition
class Relu6Op(_UnaryOp):
    """`min(max(x, 0), 6)` (TFLite RELU6)."""

    name = "nn.relu6"


@irdl_op_definition
class ReluN1To1Op(_UnaryOp):
    """`min(max(x, -1), 1)` (TFLite RELU_N1_TO_1)."""

    name = "nn.relu_n1_to_1"


@irdl_op_definition
class LogisticOp(_UnaryOp):
    """`1 / (1 + exp(-x))` (TFLite LOGISTIC)."""

    name = "nn.logistic"


@irdl_op_definition
class TanhOp(_UnaryOp):
    """`tanh(x)` (TFLite TANH)."""

    name = "nn.tanh"


CLAMP_OPS: dict[type[_UnaryOp], Activation] = {
    ReluOp: Activation.RELU,
    Relu6Op: Activation.RELU6,
    ReluN1To1Op: Activation.RELU_N1_TO_1,
}
"""Stand-alone activations that are clamps, and the fused activation each one is."""


FUSABLE_OPS = (Conv2DOp, DepthwiseConv2DOp, FullyConnectedOp, AvgPool2DOp, MaxPool2DOp, *BINARY_OPS)
"""Operators with an `activation` property."""


# ----------------------------------------------------------------------------------------
# General tensor operators (ONNX): any rank, element types beyond f32
#
# Element types: `f32` data; `i64`/`i32` indices, shapes and counts; `i1` booleans (masks
# and comparison results); `i8`/`ui8` around quantize/dequantize. Axes are explicit and
# non-negative; shapes are static (the result type says what an op produces).
# ----------------------------------------------------------------------------------------


UNARY_FUNCTIONS: dict[str, tuple[str, ...]] = {
    # fn: the attributes it reads (alpha, beta), see `UnaryOp`
    "abs": (),
    "neg": (),
    "sqrt": (),
    "exp": (),
    "log": (),
    "erf": (),
    "floor": (),
    "ceil": (),
    "round": (),
    "reciprocal": (),
    "sign": (),
    "sin": (),
    "cos": (),
    "sigmoid": (),
    "tanh": (),
    "relu": (),
    "softplus": (),
    "softsign": (),
    "mish": (),
    "gelu": (),
    "gelu_tanh": (),
    "hard_swish": (),
    "leaky_relu": ("alpha",),
    "elu": ("alpha",),
    "celu": ("alpha",),
    "thresholded_relu": ("alpha",),
    "selu": ("alpha", "beta"),
    "hard_sigmoid": ("alpha", "beta"),
    "clip": ("alpha", "beta"),
    "not": (),
    "tan": (),
    "asin": (),
    "acos": (),
    "atan": (),
    "sinh": (),
    "cosh": (),
    "asinh": (),
    "acosh": (),
    "atanh": (),
}
"""Element-wise functions of `nn.unary`, with the parameters each one reads."""

UNARY_INTEGER_FUNCTIONS = ("abs", "neg", "sign")
"""`nn.unary` functions defined on i32/i64 too (the others take f32, `not` takes i1)."""


def _is_int_or_index(elem: Attribute) -> bool:
    return isinstance(elem, IntegerType) and elem.width.data in (32, 64)


def _is_bool(elem: Attribute) -> bool:
    return isinstance(elem, IntegerType) and elem.width.data == 1


@irdl_op_definition
class UnaryOp(IRDLOperation):
    """
    Element-wise function `fn` (see `UNARY_FUNCTIONS`): `alpha`/`beta` parametrize it
    (`leaky_relu`: slope alpha; `hard_sigmoid`: max(0, min(1, alpha x + beta)); `clip`:
    min(max(x, alpha), beta); `selu`: gamma = beta; `gelu_tanh`: GELU's tanh form).
    """

    name = "nn.unary"

    input = operand_def(TensorType)
    result = result_def(TensorType)

    fn = prop_def(StringAttr)
    alpha = opt_prop_def(FloatAttr)
    beta = opt_prop_def(FloatAttr)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    def __init__(
        self,
        input: SSAValue,
        fn: str,
        result_type: Attribute | None = None,
        alpha: float | None = None,
        beta: float | None = None,
    ):
        super().__init__(
            operands=[input],
            result_types=[result_type or input.type],
            properties={
                "fn": StringAttr(fn),
                "alpha": FloatAttr(alpha, f32) if alpha is not None else None,
                "beta": FloatAttr(beta, f32) if beta is not None else None,
            },
        )

    def param(self, name: str) -> float:
        attr = self.alpha if name == "alpha" else self.beta
        assert attr is not None
        return attr.value.data

    def verify_(self) -> None:
        fn = self.fn.data
        if fn not in UNARY_FUNCTIONS:
            raise VerifyException(f"'{self.name}' has unknown fn '{fn}'")
        for param in ("alpha", "beta"):
            present = getattr(self, param) is not None
            if present != (param in UNARY_FUNCTIONS[fn]):
                wants = "needs" if not present else "takes no"
                raise VerifyException(f"'{self.name}' fn '{fn}' {wants} '{param}'")
        _verify_same_shape(self, self.input, self.result)
        elem = element_type(self.input)
        if elem != element_type(self.result):
            raise VerifyException(f"'{self.name}' input and result element types differ")
        ok = (
            _is_bool(elem)
            if fn == "not"
            else isinstance(elem, Float32Type)
            or (fn in UNARY_INTEGER_FUNCTIONS and _is_int_or_index(elem))
        )
        if not ok:
            raise VerifyException(f"'{self.name}' fn '{fn}' does not take {elem} elements")


BINARY_FUNCTIONS = ("add", "sub", "mul", "div", "max", "min", "pow", "prelu", "mod", "fmod")
LOGICAL_FUNCTIONS = ("and", "or", "xor")


@irdl_op_definition
class BinaryOp(IRDLOperation):
    """
    Element-wise `fn(lhs, rhs)` with numpy broadcasting, on f32, i32 or i64 (`pow`,
    `prelu`: f32 only; `prelu`: lhs if lhs >= 0 else lhs * rhs; `mod`: the result has
    the sign of the divisor, `fmod`: of the dividend; integer `div` truncates), or the
    logical `and`/`or`/`xor` on i1. The f32 add/sub/mul/div/maximum/minimum of TFLite
    are `nn.add` etc.
    """

    name = "nn.binary"

    lhs = operand_def(TensorType)
    rhs = operand_def(TensorType)
    result = result_def(TensorType)

    fn = prop_def(StringAttr)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)"

    def __init__(self, lhs: SSAValue, rhs: SSAValue, fn: str, result_type: Attribute):
        super().__init__(
            operands=[lhs, rhs], result_types=[result_type], properties={"fn": StringAttr(fn)}
        )

    def verify_(self) -> None:
        fn = self.fn.data
        if fn not in BINARY_FUNCTIONS + LOGICAL_FUNCTIONS:
            raise VerifyException(f"'{self.name}' has unknown fn '{fn}'")
        _verify_broadcast(self, self.lhs, self.rhs, self.result)
        elem = element_type(self.lhs)
        if element_type(self.rhs) != elem or element_type(self.result) != elem:
            raise VerifyException(f"'{self.name}' operands and result must share an element type")
        if fn in LOGICAL_FUNCTIONS:
            ok = _is_bool(elem)
        elif fn in ("pow", "prelu"):
            ok = isinstance(elem, Float32Type)
        else:
            ok = isinstance(elem, Float32Type) or _is_int_or_index(elem)
        if not ok:
            raise VerifyException(f"'{self.name}' fn '{fn}' does not take {elem} elements")


COMPARE_FUNCTIONS = ("equal", "less", "less_equal", "greater", "greater_equal")


@irdl_op_definition
class CompareOp(IRDLOperation):
    """Element-wise comparison with numpy broadcasting: f32/i32/i64/i1 operands, i1 result."""

    name = "nn.compare"

    lhs = operand_def(TensorType)
    rhs = operand_def(TensorType)
    result = result_def(TensorType)

    fn = prop_def(StringAttr)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)"

    def __init__(self, lhs: SSAValue, rhs: SSAValue, fn: str, result_type: Attribute):
        super().__init__(
            operands=[lhs, rhs], result_types=[result_type], properties={"fn": StringAttr(fn)}
        )

    def verify_(self) -> None:
        if self.fn.data not in COMPARE_FUNCTIONS:
            raise VerifyException(f"'{self.name}' has unknown fn '{self.fn.data}'")
        _verify_broadcast(self, self.lhs, self.rhs, self.result)
        elem = element_type(self.lhs)
        if element_type(self.rhs) != elem:
            raise VerifyException(f"'{self.name}' operands must share an element type")
        if not (isinstance(elem, Float32Type) or _is_int_or_index(elem) or _is_bool(elem)):
            raise VerifyException(f"'{self.name}' does not compare {elem} elements")
        if not _is_bool(element_type(self.result)):
            raise VerifyException(f"'{self.name}' result must be i1")


@irdl_op_definition
class WhereOp(IRDLOperation):
    """`condition ? lhs : rhs` element-wise, the three operands broadcast as numpy does."""

    name = "nn.where"

    condition = operand_def(TensorType)
    lhs = operand_def(TensorType)
    rhs = operand_def(TensorType)
    result = result_def(TensorType)

    traits = traits_def(Pure())
    assembly_format = (
        "$condition `,` $lhs `,` $rhs attr-dict `:` functional-type(operands, results)"
    )

    def __init__(self, condition: SSAValue, lhs: SSAValue, rhs: SSAValue, result_type: Attribute):
        super().__init__(operands=[condition, lhs, rhs], result_types=[result_type])

    def verify_(self) -> None:
        shape = broadcast_shapes(tensor_shape(self.condition), tensor_shape(self.lhs))
        shape = broadcast_shapes(shape, tensor_shape(self.rhs)) if shape is not None else None
        if shape != tensor_shape(self.result):
            raise VerifyException(
                f"'{self.name}' result shape {tensor_shape(self.result)} is not the broadcast "
                "shape of its operands"
            )
        if not _is_bool(element_type(self.condition)):
            raise VerifyException(f"'{self.name}' condition must be i1")
        elem = element_type(self.result)
        if element_type(self.lhs) != elem or element_type(self.rhs) != elem:
            raise VerifyException(f"'{self.name}' branches and result must share an element type")


@irdl_op_definition
class CastOp(IRDLOperation):
    """
    Element-wise conversion to the result's element type (f32, i64, i32, i8, ui8, i1):
    float to integer truncates toward zero, anything to i1 is `x != 0`.
    """

    name = "nn.cast"

    input = operand_def(TensorType)
    result = result_def(TensorType)

    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    def __init__(self, input: SSAValue, result_type: Attribute):
        super().__init__(operands=[input], result_types=[result_type])

    def verify_(self) -> None:
        _verify_same_shape(self, self.input, self.result)
        for value in (self.input, self.result):
            elem = element_type(value)
            if not isinstance(elem, Float32Type | IntegerType) or (
                isinstance(elem, IntegerType) and elem.width.data not in (1, 8, 32, 64)
            ):
                raise VerifyException(f"'{self.name}' does not convert {elem} elements")


@irdl_op_definition
class SplatOp(IRDLOperation):
    """
    A constant tensor whose elements all equal `value` (ONNX ConstantOfShape): one value
    and a shape, never expanded, so the kernels that read it can use the one value.
    """

    name = "nn.splat"

    value = prop_def(Attribute)
    result = result_def(TensorType)

    traits = traits_def(ConstantLike(), Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "attr-dict `:` type($result)"

    def __init__(self, value: float | int, result_type: Attribute):
        elem = element_type(result_type)
        attr: Attribute = (
            FloatAttr(float(value), f32)
            if isinstance(elem, Float32Type)
            else IntegerAttr(int(value), elem)  # type: ignore[arg-type]
        )
        super().__init__(properties={"value": attr}, result_types=[result_type])

    def scalar(self) -> float | int:
        value = self.value
        assert isinstance(value, FloatAttr | IntegerAttr)
        return value.value.data

    def verify_(self) -> None:
        elem = element_type(self.result)
        value = self.value
        if isinstance(elem, Float32Type):
            ok = isinstance(value, FloatAttr) and value.type == f32
        else:
            ok = isinstance(value, IntegerAttr) and value.type == storage_type_of(elem)
        if not ok:
            raise VerifyException(f"'{self.name}' value {value} is not an {elem} element")


REDUCE_FUNCTIONS = (
    "sum",
    "mean",
    "max",
    "min",
    "prod",
    "sum_square",
    "l1",
    "l2",
    "log_sum",
    "log_sum_exp",
)


def reduced_shape(shape: Sequence[int], axes: Sequence[int], keep_dims: bool) -> tuple[int, ...]:
    return tuple(1 if i in axes else d for i, d in enumerate(shape) if keep_dims or i not in axes)


@irdl_op_definition
class ReduceOp(IRDLOperation):
    """
    Reduction `fn` of f32 elements over `axes` (ONNX ReduceSum, ReduceMean, ...); with
    `keep_dims` the reduced dimensions stay as 1. Empty `axes` reduces nothing.
    """

    name = "nn.reduce"

    input = operand_def(TensorType)
    result = result_def(TensorType)

    fn = prop_def(StringAttr)
    axes = prop_def(DenseArrayBase)
    keep_dims = prop_def(IntegerAttr)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    def __init__(
        self,
        input: SSAValue,
        fn: str,
        axes: Sequence[int],
        keep_dims: bool,
        result_type: Attribute,
    ):
        super().__init__(
            operands=[input],
            result_types=[result_type],
            properties={
                "fn": StringAttr(fn),
                "axes": _i64_array(sorted(set(axes))),
                "keep_dims": IntegerAttr(int(keep_dims), i64),
            },
        )

    def verify_(self) -> None:
        if self.fn.data not in REDUCE_FUNCTIONS:
            raise VerifyException(f"'{self.name}' has unknown fn '{self.fn.data}'")
        in_shape = tensor_shape(self.input)
        axes = _ints(self.axes)
        _verify_axes(self, axes, len(in_shape))
        expected = reduced_shape(in_shape, axes, bool(self.keep_dims.value.data))
        if expected != tensor_shape(self.result):
            raise VerifyException(
                f"'{self.name}' result shape {tensor_shape(self.result)}, expected {expected}"
            )
        if not is_float(self.input) or not is_float(self.result):
            raise VerifyException(f"'{self.name}' reduces f32 tensors")


@irdl_op_definition
class ArgReduceOp(IRDLOperation):
    """
    Index (i64) of the largest (`fn = "max"`) or smallest (`"min"`) element along `axis`;
    ties go to the first index, or to the last with `select_last_index`.
    """

    name = "nn.arg_reduce"

    input = operand_def(TensorType)
    result = result_def(TensorType)

    fn = prop_def(StringAttr)
    axis = prop_def(IntegerAttr)
    keep_dims = prop_def(IntegerAttr)
    select_last_index = prop_def(IntegerAttr)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    def __init__(
        self,
        input: SSAValue,
        fn: str,
        axis: int,
        keep_dims: bool,
        select_last_index: bool,
        result_type: Attribute,
    ):
        super().__init__(
            operands=[input],
            result_types=[result_type],
            properties={
                "fn": StringAttr(fn),
                "axis": IntegerAttr(axis, i64),
                "keep_dims": IntegerAttr(int(keep_dims), i64),
                "select_last_index": IntegerAttr(int(select_last_index), i64),
            },
        )

    def verify_(self) -> None:
        if self.fn.data not in ("max", "min"):
            raise VerifyException(f"'{self.name}' fn must be 'max' or 'min'")
        in_shape = tensor_shape(self.input)
        axis = self.axis.value.data
        _verify_axes(self, [axis], len(in_shape))
        expected = reduced_shape(in_shape, [axis], bool(self.keep_dims.value.data))
        if expected != tensor_shape(self.result):
            raise VerifyException(
                f"'{self.name}' result shape {tensor_shape(self.result)}, expected {expected}"
            )
        if element_type(self.result) != i64:
            raise VerifyException(f"'{self.name}' result must be i64")


@irdl_op_definition
class ConcatOp(IRDLOperation):
    """Concatenation of the inputs along `axis` (any element type)."""

    name = "nn.concat"

    inputs = var_operand_def(TensorType)
    result = result_def(TensorType)

    axis = prop_def(IntegerAttr)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$inputs attr-dict `:` functional-type(operands, results)"

    def __init__(self, inputs: Sequence[SSAValue], axis: int, result_type: Attribute):
        super().__init__(
            operands=[inputs],
            result_types=[result_type],
            properties={"axis": IntegerAttr(axis, i64)},
        )

    def verify_(self) -> None:
        out = tensor_shape(self.result)
        axis = self.axis.value.data
        _verify_axes(self, [axis], len(out))
        total = 0
        for value in self.inputs:
            shape = tensor_shape(value)
            if len(shape) != len(out) or any(
                d != o for i, (d, o) in enumerate(zip(shape, out, strict=True)) if i != axis
            ):
                raise VerifyException(
                    f"'{self.name}' input shape {shape} does not match {out} off axis {axis}"
                )
            total += shape[axis]
            if element_type(value) != element_type(self.result):
                raise VerifyException(f"'{self.name}' inputs and result element types differ")
        if total != out[axis]:
            raise VerifyException(
                f"'{self.name}' inputs hold {total} along axis {axis}, not {out[axis]}"
            )


@irdl_op_definition
class SliceOp(IRDLOperation):
    """
    Strided slice: result element `i` (per axis) is input element `starts + i * steps`
    (steps are non-zero, may be negative); the result type gives the counts.
    """

    name = "nn.slice"

    input = operand_def(TensorType)
    result = result_def(TensorType)

    starts = prop_def(DenseArrayBase)
    steps = prop_def(DenseArrayBase)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    def __init__(
        self, input: SSAValue, starts: Sequence[int], steps: Sequence[int], result_type: Attribute
    ):
        super().__init__(
            operands=[input],
            result_types=[result_type],
            properties={"starts": _i64_array(starts), "steps": _i64_array(steps)},
        )

    def verify_(self) -> None:
        in_shape, out_shape = tensor_shape(self.input), tensor_shape(self.result)
        starts, steps = _ints(self.starts), _ints(self.steps)
        _check_len(self, "starts", starts, len(in_shape))
        _check_len(self, "steps", steps, len(in_shape))
        if len(out_shape) != len(in_shape):
            raise VerifyException(f"'{self.name}' result rank differs from the input's")
        for d, (n, start, step, count) in enumerate(
            zip(in_shape, starts, steps, out_shape, strict=True)
        ):
            last = start + (count - 1) * step
            if step == 0 or (count > 0 and not (0 <= start < n and 0 <= last < n)):
                raise VerifyException(
                    f"'{self.name}' axis {d}: {count} elements from {start} by {step} leave "
                    f"the input's {n}"
                )
        if element_type(self.input) != element_type(self.result):
            raise VerifyException(f"'{self.name}' input and result element types differ")


@irdl_op_definition
class GatherOp(IRDLOperation):
    """
    ONNX Gather: `data` indexed along `axis` by `indices` (i32 or i64; negative indices
    count from the end); result shape data[:axis] + indices + data[axis+1:].
    """

    name = "nn.gather"

    data = operand_def(TensorType)
    indices = operand_def(TensorType)
    result = result_def(TensorType)

    axis = prop_def(IntegerAttr)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$data `,` $indices attr-dict `:` functional-type(operands, results)"

    def __init__(self, data: SSAValue, indices: SSAValue, axis: int, result_type: Attribute):
        super().__init__(
            operands=[data, indices],
            result_types=[result_type],
            properties={"axis": IntegerAttr(axis, i64)},
        )

    def verify_(self) -> None:
        shape, idx = tensor_shape(self.data), tensor_shape(self.indices)
        axis = self.axis.value.data
        _verify_axes(self, [axis], len(shape))
        expected = (*shape[:axis], *idx, *shape[axis + 1 :])
        if expected != tensor_shape(self.result):
            raise VerifyException(
                f"'{self.name}' result shape {tensor_shape(self.result)}, expected {expected}"
            )
        if not _is_int_or_index(element_type(self.indices)):
            raise VerifyException(f"'{self.name}' indices must be i32 or i64")
        if element_type(self.data) != element_type(self.result):
            raise VerifyException(f"'{self.name}' data and result element types differ")


@irdl_op_definition
class BroadcastOp(IRDLOperation):
    """The input broadcast (numpy rules) to the result shape: ONNX Expand."""

    name = "nn.broadcast"

    input = operand_def(TensorType)
    result = result_def(TensorType)

    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    def __init__(self, input: SSAValue, result_type: Attribute):
        super().__init__(operands=[input], result_types=[result_type])

    def verify_(self) -> None:
        out = tensor_shape(self.result)
        if broadcast_shapes(tensor_shape(self.input), out) != out:
            raise VerifyException(
                f"'{self.name}' cannot broadcast {tensor_shape(self.input)} to {out}"
            )
        if element_type(self.input) != element_type(self.result):
            raise VerifyException(f"'{self.name}' input and result element types differ")


@irdl_op_definition
class TopKOp(IRDLOperation):
    """
    The k largest (or smallest) f32 elements along `axis` and their i64 indices, sorted
    (or in index order); equal values keep index order. k is the result's size on `axis`.
    """

    name = "nn.topk"

    input = operand_def(TensorType)
    values = result_def(TensorType)
    indices = result_def(TensorType)

    axis = prop_def(IntegerAttr)
    largest = prop_def(IntegerAttr)
    sorted = prop_def(IntegerAttr)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    def __init__(
        self,
        input: SSAValue,
        axis: int,
        largest: bool,
        sorted: bool,
        values_type: Attribute,
        indices_type: Attribute,
    ):
        super().__init__(
            operands=[input],
            result_types=[values_type, indices_type],
            properties={
                "axis": IntegerAttr(axis, i64),
                "largest": IntegerAttr(int(largest), i64),
                "sorted": IntegerAttr(int(sorted), i64),
            },
        )

    def verify_(self) -> None:
        shape = tensor_shape(self.input)
        axis = self.axis.value.data
        _verify_axes(self, [axis], len(shape))
        out = tensor_shape(self.values)
        if tensor_shape(self.indices) != out or len(out) != len(shape):
            raise VerifyException(f"'{self.name}' values and indices shapes differ")
        if any(a != b for i, (a, b) in enumerate(zip(shape, out, strict=True)) if i != axis):
            raise VerifyException(f"'{self.name}' results differ from the input off axis {axis}")
        if out[axis] > shape[axis]:
            raise VerifyException(f"'{self.name}' k = {out[axis]} exceeds {shape[axis]}")
        if (
            element_type(self.indices) != i64
            or not is_float(self.values)
            or not is_float(self.input)
        ):
            raise VerifyException(f"'{self.name}' takes f32 and gives f32 values, i64 indices")


@irdl_op_definition
class LRNOp(IRDLOperation):
    """
    Local response normalization across the channels on `axis` (ONNX LRN):
    `y = x / (bias + alpha / size * sum(x^2 over size channels)) ^ beta`.
    """

    name = "nn.lrn"

    input = operand_def(TensorType)
    result = result_def(TensorType)

    axis = prop_def(IntegerAttr)
    size = prop_def(IntegerAttr)
    alpha = prop_def(FloatAttr)
    beta = prop_def(FloatAttr)
    bias = prop_def(FloatAttr)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    def __init__(
        self,
        input: SSAValue,
        axis: int,
        size: int,
        alpha: float,
        beta: float,
        bias: float,
    ):
        super().__init__(
            operands=[input],
            result_types=[input.type],
            properties={
                "axis": IntegerAttr(axis, i64),
                "size": IntegerAttr(size, i64),
                "alpha": FloatAttr(alpha, f32),
                "beta": FloatAttr(beta, f32),
                "bias": FloatAttr(bias, f32),
            },
        )

    def verify_(self) -> None:
        _verify_same_shape(self, self.input, self.result)
        _verify_axes(self, [self.axis.value.data], len(tensor_shape(self.input)))
        if self.size.value.data <= 0:
            raise VerifyException(f"'{self.name}' size must be positive")


@irdl_op_definition
class LayerNormOp(IRDLOperation):
    """
    Layer normalization over the dimensions from `axis` on (ONNX LayerNormalization):
    `y = (x - mean) * inv_std * scale + bias`, `inv_std = 1 / sqrt(var + epsilon)`;
    `mean` and `inv_std` (shape: x's with 1 from `axis` on) are results too.
    """

    name = "nn.layer_norm"

    input = operand_def(TensorType)
    scale = operand_def(TensorType)
    bias = opt_operand_def(TensorType)
    result = result_def(TensorType)
    mean = result_def(TensorType)
    inv_std = result_def(TensorType)

    axis = prop_def(IntegerAttr)
    epsilon = prop_def(FloatAttr)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = (
        "$input `,` $scale (`,` $bias^)? attr-dict `:` functional-type(operands, results)"
    )

    def __init__(
        self,
        input: SSAValue,
        scale: SSAValue,
        bias: SSAValue | None,
        axis: int,
        epsilon: float,
        stats_type: Attribute,
    ):
        super().__init__(
            operands=[input, scale, bias],
            result_types=[input.type, stats_type, stats_type],
            properties={"axis": IntegerAttr(axis, i64), "epsilon": FloatAttr(epsilon, f32)},
        )

    def verify_(self) -> None:
        shape = tensor_shape(self.input)
        axis = self.axis.value.data
        _verify_axes(self, [axis], len(shape))
        _verify_same_shape(self, self.input, self.result)
        stats = tuple(d if i < axis else 1 for i, d in enumerate(shape))
        for value in (self.mean, self.inv_std):
            if tensor_shape(value) != stats:
                raise VerifyException(f"'{self.name}' statistics must have shape {stats}")
        for value in (self.scale, self.bias):
            if value is not None and broadcast_shapes(tensor_shape(value), shape[axis:]) != tuple(
                shape[axis:]
            ):
                raise VerifyException(
                    f"'{self.name}' scale/bias {tensor_shape(value)} do not broadcast to "
                    f"{shape[axis:]}"
                )


@irdl_op_definition
class MatMulOp(IRDLOperation):
    """
    Matrix product of the last two dimensions, the leading (batch) dimensions broadcast
    as numpy's `matmul` does; both operands have rank >= 2 (f32).
    """

    name = "nn.matmul"

    lhs = operand_def(TensorType)
    rhs = operand_def(TensorType)
    result = result_def(TensorType)

    traits = traits_def(Pure())
    assembly_format = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)"

    def __init__(self, lhs: SSAValue, rhs: SSAValue, result_type: Attribute):
        super().__init__(operands=[lhs, rhs], result_types=[result_type])

    def verify_(self) -> None:
        a, b = tensor_shape(self.lhs), tensor_shape(self.rhs)
        if len(a) < 2 or len(b) < 2 or a[-1] != b[-2]:
            raise VerifyException(f"'{self.name}' cannot multiply {a} by {b}")
        batch = broadcast_shapes(a[:-2], b[:-2])
        if batch is None or (*batch, a[-2], b[-1]) != tensor_shape(self.result):
            raise VerifyException(
                f"'{self.name}' result shape {tensor_shape(self.result)} is not the product "
                f"of {a} and {b}"
            )
        for value in (self.lhs, self.rhs, self.result):
            if not is_float(value):
                raise VerifyException(f"'{self.name}' multiplies f32 matrices")


RESIZE_MODES = ("nearest", "linear", "cubic")
RESIZE_COORDINATE_MODES = (
    "half_pixel",
    "half_pixel_symmetric",
    "pytorch_half_pixel",
    "align_corners",
    "asymmetric",
    "tf_crop_and_resize",
)
RESIZE_NEAREST_MODES = ("round_prefer_floor", "round_prefer_ceil", "floor", "ceil")


def resize_source_coordinate(
    mode: str,
    o: int,
    scale: float,
    in_size: int,
    out_size: int,
    roi: tuple[float, float] = (0.0, 1.0),
) -> float:
    """The input coordinate output index `o` maps to (ONNX coordinate_transformation_mode);
    the output length in the formulas is `scale * in_size`, not the integer size."""
    length = scale * in_size
    if mode == "tf_crop_and_resize":
        start, end = roi
        if length == 1:
            return (end - start) * (in_size - 1) / 2 + start * (in_size - 1)
        return o * (end - start) * (in_size - 1) / (length - 1) + start * (in_size - 1)
    if mode == "align_corners":
        return 0.0 if length == 1 else o * (in_size - 1) / (length - 1)
    if mode == "asymmetric":
        return o / scale
    if mode == "pytorch_half_pixel":
        return -0.5 if length == 1 else (o + 0.5) / scale - 0.5
    if mode == "half_pixel":
        return (o + 0.5) / scale - 0.5
    if mode == "half_pixel_symmetric":
        offset = in_size / 2 * (1 - out_size / length)
        return offset + (o + 0.5) / scale - 0.5
    raise NotImplementedError(f"coordinate transformation mode '{mode}'")


@irdl_op_definition
class ResizeOp(IRDLOperation):
    """
    ONNX Resize of an f32 tensor to the result shape: per axis, output coordinate `o`
    maps to input coordinate `x` by `coordinate_mode` with `scales[axis]`; `nearest`
    rounds `x` by `nearest_mode`, `linear` interpolates between its neighbours, `cubic`
    uses the 4 around it with `cubic_coeff_a` (each axis separately, then combined);
    `antialias` widens linear and cubic kernels by 1 / scale when downsampling;
    `tf_crop_and_resize` maps the output onto the region `roi` (starts, then ends, as
    fractions of each axis; the importer writes the extrapolation value where it
    falls outside the input).
    """

    name = "nn.resize"

    input = operand_def(TensorType)
    result = result_def(TensorType)

    mode = prop_def(StringAttr)
    coordinate_mode = prop_def(StringAttr)
    nearest_mode = prop_def(StringAttr)
    scales = prop_def(DenseArrayBase)
    cubic_coeff_a = prop_def(FloatAttr)
    exclude_outside = prop_def(IntegerAttr)
    antialias = opt_prop_def(IntegerAttr)
    roi = opt_prop_def(DenseArrayBase)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    def __init__(
        self,
        input: SSAValue,
        result_type: Attribute,
        *,
        mode: str,
        coordinate_mode: str,
        nearest_mode: str,
        scales: Sequence[float],
        cubic_coeff_a: float = -0.75,
        exclude_outside: bool = False,
        antialias: bool = False,
        roi: Sequence[float] | None = None,
    ):
        super().__init__(
            operands=[input],
            result_types=[result_type],
            properties={
                "mode": StringAttr(mode),
                "coordinate_mode": StringAttr(coordinate_mode),
                "nearest_mode": StringAttr(nearest_mode),
                "scales": DenseArrayBase.from_list(f64, [float(s) for s in scales]),
                "cubic_coeff_a": FloatAttr(cubic_coeff_a, f64),
                "exclude_outside": IntegerAttr(int(exclude_outside), i64),
                "antialias": IntegerAttr(1, i64) if antialias else None,
                "roi": DenseArrayBase.from_list(f64, [float(r) for r in roi])
                if roi is not None
                else None,
            },
        )

    def is_antialiased(self) -> bool:
        return self.antialias is not None and bool(self.antialias.value.data)

    def roi_values(self) -> tuple[float, ...] | None:
        return tuple(float(v) for v in self.roi.get_values()) if self.roi is not None else None

    def scale_values(self) -> tuple[float, ...]:
        return tuple(float(v) for v in self.scales.get_values())

    def verify_(self) -> None:
        for value, allowed, what in (
            (self.mode.data, RESIZE_MODES, "mode"),
            (self.coordinate_mode.data, RESIZE_COORDINATE_MODES, "coordinate_mode"),
            (self.nearest_mode.data, RESIZE_NEAREST_MODES, "nearest_mode"),
        ):
            if value not in allowed:
                raise VerifyException(f"'{self.name}' {what} '{value}' is not one of {allowed}")
        rank = len(tensor_shape(self.input))
        if len(self.scale_values()) != rank or len(tensor_shape(self.result)) != rank:
            raise VerifyException(f"'{self.name}' needs one scale per dimension and the same rank")
        if self.coordinate_mode.data == "tf_crop_and_resize" and (
            self.roi is None or len(self.roi.get_values()) != 2 * rank
        ):
            raise VerifyException(f"'{self.name}' tf_crop_and_resize needs a roi of {2 * rank}")
        if any(s <= 0 for s in self.scale_values()):
            raise VerifyException(f"'{self.name}' scales must be positive")
        if not is_float(self.input) or not is_float(self.result):
            raise VerifyException(f"'{self.name}' resizes f32 tensors")


@irdl_op_definition
class ConvTranspose2DOp(IRDLOperation):
    """
    Transposed 2-D convolution (ONNX ConvTranspose) on NHWC activations: filter
    [I, KH, KW, O / group] (`IHWO`), bias [O]; input pixel (h, w) adds its products into
    output pixel (h * stride - pad_top + kh * dilation, ...). The result type gives the
    output size (`output_padding` / `output_shape` resolved at import).
    """

    name = "nn.conv_transpose2d"

    input = operand_def(TensorType)
    filter = operand_def(TensorType)
    bias = opt_operand_def(TensorType)
    result = result_def(TensorType)

    strides = prop_def(DenseArrayBase)
    dilations = prop_def(DenseArrayBase)
    pads = prop_def(DenseArrayBase)
    group = prop_def(IntegerAttr)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = (
        "$input `,` $filter (`,` $bias^)? attr-dict `:` functional-type(operands, results)"
    )

    def __init__(
        self,
        input: SSAValue,
        filter: SSAValue,
        bias: SSAValue | None,
        result_type: Attribute,
        strides: Sequence[int],
        dilations: Sequence[int],
        pads: Sequence[int],
        group: int,
    ):
        super().__init__(
            operands=[input, filter, bias],
            result_types=[result_type],
            properties={
                "strides": _i64_array(strides),
                "dilations": _i64_array(dilations),
                "pads": _i64_array(pads),
                "group": IntegerAttr(group, i64),
            },
        )

    def verify_(self) -> None:
        strides, dilations, pads = _ints(self.strides), _ints(self.dilations), _ints(self.pads)
        _check_len(self, "strides", strides, 2)
        _check_len(self, "dilations", dilations, 2)
        _check_len(self, "pads", pads, 4)
        _check_positive(self, "strides", strides)
        _check_positive(self, "dilations", dilations)
        x, f, y = tensor_shape(self.input), tensor_shape(self.filter), tensor_shape(self.result)
        group = self.group.value.data
        if len(x) != 4 or len(f) != 4 or len(y) != 4:
            raise VerifyException(f"'{self.name}' expects 4-D input, filter and result")
        if group <= 0 or f[0] != x[3] or x[3] % group or y[3] != f[3] * group:
            raise VerifyException(
                f"'{self.name}' filter {f} does not map {x[3]} to {y[3]} channels in {group} groups"
            )
        for axis, (size, k) in enumerate(((x[1], f[1]), (x[2], f[2]))):
            least = (size - 1) * strides[axis] + (k - 1) * dilations[axis] + 1
            least -= pads[axis] + pads[axis + 2]
            if y[axis + 1] < least - (strides[axis] - 1) or y[axis + 1] <= 0:
                raise VerifyException(f"'{self.name}' result shape {y} is too small")
        _verify_bias(self, self.bias, y[3])


class _LinearQuantOp(IRDLOperation):
    """ONNX's linear (de)quantization: `scales`/`zero_points` per tensor (one value) or
    per slice along `axis`."""

    input = operand_def(TensorType)
    result = result_def(TensorType)

    axis = prop_def(IntegerAttr)
    scales = prop_def(DenseArrayBase)
    zero_points = prop_def(DenseArrayBase)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    def __init__(
        self,
        input: SSAValue,
        result_type: Attribute,
        axis: int,
        scales: Sequence[float],
        zero_points: Sequence[int],
    ):
        super().__init__(
            operands=[input],
            result_types=[result_type],
            properties={
                "axis": IntegerAttr(axis, i64),
                "scales": DenseArrayBase.from_list(f32, [float(s) for s in scales]),
                "zero_points": _i64_array(zero_points),
            },
        )


@irdl_op_definition
class QuantizeLinearOp(_LinearQuantOp):
    """ONNX QuantizeLinear of f32 into i8/ui8: `saturate(round_half_even(x / scale) + zp)`."""

    name = "nn.quantize_linear"

    def verify_(self) -> None:
        _verify_quant_params(self, self.input, self.result, quantized=self.result)


@irdl_op_definition
class DequantizeLinearOp(_LinearQuantOp):
    """ONNX DequantizeLinear of i8/ui8/i32 into f32: `(x - zp) * scale`."""

    name = "nn.dequantize_linear"

    def verify_(self) -> None:
        _verify_quant_params(self, self.input, self.result, quantized=self.input)


def _verify_quant_params(op: Operation, x: SSAValue, y: SSAValue, quantized: SSAValue) -> None:
    assert isinstance(op, _LinearQuantOp)
    _verify_same_shape(op, x, y)
    shape = tensor_shape(x)
    scales, zero_points = op.scales.get_values(), _ints(op.zero_points)
    if len(scales) != len(zero_points) or not scales:
        raise VerifyException(f"'{op.name}' needs as many zero points as scales")
    if len(scales) > 1:
        axis = op.axis.value.data
        _verify_axes(op, [axis], len(shape))
        if shape[axis] != len(scales):
            raise VerifyException(
                f"'{op.name}' has {len(scales)} scales for {shape[axis]} slices on axis {axis}"
            )
    elem = element_type(quantized)
    if not isinstance(elem, IntegerType) or elem.width.data not in (8, 32):
        raise VerifyException(f"'{op.name}' quantized side must be i8, ui8 or i32, got {elem}")
    other = y if quantized is x else x
    if not is_float(other):
        raise VerifyException(f"'{op.name}' float side must be f32")


def _verify_axes(op: Operation, axes: Sequence[int], rank: int) -> None:
    if any(not 0 <= a < max(rank, 1) for a in axes) or len(set(axes)) != len(axes):
        raise VerifyException(
            f"'{op.name}' axes {list(axes)} must be distinct dimensions of a {rank}-D tensor"
        )


def _verify_broadcast(op: Operation, lhs: SSAValue, rhs: SSAValue, result: SSAValue) -> None:
    expected = broadcast_shapes(tensor_shape(lhs), tensor_shape(rhs))
    if expected is None:
        raise VerifyException(
            f"'{op.name}' operand shapes {tensor_shape(lhs)} and {tensor_shape(rhs)} do not "
            "broadcast"
        )
    if expected != tensor_shape(result):
        raise VerifyException(
            f"'{op.name}' result shape {tensor_shape(result)} is not the broadcast shape {expected}"
        )


# ----------------------------------------------------------------------------------------
# Verification helpers
# ----------------------------------------------------------------------------------------


def get_activation(op: Operation) -> Activation:
    """The fused activation of an operator with an `activation` property (NONE if unset)."""
    attr = op.properties.get("activation")
    return attr.data if isinstance(attr, ActivationAttr) else Activation.NONE


def _product(values: Sequence[int]) -> int:
    result = 1
    for v in values:
        result *= v
    return result


def _verify_bias(op: Operation, bias: SSAValue | None, channels: int) -> None:
    if bias is None:
        return
    if tensor_shape(bias) != (channels,):
        raise VerifyException(
            f"'{op.name}' bias must have shape ({channels},), got {tensor_shape(bias)}"
        )


def _verify_window_result(
    op: Operation,
    in_shape: Sequence[int],
    kernel: Sequence[int],
    channels: int,
    strides: Sequence[int],
    dilations: Sequence[int],
    pads: Sequence[int],
) -> None:
    assert isinstance(op, IRDLOperation)
    out_shape = tensor_shape(op.results[0])
    expected = (
        in_shape[0],
        window_output_size(in_shape[1], kernel[0], strides[0], dilations[0], pads[0], pads[2]),
        window_output_size(in_shape[2], kernel[1], strides[1], dilations[1], pads[1], pads[3]),
        channels,
    )
    if expected[1] <= 0 or expected[2] <= 0:
        raise VerifyException(f"'{op.name}' window is larger than the padded input")
    if tuple(out_shape) != expected:
        raise VerifyException(f"'{op.name}' result shape {tuple(out_shape)}, expected {expected}")


def _verify_same_shape(op: Operation, a: SSAValue, b: SSAValue) -> None:
    if tensor_shape(a) != tensor_shape(b):
        raise VerifyException(
            f"'{op.name}' input shape {tensor_shape(a)} and result shape {tensor_shape(b)} differ"
        )


NN = Dialect(
    "nn",
    [
        ConstantOp,
        Conv2DOp,
        DepthwiseConv2DOp,
        FullyConnectedOp,
        AvgPool2DOp,
        MaxPool2DOp,
        AddOp,
        SubOp,
        MulOp,
        DivOp,
        MaximumOp,
        MinimumOp,
        ReshapeOp,
        PadOp,
        MeanOp,
        TransposeOp,
        SoftmaxOp,
        ReluOp,
        Relu6Op,
        ReluN1To1Op,
        LogisticOp,
        TanhOp,
        UnaryOp,
        BinaryOp,
        CompareOp,
        WhereOp,
        CastOp,
        SplatOp,
        ReduceOp,
        ArgReduceOp,
        ConcatOp,
        SliceOp,
        GatherOp,
        BroadcastOp,
        TopKOp,
        LRNOp,
        LayerNormOp,
        MatMulOp,
        ResizeOp,
        ConvTranspose2DOp,
        QuantizeLinearOp,
        DequantizeLinearOp,
    ],
    [ActivationAttr],
)
