"""
TFLite importer: a `.tflite` flatbuffer becomes a module holding one `func.func @main`
of `nn` operators.

* Constant tensors become `nn.constant` ops whose values reference the file's bytes
  (no per-element Python objects); quantized tensors get `!quant.uniform` element types.
* Output shapes are inferred from the operator semantics (so an `--inputShape` override
  propagates) and checked against the shapes stored in the file.
* TFLite's SAME/VALID padding becomes explicit pads; fused RELU/RELU6/RELU_N1_TO_1 become
  the `activation` property; a fused TANH becomes a separate `nn.tanh`.
* Anything unsupported or malformed raises a one-line `MicroError` naming the model, the
  operator and its index.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tflite
from xdsl.builder import Builder, InsertPoint
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    ArrayAttr,
    BytesAttr,
    DenseIntOrFPElementsAttr,
    DictionaryAttr,
    Float32Type,
    IntegerType,
    ModuleOp,
    Signedness,
    StringAttr,
    TensorType,
    f32,
    i8,
    i16,
    i32,
    i64,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue

from micro.dialects import nn, quant
from micro.dialects.quant import UniformQuantizedPerAxisType, UniformQuantizedType
from micro.errors import MicroError

_BUILTIN_NAMES: dict[int, str] = {
    v: k for k, v in vars(tflite.BuiltinOperator).items() if not k.startswith("_")
}
_TENSOR_TYPE_NAMES: dict[int, str] = {
    v: k for k, v in vars(tflite.TensorType).items() if not k.startswith("_")
}
_OPTIONS_CLASS_NAMES: dict[int, str] = {
    v: k for k, v in vars(tflite.BuiltinOptions).items() if not k.startswith("_")
}

_ELEMENT_TYPES: dict[int, tuple[Attribute, np.dtype]] = {
    tflite.TensorType.FLOAT32: (f32, np.dtype("<f4")),
    tflite.TensorType.INT8: (i8, np.dtype("i1")),
    tflite.TensorType.UINT8: (IntegerType(8, Signedness.UNSIGNED), np.dtype("u1")),
    tflite.TensorType.INT16: (i16, np.dtype("<i2")),
    tflite.TensorType.INT32: (i32, np.dtype("<i4")),
    tflite.TensorType.INT64: (i64, np.dtype("<i8")),
}

_FUSED_ACTIVATIONS = {
    tflite.ActivationFunctionType.NONE: nn.Activation.NONE,
    tflite.ActivationFunctionType.RELU: nn.Activation.RELU,
    tflite.ActivationFunctionType.RELU6: nn.Activation.RELU6,
    tflite.ActivationFunctionType.RELU_N1_TO_1: nn.Activation.RELU_N1_TO_1,
}


def sanitize_name(name: str) -> str:
    """
    A short SSA name hint for a tensor name: TFLite joins fused tensors' names with ';'
    and scopes them with '/', so keep the first name's last two scope components.
    """
    first = name.split(";")[0]
    short = "_".join(first.split("/")[-2:])
    text = re.sub(r"[^A-Za-z0-9_]", "_", short).strip("_")[:48] or "t"
    return f"t{text}" if text[0].isdigit() else text


def _raised_by_flatbuffer_reader(error: Exception) -> bool:
    """Did `error` come from reading the flatbuffer (the flatbuffers or tflite package, or
    numpy viewing its buffers), as a corrupt file makes happen?"""
    frame = error.__traceback__
    last = None
    while frame is not None:
        last = frame
        frame = frame.tb_next
    if last is None:
        return False
    path = last.tb_frame.f_code.co_filename.replace("\\", "/")
    return any(part in path for part in ("/flatbuffers/", "/tflite/", "/numpy/", "<frozen"))


@dataclass
class _Tensor:
    """What the importer knows of one TFLite tensor."""

    index: int
    name: str
    shape: tuple[int, ...]
    element_type: Attribute  # f32, an integer type, or a quantized type
    storage_dtype: np.dtype
    data: np.ndarray | None  # constant tensors only


class _Importer:
    def __init__(self, path: str, data: bytes, input_shapes: Mapping[str, Sequence[int]]):
        self.path = path
        self.data = data
        self.input_shapes = dict(input_shapes)
        self.values: dict[int, SSAValue] = {}
        self.builder: Builder | None = None

    # ------------------------------------------------------------------ flatbuffer access

    def fail(self, message: str) -> MicroError:
        return MicroError(f"{self.path}: {message}")

    def parse(self) -> ModuleOp:
        if len(self.data) < 8 or self.data[4:8] != b"TFL3":
            raise self.fail(
                "not a TFLite model (no 'TFL3' flatbuffer identifier); "
                "pass a .tflite file produced by the TFLite converter"
            )
        try:
            return self._parse()
        except MicroError:
            raise
        except Exception as e:
            if not _raised_by_flatbuffer_reader(e):
                raise  # a bug in micro, not in the file: reported as an internal error
            raise self.fail(
                f"the file is truncated or corrupted (reading the flatbuffer failed: {e}); "
                "re-export the model"
            ) from None

    def _parse(self) -> ModuleOp:
        model = tflite.Model.GetRootAs(self.data, 0)
        self.model = model
        if model.SubgraphsLength() < 1:
            raise self.fail("the model has no subgraph")
        graph = model.Subgraphs(0)
        self.graph = graph
        self.tensors: dict[int, _Tensor] = {}

        input_indices = [int(i) for i in graph.InputsAsNumpy()] if graph.InputsLength() else []
        output_indices = [int(i) for i in graph.OutputsAsNumpy()] if graph.OutputsLength() else []
        if not output_indices:
            raise self.fail("the main subgraph has no outputs")

        # Inputs: their shapes may be overridden by --inputShape.
        unknown = set(self.input_shapes) - {self._tensor_name(i) for i in input_indices}
        if unknown:
            names = ", ".join(self._tensor_name(i) for i in input_indices)
            raise self.fail(
                f"--inputShape names unknown input(s) {', '.join(sorted(unknown))}; "
                f"the model's inputs are: {names}"
            )
        arg_types: list[Attribute] = []
        for index in input_indices:
            tensor = self._read_tensor(index, is_input=True)
            arg_types.append(self._tensor_type(tensor))

        block = Block(arg_types=arg_types)
        self.builder = Builder(InsertPoint.at_end(block))
        for arg, index in zip(block.args, input_indices, strict=True):
            arg.name_hint = sanitize_name(self.tensors[index].name)
            self.values[index] = arg

        for op_index in range(graph.OperatorsLength()):
            self._import_operator(op_index)

        results: list[SSAValue] = []
        for index in output_indices:
            if index not in self.values:
                if self._is_constant(index):
                    self.values[index] = self._constant(index)
                else:
                    raise self.fail(f"graph output tensor {index} is never computed")
            results.append(self.values[index])
        self.builder.insert(func.ReturnOp(*results))

        function = func.FuncOp(
            "main",
            (arg_types, [r.type for r in results]),
            Region(block),
            arg_attrs=_name_attrs(self.tensors[i].name for i in input_indices),
            res_attrs=_name_attrs(self._tensor_name(i) for i in output_indices),
        )
        module = ModuleOp([function])
        module.attributes["micro.source"] = StringAttr(Path(self.path).name)
        return module

    def _tensor_name(self, index: int) -> str:
        return self.graph.Tensors(index).Name().decode("utf-8", "replace")

    def _read_tensor(self, index: int, is_input: bool = False) -> _Tensor:
        if index in self.tensors:
            return self.tensors[index]
        if not 0 <= index < self.graph.TensorsLength():
            raise self.fail(f"tensor index {index} is out of range")
        t = self.graph.Tensors(index)
        name = t.Name().decode("utf-8", "replace")
        type_code = t.Type()
        if type_code not in _ELEMENT_TYPES:
            type_name = _TENSOR_TYPE_NAMES.get(type_code, str(type_code))
            raise self.fail(f"tensor '{name}' has unsupported element type {type_name}")
        storage, dtype = _ELEMENT_TYPES[type_code]
        shape = tuple(int(d) for d in t.ShapeAsNumpy()) if t.ShapeLength() else ()
        if is_input and name in self.input_shapes:
            shape = tuple(int(d) for d in self.input_shapes[name])
        if any(d < 0 for d in shape):
            raise self.fail(
                f"input '{name}' has a dynamic shape {list(shape)}; give a static one with "
                f'--inputShape="{name}:{",".join("1" if d < 0 else str(d) for d in shape)}"'
            )
        element = self._element_type(t, storage, name)
        data = self._buffer_data(t, dtype, shape, name)
        tensor = _Tensor(index, name, shape, element, dtype, data)
        self.tensors[index] = tensor
        return tensor

    def _element_type(self, t: tflite.Tensor, storage: Attribute, name: str) -> Attribute:
        q = t.Quantization()
        if q is None or q.ScaleLength() == 0 or not isinstance(storage, IntegerType):
            return storage
        scales = [float(s) for s in q.ScaleAsNumpy()]
        zero_points = (
            [int(z) for z in q.ZeroPointAsNumpy()] if q.ZeroPointLength() else [0] * len(scales)
        )
        if len(zero_points) != len(scales):
            raise self.fail(
                f"tensor '{name}' has {len(scales)} scales but {len(zero_points)} zero points"
            )
        if storage.width.data == 32:
            # int32 biases: quantized with scale input*filter; kept as plain integers here,
            # the scales are recomputed from the operands by the int8 lowering.
            return storage
        try:
            if len(scales) == 1:
                return UniformQuantizedType(storage, f32, scales[0], zero_points[0])
            return UniformQuantizedPerAxisType(
                storage, f32, int(q.QuantizedDimension()), scales, zero_points
            )
        except Exception as e:
            raise self.fail(f"tensor '{name}' has invalid quantization parameters: {e}") from None

    def _buffer_data(
        self, t: tflite.Tensor, dtype: np.dtype, shape: tuple[int, ...], name: str
    ) -> np.ndarray | None:
        buffer_index = t.Buffer()
        if buffer_index == 0 or buffer_index >= self.model.BuffersLength():
            return None
        buffer = self.model.Buffers(buffer_index)
        offset = int(buffer.Offset()) if hasattr(buffer, "Offset") else 0
        if offset > 1:  # data stored after the flatbuffer (models over 2 GB)
            size = int(buffer.Size())
            if offset + size > len(self.data):
                raise self.fail(f"tensor '{name}' data lies past the end of the file (truncated?)")
            raw = np.frombuffer(self.data, dtype=np.uint8, count=size, offset=offset)
        elif buffer.DataLength() == 0:
            return None
        else:
            raw = buffer.DataAsNumpy()
        expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        if raw.nbytes != expected:
            raise self.fail(
                f"tensor '{name}' holds {raw.nbytes} bytes of data but its shape {list(shape)} "
                f"needs {expected} (truncated or corrupted file)"
            )
        return raw.view(dtype).reshape(shape)

    def _is_constant(self, index: int) -> bool:
        return self._read_tensor(index).data is not None

    @staticmethod
    def _tensor_type(tensor: _Tensor) -> TensorType:
        return TensorType(tensor.element_type, list(tensor.shape))

    # ------------------------------------------------------------------ values

    def _constant(self, index: int) -> SSAValue:
        tensor = self._read_tensor(index)
        assert tensor.data is not None
        assert self.builder is not None
        storage = tensor.element_type
        if isinstance(storage, UniformQuantizedType | UniformQuantizedPerAxisType):
            storage = storage.storage_type
        value = DenseIntOrFPElementsAttr(
            TensorType(storage, list(tensor.shape)),
            BytesAttr(np.ascontiguousarray(tensor.data).tobytes()),
        )
        op = self.builder.insert(nn.ConstantOp(value, self._tensor_type(tensor)))
        op.result.name_hint = sanitize_name(tensor.name)
        self.values[index] = op.result
        return op.result

    def value(self, index: int) -> SSAValue:
        if index in self.values:
            return self.values[index]
        if self._is_constant(index):
            return self._constant(index)
        raise self.fail(
            f"tensor '{self._tensor_name(index)}' is used before it is computed "
            "(operators are not in topological order)"
        )

    # ------------------------------------------------------------------ operators

    def _import_operator(self, op_index: int) -> None:
        op = self.graph.Operators(op_index)
        code_index = op.OpcodeIndex()
        if code_index >= self.model.OperatorCodesLength():
            raise self.fail(f"operator #{op_index} has an invalid opcode index {code_index}")
        opcode = self.model.OperatorCodes(code_index)
        code = max(int(opcode.BuiltinCode()), int(opcode.DeprecatedBuiltinCode()))
        op_name = _BUILTIN_NAMES.get(code, f"code {code}")
        if code == tflite.BuiltinOperator.CUSTOM:
            custom = opcode.CustomCode()
            op_name = f"CUSTOM ({custom.decode() if custom else '?'})"
        handler = _HANDLERS.get(code)
        if handler is None:
            raise self.fail(
                f"operator #{op_index} {op_name} is not supported; supported operators: "
                f"{', '.join(sorted(_BUILTIN_NAMES[c] for c in _HANDLERS))}"
            )
        inputs = [int(i) for i in op.InputsAsNumpy()] if op.InputsLength() else []
        outputs = [int(i) for i in op.OutputsAsNumpy()] if op.OutputsLength() else []
        ctx = _OpContext(self, op_index, op_name, op, inputs, outputs)
        handler(ctx)

    def insert(self, op: Operation) -> Operation:
        assert self.builder is not None
        return self.builder.insert(op)


class _OpContext:
    """One operator being imported: its inputs, outputs and options."""

    def __init__(
        self,
        importer: _Importer,
        index: int,
        name: str,
        op: tflite.Operator,
        inputs: list[int],
        outputs: list[int],
    ):
        self.importer = importer
        self.index = index
        self.name = name
        self.op = op
        self.inputs = inputs
        self.outputs = outputs

    def fail(self, message: str) -> MicroError:
        return self.importer.fail(f"operator #{self.index} {self.name}: {message}")

    def expect_io(self, min_inputs: int, max_inputs: int, outputs: int = 1) -> None:
        if not min_inputs <= len(self.inputs) <= max_inputs or len(self.outputs) != outputs:
            raise self.fail(
                f"expected {min_inputs}..{max_inputs} inputs and {outputs} output(s), got "
                f"{len(self.inputs)} and {len(self.outputs)}"
            )

    def has_input(self, i: int) -> bool:
        return i < len(self.inputs) and self.inputs[i] >= 0

    def input(self, i: int) -> SSAValue:
        return self.importer.value(self.inputs[i])

    def input_tensor(self, i: int) -> _Tensor:
        return self.importer._read_tensor(self.inputs[i])

    def output_tensor(self, i: int = 0) -> _Tensor:
        return self.importer._read_tensor(self.outputs[i])

    def options(self, cls: type) -> object:
        table = self.op.BuiltinOptions()
        opts = cls()
        if table is None:
            return None
        opts.Init(table.Bytes, table.Pos)
        return opts

    def activation(self, code: int) -> tuple[nn.Activation, Callable[[SSAValue], SSAValue]]:
        """The fused activation, and a function applying any non-clamp remainder."""
        if code in _FUSED_ACTIVATIONS:
            return _FUSED_ACTIVATIONS[code], lambda v: v
        if code == tflite.ActivationFunctionType.TANH:

            def apply_tanh(v: SSAValue) -> SSAValue:
                return self.importer.insert(nn.TanhOp(v)).results[0]

            return nn.Activation.NONE, apply_tanh
        raise self.fail(f"fused activation {code} (SIGN_BIT) is not supported")

    def output_type(self, shape: Sequence[int], i: int = 0) -> TensorType:
        """The type of output `i`, checking the inferred shape against the file's."""
        tensor = self.output_tensor(i)
        if tuple(shape) != tensor.shape and not self.importer.input_shapes:
            raise self.fail(
                f"output '{tensor.name}' has shape {list(tensor.shape)} in the file but the "
                f"operator computes {list(shape)}"
            )
        tensor.shape = tuple(shape)
        return TensorType(tensor.element_type, list(shape))

    def define(self, value: SSAValue, i: int = 0) -> None:
        tensor = self.output_tensor(i)
        value.name_hint = sanitize_name(tensor.name)
        self.importer.values[self.outputs[i]] = value


def _name_attrs(names: Iterable[str]) -> ArrayAttr[DictionaryAttr]:
    return ArrayAttr(DictionaryAttr({"micro.name": StringAttr(n)}) for n in names)


def _padding(
    ctx: _OpContext,
    code: int,
    in_hw: Sequence[int],
    kernel: Sequence[int],
    strides: Sequence[int],
    dilations: Sequence[int],
) -> list[int]:
    if code == tflite.Padding.VALID:
        return [0, 0, 0, 0]
    if code == tflite.Padding.SAME:
        top, bottom = nn.same_padding(in_hw[0], kernel[0], strides[0], dilations[0])
        left, right = nn.same_padding(in_hw[1], kernel[1], strides[1], dilations[1])
        return [top, left, bottom, right]
    raise ctx.fail(f"unknown padding code {code}")


def _window_shape(
    in_shape: Sequence[int],
    kernel: Sequence[int],
    channels: int,
    strides: Sequence[int],
    dilations: Sequence[int],
    pads: Sequence[int],
) -> list[int]:
    return [
        in_shape[0],
        nn.window_output_size(in_shape[1], kernel[0], strides[0], dilations[0], pads[0], pads[2]),
        nn.window_output_size(in_shape[2], kernel[1], strides[1], dilations[1], pads[1], pads[3]),
        channels,
    ]


def _check_rank(ctx: _OpContext, what: str, shape: Sequence[int], rank: int) -> None:
    if len(shape) != rank:
        raise ctx.fail(f"expected a {rank}-D {what}, got shape {list(shape)}")


def _optional_bias(ctx: _OpContext, position: int) -> SSAValue | None:
    return ctx.input(position) if ctx.has_input(position) else None


# -------------------------------------------------------------------------- handlers


def _conv2d(ctx: _OpContext) -> None:
    ctx.expect_io(2, 3)
    opts = ctx.options(tflite.Conv2DOptions)
    assert isinstance(opts, tflite.Conv2DOptions)
    x, w = ctx.input_tensor(0), ctx.input_tensor(1)
    _check_rank(ctx, "input", x.shape, 4)
    _check_rank(ctx, "filter", w.shape, 4)
    if x.shape[3] != w.shape[3]:
        raise ctx.fail(
            f"input has {x.shape[3]} channels, filter expects {w.shape[3]} "
            "(grouped convolution is not supported)"
        )
    strides = [opts.StrideH(), opts.StrideW()]
    dilations = [opts.DilationHFactor() or 1, opts.DilationWFactor() or 1]
    kernel = list(w.shape[1:3])
    pads = _padding(ctx, opts.Padding(), x.shape[1:3], kernel, strides, dilations)
    act, rest = ctx.activation(opts.FusedActivationFunction())
    out_type = ctx.output_type(_window_shape(x.shape, kernel, w.shape[0], strides, dilations, pads))
    op = ctx.importer.insert(
        nn.Conv2DOp(
            ctx.input(0),
            ctx.input(1),
            _optional_bias(ctx, 2),
            out_type,
            strides,
            dilations,
            pads,
            act,
        )
    )
    ctx.define(rest(op.results[0]))


def _depthwise_conv2d(ctx: _OpContext) -> None:
    ctx.expect_io(2, 3)
    opts = ctx.options(tflite.DepthwiseConv2DOptions)
    assert isinstance(opts, tflite.DepthwiseConv2DOptions)
    x, w = ctx.input_tensor(0), ctx.input_tensor(1)
    _check_rank(ctx, "input", x.shape, 4)
    _check_rank(ctx, "filter", w.shape, 4)
    if x.shape[3] == 0 or w.shape[3] % x.shape[3]:
        raise ctx.fail(
            f"filter channels {w.shape[3]} are not a multiple of input channels {x.shape[3]}"
        )
    multiplier = w.shape[3] // x.shape[3]
    strides = [opts.StrideH(), opts.StrideW()]
    dilations = [opts.DilationHFactor() or 1, opts.DilationWFactor() or 1]
    kernel = list(w.shape[1:3])
    pads = _padding(ctx, opts.Padding(), x.shape[1:3], kernel, strides, dilations)
    act, rest = ctx.activation(opts.FusedActivationFunction())
    out_type = ctx.output_type(_window_shape(x.shape, kernel, w.shape[3], strides, dilations, pads))
    op = ctx.importer.insert(
        nn.DepthwiseConv2DOp(
            ctx.input(0),
            ctx.input(1),
            _optional_bias(ctx, 2),
            out_type,
            strides,
            dilations,
            pads,
            multiplier,
            act,
        )
    )
    ctx.define(rest(op.results[0]))


def _fully_connected(ctx: _OpContext) -> None:
    ctx.expect_io(2, 3)
    opts = ctx.options(tflite.FullyConnectedOptions)
    keep_num_dims = False
    act_code = tflite.ActivationFunctionType.NONE
    if isinstance(opts, tflite.FullyConnectedOptions):
        if opts.WeightsFormat() != tflite.FullyConnectedOptionsWeightsFormat.DEFAULT:
            raise ctx.fail("shuffled weights format is not supported")
        keep_num_dims = bool(opts.KeepNumDims())
        act_code = opts.FusedActivationFunction()
    x, w = ctx.input_tensor(0), ctx.input_tensor(1)
    _check_rank(ctx, "weights", w.shape, 2)
    out_features, in_features = w.shape
    elements = int(np.prod(x.shape, dtype=np.int64))
    if in_features == 0 or elements % in_features:
        raise ctx.fail(
            f"input shape {list(x.shape)} is not a whole number of rows of {in_features}"
        )
    if keep_num_dims:
        shape = [*x.shape[:-1], out_features]
    else:
        shape = [elements // in_features, out_features]
    act, rest = ctx.activation(act_code)
    out_type = ctx.output_type(shape)
    op = ctx.importer.insert(
        nn.FullyConnectedOp(ctx.input(0), ctx.input(1), _optional_bias(ctx, 2), out_type, act)
    )
    ctx.define(rest(op.results[0]))


def _pool(kind: type[nn.AvgPool2DOp] | type[nn.MaxPool2DOp]) -> Callable[[_OpContext], None]:
    def handler(ctx: _OpContext) -> None:
        ctx.expect_io(1, 1)
        opts = ctx.options(tflite.Pool2DOptions)
        assert isinstance(opts, tflite.Pool2DOptions)
        x = ctx.input_tensor(0)
        _check_rank(ctx, "input", x.shape, 4)
        kernel = [opts.FilterHeight(), opts.FilterWidth()]
        strides = [opts.StrideH(), opts.StrideW()]
        pads = _padding(ctx, opts.Padding(), x.shape[1:3], kernel, strides, [1, 1])
        act, rest = ctx.activation(opts.FusedActivationFunction())
        out_type = ctx.output_type(
            _window_shape(x.shape, kernel, x.shape[3], strides, [1, 1], pads)
        )
        op = ctx.importer.insert(kind(ctx.input(0), out_type, kernel, strides, pads, act))
        ctx.define(rest(op.results[0]))

    return handler


def _binary(kind: type[nn.AddOp], options: type | None) -> Callable[[_OpContext], None]:
    def handler(ctx: _OpContext) -> None:
        ctx.expect_io(2, 2)
        act_code = tflite.ActivationFunctionType.NONE
        if options is not None:
            opts = ctx.options(options)
            if opts is not None:
                act_code = opts.FusedActivationFunction()  # type: ignore[attr-defined]
        a, b = ctx.input_tensor(0), ctx.input_tensor(1)
        shape = nn.broadcast_shapes(a.shape, b.shape)
        if shape is None:
            raise ctx.fail(f"operand shapes {list(a.shape)} and {list(b.shape)} do not broadcast")
        act, rest = ctx.activation(act_code)
        op = ctx.importer.insert(kind(ctx.input(0), ctx.input(1), ctx.output_type(shape), act))
        ctx.define(rest(op.results[0]))

    return handler


def _reshape(ctx: _OpContext) -> None:
    ctx.expect_io(1, 2)
    x = ctx.input_tensor(0)
    new_shape: list[int] | None = None
    if ctx.has_input(1) and ctx.importer._is_constant(ctx.inputs[1]):
        data = ctx.input_tensor(1).data
        assert data is not None
        new_shape = [int(v) for v in data.reshape(-1)]
    else:
        opts = ctx.options(tflite.ReshapeOptions)
        if isinstance(opts, tflite.ReshapeOptions) and opts.NewShapeLength():
            new_shape = [int(v) for v in opts.NewShapeAsNumpy()]
    if new_shape is None:
        new_shape = list(ctx.output_tensor().shape)
    elements = int(np.prod(x.shape, dtype=np.int64))
    if new_shape.count(-1) > 1:
        raise ctx.fail(f"new shape {new_shape} has more than one -1")
    if -1 in new_shape:
        known = int(np.prod([d for d in new_shape if d != -1], dtype=np.int64))
        if known == 0 or elements % known:
            raise ctx.fail(f"cannot reshape {list(x.shape)} into {new_shape}")
        new_shape[new_shape.index(-1)] = elements // known
    if int(np.prod(new_shape, dtype=np.int64)) != elements:
        raise ctx.fail(f"cannot reshape {list(x.shape)} into {new_shape}")
    op = ctx.importer.insert(nn.ReshapeOp(ctx.input(0), ctx.output_type(new_shape)))
    ctx.define(op.results[0])


def _squeeze(ctx: _OpContext) -> None:
    ctx.expect_io(1, 1)
    opts = ctx.options(tflite.SqueezeOptions)
    x = ctx.input_tensor(0)
    dims = (
        [int(d) % len(x.shape) for d in opts.SqueezeDimsAsNumpy()]
        if isinstance(opts, tflite.SqueezeOptions) and opts.SqueezeDimsLength()
        else [i for i, d in enumerate(x.shape) if d == 1]
    )
    if any(x.shape[d] != 1 for d in dims):
        raise ctx.fail(f"cannot squeeze non-unit dimensions {dims} of {list(x.shape)}")
    shape = [d for i, d in enumerate(x.shape) if i not in dims]
    op = ctx.importer.insert(nn.ReshapeOp(ctx.input(0), ctx.output_type(shape)))
    ctx.define(op.results[0])


def _constant_ints(ctx: _OpContext, position: int, what: str) -> list[int]:
    if not ctx.has_input(position) or not ctx.importer._is_constant(ctx.inputs[position]):
        raise ctx.fail(f"the {what} must be a constant tensor")
    data = ctx.input_tensor(position).data
    assert data is not None
    return [int(v) for v in data.reshape(-1)]


def _pad(ctx: _OpContext) -> None:
    ctx.expect_io(2, 2)
    x = ctx.input_tensor(0)
    flat = _constant_ints(ctx, 1, "paddings input")
    if len(flat) != 2 * len(x.shape):
        raise ctx.fail(f"paddings hold {len(flat)} values for a {len(x.shape)}-D input")
    if any(v < 0 for v in flat):
        raise ctx.fail(f"negative paddings {flat} are not supported")
    shape = [d + flat[2 * i] + flat[2 * i + 1] for i, d in enumerate(x.shape)]
    if ctx.output_tensor().element_type != x.element_type:
        raise ctx.fail("input and output quantization differ")
    op = ctx.importer.insert(nn.PadOp(ctx.input(0), ctx.output_type(shape), flat))
    ctx.define(op.results[0])


def _mean(ctx: _OpContext) -> None:
    ctx.expect_io(2, 2)
    x = ctx.input_tensor(0)
    rank = len(x.shape)
    axes = _constant_ints(ctx, 1, "axes input")
    if any(not -rank <= a < rank for a in axes):
        raise ctx.fail(f"axes {axes} are out of range for a {rank}-D input")
    axes = sorted({a % rank for a in axes})
    opts = ctx.options(tflite.ReducerOptions)
    keep = bool(opts.KeepDims()) if isinstance(opts, tflite.ReducerOptions) else False
    shape = [1 if i in axes else d for i, d in enumerate(x.shape) if keep or i not in axes]
    op = ctx.importer.insert(nn.MeanOp(ctx.input(0), ctx.output_type(shape), axes, keep))
    ctx.define(op.results[0])


def _transpose(ctx: _OpContext) -> None:
    ctx.expect_io(2, 2)
    x = ctx.input_tensor(0)
    perm = _constant_ints(ctx, 1, "permutation input")
    if sorted(perm) != list(range(len(x.shape))):
        raise ctx.fail(f"{perm} is not a permutation of {len(x.shape)} dimensions")
    if ctx.output_tensor().element_type != x.element_type:
        raise ctx.fail("input and output quantization differ")
    shape = [x.shape[p] for p in perm]
    op = ctx.importer.insert(nn.TransposeOp(ctx.input(0), ctx.output_type(shape), perm))
    ctx.define(op.results[0])


def _quantize(ctx: _OpContext) -> None:
    ctx.expect_io(1, 1)
    x, y = ctx.input_tensor(0), ctx.output_tensor()
    if not isinstance(y.element_type, UniformQuantizedType):
        raise ctx.fail(f"quantizing into {y.element_type} is not supported (per-tensor int8 only)")
    from_quantized = quant.is_quantized_type(x.element_type)
    kind = quant.RequantizeOp if from_quantized else quant.QuantizeOp
    if not from_quantized and not isinstance(x.element_type, Float32Type):
        raise ctx.fail(f"quantizing a {x.element_type} tensor is not supported")
    op = ctx.importer.insert(kind(ctx.input(0), ctx.output_type(x.shape)))
    ctx.define(op.results[0])


def _dequantize(ctx: _OpContext) -> None:
    ctx.expect_io(1, 1)
    x = ctx.input_tensor(0)
    if not quant.is_quantized_type(x.element_type):
        raise ctx.fail(
            f"dequantizing a {x.element_type} tensor is not supported (float16 weights "
            "are not supported yet)"
        )
    op = ctx.importer.insert(quant.DequantizeOp(ctx.input(0), ctx.output_type(x.shape)))
    ctx.define(op.results[0])


def _softmax(ctx: _OpContext) -> None:
    ctx.expect_io(1, 1)
    opts = ctx.options(tflite.SoftmaxOptions)
    beta = float(opts.Beta()) if isinstance(opts, tflite.SoftmaxOptions) else 1.0
    x = ctx.input_tensor(0)
    op = ctx.importer.insert(nn.SoftmaxOp(ctx.input(0), ctx.output_type(x.shape), beta))
    ctx.define(op.results[0])


def _unary(kind: type[nn.ReluOp]) -> Callable[[_OpContext], None]:
    def handler(ctx: _OpContext) -> None:
        ctx.expect_io(1, 1)
        x = ctx.input_tensor(0)
        op = ctx.importer.insert(kind(ctx.input(0), ctx.output_type(x.shape)))
        ctx.define(op.results[0])

    return handler


_BO = tflite.BuiltinOperator
_HANDLERS: dict[int, Callable[[_OpContext], None]] = {
    _BO.CONV_2D: _conv2d,
    _BO.DEPTHWISE_CONV_2D: _depthwise_conv2d,
    _BO.FULLY_CONNECTED: _fully_connected,
    _BO.AVERAGE_POOL_2D: _pool(nn.AvgPool2DOp),
    _BO.MAX_POOL_2D: _pool(nn.MaxPool2DOp),
    _BO.ADD: _binary(nn.AddOp, tflite.AddOptions),
    _BO.SUB: _binary(nn.SubOp, tflite.SubOptions),
    _BO.MUL: _binary(nn.MulOp, tflite.MulOptions),
    _BO.DIV: _binary(nn.DivOp, tflite.DivOptions),
    _BO.MAXIMUM: _binary(nn.MaximumOp, None),
    _BO.MINIMUM: _binary(nn.MinimumOp, None),
    _BO.RESHAPE: _reshape,
    _BO.SQUEEZE: _squeeze,
    _BO.SOFTMAX: _softmax,
    _BO.PAD: _pad,
    _BO.MEAN: _mean,
    _BO.TRANSPOSE: _transpose,
    _BO.QUANTIZE: _quantize,
    _BO.DEQUANTIZE: _dequantize,
    _BO.RELU: _unary(nn.ReluOp),
    _BO.RELU6: _unary(nn.Relu6Op),
    _BO.RELU_N1_TO_1: _unary(nn.ReluN1To1Op),
    _BO.LOGISTIC: _unary(nn.LogisticOp),
    _BO.TANH: _unary(nn.TanhOp),
}


def import_tflite(
    path: str | Path, input_shapes: Mapping[str, Sequence[int]] | None = None
) -> ModuleOp:
    """Import a `.tflite` file into a module of `nn` ops (raises MicroError on bad input)."""
    path = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise MicroError(f"{path}: cannot read the model ({e.strerror})") from None
    return import_tflite_bytes(data, path, input_shapes or {})


def import_tflite_bytes(
    data: bytes, name: str = "model.tflite", input_shapes: Mapping[str, Sequence[int]] | None = None
) -> ModuleOp:
    module = _Importer(name, data, input_shapes or {}).parse()
    try:
        module.verify()
    except Exception as e:
        raise MicroError(f"{name}: the imported graph is inconsistent: {e}") from None
    return module


__all__ = ["import_tflite", "import_tflite_bytes", "sanitize_name"]
