"""
The `kernel` dialect: one operation per C kernel call, in destination-passing style on
memrefs.

`convert-nn-to-kernel` picks, for each `nn` operator, the kernel that implements it on
the target and the weight layout that kernel wants (weights are repacked at compile
time). Each op here names a family of C functions; its `backend` property says whose
implementation (`generic`, later `neon`, `cmsis_nn`) and its operand types select the
variant (f32, hybrid, int8). Buffers are memrefs:

* activations: `memref.alloc` results (laid out in the arena by `memory-plan`), graph
  inputs and outputs marked by `kernel.input` / `kernel.output`;
* weights: `memref.get_global` of constant `memref.global`s;
* scratch: a `memref<Nxi8>` alloc, live only during its kernel.

`kernel.reshape` is a view (no copy): it aliases its source buffer.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import (
    DenseArrayBase,
    DictionaryAttr,
    FloatAttr,
    IntegerAttr,
    MemRefType,
    StringAttr,
    f32,
    f64,
    i8,
    i32,
    i64,
)
from xdsl.ir import Attribute, Dialect, Operation, SSAValue
from xdsl.irdl import (
    AttrSizedOperandSegments,
    IRDLOperation,
    ParsePropInAttrDict,
    irdl_op_definition,
    operand_def,
    opt_operand_def,
    opt_prop_def,
    prop_def,
    result_def,
    traits_def,
    var_operand_def,
)
from xdsl.traits import MemoryReadEffect, MemoryWriteEffect, Pure
from xdsl.utils.exceptions import VerifyException
from xdsl.utils.hints import isa

from micro.dialects.nn import Activation, ActivationAttr

# ----------------------------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------------------------


def memref_shape(value: SSAValue) -> tuple[int, ...]:
    assert isa(value.type, MemRefType[Attribute]), f"expected a memref, got {value.type}"
    return tuple(value.type.get_shape())


def memref_element_type(value: SSAValue) -> Attribute:
    assert isa(value.type, MemRefType[Attribute]), f"expected a memref, got {value.type}"
    return value.type.element_type


def ints(attr: DenseArrayBase) -> tuple[int, ...]:
    return tuple(int(v) for v in attr.get_values())


def i64_array(values: Sequence[int]) -> DenseArrayBase:
    return DenseArrayBase.from_list(i64, list(values))


def _check_len(op: Operation, name: str, values: Sequence[int], length: int) -> None:
    if len(values) != length:
        raise VerifyException(f"'{op.name}' expects {length} values in '{name}', got {len(values)}")


def _check_rank(op: Operation, what: str, value: SSAValue, rank: int) -> None:
    if len(memref_shape(value)) != rank:
        raise VerifyException(f"'{op.name}' expects a {rank}-D {what}, got {value.type}")


def _check_elem(op: Operation, what: str, value: SSAValue, expected: Attribute) -> None:
    if memref_element_type(value) != expected:
        raise VerifyException(
            f"'{op.name}' expects {what} of element type {expected}, got {value.type}"
        )


def get_activation(op: Operation) -> Activation:
    attr = op.properties.get("activation")
    return attr.data if isinstance(attr, ActivationAttr) else Activation.NONE


_KERNEL_TRAITS = traits_def(MemoryReadEffect(), MemoryWriteEffect())
_SEGMENTS = (AttrSizedOperandSegments(as_property=True), ParsePropInAttrDict())

# The four kernels with a window: their printed form, shared.
_WINDOW_FORMAT = (
    "$input `:` type($input) `,` $filter `:` type($filter)"
    " (`,` `bias` $bias^ `:` type($bias))?"
    " `->` $output `:` type($output)"
    " (`,` `scratch` $scratch^ `:` type($scratch))? attr-dict"
)


class _WindowKernelOp(IRDLOperation):
    input = operand_def(MemRefType)
    filter = operand_def(MemRefType)
    bias = opt_operand_def(MemRefType)
    output = operand_def(MemRefType)
    scratch = opt_operand_def(MemRefType)

    backend = prop_def(StringAttr)
    kernel_size = prop_def(DenseArrayBase)
    strides = prop_def(DenseArrayBase)
    dilations = prop_def(DenseArrayBase)
    pads = prop_def(DenseArrayBase)
    activation = opt_prop_def(ActivationAttr)

    traits = _KERNEL_TRAITS
    irdl_options = _SEGMENTS
    assembly_format = _WINDOW_FORMAT

    def __init__(
        self,
        input: SSAValue,
        filter: SSAValue,
        bias: SSAValue | None,
        output: SSAValue,
        scratch: SSAValue | None,
        *,
        backend: str,
        kernel_size: Sequence[int],
        strides: Sequence[int],
        dilations: Sequence[int],
        pads: Sequence[int],
        activation: Activation,
        extra: dict[str, Attribute] | None = None,
    ):
        super().__init__(
            operands=[input, filter, bias, output, scratch],
            properties={
                "backend": StringAttr(backend),
                "kernel_size": i64_array(kernel_size),
                "strides": i64_array(strides),
                "dilations": i64_array(dilations),
                "pads": i64_array(pads),
                "activation": ActivationAttr(activation),
                **(extra or {}),
            },
        )

    def verify_(self) -> None:
        _check_len(self, "kernel_size", ints(self.kernel_size), 2)
        _check_len(self, "strides", ints(self.strides), 2)
        _check_len(self, "dilations", ints(self.dilations), 2)
        _check_len(self, "pads", ints(self.pads), 4)
        _check_rank(self, "input", self.input, 4)
        _check_rank(self, "output", self.output, 4)
        _check_elem(self, "an input", self.input, f32)
        _check_elem(self, "an output", self.output, f32)
        if self.bias is not None:
            _check_elem(self, "a bias", self.bias, f32)
            if memref_shape(self.bias) != (memref_shape(self.output)[3],):
                raise VerifyException(
                    f"'{self.name}' bias shape {memref_shape(self.bias)} does not match "
                    f"{memref_shape(self.output)[3]} output channels"
                )
        if self.scratch is not None:
            _check_rank(self, "scratch", self.scratch, 1)


@irdl_op_definition
class Conv2DOp(_WindowKernelOp):
    """
    f32 convolution (`micro_conv2d_f32`). The filter is in the kernel's packed panel
    layout, a 1-D memref of `ceil(O/8) * KH * KW * I * 8` floats (see conv2d_f32.h).
    """

    name = "kernel.conv2d"

    def verify_(self) -> None:
        super().verify_()
        _check_rank(self, "packed filter", self.filter, 1)
        _check_elem(self, "a filter", self.filter, f32)
        kh, kw = ints(self.kernel_size)
        out_c, in_c = memref_shape(self.output)[3], memref_shape(self.input)[3]
        expected = -(-out_c // 8) * kh * kw * in_c * 8
        if memref_shape(self.filter)[0] != expected:
            raise VerifyException(
                f"'{self.name}' packed filter holds {memref_shape(self.filter)[0]} floats, "
                f"expected {expected}"
            )


@irdl_op_definition
class Conv2DHybridOp(_WindowKernelOp):
    """
    Convolution of f32 activations with int8 per-tensor weights, LiteRT's hybrid
    semantics (`micro_conv2d_hybrid_f32`). The filter stays OHWI int8; `filter_scale` is
    its quantization scale.
    """

    name = "kernel.conv2d_hybrid"

    filter_scale = prop_def(FloatAttr)

    def verify_(self) -> None:
        super().verify_()
        _check_rank(self, "filter", self.filter, 4)
        _check_elem(self, "a filter", self.filter, i8)
        if any(d != 1 for d in ints(self.dilations)):
            raise VerifyException(f"'{self.name}' supports dilation 1 only")


@irdl_op_definition
class DepthwiseConv2DOp(_WindowKernelOp):
    """f32 depthwise convolution (`micro_depthwise_conv2d_f32`), filter [1, KH, KW, C]."""

    name = "kernel.depthwise_conv2d"

    depth_multiplier = prop_def(IntegerAttr)

    def verify_(self) -> None:
        super().verify_()
        _check_rank(self, "filter", self.filter, 4)
        _check_elem(self, "a filter", self.filter, f32)


@irdl_op_definition
class FullyConnectedOp(IRDLOperation):
    """
    f32 fully connected layer (`micro_fully_connected_f32`). The weights are in the
    kernel's packed panel layout [ceil(out / 8), in, 8] (see fully_connected_f32.h).
    """

    name = "kernel.fully_connected"

    input = operand_def(MemRefType)
    weights = operand_def(MemRefType)
    bias = opt_operand_def(MemRefType)
    output = operand_def(MemRefType)

    backend = prop_def(StringAttr)
    activation = opt_prop_def(ActivationAttr)

    traits = _KERNEL_TRAITS
    irdl_options = _SEGMENTS
    assembly_format = (
        "$input `:` type($input) `,` $weights `:` type($weights)"
        " (`,` `bias` $bias^ `:` type($bias))? `->` $output `:` type($output) attr-dict"
    )

    def __init__(
        self,
        input: SSAValue,
        weights: SSAValue,
        bias: SSAValue | None,
        output: SSAValue,
        *,
        backend: str,
        activation: Activation,
    ):
        super().__init__(
            operands=[input, weights, bias, output],
            properties={"backend": StringAttr(backend), "activation": ActivationAttr(activation)},
        )

    def verify_(self) -> None:
        _check_rank(self, "packed weights", self.weights, 3)
        for what, value in (
            ("input", self.input),
            ("weights", self.weights),
            ("output", self.output),
        ):
            _check_elem(self, what, value, f32)
        panels, in_features, lanes = memref_shape(self.weights)
        out_shape = memref_shape(self.output)
        out_features = out_shape[-1] if out_shape else 1
        if lanes != 8 or panels != -(-out_features // 8):
            raise VerifyException(
                f"'{self.name}' packed weights {self.weights.type} do not hold "
                f"{out_features} outputs in panels of 8"
            )
        in_elems = _product(memref_shape(self.input))
        out_elems = _product(out_shape)
        if in_elems % in_features or out_elems != in_elems // in_features * out_features:
            raise VerifyException(
                f"'{self.name}' shapes do not match: input {self.input.type}, weights "
                f"{self.weights.type}, output {self.output.type}"
            )


@irdl_op_definition
class Pool2DOp(IRDLOperation):
    """f32 average or max pooling (`micro_avg_pool2d_f32` / `micro_max_pool2d_f32`)."""

    name = "kernel.pool2d"

    input = operand_def(MemRefType)
    output = operand_def(MemRefType)

    backend = prop_def(StringAttr)
    mode = prop_def(StringAttr)
    kernel_size = prop_def(DenseArrayBase)
    strides = prop_def(DenseArrayBase)
    pads = prop_def(DenseArrayBase)
    count_include_pad = prop_def(IntegerAttr)
    activation = opt_prop_def(ActivationAttr)

    traits = _KERNEL_TRAITS
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input `:` type($input) `->` $output `:` type($output) attr-dict"

    def __init__(
        self,
        input: SSAValue,
        output: SSAValue,
        *,
        backend: str,
        mode: str,
        kernel_size: Sequence[int],
        strides: Sequence[int],
        pads: Sequence[int],
        count_include_pad: bool,
        activation: Activation,
    ):
        super().__init__(
            operands=[input, output],
            properties={
                "backend": StringAttr(backend),
                "mode": StringAttr(mode),
                "kernel_size": i64_array(kernel_size),
                "strides": i64_array(strides),
                "pads": i64_array(pads),
                "count_include_pad": IntegerAttr(int(count_include_pad), i64),
                "activation": ActivationAttr(activation),
            },
        )

    def verify_(self) -> None:
        if self.mode.data not in ("avg", "max"):
            raise VerifyException(
                f"'{self.name}' mode must be 'avg' or 'max', got '{self.mode.data}'"
            )
        _check_rank(self, "input", self.input, 4)
        _check_rank(self, "output", self.output, 4)


BINARY_FUNCTIONS = ("add", "sub", "mul", "div", "maximum", "minimum")


@irdl_op_definition
class BinaryOp(IRDLOperation):
    """f32 element-wise binary op with broadcasting (`micro_<fn>_f32`)."""

    name = "kernel.binary"

    lhs = operand_def(MemRefType)
    rhs = operand_def(MemRefType)
    output = operand_def(MemRefType)

    backend = prop_def(StringAttr)
    fn = prop_def(StringAttr)
    activation = opt_prop_def(ActivationAttr)

    traits = _KERNEL_TRAITS
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = (
        "$lhs `:` type($lhs) `,` $rhs `:` type($rhs) `->` $output `:` type($output) attr-dict"
    )

    def __init__(
        self,
        lhs: SSAValue,
        rhs: SSAValue,
        output: SSAValue,
        *,
        backend: str,
        fn: str,
        activation: Activation,
    ):
        super().__init__(
            operands=[lhs, rhs, output],
            properties={
                "backend": StringAttr(backend),
                "fn": StringAttr(fn),
                "activation": ActivationAttr(activation),
            },
        )

    def verify_(self) -> None:
        if self.fn.data not in BINARY_FUNCTIONS:
            raise VerifyException(
                f"'{self.name}' fn '{self.fn.data}' is not one of {', '.join(BINARY_FUNCTIONS)}"
            )


UNARY_FUNCTIONS = ("relu", "relu6", "relu_n1_to_1", "logistic", "tanh")


@irdl_op_definition
class UnaryOp(IRDLOperation):
    """f32 element-wise activation (`micro_clamp_f32`, `micro_logistic_f32`, ...)."""

    name = "kernel.unary"

    input = operand_def(MemRefType)
    output = operand_def(MemRefType)

    backend = prop_def(StringAttr)
    fn = prop_def(StringAttr)

    traits = _KERNEL_TRAITS
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input `:` type($input) `->` $output `:` type($output) attr-dict"

    def __init__(self, input: SSAValue, output: SSAValue, *, backend: str, fn: str):
        super().__init__(
            operands=[input, output],
            properties={"backend": StringAttr(backend), "fn": StringAttr(fn)},
        )

    def verify_(self) -> None:
        if self.fn.data not in UNARY_FUNCTIONS:
            raise VerifyException(
                f"'{self.name}' fn '{self.fn.data}' is not one of {', '.join(UNARY_FUNCTIONS)}"
            )
        if memref_shape(self.input) != memref_shape(self.output):
            raise VerifyException(f"'{self.name}' input and output shapes differ")


@irdl_op_definition
class SoftmaxOp(IRDLOperation):
    """f32 softmax over the innermost axis (`micro_softmax_f32`)."""

    name = "kernel.softmax"

    input = operand_def(MemRefType)
    output = operand_def(MemRefType)

    backend = prop_def(StringAttr)
    beta = prop_def(FloatAttr)

    traits = _KERNEL_TRAITS
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$input `:` type($input) `->` $output `:` type($output) attr-dict"

    def __init__(self, input: SSAValue, output: SSAValue, *, backend: str, beta: float):
        super().__init__(
            operands=[input, output],
            properties={"backend": StringAttr(backend), "beta": FloatAttr(beta, f32)},
        )

    def verify_(self) -> None:
        if memref_shape(self.input) != memref_shape(self.output):
            raise VerifyException(f"'{self.name}' input and output shapes differ")


@irdl_op_definition
class ReshapeOp(IRDLOperation):
    """A view of `source` with another shape and the same bytes: no copy is made."""

    name = "kernel.reshape"

    source = operand_def(MemRefType)
    result = result_def(MemRefType)

    traits = traits_def(Pure())
    assembly_format = "$source attr-dict `:` type($source) `to` type($result)"

    def __init__(self, source: SSAValue, result_type: Attribute):
        super().__init__(operands=[source], result_types=[result_type])

    def verify_(self) -> None:
        if _product(memref_shape(self.source)) != _product(memref_shape(self.result)):
            raise VerifyException(f"'{self.name}' element counts differ")
        if memref_element_type(self.source) != memref_element_type(self.result):
            raise VerifyException(f"'{self.name}' element types differ")


@irdl_op_definition
class CopyOp(IRDLOperation):
    """Copy the bytes of `source` into `target` (same size)."""

    name = "kernel.copy"

    source = operand_def(MemRefType)
    target = operand_def(MemRefType)

    traits = _KERNEL_TRAITS
    assembly_format = "$source `:` type($source) `->` $target `:` type($target) attr-dict"

    def __init__(self, source: SSAValue, target: SSAValue):
        super().__init__(operands=[source, target])


class _IOMarkerOp(IRDLOperation):
    buffer = operand_def(MemRefType)

    tensor_name = prop_def(StringAttr, prop_name="name")
    index = prop_def(IntegerAttr)
    # Quantization of an int8 graph input/output (real = scale * (q - zero_point)).
    scale = opt_prop_def(FloatAttr)
    zero_point = opt_prop_def(IntegerAttr)

    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$buffer `:` type($buffer) attr-dict"

    def __init__(
        self,
        buffer: SSAValue,
        name: str,
        index: int,
        quantization: tuple[float, int] | None = None,
    ):
        properties: dict[str, Attribute] = {
            "name": StringAttr(name),
            "index": IntegerAttr(index, i64),
        }
        if quantization is not None:
            properties["scale"] = FloatAttr(quantization[0], f64)
            properties["zero_point"] = IntegerAttr(quantization[1], i32)
        super().__init__(operands=[buffer], properties=properties)

    def quantization(self) -> tuple[float, int] | None:
        if self.scale is None or self.zero_point is None:
            return None
        return self.scale.value.data, self.zero_point.value.data

    def verify_(self) -> None:
        if (self.scale is None) != (self.zero_point is None):
            raise VerifyException(f"'{self.name}' scale and zero_point go together")


@irdl_op_definition
class InputOp(_IOMarkerOp):
    """
    Marks `buffer` as graph input number `index`, called `name`. It must precede every
    use of the buffer; the application writes the buffer before inference.
    """

    name = "kernel.input"

    traits = traits_def(MemoryWriteEffect())


@irdl_op_definition
class OutputOp(_IOMarkerOp):
    """
    Marks `buffer` as graph output number `index`, called `name`. It follows the last
    write of the buffer; the application reads the buffer after inference.
    """

    name = "kernel.output"

    traits = traits_def(MemoryReadEffect())


@irdl_op_definition
class CallOp(IRDLOperation):
    """
    A call of a library kernel described by its ABI rather than by a dedicated op:
    `callee(args..., &params)` where `args` are buffers in C argument order.

    * `header`: the kernel's header in micro's C library (its `.c` sits beside it);
    * `writes`: indices of the operands the kernel writes (the others are `const`);
    * `scratch`: index of an operand that is scratch (live during this call only);
    * `in_place`: triples (target, operand, same_size): buffer `target` may take the
      bytes of `operand` when the operand dies here (same size, or at most its size);
    * `literals`: C expressions spliced into the argument list, keyed by their position
      in it (e.g. `{"6" = "NULL"}` for an absent scratch, `{"2" = "1960"}` for a size);
    * `params_type` / `params`: the constant parameter struct passed last, by address.

    The backend rule that creates it has chosen the kernel and computed its parameters;
    the op only records that choice.
    """

    name = "kernel.call"

    args = var_operand_def(MemRefType)

    callee = prop_def(StringAttr)
    backend = prop_def(StringAttr)
    header = prop_def(StringAttr)
    writes = prop_def(DenseArrayBase)
    scratch = opt_prop_def(IntegerAttr)
    in_place = opt_prop_def(DenseArrayBase)
    literals = opt_prop_def(DictionaryAttr)
    params_type = opt_prop_def(StringAttr)
    params = opt_prop_def(DictionaryAttr)

    traits = _KERNEL_TRAITS
    irdl_options = (ParsePropInAttrDict(),)
    assembly_format = "$callee `(` $args `)` attr-dict `:` type($args)"

    def __init__(
        self,
        callee: str,
        args: Sequence[SSAValue],
        *,
        backend: str,
        header: str,
        writes: Sequence[int],
        scratch: int | None = None,
        in_place: Sequence[tuple[int, int, bool]] = (),
        literals: dict[int, str] | None = None,
        params_type: str | None = None,
        params: dict[str, Attribute] | None = None,
    ):
        flat = [v for t, o, same in in_place for v in (t, o, int(same))]
        literal_attr = (
            DictionaryAttr({str(k): StringAttr(v) for k, v in sorted(literals.items())})
            if literals
            else None
        )
        super().__init__(
            operands=[args],
            properties={
                "callee": StringAttr(callee),
                "backend": StringAttr(backend),
                "header": StringAttr(header),
                "writes": i64_array(writes),
                "scratch": IntegerAttr(scratch, i64) if scratch is not None else None,
                "in_place": i64_array(flat) if flat else None,
                "literals": literal_attr,
                "params_type": StringAttr(params_type) if params_type is not None else None,
                "params": DictionaryAttr(params) if params is not None else None,
            },
        )

    def written(self) -> list[SSAValue]:
        return [self.args[i] for i in ints(self.writes)]

    def c_arguments(self) -> list[SSAValue | str]:
        """The C arguments before `&params`: operands, with the literals spliced in."""
        literals: dict[int, str] = {}
        if self.literals is not None:
            for key, value in self.literals.data.items():
                assert isinstance(value, StringAttr)
                literals[int(key)] = value.data
        operands = iter(self.args)
        return [
            literals[i] if i in literals else next(operands)
            for i in range(len(self.args) + len(literals))
        ]

    def scratch_value(self) -> SSAValue | None:
        return self.args[self.scratch.value.data] if self.scratch is not None else None

    def in_place_triples(self) -> list[tuple[SSAValue, SSAValue, bool]]:
        if self.in_place is None:
            return []
        flat = ints(self.in_place)
        return [
            (self.args[flat[i]], self.args[flat[i + 1]], bool(flat[i + 2]))
            for i in range(0, len(flat), 3)
        ]

    def verify_(self) -> None:
        n = len(self.args)
        writes = ints(self.writes)
        if not self.callee.data.isidentifier():
            raise VerifyException(f"'{self.name}' callee '{self.callee.data}' is not a C name")
        if not self.header.data.endswith(".h"):
            raise VerifyException(f"'{self.name}' header '{self.header.data}' is not a .h file")
        if not writes or any(not 0 <= w < n for w in writes) or len(set(writes)) != len(writes):
            raise VerifyException(
                f"'{self.name}' writes {list(writes)} must name distinct operands of {n}"
            )
        if self.scratch is not None and self.scratch.value.data not in writes:
            raise VerifyException(f"'{self.name}' scratch operand must be written")
        if self.in_place is not None:
            flat = ints(self.in_place)
            if len(flat) % 3 or any(
                flat[i] not in writes or not 0 <= flat[i + 1] < n for i in range(0, len(flat), 3)
            ):
                raise VerifyException(
                    f"'{self.name}' in_place needs (written target, operand, same_size) triples"
                )
        if (self.params is None) != (self.params_type is None):
            raise VerifyException(f"'{self.name}' params and params_type go together")
        if self.literals is not None:
            total = n + len(self.literals.data)
            for key, value in self.literals.data.items():
                if not key.isdigit() or not int(key) < total:
                    raise VerifyException(
                        f"'{self.name}' literal position '{key}' is not an argument position "
                        f"(0..{total - 1})"
                    )
                if not isinstance(value, StringAttr) or not value.data.strip():
                    raise VerifyException(f"'{self.name}' literal {key} must be a C expression")


def _product(values: Sequence[int]) -> int:
    result = 1
    for v in values:
        result *= v
    return result


Kernel = Dialect(
    "kernel",
    [
        Conv2DOp,
        Conv2DHybridOp,
        DepthwiseConv2DOp,
        FullyConnectedOp,
        Pool2DOp,
        BinaryOp,
        UnaryOp,
        SoftmaxOp,
        ReshapeOp,
        CopyOp,
        InputOp,
        OutputOp,
        CallOp,
    ],
    [],
)
