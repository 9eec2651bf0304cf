"""
ONNX importer: an `.onnx` model becomes a module holding one `func.func @main` of `nn`
operators, with ONNX's semantics (opsets 7 to the newest the `onnx` package knows).

* Initializers and `Constant`s are numpy arrays (`onnx.numpy_helper`), emitted as
  `nn.constant` ops whose values hold their bytes; a `ConstantOfShape` (and anything
  computed from splats only) stays a splat, `nn.splat`: one value and a shape, never
  expanded.
* Shapes are static. `onnx.shape_inference` types every value first (so an element type
  micro does not support is reported before anything else); micro computes each output
  shape itself and checks it against the shapes the model declares. A symbolic input
  dimension needs `--inputShape`.
* Anything computable at compile time is folded in numpy (Shape, shape arithmetic,
  Reshape of constants, ...); an operand micro compiles into the code (a Reshape's shape,
  a Conv's weights, a Slice's starts) must be constant, and an error names the graph
  input it comes from otherwise (`NeedsConstantInput`).
* Layout: ONNX is NCHW, `nn`'s convolutions and pools are NHWC. Each of them is wrapped
  in explicit `nn.transpose`s (NCHW -> NHWC before, back after); `nn-layout` then
  cancels them, so that a pure CNN keeps none.
* Attributes take their defaults from the operator schema (`onnx.defs`). An operator,
  attribute value or element type micro does not support raises `Unsupported` (a
  one-line `MicroError`) naming the node, operator and attribute.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, numpy_helper
from xdsl.builder import Builder, InsertPoint
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    ArrayAttr,
    BytesAttr,
    DenseIntOrFPElementsAttr,
    DictionaryAttr,
    IntegerAttr,
    IntegerType,
    ModuleOp,
    Signedness,
    StringAttr,
    TensorType,
    f32,
    i8,
    i32,
    i64,
)
from xdsl.ir import Attribute, Block, BlockArgument, Operation, Region, SSAValue

from micro.dialects import nn
from micro.errors import MicroError, NeedsConstantInput, Unsupported
from micro.frontends.tflite import sanitize_name

I1 = IntegerType(1)
UI8 = IntegerType(8, Signedness.UNSIGNED)

# ONNX element type -> (nn element type, numpy dtype)
_ELEMENT_TYPES: dict[int, tuple[Attribute, np.dtype]] = {
    TensorProto.FLOAT: (f32, np.dtype(np.float32)),
    TensorProto.INT64: (i64, np.dtype(np.int64)),
    TensorProto.INT32: (i32, np.dtype(np.int32)),
    TensorProto.BOOL: (I1, np.dtype(np.bool_)),
    TensorProto.INT8: (i8, np.dtype(np.int8)),
    TensorProto.UINT8: (UI8, np.dtype(np.uint8)),
}
_BY_DTYPE: dict[np.dtype, Attribute] = {dtype: elem for elem, dtype in _ELEMENT_TYPES.values()}
_DTYPE_BY_ELEM: dict[str, np.dtype] = {str(e): d for e, d in _ELEMENT_TYPES.values()}

_QUANT_OPS = {
    "QuantizeLinear",
    "DequantizeLinear",
    "QLinearConv",
    "QLinearMatMul",
    "MatMulInteger",
    "ConvInteger",
}
# Operators that only move or select elements: they take any element type in scope.
_DATA_OPS = {
    "Identity",
    "Reshape",
    "Flatten",
    "Squeeze",
    "Unsqueeze",
    "Transpose",
    "Concat",
    "Split",
    "Slice",
    "Gather",
    "Expand",
    "Shape",
    "Size",
    "Cast",
    "Constant",
    "ConstantOfShape",
    "DepthToSpace",
    "SpaceToDepth",
    "Pad",
    "Where",
    "Equal",
    "Dropout",
}

MIN_OPSET = 1


def type_name(onnx_type: int) -> str:
    return TensorProto.DataType.Name(onnx_type).lower()


Value = SSAValue | np.ndarray
"""A value during import: an SSA value computed at run time, or a compile-time array."""


def is_splat(array: np.ndarray) -> bool:
    """A broadcast view of one value (all strides 0): kept as one value and a shape."""
    return array.size > 1 and all(s == 0 for s in array.strides)


def splat(value: Any, shape: Sequence[int], dtype: np.dtype) -> np.ndarray:
    return np.broadcast_to(np.array(value, dtype=dtype), tuple(int(d) for d in shape))


def _fold(fn: Callable[..., np.ndarray], *arrays: np.ndarray) -> np.ndarray:
    """`fn` over arrays; over splats only, computed once and kept a splat."""
    if arrays and all(is_splat(a) or a.size == 1 for a in arrays) and any(map(is_splat, arrays)):
        shape = np.broadcast_shapes(*(a.shape for a in arrays))
        scalar = np.asarray(fn(*(a.reshape(-1)[:1].reshape(()) for a in arrays)))
        return splat(scalar, shape, scalar.dtype)
    return np.asarray(fn(*arrays))


def _reshape(array: np.ndarray, shape: Sequence[int]) -> np.ndarray:
    if is_splat(array):
        return splat(array.reshape(-1)[0], shape, array.dtype)
    return array.reshape(tuple(shape))


def _product(values: Sequence[int]) -> int:
    return int(np.prod(values, dtype=np.int64)) if len(values) else 1


class _Importer:
    def __init__(
        self,
        model: onnx.ModelProto,
        path: str,
        input_shapes: Mapping[str, Sequence[int]],
        constant_inputs: Mapping[str, np.ndarray],
    ):
        self.model = model
        self.path = path
        self.input_shapes = dict(input_shapes)
        self.constant_inputs = dict(constant_inputs)
        self.values: dict[str, Value] = {}
        self.builder: Builder | None = None
        self._ssa_cache: dict[int, tuple[np.ndarray, SSAValue]] = {}
        self.consumers: dict[str, int] = {}
        self.graph_outputs: set[str] = set()
        self.opset = 0
        self.value_types: dict[str, int] = {}
        self.declared_shapes: dict[str, tuple[int | str | None, ...]] = {}
        # Convolutions whose BatchNormalization may fold into them (by output name).
        self.foldable: dict[str, _ConvRecord] = {}

    # ------------------------------------------------------------------ errors

    def fail(self, message: str) -> MicroError:
        return MicroError(f"{self.path}: {message}")

    # ------------------------------------------------------------------ model level

    def parse(self) -> ModuleOp:
        model = self.model
        opsets = {o.domain or "ai.onnx": o.version for o in model.opset_import}
        self.opset = opsets.get("ai.onnx", 0)
        if not MIN_OPSET <= self.opset <= onnx.defs.onnx_opset_version():
            raise Unsupported(
                "opset",
                f"{self.path}: opset {self.opset} of the default ONNX domain is not supported "
                f"(micro reads opsets {MIN_OPSET} to {onnx.defs.onnx_opset_version()})",
            )
        graph = model.graph
        if model.functions:
            model = onnx.inliner.inline_local_functions(model)
            graph = model.graph
        initializers = {t.name: t for t in graph.initializer}
        for sparse in graph.sparse_initializer:
            raise Unsupported(
                "attribute", f"{self.path}: sparse initializer '{sparse.values.name}'"
            )
        self._type_values(model)
        for node in graph.node:
            for name in node.input:
                if name:
                    self.consumers[name] = self.consumers.get(name, 0) + 1
        self.graph_outputs = {o.name for o in graph.output}

        inputs = [i for i in graph.input if i.name not in initializers]
        unknown = set(self.input_shapes) - {i.name for i in inputs}
        if unknown:
            raise self.fail(
                f"--inputShape names unknown input(s) {', '.join(sorted(unknown))}; "
                f"the model's inputs are: {', '.join(i.name for i in inputs)}"
            )
        for name, tensor in initializers.items():
            self.values[name] = self._tensor_array(tensor, f"initializer '{name}'")
        arg_types: list[Attribute] = []
        runtime_inputs: list[onnx.ValueInfoProto] = []
        for info in inputs:
            if info.name in self.constant_inputs:
                array = np.asarray(self.constant_inputs[info.name])
                _, dtype = self._element(info.type.tensor_type.elem_type, f"input '{info.name}'")
                self.values[info.name] = array.astype(dtype, copy=False)
                continue
            input_type = self._input_type(info)
            if 0 in input_type.get_shape():  # no elements, no data: an empty constant
                _, dtype = self._element(info.type.tensor_type.elem_type, f"input '{info.name}'")
                self.values[info.name] = np.zeros(input_type.get_shape(), dtype)
                continue
            arg_types.append(input_type)
            runtime_inputs.append(info)

        block = Block(arg_types=arg_types)
        self.builder = Builder(InsertPoint.at_end(block))
        for arg, info in zip(block.args, runtime_inputs, strict=True):
            arg.name_hint = sanitize_name(info.name)
            self.values[info.name] = arg

        for index, node in enumerate(graph.node):
            self._import_node(index, node)

        results: list[SSAValue] = []
        for output in graph.output:
            if output.name not in self.values:
                raise self.fail(f"graph output '{output.name}' is never computed")
            value = self.values[output.name]
            results.append(self._output_value(value))
            self._check_declared(output.name, value)
        self.insert(func.ReturnOp(*results))

        function = func.FuncOp(
            "main",
            (arg_types, [r.type for r in results]),
            Region(block),
            arg_attrs=_name_attrs(i.name for i in runtime_inputs),
            res_attrs=_name_attrs(o.name for o in graph.output),
        )
        module = ModuleOp([function])
        module.attributes["micro.source"] = StringAttr(Path(self.path).name)
        module.attributes["micro.layout"] = StringAttr("onnx")
        return module

    def _type_values(self, model: onnx.ModelProto) -> None:
        """Element types (and declared shapes) of every value shape inference can type."""
        try:
            inferred = onnx.shape_inference.infer_shapes(model, strict_mode=False)
        except Exception as e:  # a model the checker rejects
            raise self.fail(f"shape inference failed: {str(e).splitlines()[0]}") from None
        graph = inferred.graph
        for info in [*graph.input, *graph.value_info, *graph.output]:
            if not info.type.HasField("tensor_type"):
                kind = info.type.WhichOneof("value")
                raise Unsupported(
                    "element type", f"{self.path}: value '{info.name}' is a {kind}, not a tensor"
                )
            self.value_types[info.name] = info.type.tensor_type.elem_type
        for info in model.graph.output:
            if info.type.HasField("tensor_type") and info.type.tensor_type.HasField("shape"):
                self.declared_shapes[info.name] = tuple(
                    d.dim_value if d.HasField("dim_value") else (d.dim_param or None)
                    for d in info.type.tensor_type.shape.dim
                )
        for name, elem in self.value_types.items():
            if elem and elem not in _ELEMENT_TYPES:
                raise Unsupported(
                    "element type",
                    f"{self.path}: value '{name}' has element type {type_name(elem)} "
                    "(micro supports float32 data, int64/int32 indices, bool, int8/uint8 "
                    "for quantization)",
                )

    def _element(self, onnx_type: int, what: str) -> tuple[Attribute, np.dtype]:
        if onnx_type not in _ELEMENT_TYPES:
            name = type_name(onnx_type) if onnx_type else "undefined"
            raise Unsupported("element type", f"{self.path}: {what} has element type {name}")
        return _ELEMENT_TYPES[onnx_type]

    def _tensor_array(self, tensor: TensorProto, what: str) -> np.ndarray:
        self._element(tensor.data_type, what)
        try:
            return numpy_helper.to_array(tensor)
        except Exception as e:
            raise self.fail(f"{what} cannot be read ({e})") from None

    def _input_type(self, info: onnx.ValueInfoProto) -> TensorType:
        tensor_type = info.type.tensor_type
        elem, _ = self._element(tensor_type.elem_type, f"input '{info.name}'")
        if info.name in self.input_shapes:
            return TensorType(elem, [int(d) for d in self.input_shapes[info.name]])
        if not tensor_type.HasField("shape"):
            raise self.fail(
                f"input '{info.name}' has no shape; give one with --inputShape=\"{info.name}:...\""
            )
        dims: list[int | str] = []
        for d in tensor_type.shape.dim:
            dims.append(d.dim_value if d.HasField("dim_value") else (d.dim_param or "?"))
        symbolic = [d for d in dims if isinstance(d, str)]
        if symbolic:
            example = ",".join("1" if isinstance(d, str) else str(d) for d in dims)
            raise self.fail(
                f"input '{info.name}' has a symbolic dimension '{symbolic[0]}' (shape "
                f"{[d for d in dims]}); give a static shape with "
                f'--inputShape="{info.name}:{example}"'
            )
        return TensorType(elem, [int(d) for d in dims])

    def _check_declared(self, name: str, value: Value) -> None:
        declared = self.declared_shapes.get(name)
        if declared is None or self.input_shapes:
            return
        shape = self.shape(value)
        if len(declared) != len(shape) or any(
            isinstance(d, int) and d != s for d, s in zip(declared, shape, strict=True)
        ):
            raise self.fail(
                f"graph output '{name}' is declared with shape {list(declared)} but micro "
                f"computes {list(shape)}"
            )

    def _output_value(self, value: Value) -> SSAValue:
        if isinstance(value, SSAValue):
            return value
        if is_splat(value):
            # A splat output is written at run time from its one value.
            one = self.ssa(np.ascontiguousarray(value.reshape(-1)[:1]).reshape((1,) * value.ndim))
            return self.insert(
                nn.BroadcastOp(one, self.tensor_type(value.shape, value.dtype))
            ).results[0]
        return self.ssa(value)

    # ------------------------------------------------------------------ values

    def insert(self, op: Operation) -> Operation:
        assert self.builder is not None
        return self.builder.insert(op)

    @staticmethod
    def shape(value: Value) -> tuple[int, ...]:
        if isinstance(value, np.ndarray):
            return tuple(int(d) for d in value.shape)
        return nn.tensor_shape(value)

    @staticmethod
    def elem(value: Value) -> Attribute:
        if isinstance(value, np.ndarray):
            if value.dtype not in _BY_DTYPE:
                raise MicroError(f"internal: no element type for {value.dtype}")
            return _BY_DTYPE[value.dtype]
        return nn.element_type(value)

    def dtype(self, value: Value) -> np.dtype:
        if isinstance(value, np.ndarray):
            return value.dtype
        return _DTYPE_BY_ELEM[str(nn.element_type(value))]

    @staticmethod
    def tensor_type(shape: Sequence[int], elem: Attribute | np.dtype) -> TensorType:
        if isinstance(elem, np.dtype):
            elem = _BY_DTYPE[elem]
        return TensorType(elem, [int(d) for d in shape])

    def ssa(self, value: Value, hint: str = "") -> SSAValue:
        """The SSA value of `value`, materializing a compile-time array as a constant."""
        if isinstance(value, SSAValue):
            return value
        key = id(value)
        if key in self._ssa_cache and self._ssa_cache[key][0] is value:
            return self._ssa_cache[key][1]
        result_type = self.tensor_type(value.shape, value.dtype)
        if is_splat(value):
            scalar = value.reshape(-1)[0]
            op: Operation = nn.SplatOp(scalar.item(), result_type)
        else:
            data = DenseIntOrFPElementsAttr(
                result_type, BytesAttr(np.ascontiguousarray(value).tobytes())
            )
            op = nn.ConstantOp(data, result_type)
        self.insert(op)
        if hint:
            op.results[0].name_hint = sanitize_name(hint)
        self._ssa_cache[key] = (value, op.results[0])
        return op.results[0]

    def transpose(self, value: Value, perm: Sequence[int]) -> Value:
        perm = [int(p) for p in perm]
        if perm == list(range(len(perm))):
            return value
        if isinstance(value, np.ndarray):
            return np.transpose(value, perm)
        shape = self.shape(value)
        out = self.tensor_type([shape[p] for p in perm], self.elem(value))
        return self.insert(nn.TransposeOp(value, out, perm)).results[0]

    def reshape(self, value: Value, shape: Sequence[int]) -> Value:
        shape = [int(d) for d in shape]
        if isinstance(value, np.ndarray):
            return _reshape(value, shape)
        if list(self.shape(value)) == shape:
            return value
        out = self.tensor_type(shape, self.elem(value))
        return self.insert(nn.ReshapeOp(value, out)).results[0]

    def to_nhwc(self, value: Value) -> Value:
        return self.transpose(value, (0, 2, 3, 1))

    def to_nchw(self, value: Value) -> Value:
        return self.transpose(value, (0, 3, 1, 2))

    def cast(self, value: Value, dtype: np.dtype) -> Value:
        if self.dtype(value) == dtype:
            return value
        if isinstance(value, np.ndarray):
            return _fold(lambda a: a.astype(dtype), value)
        out = self.tensor_type(self.shape(value), dtype)
        return self.insert(nn.CastOp(value, out)).results[0]

    def graph_inputs_of(self, value: SSAValue) -> list[str]:
        """The graph inputs a run-time value is computed from."""
        names: list[str] = []
        seen: set[SSAValue] = set()
        pending = [value]
        arg_names = {v: k for k, v in self.values.items() if isinstance(v, BlockArgument)}
        while pending:
            v = pending.pop()
            if v in seen:
                continue
            seen.add(v)
            if isinstance(v, BlockArgument):
                if v in arg_names:
                    names.append(arg_names[v])
                continue
            pending.extend(v.owner.operands)
        return sorted(set(names))

    # ------------------------------------------------------------------ nodes

    def _import_node(self, index: int, node: onnx.NodeProto) -> None:
        domain = node.domain or "ai.onnx"
        where = f"node #{index} {node.op_type}" + (f" '{node.name}'" if node.name else "")
        if domain != "ai.onnx":
            raise Unsupported(
                "operator",
                f"{self.path}: {where}: operator {domain}.{node.op_type} is not supported "
                "(only the default ONNX domain)",
            )
        handler = _HANDLERS.get(node.op_type)
        if handler is None:
            raise Unsupported(
                "operator", f"{self.path}: {where}: operator {node.op_type} is not supported"
            )
        try:
            schema = onnx.defs.get_schema(node.op_type, self.opset, "")
        except onnx.defs.SchemaError:
            raise self.fail(f"{where}: no {node.op_type} in opset {self.opset}") from None
        ctx = _Node(self, index, node, schema, where)
        ctx.check_element_types()
        handler(ctx)
        for i, name in enumerate(node.output):
            if name and name not in self.values:
                raise ctx.fail(f"output {i} '{name}' was not produced")


class _ConvRecord:
    """A convolution (or fully connected) layer a following BatchNormalization may fold
    into: its operands and how to rebuild it with other weights."""

    def __init__(
        self,
        ops: list[Operation],
        weights: np.ndarray,
        bias: np.ndarray | None,
        channel_axis: int,
        rebuild: Callable[[np.ndarray, np.ndarray], Value],
    ):
        self.ops = ops
        self.weights = weights
        self.bias = bias
        self.channel_axis = channel_axis
        self.rebuild = rebuild


_NO_DEFAULT = object()


class _Node:
    """One node being imported: its operands, attributes (with schema defaults), outputs."""

    def __init__(
        self,
        importer: _Importer,
        index: int,
        node: onnx.NodeProto,
        schema: onnx.defs.OpSchema,
        where: str,
    ):
        self.imp = importer
        self.index = index
        self.node = node
        self.op_type = node.op_type
        self.schema = schema
        self.version = schema.since_version
        self.where = where
        self.attrs: dict[str, Any] = {}
        for attr in node.attribute:
            if attr.ref_attr_name:
                raise self.fail(f"attribute '{attr.name}' refers to a function attribute")
            if attr.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS):
                raise self.unsupported("attribute", f"subgraph attribute '{attr.name}'")
            value = onnx.helper.get_attribute_value(attr)
            if isinstance(value, bytes):
                value = value.decode("utf-8", "replace")
            self.attrs[attr.name] = value

    # -------------------------------------------------------------- errors

    def fail(self, message: str) -> MicroError:
        return self.imp.fail(f"{self.where}: {message}")

    def unsupported(self, kind: str, message: str) -> Unsupported:
        return Unsupported(kind, f"{self.imp.path}: {self.where}: {message} is not supported")

    def bad_attribute(self, name: str, value: Any, why: str = "") -> Unsupported:
        return self.unsupported(
            "attribute", f"attribute {name}={value!r}" + (f" ({why})" if why else "")
        )

    # -------------------------------------------------------------- attributes

    def attr(self, name: str, default: Any = _NO_DEFAULT) -> Any:
        if name in self.attrs:
            return self.attrs[name]
        if default is not _NO_DEFAULT:
            return default
        schema_attr = self.schema.attributes.get(name)
        if schema_attr is not None and schema_attr.default_value.type:
            value = onnx.helper.get_attribute_value(schema_attr.default_value)
            return value.decode() if isinstance(value, bytes) else value
        if schema_attr is not None and schema_attr.required:
            raise self.fail(f"required attribute '{name}' is missing")
        return None

    def check_element_types(self) -> None:
        for name in [*self.node.input, *self.node.output]:
            t = self.imp.value_types.get(name)
            if name in self.imp.values:
                value = self.imp.values[name]
                t = next(
                    (k for k, (_, d) in _ELEMENT_TYPES.items() if d == self.imp.dtype(value)), t
                )
            if not name or t is None:
                continue
            if t in (TensorProto.INT8, TensorProto.UINT8) and not (
                self.op_type in _QUANT_OPS or self.op_type in _DATA_OPS
            ):
                raise Unsupported(
                    "element type",
                    f"{self.imp.path}: {self.where}: {type_name(t)} tensor '{name}' "
                    "(int8/uint8 only around quantization operators)",
                )

    # -------------------------------------------------------------- operands

    @property
    def n_inputs(self) -> int:
        return len(self.node.input)

    def has_input(self, i: int) -> bool:
        return i < len(self.node.input) and bool(self.node.input[i])

    def input(self, i: int) -> Value:
        name = self.node.input[i]
        if name not in self.imp.values:
            raise self.fail(f"input '{name}' is used before it is computed")
        return self.imp.values[name]

    def optional(self, i: int) -> Value | None:
        return self.input(i) if self.has_input(i) else None

    def const(self, value: Value, what: str) -> np.ndarray:
        """`value` as a compile-time array, or an error naming the graph input it needs."""
        if isinstance(value, np.ndarray):
            return value
        graph_inputs = self.imp.graph_inputs_of(value)
        names = ", ".join(repr(n) for n in graph_inputs)
        integer_inputs = all(
            self.imp.value_types.get(n) in (TensorProto.INT64, TensorProto.INT32)
            for n in graph_inputs
        )
        if isinstance(value, BlockArgument) or (graph_inputs and integer_inputs):
            # a graph input micro must compile in (a shape, pads, a scale given as an input)
            raise NeedsConstantInput(
                graph_inputs,
                f"{self.imp.path}: {self.where}: the {what} must be constant (micro compiles "
                f"it into the code) but comes from graph input {names}; make it an initializer",
            )
        if graph_inputs:
            raise Unsupported(
                "attribute",
                f"{self.imp.path}: {self.where}: the {what} is computed at run time from graph "
                f"input {names}; micro compiles it into the code, so it must be constant",
            )
        raise self.fail(f"the {what} must be a constant tensor")

    def const_input(self, i: int, what: str) -> np.ndarray:
        return self.const(self.input(i), what)

    def ints_input(self, i: int, what: str) -> list[int]:
        return [int(v) for v in self.const_input(i, what).reshape(-1)]

    def outputs_wanted(self) -> list[bool]:
        return [bool(n) for n in self.node.output]

    def define(self, value: Value, i: int = 0) -> None:
        if i >= len(self.node.output) or not self.node.output[i]:
            return
        name = self.node.output[i]
        if isinstance(value, np.generic):  # numpy folds 0-d results into scalars
            value = np.asarray(value)
        if isinstance(value, SSAValue) and 0 in nn.tensor_shape(value):
            value = np.zeros(nn.tensor_shape(value), self.imp.dtype(value))  # no elements
        if isinstance(value, SSAValue) and not isinstance(value, BlockArgument):
            if not value.name_hint:
                value.name_hint = sanitize_name(name)
        self.imp.values[name] = value

    # -------------------------------------------------------------- helpers

    def emit(self, op: Operation) -> Operation:
        return self.imp.insert(op)

    def shape(self, value: Value) -> tuple[int, ...]:
        return self.imp.shape(value)

    def ssa(self, value: Value) -> SSAValue:
        return self.imp.ssa(value)

    def axis(self, axis: int, rank: int, what: str = "axis") -> int:
        if not -max(rank, 1) <= axis < max(rank, 1):
            raise self.fail(f"{what} {axis} is out of range for a {rank}-D tensor")
        return axis % max(rank, 1)

    def all_const(self, *values: Value | None) -> bool:
        return all(v is None or isinstance(v, np.ndarray) for v in values)


def _name_attrs(names: Any) -> ArrayAttr[DictionaryAttr]:
    return ArrayAttr(DictionaryAttr({"micro.name": StringAttr(n)}) for n in names)


# ============================================================================ element-wise


def _broadcast(ctx: _Node, *shapes: Sequence[int]) -> tuple[int, ...]:
    try:
        return tuple(int(d) for d in np.broadcast_shapes(*(tuple(s) for s in shapes)))
    except ValueError:
        raise ctx.fail(f"operand shapes {[list(s) for s in shapes]} do not broadcast") from None


_F32_BINARY: dict[str, type[nn._BinaryOp]] = {
    "Add": nn.AddOp,
    "Sub": nn.SubOp,
    "Mul": nn.MulOp,
    "Div": nn.DivOp,
    "Max": nn.MaximumOp,
    "Min": nn.MinimumOp,
    "Sum": nn.AddOp,
}
_BINARY_FN = {"Add": "add", "Sub": "sub", "Mul": "mul", "Div": "div", "Max": "max", "Min": "min"}
_BINARY_FN["Sum"] = "add"
_NUMPY_BINARY: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "mod": np.mod,
    "fmod": np.fmod,
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "max": np.maximum,
    "min": np.minimum,
    "pow": np.power,
    "and": np.logical_and,
    "or": np.logical_or,
    "xor": np.logical_xor,
    "equal": np.equal,
    "less": np.less,
    "less_equal": np.less_equal,
    "greater": np.greater,
    "greater_equal": np.greater_equal,
}


def _numpy_div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if np.issubdtype(a.dtype, np.integer):
        with np.errstate(divide="ignore"):
            return (np.trunc(a / b)).astype(a.dtype)
    return np.divide(a, b)


def _binary_value(ctx: _Node, fn: str, a: Value, b: Value) -> Value:
    """`fn(a, b)` with broadcasting: folded for constants, else an `nn` operator."""
    shape = _broadcast(ctx, ctx.shape(a), ctx.shape(b))
    dtype = ctx.imp.dtype(a)
    if ctx.imp.dtype(b) != dtype:
        raise ctx.fail(f"operand element types {dtype} and {ctx.imp.dtype(b)} differ")
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        numpy_fn = _numpy_div if fn == "div" else _NUMPY_BINARY.get(fn)
        if numpy_fn is not None and fn != "pow":
            with np.errstate(all="ignore"):
                return _fold(lambda x, y: numpy_fn(x, y).astype(dtype, copy=False), a, b)
    if fn in ("and", "or", "xor") and dtype != np.bool_:
        raise ctx.unsupported("element type", f"{fn} of {dtype} tensors")
    out = ctx.imp.tensor_type(shape, dtype)
    sa, sb = ctx.ssa(a), ctx.ssa(b)
    f32_kind = {"add": nn.AddOp, "sub": nn.SubOp, "mul": nn.MulOp, "div": nn.DivOp}
    f32_kind |= {"max": nn.MaximumOp, "min": nn.MinimumOp}
    if dtype == np.float32 and fn in f32_kind:
        return ctx.emit(f32_kind[fn](sa, sb, out)).results[0]
    if dtype not in (np.float32, np.int32, np.int64, np.bool_):
        raise ctx.unsupported("element type", f"{ctx.op_type} of {dtype} tensors")
    return ctx.emit(nn.BinaryOp(sa, sb, fn, out)).results[0]


def _operands(ctx: _Node) -> tuple[Value, Value]:
    """The two operands of a binary operator. Before opset 7, B broadcasts only with
    `broadcast=1`, its dimensions matched to A's from `axis` on (or A's last ones)."""
    if ctx.n_inputs != 2:
        raise ctx.fail(f"expected 2 inputs, got {ctx.n_inputs}")
    a, b = ctx.input(0), ctx.input(1)
    if ctx.version >= 7 or not int(ctx.attr("broadcast", 0)):
        return a, b
    rank_a, shape_b = len(ctx.shape(a)), list(ctx.shape(b))
    axis = ctx.attr("axis", None)
    if axis is None:
        return a, b  # suffix alignment: numpy's
    axis = int(axis) % max(rank_a, 1)
    if axis + len(shape_b) > rank_a:
        raise ctx.fail(f"B {shape_b} does not fit A's rank {rank_a} from axis {axis}")
    return a, ctx.imp.reshape(b, shape_b + [1] * (rank_a - axis - len(shape_b)))


def _binary(ctx: _Node) -> None:
    a, b = _operands(ctx)
    ctx.define(_binary_value(ctx, _BINARY_FN[ctx.op_type], a, b))


def _variadic(ctx: _Node) -> None:
    if ctx.n_inputs < 1:
        raise ctx.fail("expected at least one input")
    result = ctx.input(0)
    for i in range(1, ctx.n_inputs):
        result = _binary_value(ctx, _BINARY_FN[ctx.op_type], result, ctx.input(i))
    ctx.define(result)


def _pow(ctx: _Node) -> None:
    base, exponent = _operands(ctx)
    if ctx.imp.dtype(base) != np.float32:
        raise ctx.unsupported("element type", f"Pow of {ctx.imp.dtype(base)} bases")
    exponent = ctx.imp.cast(exponent, np.dtype(np.float32))
    if isinstance(exponent, np.ndarray) and exponent.size == 1:
        e = float(exponent.reshape(-1)[0])
        shape = _broadcast(ctx, ctx.shape(base), ctx.shape(exponent))
        if e == 1.0 and shape == ctx.shape(base):
            ctx.define(base)
            return
    ctx.define(_binary_value(ctx, "pow", base, exponent))


def _mod(ctx: _Node) -> None:
    """Mod: the remainder with the divisor's sign (Python's %), or with `fmod=1` the
    dividend's (C's fmod)."""
    a, b = _operands(ctx)
    fmod = bool(int(ctx.attr("fmod", 0)))
    dtype = ctx.imp.dtype(a)
    if dtype not in (np.float32, np.int32, np.int64):
        raise ctx.unsupported("element type", f"Mod of {dtype} tensors")
    ctx.define(_binary_value(ctx, "fmod" if fmod else "mod", a, b))


def _mean(ctx: _Node) -> None:
    """Mean of the inputs (broadcast): their sum times 1/n."""
    total = ctx.input(0)
    for i in range(1, ctx.n_inputs):
        total = _binary_value(ctx, "add", total, ctx.input(i))
    if ctx.n_inputs > 1:
        total = _binary_value(ctx, "mul", total, np.array(1.0 / ctx.n_inputs, np.float32))
    ctx.define(total)


def _swish(ctx: _Node) -> None:
    """Swish: x * sigmoid(alpha * x)."""
    x = ctx.input(0)
    alpha = float(ctx.attr("alpha", 1.0))
    scaled = x if alpha == 1.0 else _binary_value(ctx, "mul", x, np.array(alpha, np.float32))
    ctx.define(_binary_value(ctx, "mul", x, _unary_value(ctx, "sigmoid", scaled)))


def _compare_value(ctx: _Node, fn: str, a: Value, b: Value) -> Value:
    shape = _broadcast(ctx, ctx.shape(a), ctx.shape(b))
    if ctx.all_const(a, b):
        return _fold(_NUMPY_BINARY[fn], a, b)  # type: ignore[arg-type]
    out = ctx.imp.tensor_type(shape, I1)
    return ctx.emit(nn.CompareOp(ctx.ssa(a), ctx.ssa(b), fn, out)).results[0]


def _where_value(ctx: _Node, cond: Value, a: Value, b: Value) -> Value:
    shape = _broadcast(ctx, ctx.shape(cond), ctx.shape(a), ctx.shape(b))
    if ctx.all_const(cond, a, b):
        return _fold(np.where, cond, a, b)  # type: ignore[arg-type]
    out = ctx.imp.tensor_type(shape, ctx.imp.dtype(a))
    return ctx.emit(nn.WhereOp(ctx.ssa(cond), ctx.ssa(a), ctx.ssa(b), out)).results[0]


def _shrink(ctx: _Node) -> None:
    """Shrink: x + bias below -lambd, x - bias above lambd, 0 between."""
    x = ctx.input(0)
    dtype = ctx.imp.dtype(x)
    if dtype != np.float32:
        raise ctx.unsupported("element type", f"Shrink of {dtype} tensors")
    lambd, bias = float(ctx.attr("lambd")), float(ctx.attr("bias"))
    f = np.float32
    low = _compare_value(ctx, "less", x, np.array(-lambd, f))
    high = _compare_value(ctx, "greater", x, np.array(lambd, f))
    up = _binary_value(ctx, "add", x, np.array(bias, f))
    down = _binary_value(ctx, "sub", x, np.array(bias, f))
    zero = splat(0.0, ctx.shape(x), np.dtype(f))
    ctx.define(_where_value(ctx, low, up, _where_value(ctx, high, down, zero)))


def _is_nan(ctx: _Node) -> None:
    x = ctx.input(0)
    ctx.define(_unary_value(ctx, "not", _compare_value(ctx, "equal", x, x)))


def _is_inf(ctx: _Node) -> None:
    x = ctx.input(0)
    positive = bool(int(ctx.attr("detect_positive", 1)))
    negative = bool(int(ctx.attr("detect_negative", 1)))
    f = np.float32
    if positive and negative:
        ctx.define(_compare_value(ctx, "equal", _unary_value(ctx, "abs", x), np.array(np.inf, f)))
    elif positive or negative:
        ctx.define(_compare_value(ctx, "equal", x, np.array(np.inf if positive else -np.inf, f)))
    else:
        ctx.define(np.zeros(ctx.shape(x), np.bool_))


def _hardmax(ctx: _Node) -> None:
    """Hardmax: 1 at the first maximum along the axis (coerced to 2-D before opset 13)."""
    x = ctx.input(0)
    shape = ctx.shape(x)
    rank = len(shape)
    axis = int(ctx.attr("axis"))
    work = x
    if ctx.version < 13:
        axis = axis + rank if axis < 0 else axis
        work = ctx.imp.reshape(x, [_product(shape[:axis]), _product(shape[axis:])])
        axis = 1
    wshape = ctx.shape(work)
    axis = ctx.axis(axis, len(wshape))
    argmax_type = ctx.imp.tensor_type(nn.reduced_shape(wshape, [axis], True), np.dtype(np.int64))
    arg = ctx.emit(nn.ArgReduceOp(ctx.ssa(work), "max", axis, True, False, argmax_type)).results[0]
    positions = np.arange(wshape[axis], dtype=np.int64).reshape(
        [-1 if d == axis else 1 for d in range(len(wshape))]
    )
    hot = _compare_value(ctx, "equal", arg, positions)
    ctx.define(ctx.imp.reshape(ctx.imp.cast(hot, np.dtype(np.float32)), shape))


def _lp_normalization(ctx: _Node) -> None:
    """LpNormalization: x / ||x||_p along the axis (p = 1 or 2), 0 where the norm is 0."""
    x = ctx.input(0)
    shape = ctx.shape(x)
    axis = ctx.axis(int(ctx.attr("axis")), len(shape))
    p = int(ctx.attr("p"))
    if p not in (1, 2):
        raise ctx.bad_attribute("p", p)
    out = ctx.imp.tensor_type(nn.reduced_shape(shape, [axis], True), np.dtype(np.float32))
    norm = ctx.emit(nn.ReduceOp(ctx.ssa(x), "l1" if p == 1 else "l2", [axis], True, out)).results[0]
    divided = _binary_value(ctx, "div", x, norm)
    is_zero = _compare_value(ctx, "equal", norm, np.array(0.0, np.float32))
    ctx.define(_where_value(ctx, is_zero, splat(0.0, shape, np.dtype(np.float32)), divided))


def _instance_norm(ctx: _Node) -> None:
    """InstanceNormalization: per sample and channel, over the spatial dimensions,
    (x - mean) / sqrt(var + epsilon) * scale[c] + B[c]."""
    x = ctx.input(0)
    shape = ctx.shape(x)
    if len(shape) < 3 or ctx.imp.dtype(x) != np.float32:
        raise ctx.fail(f"expected an f32 N-C-spatial input, got {list(shape)}")
    scale = ctx.const_input(1, "scale").astype(np.float32)
    bias = ctx.const_input(2, "B").astype(np.float32)
    axes = list(range(2, len(shape)))
    stats = ctx.imp.tensor_type(nn.reduced_shape(shape, axes, True), np.dtype(np.float32))
    mean = ctx.emit(nn.ReduceOp(ctx.ssa(x), "mean", axes, True, stats)).results[0]
    centred = _binary_value(ctx, "sub", x, mean)
    squares = _binary_value(ctx, "mul", centred, centred)
    var = ctx.emit(nn.ReduceOp(ctx.ssa(squares), "mean", axes, True, stats)).results[0]
    eps = np.array(float(ctx.attr("epsilon")), np.float32)
    std = _unary_value(ctx, "sqrt", _binary_value(ctx, "add", var, eps))
    normalized = _binary_value(ctx, "div", centred, std)
    per_channel = [shape[1]] + [1] * (len(shape) - 2)
    scaled = _binary_value(ctx, "mul", normalized, _reshape(scale, per_channel))
    ctx.define(_binary_value(ctx, "add", scaled, _reshape(bias, per_channel)))


def _trilu(ctx: _Node) -> None:
    """Trilu: the upper (or lower) triangle of the last two dimensions from diagonal k;
    the rest zero."""
    x = ctx.input(0)
    shape = ctx.shape(x)
    if len(shape) < 2:
        raise ctx.fail(f"expected at least 2 dimensions, got {list(shape)}")
    k = ctx.ints_input(1, "k")[0] if ctx.has_input(1) else 0
    rows, cols = shape[-2], shape[-1]
    r = np.arange(rows).reshape(-1, 1)
    c = np.arange(cols).reshape(1, -1)
    keep = (c - r >= k) if int(ctx.attr("upper", 1)) else (c - r <= k)
    zero = splat(0, shape, ctx.imp.dtype(x))
    ctx.define(_where_value(ctx, keep, x, zero))


def _prelu(ctx: _Node) -> None:
    x, slope = ctx.input(0), ctx.input(1)
    if ctx.imp.dtype(x) != np.float32:
        raise ctx.unsupported("element type", f"PRelu of {ctx.imp.dtype(x)} tensors")
    shape = ctx.shape(x)
    if ctx.version < 7 and len(ctx.shape(slope)) == 1 and len(shape) > 2:
        # before opset 7 a slope of C values applies per channel (axis 1)
        if ctx.shape(slope)[0] == shape[1]:
            slope = ctx.imp.reshape(slope, [shape[1]] + [1] * (len(shape) - 2))
    shape = _broadcast(ctx, ctx.shape(x), ctx.shape(slope))
    if shape != ctx.shape(x):
        raise ctx.fail(f"slope {list(ctx.shape(slope))} does not broadcast to {list(ctx.shape(x))}")
    ctx.define(_binary_value(ctx, "prelu", x, slope))


_COMPARE_FN = {
    "Equal": "equal",
    "Less": "less",
    "LessOrEqual": "less_equal",
    "Greater": "greater",
    "GreaterOrEqual": "greater_equal",
}


def _compare(ctx: _Node) -> None:
    a, b = _operands(ctx)
    fn = _COMPARE_FN[ctx.op_type]
    dtype = ctx.imp.dtype(a)
    if dtype not in (np.float32, np.int32, np.int64, np.bool_):
        raise ctx.unsupported("element type", f"{ctx.op_type} of {dtype} tensors")
    if ctx.all_const(a, b):
        ctx.define(_fold(_NUMPY_BINARY[fn], a, b))  # type: ignore[arg-type]
        return
    shape = _broadcast(ctx, ctx.shape(a), ctx.shape(b))
    out = ctx.imp.tensor_type(shape, I1)
    ctx.define(ctx.emit(nn.CompareOp(ctx.ssa(a), ctx.ssa(b), fn, out)).results[0])


def _logical(ctx: _Node) -> None:
    fn = ctx.op_type.lower()
    ctx.define(_binary_value(ctx, fn, *_operands(ctx)))


def _where(ctx: _Node) -> None:
    cond, a, b = ctx.input(0), ctx.input(1), ctx.input(2)
    shape = _broadcast(ctx, ctx.shape(cond), ctx.shape(a), ctx.shape(b))
    if ctx.all_const(cond, a, b):
        ctx.define(_fold(np.where, cond, a, b))  # type: ignore[arg-type]
        return
    if ctx.imp.dtype(a) != ctx.imp.dtype(b):
        raise ctx.fail("the two branches have different element types")
    out = ctx.imp.tensor_type(shape, ctx.imp.dtype(a))
    ctx.define(ctx.emit(nn.WhereOp(ctx.ssa(cond), ctx.ssa(a), ctx.ssa(b), out)).results[0])


def _unary_value(
    ctx: _Node, fn: str, x: Value, alpha: float | None = None, beta: float | None = None
) -> Value:
    dtype = ctx.imp.dtype(x)
    if fn == "not":
        if dtype != np.bool_:
            raise ctx.unsupported("element type", f"Not of {dtype} tensors")
    elif dtype != np.float32 and not (
        fn in nn.UNARY_INTEGER_FUNCTIONS and dtype in (np.int32, np.int64)
    ):
        raise ctx.unsupported("element type", f"{ctx.op_type} of {dtype} tensors")
    if isinstance(x, np.ndarray) and fn in ("neg", "abs", "not", "sign"):
        numpy_fn = {"neg": np.negative, "abs": np.abs, "not": np.logical_not, "sign": np.sign}[fn]
        return _fold(numpy_fn, x)
    classic = {"relu": nn.ReluOp, "sigmoid": nn.LogisticOp, "tanh": nn.TanhOp}
    if fn in classic and dtype == np.float32:
        return ctx.emit(classic[fn](ctx.ssa(x))).results[0]
    if fn == "clip" and dtype == np.float32:
        clamp = {(0.0, math.inf): nn.ReluOp, (0.0, 6.0): nn.Relu6Op, (-1.0, 1.0): nn.ReluN1To1Op}
        kind = clamp.get((alpha, beta))  # type: ignore[arg-type]
        if kind is not None:
            return ctx.emit(kind(ctx.ssa(x))).results[0]
    op = nn.UnaryOp(ctx.ssa(x), fn, None, alpha, beta)
    return ctx.emit(op).results[0]


_UNARY_FN = {
    "Abs": "abs",
    "Neg": "neg",
    "Sqrt": "sqrt",
    "Exp": "exp",
    "Log": "log",
    "Erf": "erf",
    "Floor": "floor",
    "Ceil": "ceil",
    "Round": "round",
    "Reciprocal": "reciprocal",
    "Sign": "sign",
    "Sin": "sin",
    "Cos": "cos",
    "Sigmoid": "sigmoid",
    "Tanh": "tanh",
    "Relu": "relu",
    "Softplus": "softplus",
    "Softsign": "softsign",
    "Mish": "mish",
    "HardSwish": "hard_swish",
    "Not": "not",
    "Tan": "tan",
    "Asin": "asin",
    "Acos": "acos",
    "Atan": "atan",
    "Sinh": "sinh",
    "Cosh": "cosh",
    "Asinh": "asinh",
    "Acosh": "acosh",
    "Atanh": "atanh",
}


def _unary(ctx: _Node) -> None:
    ctx.define(_unary_value(ctx, _UNARY_FN[ctx.op_type], ctx.input(0)))


def _unary_alpha(fn: str) -> Callable[[_Node], None]:
    def handler(ctx: _Node) -> None:
        ctx.define(_unary_value(ctx, fn, ctx.input(0), float(ctx.attr("alpha"))))

    return handler


def _selu(ctx: _Node) -> None:
    alpha, gamma = float(ctx.attr("alpha")), float(ctx.attr("gamma"))
    ctx.define(_unary_value(ctx, "selu", ctx.input(0), alpha, gamma))


def _hard_sigmoid(ctx: _Node) -> None:
    alpha, beta = float(ctx.attr("alpha")), float(ctx.attr("beta"))
    ctx.define(_unary_value(ctx, "hard_sigmoid", ctx.input(0), alpha, beta))


def _gelu(ctx: _Node) -> None:
    approximate = ctx.attr("approximate")
    if approximate not in ("none", "tanh"):
        raise ctx.bad_attribute("approximate", approximate)
    fn = "gelu" if approximate == "none" else "gelu_tanh"
    ctx.define(_unary_value(ctx, fn, ctx.input(0)))


def _clip(ctx: _Node) -> None:
    x = ctx.input(0)
    if ctx.imp.dtype(x) != np.float32:
        raise ctx.unsupported("element type", f"Clip of {ctx.imp.dtype(x)} tensors")
    if ctx.version < 11:
        lo, hi = float(ctx.attr("min")), float(ctx.attr("max"))
    else:
        lo = float(ctx.const_input(1, "min").reshape(-1)[0]) if ctx.has_input(1) else -math.inf
        hi = float(ctx.const_input(2, "max").reshape(-1)[0]) if ctx.has_input(2) else math.inf
    ctx.define(_unary_value(ctx, "clip", x, lo, hi))


def _identity(ctx: _Node) -> None:
    ctx.define(ctx.input(0))


def _dropout(ctx: _Node) -> None:
    x = ctx.input(0)
    if ctx.version >= 12 and ctx.has_input(2):
        training = ctx.const_input(2, "training_mode")
        ratio = float(ctx.const_input(1, "ratio").reshape(-1)[0]) if ctx.has_input(1) else 0.5
        if bool(training.reshape(-1)[0]) and ratio != 0.0:
            # dropping at random is training; with ratio 0 nothing is dropped
            raise ctx.bad_attribute("training_mode", True, "inference only")
    ctx.define(x)
    if len(ctx.node.output) > 1 and ctx.node.output[1]:
        mask_dtype = np.dtype(np.bool_) if ctx.version >= 10 else ctx.imp.dtype(x)
        ctx.define(splat(1, ctx.shape(x), mask_dtype), 1)


def _cast(ctx: _Node) -> None:
    to = int(ctx.attr("to"))
    if to not in _ELEMENT_TYPES:
        raise ctx.unsupported("element type", f"Cast to {type_name(to)}")
    _, dtype = _ELEMENT_TYPES[to]
    x = ctx.input(0)
    if isinstance(x, np.ndarray):
        ctx.define(_fold(lambda a: a.astype(dtype), x))
        return
    ctx.define(ctx.imp.cast(x, dtype))


def _cast_like(ctx: _Node) -> None:
    dtype = ctx.imp.dtype(ctx.input(1))
    ctx.define(ctx.imp.cast(ctx.input(0), dtype))


# ============================================================================ constants


def _constant(ctx: _Node) -> None:
    attrs = ctx.attrs
    if "value" in attrs:
        tensor = ctx.node.attribute[[a.name for a in ctx.node.attribute].index("value")].t
        ctx.define(ctx.imp._tensor_array(tensor, f"{ctx.where} value"))
    elif "value_float" in attrs:
        ctx.define(np.array(attrs["value_float"], np.float32))
    elif "value_floats" in attrs:
        ctx.define(np.array(attrs["value_floats"], np.float32))
    elif "value_int" in attrs:
        ctx.define(np.array(attrs["value_int"], np.int64))
    elif "value_ints" in attrs:
        ctx.define(np.array(attrs["value_ints"], np.int64))
    else:
        name = next(iter(attrs), "none")
        raise ctx.unsupported("attribute", f"constant attribute '{name}'")


def _constant_of_shape(ctx: _Node) -> None:
    shape = ctx.ints_input(0, "shape")
    if any(d < 0 for d in shape):
        raise ctx.fail(f"negative dimension in shape {shape}")
    value = np.zeros(1, np.float32)
    for attr in ctx.node.attribute:
        if attr.name == "value":
            value = ctx.imp._tensor_array(attr.t, f"{ctx.where} value")
    scalar = value.reshape(-1)[0]
    if _product(shape) <= 1:
        ctx.define(np.full(shape, scalar, dtype=value.dtype))
    else:
        ctx.define(splat(scalar, shape, value.dtype))


def _shape(ctx: _Node) -> None:
    shape = ctx.shape(ctx.input(0))
    rank = len(shape)
    start = int(ctx.attr("start", 0))
    end = ctx.attr("end", None)
    start = min(max(start + rank if start < 0 else start, 0), rank)
    end = rank if end is None else int(end)
    end = min(max(end + rank if end < 0 else end, 0), rank)
    ctx.define(np.array(shape[start:end], dtype=np.int64))


def _size(ctx: _Node) -> None:
    ctx.define(np.array(_product(ctx.shape(ctx.input(0))), dtype=np.int64))


def _range(ctx: _Node) -> None:
    start = ctx.const_input(0, "start").reshape(())
    limit = ctx.const_input(1, "limit").reshape(())
    delta = ctx.const_input(2, "delta").reshape(())
    ctx.define(np.arange(start, limit, delta, dtype=start.dtype))


# ============================================================================ shapes


def _reshape_node(ctx: _Node) -> None:
    x = ctx.input(0)
    in_shape = ctx.shape(x)
    if ctx.version < 5:
        target = [int(v) for v in ctx.attr("shape")]
    else:
        target = ctx.ints_input(1, "shape")
    allow_zero = int(ctx.attr("allowzero", 0)) if ctx.version >= 14 else 0
    shape = [
        in_shape[i] if d == 0 and not allow_zero and i < len(in_shape) else d
        for i, d in enumerate(target)
    ]
    elements = _product(in_shape)
    if shape.count(-1) > 1:
        raise ctx.fail(f"shape {target} has more than one -1")
    if -1 in shape:
        known = _product([d for d in shape if d != -1])
        if known == 0 or elements % known:
            raise ctx.fail(f"cannot reshape {list(in_shape)} into {target}")
        shape[shape.index(-1)] = elements // known
    if _product(shape) != elements or any(d < 0 for d in shape):
        raise ctx.fail(f"cannot reshape {list(in_shape)} into {target}")
    ctx.define(ctx.imp.reshape(x, shape))


def _flatten(ctx: _Node) -> None:
    x = ctx.input(0)
    shape = ctx.shape(x)
    axis = int(ctx.attr("axis"))
    if not -len(shape) <= axis <= len(shape):
        raise ctx.fail(f"axis {axis} is out of range for a {len(shape)}-D input")
    axis = axis + len(shape) if axis < 0 else axis
    ctx.define(ctx.imp.reshape(x, [_product(shape[:axis]), _product(shape[axis:])]))


def _axes_from(ctx: _Node, position: int, attr: str = "axes") -> list[int] | None:
    """Axes given by attribute (older opsets) or by input `position` (newer)."""
    if attr in ctx.attrs:
        return [int(a) for a in ctx.attrs[attr]]
    if ctx.has_input(position):
        return ctx.ints_input(position, attr)
    return None


def _squeeze(ctx: _Node) -> None:
    x = ctx.input(0)
    shape = ctx.shape(x)
    axes = _axes_from(ctx, 1)
    if axes is None:
        axes = [i for i, d in enumerate(shape) if d == 1]
    axes = [ctx.axis(a, len(shape)) for a in axes]
    if any(shape[a] != 1 for a in axes):
        raise ctx.fail(f"cannot squeeze dimensions {axes} of {list(shape)}: not 1")
    ctx.define(ctx.imp.reshape(x, [d for i, d in enumerate(shape) if i not in axes]))


def _unsqueeze(ctx: _Node) -> None:
    x = ctx.input(0)
    shape = list(ctx.shape(x))
    axes = _axes_from(ctx, 1)
    if axes is None:
        raise ctx.fail("axes are required")
    rank = len(shape) + len(axes)
    axes = sorted(ctx.axis(a, rank) for a in axes)
    if len(set(axes)) != len(axes):
        raise ctx.fail(f"repeated axes {axes}")
    for a in axes:
        shape.insert(a, 1)
    ctx.define(ctx.imp.reshape(x, shape))


def _transpose_node(ctx: _Node) -> None:
    x = ctx.input(0)
    rank = len(ctx.shape(x))
    perm = ctx.attr("perm")
    perm = list(range(rank))[::-1] if perm is None else [ctx.axis(int(p), rank) for p in perm]
    if sorted(perm) != list(range(rank)):
        raise ctx.fail(f"perm {perm} is not a permutation of {rank} dimensions")
    ctx.define(ctx.imp.transpose(x, perm))


def _concat_values(ctx: _Node, values: list[Value], axis: int) -> Value:
    shapes = [ctx.shape(v) for v in values]
    rank = len(shapes[0])
    axis = ctx.axis(axis, rank)
    for s in shapes:
        if len(s) != rank or any(a != b for i, (a, b) in enumerate(zip(s, shapes[0])) if i != axis):
            raise ctx.fail(f"shapes {[list(s) for s in shapes]} do not concatenate on axis {axis}")
    values = [v for v, s in zip(values, shapes, strict=True) if s[axis] > 0] or values[:1]
    if len(values) == 1:
        return values[0]
    if all(isinstance(v, np.ndarray) for v in values):
        return np.concatenate(values, axis=axis)  # type: ignore[arg-type]
    out_shape = list(shapes[0])
    out_shape[axis] = sum(ctx.shape(v)[axis] for v in values)
    out = ctx.imp.tensor_type(out_shape, ctx.imp.dtype(values[0]))
    return ctx.emit(nn.ConcatOp([ctx.ssa(v) for v in values], axis, out)).results[0]


def _concat(ctx: _Node) -> None:
    values = [ctx.input(i) for i in range(ctx.n_inputs) if ctx.has_input(i)]
    ctx.define(_concat_values(ctx, values, int(ctx.attr("axis"))))


def _slice_value(
    ctx: _Node, x: Value, starts: list[int], steps: list[int], counts: list[int]
) -> Value:
    shape = ctx.shape(x)
    if (
        list(starts) == [0] * len(shape)
        and list(steps) == [1] * len(shape)
        and tuple(counts) == tuple(shape)
    ):
        return x
    if isinstance(x, np.ndarray):
        index = tuple(
            slice(s, s + (c - 1) * t + (1 if t > 0 else -1), t) if c > 0 else slice(0, 0)
            for s, t, c in zip(starts, steps, counts, strict=True)
        )
        index = tuple(
            slice(sl.start, None if sl.stop is not None and sl.stop < 0 else sl.stop, sl.step)
            for sl in index
        )
        if is_splat(x):
            return splat(x.reshape(-1)[0], counts, x.dtype)
        return np.ascontiguousarray(x[index])
    out = ctx.imp.tensor_type(counts, ctx.imp.dtype(x))
    return ctx.emit(nn.SliceOp(ctx.ssa(x), starts, steps, out)).results[0]


def _slice(ctx: _Node) -> None:
    x = ctx.input(0)
    shape = ctx.shape(x)
    rank = len(shape)
    if ctx.version < 10:
        starts_in = [int(v) for v in ctx.attr("starts")]
        ends_in = [int(v) for v in ctx.attr("ends")]
        axes_in = ctx.attr("axes")
        axes = [int(a) for a in axes_in] if axes_in is not None else list(range(len(starts_in)))
        steps_in = [1] * len(starts_in)
    else:
        starts_in = ctx.ints_input(1, "starts")
        ends_in = ctx.ints_input(2, "ends")
        axes = ctx.ints_input(3, "axes") if ctx.has_input(3) else list(range(len(starts_in)))
        steps_in = ctx.ints_input(4, "steps") if ctx.has_input(4) else [1] * len(starts_in)
    if not len(starts_in) == len(ends_in) == len(axes) == len(steps_in):
        raise ctx.fail("starts, ends, axes and steps differ in length")
    starts, steps, counts = [0] * rank, [1] * rank, list(shape)
    for start, end, axis, step in zip(starts_in, ends_in, axes, steps_in, strict=True):
        axis = ctx.axis(axis, rank)
        dim = shape[axis]
        if step == 0:
            raise ctx.fail("a step is 0")
        start = start + dim if start < 0 else start
        end = end + dim if end < 0 else end
        if step > 0:
            start, end = min(max(start, 0), dim), min(max(end, 0), dim)
            count = max(0, -(-(end - start) // step))
        else:
            start, end = min(max(start, 0), dim - 1), min(max(end, -1), dim - 1)
            count = max(0, -(-(start - end) // -step))
        starts[axis], steps[axis], counts[axis] = (start if count else 0), step, count
    if 0 in counts:  # no elements: nothing to compute, an empty constant
        ctx.define(np.zeros(counts, ctx.imp.dtype(x)))
        return
    ctx.define(_slice_value(ctx, x, starts, steps, counts))


def _split(ctx: _Node) -> None:
    x = ctx.input(0)
    shape = ctx.shape(x)
    axis = ctx.axis(int(ctx.attr("axis")), len(shape))
    n_out = len(ctx.node.output)
    sizes = _axes_from(ctx, 1, "split")
    if sizes is None:
        num = ctx.attr("num_outputs", None)
        if num is not None:
            chunk = -(-shape[axis] // int(num))
            sizes = [min(chunk, shape[axis] - i * chunk) for i in range(int(num))]
        else:
            if shape[axis] % n_out:
                raise ctx.fail(f"dimension {shape[axis]} does not split into {n_out} equal parts")
            sizes = [shape[axis] // n_out] * n_out
    if sum(sizes) != shape[axis] or len(sizes) != n_out:
        raise ctx.fail(f"split sizes {sizes} do not cover dimension {shape[axis]} in {n_out} parts")
    offset = 0
    for i, size in enumerate(sizes):
        if size == 0:  # an empty part: an empty constant
            ctx.define(np.zeros([*shape[:axis], 0, *shape[axis + 1 :]], ctx.imp.dtype(x)), i)
            continue
        starts = [0] * len(shape)
        starts[axis] = offset
        counts = list(shape)
        counts[axis] = size
        ctx.define(_slice_value(ctx, x, starts, [1] * len(shape), counts), i)
        offset += size


def _gather(ctx: _Node) -> None:
    data, indices = ctx.input(0), ctx.input(1)
    shape = ctx.shape(data)
    axis = ctx.axis(int(ctx.attr("axis")), len(shape))
    if ctx.imp.dtype(indices) not in (np.int32, np.int64):
        raise ctx.unsupported("element type", f"Gather indices of {ctx.imp.dtype(indices)}")
    if isinstance(indices, np.ndarray):
        if np.any((indices < -shape[axis]) | (indices >= shape[axis])):
            raise ctx.fail(f"indices out of range for dimension {shape[axis]}")
        if isinstance(data, np.ndarray):
            ctx.define(np.take(data, indices.astype(np.int64), axis=axis))
            return
        if indices.ndim == 0 or (indices.ndim == 1 and indices.size == 1):
            i = int(indices.reshape(-1)[0]) % shape[axis]
            starts = [0] * len(shape)
            starts[axis] = i
            counts = list(shape)
            counts[axis] = 1
            sliced = _slice_value(ctx, data, starts, [1] * len(shape), counts)
            out_shape = [*shape[:axis], *indices.shape, *shape[axis + 1 :]]
            ctx.define(ctx.imp.reshape(sliced, out_shape))
            return
    out_shape = [*shape[:axis], *ctx.shape(indices), *shape[axis + 1 :]]
    out = ctx.imp.tensor_type(out_shape, ctx.imp.dtype(data))
    ctx.define(ctx.emit(nn.GatherOp(ctx.ssa(data), ctx.ssa(indices), axis, out)).results[0])


def _expand(ctx: _Node) -> None:
    x = ctx.input(0)
    target = ctx.ints_input(1, "shape")
    shape = _broadcast(ctx, ctx.shape(x), target)
    ctx.define(_broadcast_to(ctx, x, shape))


def _broadcast_to(ctx: _Node, x: Value, shape: Sequence[int]) -> Value:
    if tuple(ctx.shape(x)) == tuple(shape):
        return x
    if isinstance(x, np.ndarray):
        if x.size == 1 or is_splat(x):
            return splat(x.reshape(-1)[0], shape, x.dtype)
        return np.ascontiguousarray(np.broadcast_to(x, tuple(shape)))
    out = ctx.imp.tensor_type(shape, ctx.imp.dtype(x))
    return ctx.emit(nn.BroadcastOp(x, out)).results[0]


def _tile(ctx: _Node) -> None:
    x = ctx.input(0)
    repeats = ctx.ints_input(1, "repeats")
    shape = ctx.shape(x)
    if len(repeats) != len(shape):
        raise ctx.fail(f"{len(repeats)} repeats for a {len(shape)}-D input")
    if isinstance(x, np.ndarray):
        ctx.define(np.tile(x, repeats))
        return
    # one axis at a time: [outer, 1, rest] broadcast to [outer, r, rest], then reshaped
    y: Value = x
    current = list(shape)
    for axis, r in enumerate(repeats):
        if r < 0:
            raise ctx.fail(f"negative repeat {r}")
        if r == 1:
            continue
        outer, rest = _product(current[:axis]), _product(current[axis:])
        y = ctx.imp.reshape(y, [outer, 1, rest])
        y = _broadcast_to(ctx, y, [outer, r, rest])
        current[axis] *= r
        y = ctx.imp.reshape(y, current)
    ctx.define(y)


def _depth_to_space(ctx: _Node) -> None:
    x = ctx.input(0)
    n, c, h, w = _rank4(ctx, x)
    b = int(ctx.attr("blocksize"))
    if b <= 0 or c % (b * b):
        raise ctx.fail(f"{c} channels do not split into blocks of {b}x{b}")
    mode = ctx.attr("mode", "DCR")
    if mode == "DCR":
        y = ctx.imp.reshape(x, [n, b, b, c // (b * b), h, w])
        y = ctx.imp.transpose(y, [0, 3, 4, 1, 5, 2])
    elif mode == "CRD":
        y = ctx.imp.reshape(x, [n, c // (b * b), b, b, h, w])
        y = ctx.imp.transpose(y, [0, 1, 4, 2, 5, 3])
    else:
        raise ctx.bad_attribute("mode", mode)
    ctx.define(ctx.imp.reshape(y, [n, c // (b * b), h * b, w * b]))


def _space_to_depth(ctx: _Node) -> None:
    x = ctx.input(0)
    n, c, h, w = _rank4(ctx, x)
    b = int(ctx.attr("blocksize"))
    if b <= 0 or h % b or w % b:
        raise ctx.fail(f"{h}x{w} does not split into blocks of {b}x{b}")
    mode = ctx.attr("mode", "DCR")
    y = ctx.imp.reshape(x, [n, c, h // b, b, w // b, b])
    if mode == "DCR":  # output channel (bh * b + bw) * c + ci
        y = ctx.imp.transpose(y, [0, 3, 5, 1, 2, 4])
    elif mode == "CRD":  # output channel (ci * b + bh) * b + bw
        y = ctx.imp.transpose(y, [0, 1, 3, 5, 2, 4])
    else:
        raise ctx.bad_attribute("mode", mode)
    ctx.define(ctx.imp.reshape(y, [n, c * b * b, h // b, w // b]))


def _rank4(ctx: _Node, x: Value) -> tuple[int, int, int, int]:
    shape = ctx.shape(x)
    if len(shape) != 4:
        raise ctx.unsupported("attribute", f"a {len(shape)}-D input (4-D NCHW only)")
    return shape[0], shape[1], shape[2], shape[3]


def _pad(ctx: _Node) -> None:
    x = ctx.input(0)
    shape = ctx.shape(x)
    rank = len(shape)
    mode = ctx.attr("mode")
    if ctx.version < 11:
        pads = [int(p) for p in ctx.attr("pads")]
        value = float(ctx.attr("value"))
    else:
        pads = ctx.ints_input(1, "pads")
        value = 0.0
        if ctx.has_input(2):
            constant = ctx.const_input(2, "constant_value").reshape(-1)
            value = float(constant[0]) if constant.size else 0.0
    axes = ctx.ints_input(3, "axes") if ctx.version >= 18 and ctx.has_input(3) else None
    if axes is not None:
        axes = [ctx.axis(a, rank) for a in axes]
        if len(pads) != 2 * len(axes):
            raise ctx.fail(f"{len(pads)} pads for {len(axes)} axes")
        full = [0] * (2 * rank)
        for i, a in enumerate(axes):
            full[a], full[rank + a] = pads[i], pads[len(axes) + i]
        pads = full
    if len(pads) != 2 * rank:
        raise ctx.fail(f"{len(pads)} pads for a {rank}-D input")
    if mode not in ("constant", "reflect", "edge", "wrap"):
        raise ctx.bad_attribute("mode", mode)
    before, after = pads[:rank], pads[rank:]
    if any(p < 0 for p in pads):  # negative pads crop
        starts = [max(-b, 0) for b in before]
        counts = [d - max(-b, 0) - max(-a, 0) for d, b, a in zip(shape, before, after, strict=True)]
        if any(c <= 0 for c in counts):
            raise ctx.fail(f"pads {pads} crop everything")
        x = _slice_value(ctx, x, starts, [1] * rank, counts)
        before, after = [max(b, 0) for b in before], [max(a, 0) for a in after]
        shape = ctx.shape(x)
    if mode == "reflect" and any(
        (b or a) and (b >= d or a >= d) for d, b, a in zip(shape, before, after, strict=True)
    ):
        raise ctx.unsupported("attribute", "reflect padding wider than the input")
    if not any(before) and not any(after):
        ctx.define(x)
        return
    if ctx.imp.dtype(x) not in (np.float32, np.int32, np.int64) and mode == "constant" and value:
        raise ctx.unsupported("element type", f"Pad of {ctx.imp.dtype(x)} with a value")
    out_shape = [d + b + a for d, b, a in zip(shape, before, after, strict=True)]
    flat = [v for pair in zip(before, after, strict=True) for v in pair]
    out = ctx.imp.tensor_type(out_shape, ctx.imp.dtype(x))
    op = nn.PadOp(
        ctx.ssa(x),
        out,
        flat,
        mode=None if mode == "constant" else mode,
        value=value if mode == "constant" and value != 0.0 else None,
    )
    ctx.define(ctx.emit(op).results[0])


# ============================================================================ reductions


_REDUCE_FN = {
    "ReduceSum": "sum",
    "ReduceMean": "mean",
    "ReduceMax": "max",
    "ReduceMin": "min",
    "ReduceProd": "prod",
    "ReduceSumSquare": "sum_square",
    "ReduceL1": "l1",
    "ReduceL2": "l2",
    "ReduceLogSum": "log_sum",
    "ReduceLogSumExp": "log_sum_exp",
}


def _reduce(ctx: _Node) -> None:
    x = ctx.input(0)
    shape = ctx.shape(x)
    rank = len(shape)
    fn = _REDUCE_FN[ctx.op_type]
    if ctx.imp.dtype(x) != np.float32:
        raise ctx.unsupported("element type", f"{ctx.op_type} of {ctx.imp.dtype(x)} tensors")
    keep = bool(ctx.attr("keepdims"))
    axes = _axes_from(ctx, 1)
    if not axes:
        if int(ctx.attr("noop_with_empty_axes", 0)):
            ctx.define(x)
            return
        axes = list(range(rank))
    axes = sorted({ctx.axis(a, rank) for a in axes})
    if isinstance(x, np.ndarray) and not is_splat(x):
        ctx.define(_reduce_constant(x, fn, axes, keep))
        return
    out_shape = nn.reduced_shape(shape, axes, keep)
    out = ctx.imp.tensor_type(out_shape, np.dtype(np.float32))
    ctx.define(ctx.emit(nn.ReduceOp(ctx.ssa(x), fn, axes, keep, out)).results[0])


def _reduce_constant(x: np.ndarray, fn: str, axes: list[int], keep: bool) -> np.ndarray:
    """A reduction of a constant (also of an empty one: the identity of the reduction),
    in float64 then rounded to float32 as the kernel does."""
    a = x.astype(np.float64)
    ax = tuple(axes)
    with np.errstate(all="ignore"):
        result = {
            "sum": lambda: np.sum(a, axis=ax, keepdims=keep),
            "mean": lambda: np.mean(a, axis=ax, keepdims=keep),
            "max": lambda: np.max(a, axis=ax, keepdims=keep, initial=-np.inf),
            "min": lambda: np.min(a, axis=ax, keepdims=keep, initial=np.inf),
            "prod": lambda: np.prod(a, axis=ax, keepdims=keep),
            "sum_square": lambda: np.sum(a * a, axis=ax, keepdims=keep),
            "l1": lambda: np.sum(np.abs(a), axis=ax, keepdims=keep),
            "l2": lambda: np.sqrt(np.sum(a * a, axis=ax, keepdims=keep)),
            "log_sum": lambda: np.log(np.sum(a, axis=ax, keepdims=keep)),
            "log_sum_exp": lambda: np.log(np.sum(np.exp(a), axis=ax, keepdims=keep)),
        }[fn]()
    return np.asarray(result, dtype=np.float32)


def _global_pool(fn: str) -> Callable[[_Node], None]:
    def handler(ctx: _Node) -> None:
        x = ctx.input(0)
        shape = ctx.shape(x)
        if len(shape) < 3:
            raise ctx.fail(f"expected an N-C-spatial input, got {list(shape)}")
        axes = list(range(2, len(shape)))
        out = ctx.imp.tensor_type(nn.reduced_shape(shape, axes, True), np.dtype(np.float32))
        ctx.define(ctx.emit(nn.ReduceOp(ctx.ssa(x), fn, axes, True, out)).results[0])

    return handler


def _arg_reduce(ctx: _Node) -> None:
    x = ctx.input(0)
    shape = ctx.shape(x)
    if ctx.imp.dtype(x) != np.float32:
        raise ctx.unsupported("element type", f"{ctx.op_type} of {ctx.imp.dtype(x)} tensors")
    axis = ctx.axis(int(ctx.attr("axis")), len(shape))
    keep = bool(ctx.attr("keepdims"))
    last = bool(ctx.attr("select_last_index", 0))
    out = ctx.imp.tensor_type(nn.reduced_shape(shape, [axis], keep), np.dtype(np.int64))
    fn = "max" if ctx.op_type == "ArgMax" else "min"
    ctx.define(ctx.emit(nn.ArgReduceOp(ctx.ssa(x), fn, axis, keep, last, out)).results[0])


def _topk(ctx: _Node) -> None:
    x = ctx.input(0)
    shape = ctx.shape(x)
    if ctx.imp.dtype(x) != np.float32:
        raise ctx.unsupported("element type", f"TopK of {ctx.imp.dtype(x)} tensors")
    axis = ctx.axis(int(ctx.attr("axis")), len(shape))
    k = int(ctx.attr("k")) if ctx.version < 10 else ctx.ints_input(1, "k")[0]
    if not 0 < k <= shape[axis]:
        raise ctx.fail(f"k = {k} is out of range for dimension {shape[axis]}")
    largest = bool(ctx.attr("largest", 1))
    sorted_ = bool(ctx.attr("sorted", 1))
    out_shape = list(shape)
    out_shape[axis] = k
    op = nn.TopKOp(
        ctx.ssa(x),
        axis,
        largest,
        sorted_,
        ctx.imp.tensor_type(out_shape, np.dtype(np.float32)),
        ctx.imp.tensor_type(out_shape, np.dtype(np.int64)),
    )
    ctx.emit(op)
    ctx.define(op.results[0], 0)
    ctx.define(op.results[1], 1)


def _softmax(ctx: _Node) -> None:
    x = ctx.input(0)
    shape = ctx.shape(x)
    if ctx.imp.dtype(x) != np.float32:
        raise ctx.unsupported("element type", f"{ctx.op_type} of {ctx.imp.dtype(x)} tensors")
    log = ctx.op_type == "LogSoftmax"
    rank = len(shape)
    if ctx.version < 13:
        axis = int(ctx.attr("axis"))
        if not -rank <= axis <= rank:
            raise ctx.fail(f"axis {axis} is out of range")
        axis = axis + rank if axis < 0 else axis
        flat = ctx.imp.reshape(x, [_product(shape[:axis]), _product(shape[axis:])])
        op = nn.SoftmaxOp(ctx.ssa(flat), ctx.ssa(flat).type, axis=1, log=log)
        y = ctx.emit(op).results[0]
        ctx.define(ctx.imp.reshape(y, shape))
        return
    axis = ctx.axis(int(ctx.attr("axis")), rank)
    if rank == 0:
        raise ctx.unsupported("attribute", "softmax of a scalar")
    ctx.define(ctx.emit(nn.SoftmaxOp(ctx.ssa(x), ctx.ssa(x).type, axis=axis, log=log)).results[0])


def _lrn(ctx: _Node) -> None:
    x = ctx.input(0)
    shape = ctx.shape(x)
    if len(shape) < 2 or ctx.imp.dtype(x) != np.float32:
        raise ctx.fail(f"expected an f32 N-C-... input, got {list(shape)}")
    op = nn.LRNOp(
        ctx.ssa(x),
        1,
        int(ctx.attr("size")),
        float(ctx.attr("alpha")),
        float(ctx.attr("beta")),
        float(ctx.attr("bias")),
    )
    ctx.define(ctx.emit(op).results[0])


def _layer_norm(ctx: _Node) -> None:
    x = ctx.input(0)
    shape = ctx.shape(x)
    if ctx.imp.dtype(x) != np.float32:
        raise ctx.unsupported("element type", f"LayerNormalization of {ctx.imp.dtype(x)}")
    axis = ctx.axis(int(ctx.attr("axis")), len(shape))
    if int(ctx.attr("stash_type", 1)) != 1:
        raise ctx.bad_attribute("stash_type", ctx.attr("stash_type"), "float32 statistics only")
    stats = [d if i < axis else 1 for i, d in enumerate(shape)]
    op = nn.LayerNormOp(
        ctx.ssa(x),
        ctx.ssa(ctx.input(1)),
        ctx.ssa(ctx.input(2)) if ctx.has_input(2) else None,
        axis,
        float(ctx.attr("epsilon")),
        ctx.imp.tensor_type(stats, np.dtype(np.float32)),
    )
    ctx.emit(op)
    for i in range(3):
        ctx.define(op.results[i], i)


def _batch_norm(ctx: _Node) -> None:
    x = ctx.input(0)
    shape = ctx.shape(x)
    if ctx.attr("training_mode", 0) or sum(ctx.outputs_wanted()[1:]):
        raise ctx.bad_attribute("training_mode", 1, "inference only")
    if len(shape) < 2:
        raise ctx.fail(f"expected an N-C-... input, got {list(shape)}")
    channels = shape[1]
    params = [ctx.const_input(i, n) for i, n in enumerate(("", "scale", "B", "mean", "var")) if i]
    scale, bias, mean, var = (p.astype(np.float32) for p in params)
    for p in (scale, bias, mean, var):
        if p.shape != (channels,):
            raise ctx.fail(f"parameter shape {list(p.shape)} does not match {channels} channels")
    eps = np.float32(ctx.attr("epsilon"))
    # y = (x - mean) / sqrt(var + eps) * scale + bias = x * s + t
    s = _fold(lambda sc, v: sc / np.sqrt(v + eps), scale, var)
    t = _fold(lambda b, m, ss: b - m * ss, bias, mean, s)
    record = ctx.imp.foldable.get(ctx.node.input[0])
    if record is not None and ctx.imp.consumers.get(ctx.node.input[0], 0) == 1:
        if ctx.node.input[0] not in ctx.imp.graph_outputs and _can_fold(record.weights, s):
            for op in reversed(record.ops):
                op.detach()
                op.erase()
            axis_shape = [1] * record.weights.ndim
            axis_shape[record.channel_axis] = channels
            w = _fold(lambda a, b: a * b, record.weights, _reshape(s, axis_shape))
            b0 = (
                record.bias
                if record.bias is not None
                else splat(0.0, [channels], np.dtype(np.float32))
            )
            b = _fold(lambda a, ss, tt: a * ss + tt, b0, s, t)
            ctx.define(record.rebuild(w.astype(np.float32), b.astype(np.float32)))
            return
    bshape = [channels] + [1] * (len(shape) - 2)
    y = _binary_value(ctx, "mul", x, _reshape(s, bshape))
    ctx.define(_binary_value(ctx, "add", y, _reshape(t, bshape)))


def _can_fold(weights: np.ndarray, s: np.ndarray) -> bool:
    """Fold a scale into weights unless that would expand splat weights."""
    return not is_splat(weights) or is_splat(s) or s.size == 1


# ============================================================================ windows


def _window_attrs(
    ctx: _Node, spatial: Sequence[int], kernel: Sequence[int], transposed: bool = False
) -> tuple[list[int], list[int], list[int]]:
    """strides, dilations and pads [begin..., end...] after auto_pad."""
    n = len(spatial)
    strides = [int(s) for s in (ctx.attr("strides") or [1] * n)]
    dilations = [int(d) for d in (ctx.attr("dilations", None) or [1] * n)]
    pads = [int(p) for p in (ctx.attr("pads") or [0] * (2 * n))]
    if len(strides) != n or len(dilations) != n or len(pads) != 2 * n:
        raise ctx.fail(f"strides/dilations/pads do not match {n} spatial dimensions")
    auto_pad = ctx.attr("auto_pad", "NOTSET")
    if auto_pad in ("SAME_UPPER", "SAME_LOWER") and not transposed:
        pads = [0] * (2 * n)
        for i in range(n):
            out = -(-spatial[i] // strides[i])
            effective = (kernel[i] - 1) * dilations[i] + 1
            total = max((out - 1) * strides[i] + effective - spatial[i], 0)
            small, large = total // 2, total - total // 2
            pads[i], pads[n + i] = (small, large) if auto_pad == "SAME_UPPER" else (large, small)
    elif auto_pad == "VALID":
        pads = [0] * (2 * n)
    elif auto_pad not in ("NOTSET", "SAME_UPPER", "SAME_LOWER"):
        raise ctx.bad_attribute("auto_pad", auto_pad)
    if any(s <= 0 for s in strides) or any(d <= 0 for d in dilations):
        raise ctx.fail(f"strides {strides} and dilations {dilations} must be positive")
    return strides, dilations, pads


def _spatial_2d(ctx: _Node, x: Value, what: str) -> tuple[Value, bool]:
    """A 3-D (N, C, L) input as 4-D (N, C, 1, L); 4-D as is; other ranks unsupported."""
    shape = ctx.shape(x)
    if len(shape) == 4:
        return x, False
    if len(shape) == 3:
        return ctx.imp.reshape(x, [shape[0], shape[1], 1, shape[2]]), True
    raise ctx.unsupported("attribute", f"{what} over {len(shape) - 2} spatial dimensions")


def _conv(ctx: _Node) -> None:
    x, w_value = ctx.input(0), ctx.input(1)
    if ctx.imp.dtype(x) != np.float32:
        raise ctx.unsupported("element type", f"Conv of {ctx.imp.dtype(x)} tensors")
    w = ctx.const(w_value, "weight").astype(np.float32, copy=False)
    bias = ctx.const_input(2, "bias").astype(np.float32) if ctx.has_input(2) else None
    ctx.define(_conv_value(ctx, x, w, bias, foldable=True))


def _conv_value(
    ctx: _Node, x: Value, w: np.ndarray, bias: np.ndarray | None, foldable: bool = False
) -> Value:
    """An ONNX convolution of f32 `x` (N, C, ...) by constant weights [M, C/group, ...]."""
    if len(ctx.shape(x)) == 5:
        return _conv3d(ctx, x, w, bias)
    x4, one_d = _spatial_2d(ctx, x, "Conv")
    if one_d:
        w = _reshape(w, [w.shape[0], w.shape[1], 1, w.shape[2]])
    n, c, h, wd = ctx.shape(x4)
    m, cg, kh, kw = w.shape
    kernel_shape = ctx.attr("kernel_shape")
    if kernel_shape is not None and list(kernel_shape)[-2:] != [kh, kw][-len(kernel_shape) :]:
        raise ctx.fail(f"kernel_shape {kernel_shape} does not match the weights {list(w.shape)}")
    group = int(ctx.attr("group"))
    if group <= 0 or c % group or m % group or cg != c // group:
        raise ctx.fail(f"weights {list(w.shape)} do not match {c} input channels in {group} groups")
    if bias is not None and bias.shape != (m,):
        raise ctx.fail(f"bias shape {list(bias.shape)} does not match {m} output channels")
    spatial = [h, wd]
    strides, dilations, pads = _window_attrs(
        ctx, [wd] if one_d else spatial, [kw] if one_d else [kh, kw]
    )
    if one_d:
        strides, dilations, pads = [1, *strides], [1, *dilations], [0, pads[0], 0, pads[1]]
    nn_pads = [pads[0], pads[1], pads[2], pads[3]]
    out_hw = [
        nn.window_output_size(h, kh, strides[0], dilations[0], pads[0], pads[2]),
        nn.window_output_size(wd, kw, strides[1], dilations[1], pads[1], pads[3]),
    ]
    if min(out_hw) <= 0:
        raise ctx.fail("the window is larger than the padded input")
    x_nhwc = ctx.imp.to_nhwc(x4)

    def build(weights: np.ndarray, b: np.ndarray | None) -> Value:
        before = _ops_mark(ctx)
        y = _emit_conv(ctx, x_nhwc, weights, b, group, strides, dilations, nn_pads, n, out_hw)
        y = ctx.imp.to_nchw(y)
        result = ctx.imp.reshape(y, [n, m, out_hw[1]]) if one_d else y
        ctx._built_ops = _ops_since(ctx, before)  # type: ignore[attr-defined]
        return result

    y = build(w, bias)
    if foldable and not one_d and ctx.node.output:
        ctx.imp.foldable[ctx.node.output[0]] = _ConvRecord(
            ctx._built_ops,  # type: ignore[attr-defined]
            w,
            bias,
            0,
            build,
        )
    return y


def _ops_mark(ctx: _Node) -> Operation | None:
    assert ctx.imp.builder is not None
    return ctx.imp.builder.insertion_point.block.last_op


def _ops_since(ctx: _Node, mark: Operation | None) -> list[Operation]:
    assert ctx.imp.builder is not None
    block = ctx.imp.builder.insertion_point.block
    op = block.first_op if mark is None else mark.next_op
    ops: list[Operation] = []
    while op is not None:
        if not isinstance(op, nn.ConstantOp | nn.SplatOp):
            ops.append(op)
        op = op.next_op
    return ops


def _emit_conv(
    ctx: _Node,
    x: Value,
    w: np.ndarray,
    bias: np.ndarray | None,
    group: int,
    strides: list[int],
    dilations: list[int],
    pads: list[int],
    n: int,
    out_hw: list[int],
) -> SSAValue:
    """An NHWC convolution of `x` by ONNX weights `w` [M, C/group, KH, KW]."""
    m, cg, kh, kw = w.shape
    c = cg * group
    out = ctx.imp.tensor_type([n, *out_hw, m], np.dtype(np.float32))
    xs = ctx.ssa(x)
    b = ctx.imp.ssa(bias, "bias") if bias is not None else None
    if group == 1:
        filt = ctx.imp.ssa(np.transpose(w, (0, 2, 3, 1)), "filter")
        op: Operation = nn.Conv2DOp(xs, filt, b, out, strides, dilations, pads)
        return ctx.emit(op).results[0]
    if cg == 1 and m % c == 0:  # depthwise: output channel o = c * multiplier + k
        filt = ctx.imp.ssa(_reshape(w, [m, kh, kw]).transpose(1, 2, 0)[None], "filter")
        op = nn.DepthwiseConv2DOp(xs, filt, b, out, strides, dilations, pads, m // c)
        return ctx.emit(op).results[0]
    # grouped: one convolution per group of channels, concatenated
    mg = m // group
    in_shape = ctx.shape(x)
    parts: list[Value] = []
    for g in range(group):
        starts = [0, 0, 0, g * cg]
        xg = _slice_value(ctx, x, starts, [1, 1, 1, 1], [*in_shape[:3], cg])
        wg = (
            w[g * mg : (g + 1) * mg]
            if not is_splat(w)
            else splat(w.reshape(-1)[0], [mg, cg, kh, kw], w.dtype)
        )
        bg = bias[g * mg : (g + 1) * mg] if bias is not None else None
        parts.append(_emit_conv(ctx, xg, wg, bg, 1, strides, dilations, pads, n, out_hw))
    return ctx.ssa(_concat_values(ctx, parts, 3))


def _conv_transpose(ctx: _Node) -> None:
    x = ctx.input(0)
    if ctx.imp.dtype(x) != np.float32:
        raise ctx.unsupported("element type", f"ConvTranspose of {ctx.imp.dtype(x)} tensors")
    w = ctx.const_input(1, "weight").astype(np.float32, copy=False)
    bias = ctx.const_input(2, "bias").astype(np.float32) if ctx.has_input(2) else None
    x4, one_d = _spatial_2d(ctx, x, "ConvTranspose")
    if one_d:
        w = _reshape(w, [w.shape[0], w.shape[1], 1, w.shape[2]])
    n, c, h, wd = ctx.shape(x4)
    group = int(ctx.attr("group"))
    cw, mg, kh, kw = w.shape
    if cw != c or c % group:
        raise ctx.fail(f"weights {list(w.shape)} do not match {c} input channels")
    m = mg * group
    spatial = [wd] if one_d else [h, wd]
    kernel = [kw] if one_d else [kh, kw]
    strides, dilations, pads = _window_attrs(ctx, spatial, kernel, transposed=True)
    k_dims = len(spatial)
    out_pad = [int(p) for p in (ctx.attr("output_padding") or [0] * k_dims)]
    output_shape = ctx.attr("output_shape")
    auto_pad = ctx.attr("auto_pad", "NOTSET")
    sizes = []
    for i in range(k_dims):
        full = strides[i] * (spatial[i] - 1) + out_pad[i] + (kernel[i] - 1) * dilations[i] + 1
        if output_shape is not None:
            target = int(list(output_shape)[-k_dims:][i])
            total = full - target
            if auto_pad == "SAME_UPPER":
                pads[i], pads[k_dims + i] = total // 2, total - total // 2
            else:
                pads[i], pads[k_dims + i] = total - total // 2, total // 2
            sizes.append(target)
        elif auto_pad in ("SAME_UPPER", "SAME_LOWER"):
            target = spatial[i] * strides[i]
            total = full - target
            if auto_pad == "SAME_UPPER":
                pads[i], pads[k_dims + i] = total // 2, total - total // 2
            else:
                pads[i], pads[k_dims + i] = total - total // 2, total // 2
            sizes.append(target)
        else:
            sizes.append(full - pads[i] - pads[k_dims + i])
    if one_d:
        strides, dilations = [1, *strides], [1, *dilations]
        pads, sizes = [0, pads[0], 0, pads[1]], [1, *sizes]
    if min(sizes) <= 0:
        raise ctx.fail(f"output size {sizes} is not positive")
    out = ctx.imp.tensor_type([n, *sizes, m], np.dtype(np.float32))
    filt = ctx.imp.ssa(np.transpose(w, (0, 2, 3, 1)), "filter")
    b = ctx.imp.ssa(bias, "bias") if bias is not None else None
    op = nn.ConvTranspose2DOp(
        ctx.ssa(ctx.imp.to_nhwc(x4)), filt, b, out, strides, dilations, pads, group
    )
    y = ctx.imp.to_nchw(ctx.emit(op).results[0])
    ctx.define(ctx.imp.reshape(y, [n, m, sizes[1]]) if one_d else y)


def _pool(kind: str) -> Callable[[_Node], None]:
    def handler(ctx: _Node) -> None:
        x = ctx.input(0)
        if ctx.imp.dtype(x) != np.float32:
            raise ctx.unsupported("element type", f"{ctx.op_type} of {ctx.imp.dtype(x)}")
        wants_indices = len(ctx.node.output) > 1 and bool(ctx.node.output[1])
        rank = len(ctx.shape(x))
        dilations_attr = ctx.attr("dilations", None)
        dilated = dilations_attr is not None and any(int(d) != 1 for d in dilations_attr)
        if rank == 5 or dilated or wants_indices:
            y, indices = _pool_by_taps(ctx, x, kind, wants_indices)
            ctx.define(y)
            if indices is not None:
                ctx.define(indices, 1)
            return
        x4, one_d = _spatial_2d(ctx, x, ctx.op_type)
        n, c, h, w = ctx.shape(x4)
        kernel = [int(k) for k in ctx.attr("kernel_shape")]
        spatial = [w] if one_d else [h, w]
        if len(kernel) != len(spatial):
            raise ctx.fail(f"kernel_shape {kernel} does not match the input")
        strides, dilations, pads = _window_attrs(ctx, spatial, kernel)
        if one_d:
            kernel, strides, dilations = [1, *kernel], [1, *strides], [1, *dilations]
            pads = [0, pads[0], 0, pads[1]]
        if dilations != [1, 1]:
            raise ctx.bad_attribute("dilations", dilations)
        ceil_mode = bool(ctx.attr("ceil_mode", 0))
        count_include_pad = bool(ctx.attr("count_include_pad", 0)) if kind == "avg" else False
        sizes = []
        nn_pads = [pads[0], pads[1], pads[2], pads[3]]
        for i, size in enumerate((h, w)):
            span = size + pads[i] + pads[i + 2] - kernel[i]
            out = span // strides[i] + 1
            if ceil_mode:
                out = -(-span // strides[i]) + 1
                if (out - 1) * strides[i] >= size + pads[i]:
                    out -= 1  # the last window must start inside the input or left padding
                extra = (out - 1) * strides[i] + kernel[i] - (size + pads[i] + pads[i + 2])
                if extra > 0:
                    if count_include_pad:
                        raise ctx.unsupported(
                            "attribute", "ceil_mode with count_include_pad past the padding"
                        )
                    nn_pads[i + 2] += extra
            if out <= 0:
                raise ctx.fail("the window is larger than the padded input")
            sizes.append(out)
        out_type = ctx.imp.tensor_type([n, *sizes, c], np.dtype(np.float32))
        xs = ctx.ssa(ctx.imp.to_nhwc(x4))
        if kind == "max":
            op: Operation = nn.MaxPool2DOp(xs, out_type, kernel, strides, nn_pads)
        else:
            op = nn.AvgPool2DOp(
                xs,
                out_type,
                kernel,
                strides,
                nn_pads,
                extra_properties={"count_include_pad": _i64_attr(int(count_include_pad))}
                if count_include_pad
                else None,
            )
        y = ctx.imp.to_nchw(ctx.emit(op).results[0])
        ctx.define(ctx.imp.reshape(y, [n, c, sizes[1]]) if one_d else y)

    return handler


def _conv3d(ctx: _Node, x: Value, w: np.ndarray, bias: np.ndarray | None) -> Value:
    """A 3-D convolution as a sum over the filter's depth taps of 2-D convolutions: tap
    `kd` convolves the input depths `od * stride + kd * dilation` (after depth padding)
    with the filter's slice `kd`, every output depth at once as a batch."""
    n, c, d, h, wd = ctx.shape(x)
    m, cg, kd, kh, kw = w.shape
    group = int(ctx.attr("group"))
    if group <= 0 or c % group or m % group or cg != c // group:
        raise ctx.fail(f"weights {list(w.shape)} do not match {c} input channels in {group} groups")
    strides, dilations, pads = _window_attrs(ctx, [d, h, wd], [kd, kh, kw])
    d_out = nn.window_output_size(d, kd, strides[0], dilations[0], pads[0], pads[3])
    out_hw = [
        nn.window_output_size(h, kh, strides[1], dilations[1], pads[1], pads[4]),
        nn.window_output_size(wd, kw, strides[2], dilations[2], pads[2], pads[5]),
    ]
    if min(d_out, *out_hw) <= 0:
        raise ctx.fail("the window is larger than the padded input")
    xt = ctx.imp.transpose(x, (0, 2, 3, 4, 1))  # N, D, H, W, C
    if pads[0] or pads[3]:
        padded = ctx.imp.tensor_type([n, d + pads[0] + pads[3], h, wd, c], np.dtype(np.float32))
        paddings = [0, 0, pads[0], pads[3], 0, 0, 0, 0, 0, 0]
        xt = ctx.emit(nn.PadOp(ctx.ssa(xt), padded, paddings)).results[0]
    total: Value | None = None
    for k in range(kd):
        starts = [0, k * dilations[0], 0, 0, 0]
        steps = [1, strides[0], 1, 1, 1]
        xs = _slice_value(ctx, xt, starts, steps, [n, d_out, h, wd, c])
        xs = ctx.imp.reshape(xs, [n * d_out, h, wd, c])
        y = _emit_conv(
            ctx,
            xs,
            np.ascontiguousarray(w[:, :, k]),
            bias if k == 0 else None,
            group,
            strides[1:],
            dilations[1:],
            [pads[1], pads[2], pads[4], pads[5]],
            n * d_out,
            out_hw,
        )
        total = y if total is None else _binary_value(ctx, "add", total, y)
    assert total is not None
    y5 = ctx.imp.reshape(total, [n, d_out, *out_hw, m])
    return ctx.imp.transpose(y5, (0, 4, 1, 2, 3))


def _pool_by_taps(
    ctx: _Node, x: Value, kind: str, with_indices: bool = False
) -> tuple[Value, Value | None]:
    """Pooling over any number of spatial dimensions, with dilations: the maximum (or
    the mean) over the window's taps, each tap a strided slice of the padded input;
    the mean divides by the count of taps ONNX counts at each output position. With
    `with_indices`, also MaxPool's Indices: the flat (row-major, unpadded) index of the
    first maximum in window order."""
    shape = ctx.shape(x)
    spatial = list(shape[2:])
    k_dims = len(spatial)
    kernel = [int(k) for k in ctx.attr("kernel_shape")]
    if len(kernel) != k_dims:
        raise ctx.fail(f"kernel_shape {kernel} does not match the input")
    strides, dilations, pads = _window_attrs(ctx, spatial, kernel)
    ceil_mode = bool(ctx.attr("ceil_mode", 0))
    include_pad = bool(ctx.attr("count_include_pad", 0)) if kind == "avg" else False
    outs: list[int] = []
    ends: list[int] = []  # padding after each dimension, ceil mode's overhang included
    for i, size in enumerate(spatial):
        extent = (kernel[i] - 1) * dilations[i] + 1
        span = size + pads[i] + pads[k_dims + i] - extent
        out = span // strides[i] + 1
        if ceil_mode:
            out = -(-span // strides[i]) + 1
            if (out - 1) * strides[i] >= size + pads[i]:
                out -= 1
        if out <= 0:
            raise ctx.fail("the window is larger than the padded input")
        outs.append(out)
        ends.append(max(pads[k_dims + i], (out - 1) * strides[i] + extent - size - pads[i]))
    fill = -math.inf if kind == "max" else 0.0
    padded_shape = [*shape[:2], *(s + pads[i] + ends[i] for i, s in enumerate(spatial))]
    xp: Value = x
    if any(pads[:k_dims]) or any(ends):
        flat = [0, 0, 0, 0] + [v for i in range(k_dims) for v in (pads[i], ends[i])]
        out_type = ctx.imp.tensor_type(padded_shape, np.dtype(np.float32))
        op = nn.PadOp(ctx.ssa(x), out_type, flat, value=fill if fill else None)
        xp = ctx.emit(op).results[0]
    total: Value | None = None
    indices: Value | None = None
    counts = np.zeros(outs, np.float32)
    for tap in np.ndindex(*kernel):
        starts = [0, 0, *(t * dl for t, dl in zip(tap, dilations, strict=True))]
        xs = _slice_value(ctx, xp, starts, [1, 1, *strides], [*shape[:2], *outs])
        column_major = bool(int(ctx.attr("storage_order", 0) or 0))
        tap_index = (
            _tap_indices(shape, outs, strides, dilations, pads, tap, column_major)
            if with_indices
            else None
        )
        if total is None:
            total, indices = xs, tap_index
        elif with_indices:
            assert indices is not None
            assert tap_index is not None
            better = ctx.emit(
                nn.CompareOp(
                    ctx.ssa(xs),
                    ctx.ssa(total),
                    "greater",
                    ctx.imp.tensor_type(ctx.shape(xs), np.dtype(np.bool_)),
                )
            ).results[0]
            total = ctx.emit(
                nn.WhereOp(better, ctx.ssa(xs), ctx.ssa(total), ctx.ssa(xs).type)
            ).results[0]
            idx_type = ctx.imp.tensor_type(ctx.shape(xs), np.dtype(np.int64))
            indices = ctx.emit(
                nn.WhereOp(better, ctx.ssa(tap_index), ctx.ssa(indices), idx_type)
            ).results[0]
        else:
            total = _binary_value(ctx, "max" if kind == "max" else "add", total, xs)
        if kind == "avg":  # which output positions this tap reads counted input from
            valid = np.ones(outs, bool)
            for i in range(k_dims):
                pos = np.arange(outs[i]) * strides[i] + tap[i] * dilations[i] - pads[i]
                lo, hi = (
                    (-pads[i], spatial[i] + pads[k_dims + i]) if include_pad else (0, spatial[i])
                )
                along = (pos >= lo) & (pos < hi)
                valid &= along.reshape([-1 if j == i else 1 for j in range(k_dims)])
            counts += valid
    assert total is not None
    if kind == "max":
        return total, indices
    scale = (1.0 / np.maximum(counts, 1.0)).astype(np.float32).reshape([1, 1, *outs])
    if np.all(scale == scale.reshape(-1)[0]):
        scale = np.array(scale.reshape(-1)[0], np.float32)
    return _binary_value(ctx, "mul", total, scale), None


def _tap_indices(
    shape: Sequence[int],
    outs: Sequence[int],
    strides: Sequence[int],
    dilations: Sequence[int],
    pads: Sequence[int],
    tap: Sequence[int],
    column_major: bool = False,
) -> np.ndarray:
    """For one window tap, the flat index into the (unpadded) input each output reads
    (spatial dimensions in reverse order for `storage_order` 1)."""
    spatial = list(shape[2:])
    index = np.arange(shape[0] * shape[1], dtype=np.int64).reshape(shape[0], shape[1])
    index = index.reshape([shape[0], shape[1], *([1] * len(outs))])
    order = range(len(spatial) - 1, -1, -1) if column_major else range(len(spatial))
    for i in order:
        size = spatial[i]
        pos = np.arange(outs[i]) * strides[i] + tap[i] * dilations[i] - pads[i]
        index = index * size + pos.reshape([-1 if j == i else 1 for j in range(len(outs))])
    return np.ascontiguousarray(np.broadcast_to(index, [shape[0], shape[1], *outs]))


def _i64_attr(value: int) -> Attribute:
    return IntegerAttr(value, i64)


# ============================================================================ matrices


def _fully_connected(
    ctx: _Node, x: Value, weights: np.ndarray, bias: np.ndarray | None, out_shape: Sequence[int]
) -> SSAValue:
    """`x @ weights.T + bias` row by row (weights [N, K])."""
    out = ctx.imp.tensor_type(out_shape, np.dtype(np.float32))
    op = nn.FullyConnectedOp(
        ctx.ssa(x),
        ctx.imp.ssa(weights.astype(np.float32, copy=False), "weights"),
        ctx.imp.ssa(bias, "bias") if bias is not None else None,
        out,
    )
    return ctx.emit(op).results[0]


def _matmul_value(ctx: _Node, a: Value, b: Value) -> Value:
    sa, sb = ctx.shape(a), ctx.shape(b)
    if ctx.imp.dtype(a) != np.float32 or ctx.imp.dtype(b) != np.float32:
        raise ctx.unsupported("element type", f"{ctx.op_type} of {ctx.imp.dtype(a)} tensors")
    if not sa or not sb:
        raise ctx.fail("MatMul of a scalar")
    if sa[-1] != (sb[0] if len(sb) == 1 else sb[-2]):
        raise ctx.fail(f"cannot multiply {list(sa)} by {list(sb)}")
    if isinstance(b, np.ndarray) and len(sb) <= 2 and not isinstance(a, np.ndarray):
        b2 = _reshape(b, [sb[0], 1]) if len(sb) == 1 else b
        out_shape = [*sa[:-1], b2.shape[1]] if len(sb) == 2 else list(sa[:-1])
        y = _fully_connected(ctx, a, np.transpose(b2), None, [*sa[:-1], b2.shape[1]])
        return ctx.imp.reshape(y, out_shape)
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        return np.matmul(a, b)
    a2 = ctx.imp.reshape(a, [1, sa[0]]) if len(sa) == 1 else a
    b2 = ctx.imp.reshape(b, [sb[0], 1]) if len(sb) == 1 else b
    s2a, s2b = ctx.shape(a2), ctx.shape(b2)
    batch = _broadcast(ctx, s2a[:-2], s2b[:-2])
    out = ctx.imp.tensor_type([*batch, s2a[-2], s2b[-1]], np.dtype(np.float32))
    y = ctx.emit(nn.MatMulOp(ctx.ssa(a2), ctx.ssa(b2), out)).results[0]
    final = [*batch, *([s2a[-2]] if len(sa) > 1 else []), *([s2b[-1]] if len(sb) > 1 else [])]
    return ctx.imp.reshape(y, final)


def _matmul(ctx: _Node) -> None:
    ctx.define(_matmul_value(ctx, ctx.input(0), ctx.input(1)))


def _gemm(ctx: _Node) -> None:
    a, b = ctx.input(0), ctx.input(1)
    c = ctx.optional(2)
    alpha, beta = float(ctx.attr("alpha")), float(ctx.attr("beta"))
    trans_a, trans_b = int(ctx.attr("transA")), int(ctx.attr("transB"))
    for v in (a, b):
        if len(ctx.shape(v)) != 2:
            raise ctx.fail(f"expected 2-D A and B, got {list(ctx.shape(v))}")
    if trans_a:
        a = ctx.imp.transpose(a, (1, 0))
    m, k = ctx.shape(a)
    if isinstance(b, np.ndarray) and not isinstance(a, np.ndarray):
        w = b if trans_b else np.transpose(b)  # [N, K]
        if w.shape[1] != k:
            raise ctx.fail(f"cannot multiply {[m, k]} by B {list(b.shape)}")
        n = w.shape[0]
        if alpha != 1.0:
            w = _fold(lambda x: x * np.float32(alpha), w)
        bias = None
        if c is not None and isinstance(c, np.ndarray) and beta != 0.0:
            cs = c.shape
            if len(cs) <= 1 or (len(cs) == 2 and cs[0] == 1):
                cvec = _reshape(c.astype(np.float32), [-1] if c.size > 1 else [1])
                if cvec.size in (1, n):
                    bias = _fold(lambda x: x * np.float32(beta), cvec)
                    if bias.size == 1 and n > 1:
                        bias = splat(bias.reshape(-1)[0], [n], np.dtype(np.float32))
                    else:
                        bias = _reshape(bias, [n])
                    c = None
        y: Value = _fully_connected(ctx, a, w, bias, [m, n])
        if ctx.node.output and len(ctx.node.input) >= 1:
            record_w = w
            if c is None:
                ctx.imp.foldable[ctx.node.output[0]] = _ConvRecord(
                    [y.owner] if isinstance(y, SSAValue) else [],  # type: ignore[list-item]
                    record_w,
                    bias,
                    0,
                    lambda ww, bb: _fully_connected(ctx, a, ww, bb, [m, n]),
                )
    else:
        if trans_b:
            b = ctx.imp.transpose(b, (1, 0))
        y = _matmul_value(ctx, a, b)
        if alpha != 1.0:
            y = _binary_value(ctx, "mul", y, np.array(alpha, np.float32))
    if c is not None and beta != 0.0:
        cb = c if beta == 1.0 else _binary_value(ctx, "mul", c, np.array(beta, np.float32))
        y = _binary_value(ctx, "add", y, cb)
    ctx.define(y)


# ============================================================================ resize


def _resize(ctx: _Node) -> None:
    x = ctx.input(0)
    shape = ctx.shape(x)
    rank = len(shape)
    if ctx.imp.dtype(x) != np.float32:
        raise ctx.unsupported("element type", f"{ctx.op_type} of {ctx.imp.dtype(x)}")
    mode = ctx.attr("mode")
    antialias = False
    if ctx.op_type == "Upsample":
        coordinate, nearest = "asymmetric", "floor"
        scales_in = (
            [float(s) for s in ctx.attr("scales")]
            if ctx.version < 9
            else [float(s) for s in ctx.const_input(1, "scales").reshape(-1)]
        )
        sizes_in = None
        axes = list(range(rank))
        policy = "stretch"
        if mode == "bilinear":
            mode = "linear"
    elif ctx.version < 11:
        coordinate, nearest = "asymmetric", "floor"
        scales_in = [float(s) for s in ctx.const_input(1, "scales").reshape(-1)]
        sizes_in, axes, policy = None, list(range(rank)), "stretch"
    else:
        coordinate = ctx.attr("coordinate_transformation_mode")
        nearest = ctx.attr("nearest_mode")
        antialias = bool(int(ctx.attr("antialias", 0)))
        if antialias and mode == "nearest":
            raise ctx.bad_attribute("antialias", 1, "with mode nearest")
        axes_attr = ctx.attr("axes", None)
        axes = [ctx.axis(int(a), rank) for a in axes_attr] if axes_attr else list(range(rank))
        scales_in = None
        if ctx.has_input(2):
            scales_arr = ctx.const_input(2, "scales")
            if scales_arr.size:
                scales_in = [float(s) for s in scales_arr.reshape(-1)]
        sizes_in = ctx.ints_input(3, "sizes") if ctx.has_input(3) else None
        policy = ctx.attr("keep_aspect_ratio_policy", "stretch")
    if mode not in ("nearest", "linear", "cubic"):
        raise ctx.bad_attribute("mode", mode)
    scales = [1.0] * rank
    sizes = list(shape)
    if sizes_in is not None:
        if len(sizes_in) != len(axes):
            raise ctx.fail(f"{len(sizes_in)} sizes for {len(axes)} axes")
        for a, s in zip(axes, sizes_in, strict=True):
            scales[a] = s / shape[a]
            sizes[a] = s
        if policy in ("not_larger", "not_smaller"):
            pick = min if policy == "not_larger" else max
            scale = pick(scales[a] for a in axes)
            for a in axes:
                scales[a] = scale
                sizes[a] = int(scale * shape[a] + 0.5)
        elif policy != "stretch":
            raise ctx.bad_attribute("keep_aspect_ratio_policy", policy)
    elif scales_in is not None:
        if len(scales_in) != len(axes):
            raise ctx.fail(f"{len(scales_in)} scales for {len(axes)} axes")
        for a, s in zip(axes, scales_in, strict=True):
            if s <= 0:
                raise ctx.fail(f"scale {s} is not positive")
            scales[a] = s
            sizes[a] = math.floor(s * shape[a])
    else:
        raise ctx.fail("neither scales nor sizes is given")
    if any(s <= 0 for s in sizes):
        raise ctx.unsupported("attribute", f"a resize to an empty shape {sizes}")
    roi: list[float] | None = None
    if coordinate == "tf_crop_and_resize":
        given = ctx.const_input(1, "roi").astype(np.float64).reshape(-1)
        if given.size != 2 * len(axes):
            raise ctx.fail(f"roi has {given.size} values for {len(axes)} axes")
        roi = [0.0] * rank + [1.0] * rank
        for i, a in enumerate(axes):
            roi[a], roi[rank + a] = float(given[i]), float(given[len(axes) + i])
    op = nn.ResizeOp(
        ctx.ssa(x),
        ctx.imp.tensor_type(sizes, np.dtype(np.float32)),
        mode=mode,
        coordinate_mode=coordinate,
        nearest_mode=nearest,
        scales=scales,
        cubic_coeff_a=float(ctx.attr("cubic_coeff_a", -0.75)),
        exclude_outside=bool(ctx.attr("exclude_outside", 0)),
        antialias=antialias,
        roi=roi,
    )
    y: Value = ctx.emit(op).results[0]
    if roi is not None:  # where the region leaves the input: the extrapolation value
        outside = np.zeros(sizes, bool)
        for d in range(rank):
            coords = np.array(
                [
                    nn.resize_source_coordinate(
                        coordinate, o, scales[d], shape[d], sizes[d], (roi[d], roi[rank + d])
                    )
                    for o in range(sizes[d])
                ]
            )
            along = (coords < 0) | (coords > shape[d] - 1)
            outside |= along.reshape([-1 if j == d else 1 for j in range(rank)])
        if outside.any():
            value = np.float32(ctx.attr("extrapolation_value", 0.0))
            fill = splat(value, sizes, np.dtype(np.float32))
            op2 = nn.WhereOp(ctx.ssa(outside), ctx.ssa(fill), ctx.ssa(y), y.type)
            y = ctx.emit(op2).results[0]
    ctx.define(y)


# ============================================================================ quantization


def _quant_params(
    ctx: _Node, x_shape: Sequence[int], scale_i: int, zp_i: int, zp_dtype: np.dtype | None
) -> tuple[int, list[float], list[int], np.dtype]:
    scale = ctx.const_input(scale_i, "scale").astype(np.float32).reshape(-1)
    if ctx.has_input(zp_i):
        zp_arr = ctx.const_input(zp_i, "zero point")
        zp_type = zp_arr.dtype
        zp = [int(v) for v in zp_arr.reshape(-1)]
    else:
        zp_type = zp_dtype or np.dtype(np.uint8)
        zp = [0] * scale.size
    if zp_type not in (np.int8, np.uint8, np.int32):
        raise ctx.unsupported("element type", f"zero point of {zp_type}")
    if int(ctx.attr("block_size", 0) or 0):
        raise ctx.bad_attribute("block_size", ctx.attr("block_size"))
    axis = int(ctx.attr("axis", 1))
    rank = len(x_shape)
    if scale.size > 1:
        axis = ctx.axis(axis, rank)
        if x_shape[axis] != scale.size:
            raise ctx.fail(f"{scale.size} scales for {x_shape[axis]} slices on axis {axis}")
    else:
        axis = 0
    if len(zp) != scale.size:
        raise ctx.fail("scale and zero point sizes differ")
    return axis, [float(s) for s in scale], zp, np.dtype(zp_type)


def _quantize_linear(ctx: _Node) -> None:
    x = ctx.input(0)
    if ctx.imp.dtype(x) != np.float32:
        raise ctx.unsupported("element type", f"QuantizeLinear of {ctx.imp.dtype(x)}")
    out_dtype = ctx.attr("output_dtype", 0)
    if out_dtype:
        _, dtype_hint = ctx.imp._element(int(out_dtype), "output_dtype")
    else:
        dtype_hint = None
    axis, scales, zps, dtype = _quant_params(ctx, ctx.shape(x), 1, 2, dtype_hint)
    if dtype not in (np.int8, np.uint8):
        raise ctx.unsupported("element type", f"QuantizeLinear to {dtype}")
    if int(ctx.attr("saturate", 1)) != 1:
        raise ctx.bad_attribute("saturate", ctx.attr("saturate"))
    out = ctx.imp.tensor_type(ctx.shape(x), dtype)
    ctx.define(ctx.emit(nn.QuantizeLinearOp(ctx.ssa(x), out, axis, scales, zps)).results[0])


def _dequantize_linear(ctx: _Node) -> None:
    x = ctx.input(0)
    dtype = ctx.imp.dtype(x)
    if dtype not in (np.int8, np.uint8, np.int32):
        raise ctx.unsupported("element type", f"DequantizeLinear of {dtype}")
    axis, scales, zps, _ = _quant_params(ctx, ctx.shape(x), 1, 2, dtype)
    if isinstance(x, np.ndarray):
        shape = [1] * x.ndim
        if len(scales) > 1:
            shape[axis] = len(scales)
        s = np.array(scales, np.float32).reshape(shape)
        z = np.array(zps, np.int64).reshape(shape)
        ctx.define(((x.astype(np.int64) - z).astype(np.float32) * s).astype(np.float32))
        return
    out = ctx.imp.tensor_type(ctx.shape(x), np.dtype(np.float32))
    ctx.define(ctx.emit(nn.DequantizeLinearOp(ctx.ssa(x), out, axis, scales, zps)).results[0])


def _dequantized(ctx: _Node, x_i: int, scale_i: int, zp_i: int) -> Value:
    """Input `x_i` dequantized to f32 (constants folded)."""
    x = ctx.input(x_i)
    dtype = ctx.imp.dtype(x)
    if dtype not in (np.int8, np.uint8):
        raise ctx.unsupported("element type", f"{ctx.op_type} of {dtype}")
    scale = ctx.const_input(scale_i, "scale").astype(np.float32).reshape(-1)
    zp = (
        ctx.const_input(zp_i, "zero point").astype(np.int64).reshape(-1)
        if ctx.has_input(zp_i)
        else np.zeros(1, np.int64)
    )
    shape = ctx.shape(x)
    axis = 0
    if scale.size > 1:
        axis = 0 if x_i == 3 and ctx.op_type == "QLinearConv" else len(shape) - 1
        if ctx.op_type == "QLinearMatMul" and x_i == 3:
            axis = len(shape) - 1
        if shape[axis] != scale.size:
            raise ctx.fail(f"{scale.size} scales for {shape[axis]} slices on axis {axis}")
    if zp.size not in (1, scale.size):
        raise ctx.fail("scale and zero point sizes differ")
    zps = [int(v) for v in np.broadcast_to(zp, scale.shape)]
    if isinstance(x, np.ndarray):
        bshape = [1] * x.ndim
        if scale.size > 1:
            bshape[axis] = scale.size
        return (
            (x.astype(np.int64) - np.array(zps).reshape(bshape)) * scale.reshape(bshape)
        ).astype(np.float32)
    out = ctx.imp.tensor_type(shape, np.dtype(np.float32))
    op = nn.DequantizeLinearOp(ctx.ssa(x), out, axis, [float(s) for s in scale], zps)
    return ctx.emit(op).results[0]


def _requantized(ctx: _Node, y: Value, scale_i: int, zp_i: int) -> Value:
    scale = ctx.const_input(scale_i, "output scale").astype(np.float32).reshape(-1)
    zp_arr = ctx.const_input(zp_i, "output zero point") if ctx.has_input(zp_i) else None
    dtype = zp_arr.dtype if zp_arr is not None else np.dtype(np.uint8)
    zp = int(zp_arr.reshape(-1)[0]) if zp_arr is not None else 0
    if scale.size != 1:
        raise ctx.unsupported("attribute", "a per-axis output scale")
    out = ctx.imp.tensor_type(ctx.shape(y), dtype)
    return ctx.emit(nn.QuantizeLinearOp(ctx.ssa(y), out, 0, [float(scale[0])], [zp])).results[0]


def _qlinear_matmul(ctx: _Node) -> None:
    a = _dequantized(ctx, 0, 1, 2)
    b = _dequantized(ctx, 3, 4, 5)
    ctx.define(_requantized(ctx, _matmul_value(ctx, a, b), 6, 7))


def _integer_operand(ctx: _Node, x_i: int, zp_i: int, axis: int) -> Value:
    """Input `x_i` (int8/uint8) minus its zero point (per tensor, or per slice on `axis`)
    as f32: exact, so products and sums of them stay exact below 2^24."""
    x = ctx.input(x_i)
    dtype = ctx.imp.dtype(x)
    if dtype not in (np.int8, np.uint8):
        raise ctx.unsupported("element type", f"{ctx.op_type} of {dtype}")
    shape = ctx.shape(x)
    zp = (
        ctx.const_input(zp_i, "zero point").astype(np.int64).reshape(-1)
        if ctx.has_input(zp_i)
        else np.zeros(1, np.int64)
    )
    if zp.size > 1 and shape[axis] != zp.size:
        raise ctx.fail(f"{zp.size} zero points for {shape[axis]} slices on axis {axis}")
    if isinstance(x, np.ndarray):
        bshape = [1] * x.ndim
        if zp.size > 1:
            bshape[axis] = zp.size
        return (x.astype(np.int64) - zp.reshape(bshape)).astype(np.float32)
    out = ctx.imp.tensor_type(shape, np.dtype(np.float32))
    ones = [1.0] * zp.size
    op = nn.DequantizeLinearOp(ctx.ssa(x), out, axis if zp.size > 1 else 0, ones, list(zp))
    return ctx.emit(op).results[0]


def _to_int32(ctx: _Node, y: Value) -> Value:
    if isinstance(y, np.ndarray):
        return y.astype(np.int32)
    return ctx.imp.cast(y, np.dtype(np.int32))


def _matmul_integer(ctx: _Node) -> None:
    """MatMulInteger: int32 (a - a_zp) @ (b - b_zp), computed exactly in f32."""
    a = _integer_operand(ctx, 0, 2, len(ctx.shape(ctx.input(0))) - 2)
    b = _integer_operand(ctx, 1, 3, len(ctx.shape(ctx.input(1))) - 1)
    ctx.define(_to_int32(ctx, _matmul_value(ctx, a, b)))


def _conv_integer(ctx: _Node) -> None:
    """ConvInteger: int32 conv(x - x_zp, w - w_zp), computed exactly in f32."""
    ctx.const_input(1, "weight")  # the weights are compiled in: constant, or bound
    x = _integer_operand(ctx, 0, 2, 1)
    w = ctx.const(_integer_operand(ctx, 1, 3, 0), "weight")
    ctx.define(_to_int32(ctx, _conv_value(ctx, x, w, None)))


def _qlinear_conv(ctx: _Node) -> None:
    """QLinearConv: the convolution of the dequantized input and weights (bias scaled by
    x_scale * w_scale), quantized to the output's scale and zero point."""
    ctx.const_input(3, "weight")  # the weights are compiled in: constant, or bound
    x = _dequantized(ctx, 0, 1, 2)
    w = ctx.const(_dequantized(ctx, 3, 4, 5), "weight")
    bias = None
    if ctx.has_input(8):
        sx = ctx.const_input(1, "x_scale").astype(np.float32).reshape(-1)
        sw = ctx.const_input(4, "w_scale").astype(np.float32).reshape(-1)
        b = ctx.const_input(8, "bias").astype(np.float64)
        bias = (b * np.float64(sx[0]) * sw.astype(np.float64)).astype(np.float32)
    ctx.define(_requantized(ctx, _conv_value(ctx, x, w, bias), 6, 7))


# ============================================================================ table

_HANDLERS: dict[str, Callable[[_Node], None]] = {
    "Conv": _conv,
    "ConvTranspose": _conv_transpose,
    "MaxPool": _pool("max"),
    "AveragePool": _pool("avg"),
    "GlobalAveragePool": _global_pool("mean"),
    "GlobalMaxPool": _global_pool("max"),
    "BatchNormalization": _batch_norm,
    "Gemm": _gemm,
    "MatMul": _matmul,
    "Add": _binary,
    "Sub": _binary,
    "Mul": _binary,
    "Div": _binary,
    "Max": _variadic,
    "Min": _variadic,
    "Sum": _variadic,
    "Pow": _pow,
    "Mod": _mod,
    "Mean": _mean,
    "Swish": _swish,
    "Shrink": _shrink,
    "IsNaN": _is_nan,
    "IsInf": _is_inf,
    "Hardmax": _hardmax,
    "LpNormalization": _lp_normalization,
    "InstanceNormalization": _instance_norm,
    "Trilu": _trilu,
    "PRelu": _prelu,
    "Equal": _compare,
    "Less": _compare,
    "LessOrEqual": _compare,
    "Greater": _compare,
    "GreaterOrEqual": _compare,
    "And": _logical,
    "Or": _logical,
    "Xor": _logical,
    "Where": _where,
    "LeakyRelu": _unary_alpha("leaky_relu"),
    "Elu": _unary_alpha("elu"),
    "Celu": _unary_alpha("celu"),
    "ThresholdedRelu": _unary_alpha("thresholded_relu"),
    "Selu": _selu,
    "HardSigmoid": _hard_sigmoid,
    "Gelu": _gelu,
    "Clip": _clip,
    **{op: _unary for op in _UNARY_FN},
    "Identity": _identity,
    "Dropout": _dropout,
    "Cast": _cast,
    "CastLike": _cast_like,
    "Constant": _constant,
    "ConstantOfShape": _constant_of_shape,
    "Shape": _shape,
    "Size": _size,
    "Range": _range,
    "Reshape": _reshape_node,
    "Flatten": _flatten,
    "Squeeze": _squeeze,
    "Unsqueeze": _unsqueeze,
    "Transpose": _transpose_node,
    "Concat": _concat,
    "Slice": _slice,
    "Split": _split,
    "Gather": _gather,
    "Expand": _expand,
    "Tile": _tile,
    "DepthToSpace": _depth_to_space,
    "SpaceToDepth": _space_to_depth,
    "Pad": _pad,
    **{op: _reduce for op in _REDUCE_FN},
    "ArgMax": _arg_reduce,
    "ArgMin": _arg_reduce,
    "TopK": _topk,
    "Softmax": _softmax,
    "LogSoftmax": _softmax,
    "LRN": _lrn,
    "LayerNormalization": _layer_norm,
    "Resize": _resize,
    "Upsample": _resize,
    "QuantizeLinear": _quantize_linear,
    "DequantizeLinear": _dequantize_linear,
    "QLinearMatMul": _qlinear_matmul,
    "QLinearConv": _qlinear_conv,
    "MatMulInteger": _matmul_integer,
    "ConvInteger": _conv_integer,
}


def supported_operators() -> list[str]:
    return sorted(_HANDLERS)


# ============================================================================ entry points


def load_onnx(path: str | Path) -> onnx.ModelProto:
    path = str(path)
    if not Path(path).is_file():
        raise MicroError(f"{path}: cannot read the model (no such file)")
    try:
        return onnx.load(path)
    except Exception as e:
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise MicroError(
            f"{path}: not a readable ONNX model ({reason}); pass a .onnx file"
        ) from None


def import_onnx(
    path: str | Path,
    input_shapes: Mapping[str, Sequence[int]] | None = None,
    constant_inputs: Mapping[str, np.ndarray] | None = None,
) -> ModuleOp:
    """Import a `.onnx` file into a module of `nn` ops (raises MicroError on bad input)."""
    return import_onnx_model(load_onnx(path), str(path), input_shapes, constant_inputs)


def import_onnx_model(
    model: onnx.ModelProto,
    name: str = "model.onnx",
    input_shapes: Mapping[str, Sequence[int]] | None = None,
    constant_inputs: Mapping[str, np.ndarray] | None = None,
) -> ModuleOp:
    """Import an in-memory ONNX model; `constant_inputs` binds graph inputs to values."""
    importer = _Importer(model, name, input_shapes or {}, constant_inputs or {})
    module = importer.parse()
    try:
        module.verify()
    except Exception as e:
        raise MicroError(f"{name}: the imported graph is inconsistent: {e}") from None
    return module


__all__ = ["import_onnx", "import_onnx_model", "load_onnx", "supported_operators"]
