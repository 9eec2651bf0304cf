"""Write TFLite flatbuffers from Python.

A small builder for single-subgraph TFLite models, used to create test models and the bundled
examples without TensorFlow.  It writes through the ``flatbuffers`` builder and the builder
functions generated into the ``tflite`` package (schema ``tensorflow/lite/schema/schema.fbs``)::

    b = TFLiteModelBuilder(description="tiny conv")
    x = b.add_input("input", shape=[1, 8, 8, 1], dtype=np.float32)
    w = b.add_constant("conv/w", np.zeros((4, 3, 3, 1), np.float32))  # OHWI
    bias = b.add_constant("conv/b", np.zeros(4, np.float32))
    y = b.add_tensor("conv/out", shape=[1, 8, 8, 4], dtype=np.float32)
    b.add_operator("CONV_2D", inputs=[x, w, bias], outputs=[y],
                   options={"padding": "SAME", "stride_w": 1, "stride_h": 1,
                            "fused_activation_function": "RELU"})
    b.mark_output(y)
    data: bytes = b.build()

The result follows what TFLite's own writers produce: schema version 3, file identifier
``TFL3``, buffer 0 empty (tensors without data refer to it), one buffer per constant with its
bytes 16-byte aligned inside the file, operator codes deduplicated by ``(code, version)`` with
both ``deprecated_builtin_code`` (``min(code, 127)``) and ``builtin_code`` set.

Tensor indices are plain ``int`` s (positions in the subgraph's tensor list); ``-1`` may be
given as an operator input to mean "optional input omitted".  Shapes are not inferred: give
every tensor its static shape.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import flatbuffers
import numpy as np
import numpy.typing as npt
import tflite

__all__ = [
    "OPTIONS_OPERATORS",
    "OptionValue",
    "Quantization",
    "TFLiteModelBuilder",
    "tensor_type_of",
]

OptionValue = int | float | bool | str | Sequence[int]
"""A value in an operator's ``options`` mapping.

Enum fields take their schema names as strings (``padding="SAME"``,
``fused_activation_function="RELU6"``, ``weights_format="DEFAULT"``,
``quantized_bias_type="INT32"``); ints are accepted as raw enum values.
"""

_FieldValue = int | float | bool | tuple[int, ...]  # an option converted for the flatbuffer

_SCHEMA_VERSION = 3
_FILE_IDENTIFIER = b"TFL3"
_BUFFER_ALIGNMENT = 16
_PLACEHOLDER_FOR_GREATER_OP_CODES = 127

_DTYPE_TO_TENSOR_TYPE: dict[np.dtype[Any], int] = {
    np.dtype(np.float32): tflite.TensorType.FLOAT32,
    np.dtype(np.float16): tflite.TensorType.FLOAT16,
    np.dtype(np.float64): tflite.TensorType.FLOAT64,
    np.dtype(np.int8): tflite.TensorType.INT8,
    np.dtype(np.uint8): tflite.TensorType.UINT8,
    np.dtype(np.int16): tflite.TensorType.INT16,
    np.dtype(np.uint16): tflite.TensorType.UINT16,
    np.dtype(np.int32): tflite.TensorType.INT32,
    np.dtype(np.uint32): tflite.TensorType.UINT32,
    np.dtype(np.int64): tflite.TensorType.INT64,
    np.dtype(np.uint64): tflite.TensorType.UINT64,
    np.dtype(np.bool_): tflite.TensorType.BOOL,
}


def tensor_type_of(dtype: npt.DTypeLike) -> int:
    """The ``tflite.TensorType`` value for a numpy dtype (``ValueError`` if unsupported)."""
    dt = np.dtype(dtype).newbyteorder("=")
    try:
        return _DTYPE_TO_TENSOR_TYPE[dt]
    except KeyError:
        raise ValueError(f"no TFLite tensor type for numpy dtype {dt}") from None


@dataclass(frozen=True)
class Quantization:
    """Affine quantization of a tensor: ``real = scale * (q - zero_point)``.

    Per-tensor: one scale and one zero point.  Per-channel (e.g. int8 conv filters, int32
    biases): one entry per slice along ``quantized_dimension``.
    """

    scale: Sequence[float]
    zero_point: Sequence[int]
    quantized_dimension: int = 0
    min: Sequence[float] | None = None
    max: Sequence[float] | None = None

    def __post_init__(self) -> None:
        if len(self.scale) == 0 or len(self.scale) != len(self.zero_point):
            raise ValueError("scale and zero_point must be non-empty and of equal length")


# --------------------------------------------------------------------------- operator options
# Field kinds: how a Python value is turned into the flatbuffer field value.
_ENUM_KINDS: dict[str, type] = {
    "padding": tflite.Padding,
    "activation": tflite.ActivationFunctionType,
    "weights_format": tflite.FullyConnectedOptionsWeightsFormat,
    "tensor_type": tflite.TensorType,
}
_SCALAR_KINDS = ("int", "bool", "float", "int_vector")


@dataclass(frozen=True)
class _OptionsSpec:
    table: str  # name of the options table in schema.fbs, e.g. "Conv2DOptions"
    fields: Mapping[str, str]  # option name -> kind
    defaults: Mapping[str, OptionValue]  # written when the caller leaves the option out
    required: tuple[str, ...] = ()

    @property
    def union_type(self) -> int:
        return int(getattr(tflite.BuiltinOptions, self.table))

    def adder(self, field: str) -> Callable[[flatbuffers.Builder, Any], None]:
        camel = "".join(part.capitalize() for part in field.split("_"))
        return getattr(tflite, f"{self.table}Add{camel}")


_CONV_FIELDS = {
    "padding": "padding",
    "stride_w": "int",
    "stride_h": "int",
    "fused_activation_function": "activation",
    "dilation_w_factor": "int",
    "dilation_h_factor": "int",
}
_STRIDES_1 = {"stride_w": 1, "stride_h": 1}
_POOL = _OptionsSpec(
    "Pool2DOptions",
    {
        "padding": "padding",
        "stride_w": "int",
        "stride_h": "int",
        "filter_width": "int",
        "filter_height": "int",
        "fused_activation_function": "activation",
    },
    _STRIDES_1,
    required=("filter_width", "filter_height"),
)
_BINARY = {"fused_activation_function": "activation", "pot_scale_int16": "bool"}

_OPTIONS: dict[str, _OptionsSpec] = {
    "CONV_2D": _OptionsSpec(
        "Conv2DOptions", {**_CONV_FIELDS, "quantized_bias_type": "tensor_type"}, _STRIDES_1
    ),
    "DEPTHWISE_CONV_2D": _OptionsSpec(
        "DepthwiseConv2DOptions",
        {**_CONV_FIELDS, "depth_multiplier": "int"},
        {**_STRIDES_1, "depth_multiplier": 1},
    ),
    "FULLY_CONNECTED": _OptionsSpec(
        "FullyConnectedOptions",
        {
            "fused_activation_function": "activation",
            "weights_format": "weights_format",
            "keep_num_dims": "bool",
            "asymmetric_quantize_inputs": "bool",
            "quantized_bias_type": "tensor_type",
        },
        {},
    ),
    "AVERAGE_POOL_2D": _POOL,
    "MAX_POOL_2D": _POOL,
    "ADD": _OptionsSpec("AddOptions", _BINARY, {}),
    "SUB": _OptionsSpec("SubOptions", _BINARY, {}),
    "MUL": _OptionsSpec("MulOptions", {"fused_activation_function": "activation"}, {}),
    "RESHAPE": _OptionsSpec("ReshapeOptions", {"new_shape": "int_vector"}, {}),
    # The schema default for beta is 0.0; every TFLite writer emits 1.0 for a plain softmax.
    "SOFTMAX": _OptionsSpec("SoftmaxOptions", {"beta": "float"}, {"beta": 1.0}),
    "CONCATENATION": _OptionsSpec(
        "ConcatenationOptions", {"axis": "int", "fused_activation_function": "activation"}, {}
    ),
    "MEAN": _OptionsSpec("ReducerOptions", {"keep_dims": "bool"}, {}),
    "LEAKY_RELU": _OptionsSpec("LeakyReluOptions", {"alpha": "float"}, {}),
}
for _spec in _OPTIONS.values():  # fail at import time if the tflite package lacks a function
    for _field, _kind in _spec.fields.items():
        assert _kind in _ENUM_KINDS or _kind in _SCALAR_KINDS, _kind
        _spec.adder(_field)

OPTIONS_OPERATORS: frozenset[str] = frozenset(_OPTIONS)
"""Builtin operators whose options table this module writes.  Any other builtin operator can
be added too, but only without options (its ``builtin_options`` is left empty)."""


def _builtin_code(op: str | int) -> tuple[str, int]:
    if isinstance(op, int):
        names = [k for k, v in vars(tflite.BuiltinOperator).items() if v == op and k.isupper()]
        if not names:
            raise ValueError(f"unknown builtin operator code {op}")
        return names[0], op
    code = getattr(tflite.BuiltinOperator, op, None)
    if not isinstance(code, int) or not op.isupper():
        raise ValueError(f"unknown builtin operator {op!r}")
    return op, code


def _convert_option(op: str, field: str, kind: str, value: OptionValue) -> _FieldValue:
    if kind in _ENUM_KINDS:
        enum = _ENUM_KINDS[kind]
        if isinstance(value, str):
            number = getattr(enum, value, None) if not value.startswith("_") else None
            if not isinstance(number, int):
                raise ValueError(f"{op}: invalid {field} {value!r}")
            return number
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise TypeError(f"{op}: {field} must be an enum name or int, got {value!r}")
    if kind == "int_vector":
        if isinstance(value, str | bytes) or not isinstance(value, Sequence):
            raise TypeError(f"{op}: {field} must be a sequence of ints")
        return tuple(int(v) for v in value)
    if isinstance(value, str) or (not isinstance(value, int | float | np.number)):
        raise TypeError(f"{op}: {field} must be a number, got {value!r}")
    if kind == "bool":
        return bool(value)
    if kind == "int":
        if int(value) != value:
            raise ValueError(f"{op}: {field} must be an integer, got {value!r}")
        return int(value)
    return float(value)


# --------------------------------------------------------------------------- the builder
@dataclass(frozen=True)
class _Tensor:
    name: str
    shape: tuple[int, ...]
    tensor_type: int
    buffer: int
    quantization: Quantization | None


@dataclass(frozen=True)
class _Operator:
    opcode_index: int
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]
    options: _OptionsSpec | None
    option_values: tuple[tuple[str, _FieldValue], ...]


class TFLiteModelBuilder:
    """Collects tensors and operators of one subgraph and serializes them with :meth:`build`."""

    def __init__(self, description: str = "micro.frontends.tflite_builder") -> None:
        self.description = description
        self._buffers: list[bytes] = [b""]  # buffer 0: the empty sentinel buffer
        self._tensors: list[_Tensor] = []
        self._opcodes: list[tuple[int, int]] = []  # (builtin code, version)
        self._operators: list[_Operator] = []
        self._inputs: list[int] = []
        self._outputs: list[int] = []

    # ---- tensors
    @property
    def num_tensors(self) -> int:
        return len(self._tensors)

    def add_tensor(
        self,
        name: str,
        shape: Sequence[int],
        dtype: npt.DTypeLike = np.float32,
        quantization: Quantization | None = None,
    ) -> int:
        """Add a tensor without data (activation/intermediate/output); returns its index."""
        return self._append(name, shape, tensor_type_of(dtype), 0, quantization)

    def add_input(
        self,
        name: str,
        shape: Sequence[int],
        dtype: npt.DTypeLike = np.float32,
        quantization: Quantization | None = None,
    ) -> int:
        """Add a tensor and mark it as a subgraph input (in call order); returns its index."""
        index = self.add_tensor(name, shape, dtype, quantization)
        self.mark_input(index)
        return index

    def add_constant(
        self, name: str, value: npt.ArrayLike, quantization: Quantization | None = None
    ) -> int:
        """Add a constant tensor holding ``value`` (shape and dtype from the array).

        The data is stored little-endian, row-major, in a buffer of its own.  Use the layouts
        TFLite expects: conv filters OHWI, depthwise filters 1HW(C*M), FC weights [out, in].
        """
        array = np.asarray(value)
        tensor_type = tensor_type_of(array.dtype)
        data = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<")).tobytes()
        self._buffers.append(data)
        return self._append(name, array.shape, tensor_type, len(self._buffers) - 1, quantization)

    def _append(
        self,
        name: str,
        shape: Sequence[int],
        tensor_type: int,
        buffer: int,
        quantization: Quantization | None,
    ) -> int:
        dims = tuple(int(d) for d in shape)
        if any(d < 0 for d in dims):
            raise ValueError(f"tensor {name!r}: dynamic dimensions are not supported: {dims}")
        if quantization is not None:
            channels = len(quantization.scale)
            qdim = quantization.quantized_dimension
            if channels > 1 and not (0 <= qdim < len(dims) and dims[qdim] == channels):
                raise ValueError(
                    f"tensor {name!r}: {channels} scales do not match dimension {qdim} of {dims}"
                )
        self._tensors.append(_Tensor(name, dims, tensor_type, buffer, quantization))
        return len(self._tensors) - 1

    def _check_index(self, index: int, *, optional: bool = False) -> int:
        if optional and index == -1:
            return -1
        if not 0 <= index < len(self._tensors):
            raise IndexError(f"no tensor with index {index}")
        return int(index)

    def mark_input(self, tensor: int) -> None:
        """Append ``tensor`` to the subgraph inputs (``add_input`` does this for you)."""
        self._inputs.append(self._check_index(tensor))

    def mark_output(self, tensor: int) -> None:
        """Append ``tensor`` to the subgraph outputs."""
        self._outputs.append(self._check_index(tensor))

    # ---- operators
    def add_operator(
        self,
        op: str | int,
        inputs: Sequence[int],
        outputs: Sequence[int],
        options: Mapping[str, OptionValue] | None = None,
        version: int = 1,
    ) -> int:
        """Add builtin operator ``op`` (name as in ``tflite.BuiltinOperator``, e.g. ``"CONV_2D"``,
        or its code); returns the operator's index.

        ``options`` holds the fields of the operator's options table by their schema names
        (see :data:`OPTIONS_OPERATORS`).  Left-out fields keep the schema default, except
        ``stride_w``/``stride_h`` (default 1), ``depth_multiplier`` (1) and softmax ``beta``
        (1.0); pool ``filter_width``/``filter_height`` are required.  Operators with an options
        table always get one written, so ``options`` may be omitted, e.g. for RESHAPE with a
        shape-tensor input.  ``version`` is the operator code version (1 is accepted by every
        registration of the builtin op resolvers).
        """
        name, code = _builtin_code(op)
        spec = _OPTIONS.get(name)
        given = dict(options or {})
        values: list[tuple[str, _FieldValue]] = []
        if spec is None:
            if given:
                raise ValueError(f"{name}: writing options is not supported for this operator")
        else:
            unknown = sorted(set(given) - set(spec.fields))
            if unknown:
                raise ValueError(f"{name}: unknown options {unknown}; known: {sorted(spec.fields)}")
            missing = [f for f in spec.required if f not in given]
            if missing:
                raise ValueError(f"{name}: missing required options {missing}")
            merged = {**spec.defaults, **given}
            for field, kind in spec.fields.items():  # schema order, for stable output
                if field in merged:
                    values.append((field, _convert_option(name, field, kind, merged[field])))
        key = (code, int(version))
        if key not in self._opcodes:
            self._opcodes.append(key)
        self._operators.append(
            _Operator(
                opcode_index=self._opcodes.index(key),
                inputs=tuple(self._check_index(i, optional=True) for i in inputs),
                outputs=tuple(self._check_index(o) for o in outputs),
                options=spec,
                option_values=tuple(values),
            )
        )
        return len(self._operators) - 1

    # ---- serialization
    def build(self) -> bytes:
        """Serialize the model to TFLite flatbuffer bytes."""
        if not self._outputs:
            raise ValueError("the model has no outputs; call mark_output()")
        fb = flatbuffers.Builder(1024 + sum(len(b) for b in self._buffers))

        # Buffers first: flatbuffers are written back to front, so the (large) constant data
        # ends up at the end of the file, after the small tables.
        buffers = []
        for data in self._buffers:
            data_vec = _aligned_byte_vector(fb, data) if data else None
            tflite.BufferStart(fb)
            if data_vec is not None:
                tflite.BufferAddData(fb, data_vec)
            buffers.append(tflite.BufferEnd(fb))

        tensors = [self._write_tensor(fb, t) for t in self._tensors]
        operators = [self._write_operator(fb, o) for o in self._operators]

        tensors_vec = _offset_vector(fb, tensors)
        operators_vec = _offset_vector(fb, operators)
        inputs_vec = _int32_vector(fb, self._inputs)
        outputs_vec = _int32_vector(fb, self._outputs)
        subgraph_name = fb.CreateString("main")
        tflite.SubGraphStart(fb)
        tflite.SubGraphAddTensors(fb, tensors_vec)
        tflite.SubGraphAddInputs(fb, inputs_vec)
        tflite.SubGraphAddOutputs(fb, outputs_vec)
        tflite.SubGraphAddOperators(fb, operators_vec)
        tflite.SubGraphAddName(fb, subgraph_name)
        subgraph = tflite.SubGraphEnd(fb)

        opcodes = []
        for code, version in self._opcodes:
            tflite.OperatorCodeStart(fb)
            tflite.OperatorCodeAddDeprecatedBuiltinCode(
                fb, min(code, _PLACEHOLDER_FOR_GREATER_OP_CODES)
            )
            tflite.OperatorCodeAddBuiltinCode(fb, code)
            tflite.OperatorCodeAddVersion(fb, version)
            opcodes.append(tflite.OperatorCodeEnd(fb))

        opcodes_vec = _offset_vector(fb, opcodes)
        subgraphs_vec = _offset_vector(fb, [subgraph])
        buffers_vec = _offset_vector(fb, buffers)
        description = fb.CreateString(self.description)
        tflite.ModelStart(fb)
        tflite.ModelAddVersion(fb, _SCHEMA_VERSION)
        tflite.ModelAddOperatorCodes(fb, opcodes_vec)
        tflite.ModelAddSubgraphs(fb, subgraphs_vec)
        tflite.ModelAddDescription(fb, description)
        tflite.ModelAddBuffers(fb, buffers_vec)
        fb.Finish(tflite.ModelEnd(fb), file_identifier=_FILE_IDENTIFIER)
        return bytes(fb.Output())

    @staticmethod
    def _write_tensor(fb: flatbuffers.Builder, t: _Tensor) -> int:
        quant = _write_quantization(fb, t.quantization) if t.quantization is not None else None
        name = fb.CreateString(t.name)
        shape = _int32_vector(fb, t.shape)
        tflite.TensorStart(fb)
        tflite.TensorAddShape(fb, shape)
        tflite.TensorAddType(fb, t.tensor_type)
        tflite.TensorAddBuffer(fb, t.buffer)
        tflite.TensorAddName(fb, name)
        if quant is not None:
            tflite.TensorAddQuantization(fb, quant)
        return int(tflite.TensorEnd(fb))

    @staticmethod
    def _write_operator(fb: flatbuffers.Builder, o: _Operator) -> int:
        options = None
        if o.options is not None:
            vectors = {
                field: _int32_vector(fb, value)
                for field, value in o.option_values
                if isinstance(value, tuple)
            }
            getattr(tflite, f"{o.options.table}Start")(fb)
            for field, value in o.option_values:
                o.options.adder(field)(fb, vectors.get(field, value))
            options = getattr(tflite, f"{o.options.table}End")(fb)
        inputs = _int32_vector(fb, o.inputs)
        outputs = _int32_vector(fb, o.outputs)
        tflite.OperatorStart(fb)
        tflite.OperatorAddOpcodeIndex(fb, o.opcode_index)
        tflite.OperatorAddInputs(fb, inputs)
        tflite.OperatorAddOutputs(fb, outputs)
        if o.options is not None:
            tflite.OperatorAddBuiltinOptionsType(fb, o.options.union_type)
            tflite.OperatorAddBuiltinOptions(fb, options)
        return int(tflite.OperatorEnd(fb))


def _write_quantization(fb: flatbuffers.Builder, q: Quantization) -> int:
    vmin = fb.CreateNumpyVector(np.asarray(q.min, "<f4")) if q.min is not None else None
    vmax = fb.CreateNumpyVector(np.asarray(q.max, "<f4")) if q.max is not None else None
    scale = fb.CreateNumpyVector(np.asarray(q.scale, "<f4"))
    zero_point = fb.CreateNumpyVector(np.asarray(q.zero_point, "<i8"))
    tflite.QuantizationParametersStart(fb)
    if vmin is not None:
        tflite.QuantizationParametersAddMin(fb, vmin)
    if vmax is not None:
        tflite.QuantizationParametersAddMax(fb, vmax)
    tflite.QuantizationParametersAddScale(fb, scale)
    tflite.QuantizationParametersAddZeroPoint(fb, zero_point)
    tflite.QuantizationParametersAddQuantizedDimension(fb, q.quantized_dimension)
    return int(tflite.QuantizationParametersEnd(fb))


def _aligned_byte_vector(fb: flatbuffers.Builder, data: bytes) -> int:
    """A ``[ubyte]`` vector whose first element is ``_BUFFER_ALIGNMENT``-aligned in the file."""
    fb.StartVector(1, len(data), _BUFFER_ALIGNMENT)
    fb.head = fb.Head() - len(data)
    fb.Bytes[fb.Head() : fb.Head() + len(data)] = data
    return int(fb.EndVector())


def _int32_vector(fb: flatbuffers.Builder, values: Sequence[int]) -> int:
    return int(fb.CreateNumpyVector(np.asarray(values, dtype="<i4").reshape(-1)))


def _offset_vector(fb: flatbuffers.Builder, offsets: Sequence[int]) -> int:
    fb.StartVector(4, len(offsets), 4)
    for off in reversed(offsets):
        fb.PrependUOffsetTRelative(off)
    return int(fb.EndVector())
