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
    TensorType,
    f32,
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
    means the real value 0: the zero point for a quantized tensor.
    """

    name = "nn.pad"

    input = operand_def(TensorType)
    result = result_def(TensorType)

    paddings = prop_def(DenseArrayBase)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    def __init__(self, input: SSAValue, result_type: Attribute, paddings: Sequence[int]):
        super().__init__(
            operands=[input],
            result_types=[result_type],
            properties={"paddings": _i64_array(paddings)},
        )

    def verify_(self) -> None:
        pads = _ints(self.paddings)
        in_shape, out_shape = tensor_shape(self.input), tensor_shape(self.result)
        _check_len(self, "paddings", pads, 2 * len(in_shape))
        _check_non_negative(self, "paddings", pads)
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
    """Softmax over the last axis (TFLite SOFTMAX): `exp(beta * (x - max)) / sum`."""

    name = "nn.softmax"

    input = operand_def(TensorType)
    result = result_def(TensorType)

    beta = prop_def(FloatAttr)

    traits = traits_def(Pure())
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    def __init__(self, input: SSAValue, result_type: Attribute, beta: float = 1.0):
        super().__init__(
            operands=[input], result_types=[result_type], properties={"beta": FloatAttr(beta, f32)}
        )

    def verify_(self) -> None:
        _verify_same_shape(self, self.input, self.result)


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
    ],
    [ActivationAttr],
)
