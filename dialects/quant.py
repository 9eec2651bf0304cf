"""
The `quant` dialect: affine-quantized element types, spelled as MLIR's `quant` dialect.

* `!quant.uniform<i8:f32, 0.5:-3>`: per-tensor; `real = scale * (stored - zero_point)`.
* `!quant.uniform<i8:f32:0, {0.5:0, 0.25:0}>`: per-axis (one scale and zero point per
  slice along the quantized dimension, here 0), as TFLite's per-channel weights.

The storage type is a signless or signed integer type whose width gives the range
(`i8` = [-128, 127]); the expressed type is the float type the values stand for.

Operations (value semantics, on tensors of the same shape):

* `quant.quantize`: float -> quantized (TFLite QUANTIZE from float);
* `quant.dequantize`: quantized -> float (TFLite DEQUANTIZE);
* `quant.requantize`: quantized -> quantized with other parameters (TFLite QUANTIZE from
  an int8 tensor).

See external [documentation](https://mlir.llvm.org/docs/Dialects/QuantDialect/).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from xdsl.dialects.builtin import (
    AnyFloat,
    ArrayAttr,
    FloatData,
    IntAttr,
    IntegerType,
    TensorType,
)
from xdsl.ir import Attribute, Dialect, ParametrizedAttribute, SSAValue, TypeAttribute
from xdsl.irdl import (
    IRDLOperation,
    irdl_attr_definition,
    irdl_op_definition,
    operand_def,
    result_def,
    traits_def,
)
from xdsl.parser import AttrParser
from xdsl.printer import Printer
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException
from xdsl.utils.hints import isa


def _storage_range(storage: IntegerType) -> tuple[int, int]:
    width = storage.width.data
    return -(1 << (width - 1)), (1 << (width - 1)) - 1


def _check_scale_zero_point(storage: IntegerType, scale: float, zero_point: int) -> None:
    if not math.isfinite(scale) or scale <= 0:
        raise VerifyException(f"quantization scale must be positive and finite, got {scale}")
    lo, hi = _storage_range(storage)
    if not lo <= zero_point <= hi:
        raise VerifyException(
            f"zero point {zero_point} is outside the range [{lo}, {hi}] of {storage}"
        )


def _parse_storage_and_expressed(parser: AttrParser) -> tuple[IntegerType, Attribute]:
    storage = parser.parse_type()
    if not isa(storage, IntegerType):
        parser.raise_error(f"quantized storage type must be an integer type, got {storage}")
    parser.parse_punctuation(":")
    expressed = parser.parse_type()
    return storage, expressed


def _parse_per_axis_rest(
    parser: AttrParser, storage: IntegerType, expressed: Attribute
) -> Sequence[Attribute]:
    """The rest of `!quant.uniform<i8:f32:AXIS, {s0:zp0, ...}>` after `i8:f32:`."""
    axis = parser.parse_integer(allow_boolean=False, allow_negative=False)
    parser.parse_punctuation(",")
    pairs = parser.parse_comma_separated_list(
        parser.Delimiter.BRACES, lambda: _parse_scale_zero_point(parser)
    )
    return (
        storage,
        expressed,
        IntAttr(axis),
        ArrayAttr(FloatData(s) for s, _ in pairs),
        ArrayAttr(IntAttr(z) for _, z in pairs),
    )


def _parse_scale_zero_point(parser: AttrParser) -> tuple[float, int]:
    scale = float(parser.parse_number())
    zero_point = 0
    if parser.parse_optional_punctuation(":") is not None:
        zero_point = parser.parse_integer(allow_boolean=False)
    return scale, zero_point


@irdl_attr_definition
class UniformQuantizedType(ParametrizedAttribute, TypeAttribute):
    """Per-tensor affine quantization: `!quant.uniform<i8:f32, scale:zero_point>`."""

    name = "quant.uniform"

    storage_type: IntegerType
    expressed_type: AnyFloat
    scale: FloatData
    zero_point: IntAttr

    def __init__(
        self, storage_type: IntegerType, expressed_type: AnyFloat, scale: float, zero_point: int
    ):
        super().__init__(storage_type, expressed_type, FloatData(scale), IntAttr(zero_point))

    def verify(self) -> None:
        _check_scale_zero_point(self.storage_type, self.scale.data, self.zero_point.data)

    # Both types share MLIR's `uniform` mnemonic. Only this class is registered under it;
    # its parser also reads the per-axis form (`i8:f32:AXIS, {...}`) and `new` then builds
    # a UniformQuantizedPerAxisType, which prints itself as `!quant.uniform<...>` too.
    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        with parser.in_angle_brackets():
            storage, expressed = _parse_storage_and_expressed(parser)
            if parser.parse_optional_punctuation(":") is not None:
                return _parse_per_axis_rest(parser, storage, expressed)
            parser.parse_punctuation(",")
            scale, zero_point = _parse_scale_zero_point(parser)
        return (storage, expressed, FloatData(scale), IntAttr(zero_point))

    @classmethod
    def new(cls, params: Sequence[Attribute]) -> UniformQuantizedType:  # type: ignore[override]
        if len(params) == len(UniformQuantizedPerAxisType.get_irdl_definition().parameters):
            return UniformQuantizedPerAxisType.new(params)  # type: ignore[return-value]
        return super().new(params)

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            printer.print_attribute(self.storage_type)
            printer.print_string(":")
            printer.print_attribute(self.expressed_type)
            printer.print_string(f", {self.scale.data!r}:{self.zero_point.data}")


@irdl_attr_definition
class UniformQuantizedPerAxisType(ParametrizedAttribute, TypeAttribute):
    """Per-axis affine quantization: `!quant.uniform<i8:f32:AXIS, {s0:zp0, s1:zp1, ...}>`."""

    name = "quant.uniform"  # parsed through UniformQuantizedType (see there)

    storage_type: IntegerType
    expressed_type: AnyFloat
    quantized_dimension: IntAttr
    scales: ArrayAttr[FloatData]
    zero_points: ArrayAttr[IntAttr]

    def __init__(
        self,
        storage_type: IntegerType,
        expressed_type: AnyFloat,
        quantized_dimension: int,
        scales: Sequence[float],
        zero_points: Sequence[int],
    ):
        super().__init__(
            storage_type,
            expressed_type,
            IntAttr(quantized_dimension),
            ArrayAttr(FloatData(s) for s in scales),
            ArrayAttr(IntAttr(z) for z in zero_points),
        )

    def verify(self) -> None:
        if len(self.scales) != len(self.zero_points):
            raise VerifyException(
                f"per-axis quantization has {len(self.scales)} scales but "
                f"{len(self.zero_points)} zero points"
            )
        if not self.scales.data:
            raise VerifyException("per-axis quantization needs at least one scale")
        if self.quantized_dimension.data < 0:
            raise VerifyException("quantized dimension must be non-negative")
        for scale, zero_point in zip(self.scales, self.zero_points, strict=True):
            _check_scale_zero_point(self.storage_type, scale.data, zero_point.data)

    def get_scales(self) -> list[float]:
        return [s.data for s in self.scales]

    def get_zero_points(self) -> list[int]:
        return [z.data for z in self.zero_points]

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            printer.print_attribute(self.storage_type)
            printer.print_string(":")
            printer.print_attribute(self.expressed_type)
            pairs = ", ".join(
                f"{s.data!r}:{z.data}" for s, z in zip(self.scales, self.zero_points, strict=True)
            )
            printer.print_string(f":{self.quantized_dimension.data}, {{{pairs}}}")


AnyQuantizedType = UniformQuantizedType | UniformQuantizedPerAxisType


def storage_type_of(element_type: Attribute) -> Attribute:
    """The type a value is stored as: the storage integer of a quantized type, else itself."""
    if isinstance(element_type, UniformQuantizedType | UniformQuantizedPerAxisType):
        return element_type.storage_type
    return element_type


def is_quantized_type(element_type: Attribute) -> bool:
    return isinstance(element_type, UniformQuantizedType | UniformQuantizedPerAxisType)


class _ConvertOp(IRDLOperation):
    input = operand_def(TensorType)
    result = result_def(TensorType)

    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` functional-type(operands, results)"

    def __init__(self, input: SSAValue, result_type: Attribute):
        super().__init__(operands=[input], result_types=[result_type])

    def _shapes_and_types(self) -> tuple[Attribute, Attribute]:
        in_type, out_type = self.input.type, self.result.type
        assert isa(in_type, TensorType[Attribute])
        assert isa(out_type, TensorType[Attribute])
        if in_type.get_shape() != out_type.get_shape():
            raise VerifyException(
                f"'{self.name}' input shape {in_type.get_shape()} and result shape "
                f"{out_type.get_shape()} differ"
            )
        return in_type.element_type, out_type.element_type


@irdl_op_definition
class QuantizeOp(_ConvertOp):
    """float -> quantized: `q = clamp(round(x / scale) + zero_point)` (TFLite QUANTIZE)."""

    name = "quant.quantize"

    def verify_(self) -> None:
        src, dst = self._shapes_and_types()
        if is_quantized_type(src) or not isinstance(dst, UniformQuantizedType):
            raise VerifyException(
                f"'{self.name}' converts a float tensor into a per-tensor quantized one, "
                f"not {src} into {dst}"
            )


@irdl_op_definition
class DequantizeOp(_ConvertOp):
    """quantized -> float: `x = scale * (q - zero_point)` (TFLite DEQUANTIZE)."""

    name = "quant.dequantize"

    def verify_(self) -> None:
        src, dst = self._shapes_and_types()
        if not is_quantized_type(src) or is_quantized_type(dst):
            raise VerifyException(
                f"'{self.name}' converts a quantized tensor into a float one, not {src} into {dst}"
            )


@irdl_op_definition
class RequantizeOp(_ConvertOp):
    """quantized -> quantized with other scale/zero point (TFLite QUANTIZE of an int8)."""

    name = "quant.requantize"

    def verify_(self) -> None:
        src, dst = self._shapes_and_types()
        if not isinstance(src, UniformQuantizedType) or not isinstance(dst, UniformQuantizedType):
            raise VerifyException(
                f"'{self.name}' converts between per-tensor quantized types, not {src} into {dst}"
            )


Quant = Dialect(
    "quant",
    [QuantizeOp, DequantizeOp, RequantizeOp],
    [UniformQuantizedType],  # which also parses UniformQuantizedPerAxisType
)
