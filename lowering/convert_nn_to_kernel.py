"""
`convert-nn-to-kernel{target=x86 kernels=auto}`: pick one kernel per `nn` operator for the
target and move from tensors to buffers (`kernels=generic`: the generic kernels only, even
where the target has its own, e.g. NEON on ARM64/ARM32).

Before:
    func.func @main(%x: tensor<1x8x8x3xf32> {micro.name = "in"}) -> (tensor<1x8x8x4xf32> ...) {
      %w = nn.constant {value = dense<...>} : tensor<4x3x3x3xf32>
      %y = nn.conv2d %x, %w {...} : (...) -> tensor<1x8x8x4xf32>
      func.return %y : tensor<1x8x8x4xf32>
    }
After:
    memref.global "private" constant @w0 : memref<216xf32> = dense<...>   // packed panels
    func.func @main() {
      %x = memref.alloc() : memref<1x8x8x3xf32>
      kernel.input %x : memref<1x8x8x3xf32> {name = "in", index = 0 : i64}
      %w = memref.get_global @w0 : memref<216xf32>
      %y = memref.alloc() : memref<1x8x8x4xf32>
      %s = memref.alloc() : memref<6912xi8>
      kernel.conv2d %x : ..., %w : ... -> %y : ..., scratch %s : ... {backend = "generic", ...}
      kernel.output %y : memref<1x8x8x4xf32> {name = "out", index = 0 : i64}
      func.return
    }

Weights are repacked at compile time into the layout the chosen kernel reads (e.g.
`micro_conv2d_f32`'s panels) and become constant `memref.global`s; activations become
`memref.alloc`s that `memory-plan` later lays out; a kernel's scratch is an alloc
live for that kernel only. The per-operator choices are the backends' rules
(`micro.backends.<name>.lower`), tried in the target's order of preference.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from xdsl.builder import Builder, InsertPoint
from xdsl.context import Context
from xdsl.dialects import func, memref
from xdsl.dialects.builtin import (
    ArrayAttr,
    BytesAttr,
    DenseIntOrFPElementsAttr,
    DictionaryAttr,
    IntegerType,
    MemRefType,
    ModuleOp,
    Signedness,
    StringAttr,
    TensorType,
    UnitAttr,
    f32,
    i32,
    i64,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass
from xdsl.utils.hints import isa

from micro.backends.targets import get_target
from micro.dialects import kernel, nn
from micro.dialects.quant import UniformQuantizedType, storage_type_of
from micro.errors import MicroError

_NUMPY_DTYPES: dict[str, np.dtype] = {
    "f32": np.dtype("<f4"),
    "i1": np.dtype("?"),
    "i8": np.dtype("i1"),
    "ui8": np.dtype("u1"),
    "i16": np.dtype("<i2"),
    "i32": np.dtype("<i4"),
    "i64": np.dtype("<i8"),
}


_ELEMENT_TYPES: dict[str, Attribute] = {
    "<f4": f32,
    "|b1": IntegerType(1),
    "|i1": IntegerType(8),
    "|u1": IntegerType(8, Signedness.UNSIGNED),
    "<i2": IntegerType(16),
    "<i4": i32,
    "<i8": i64,
}


def numpy_dtype(element_type: Attribute) -> np.dtype:
    key = str(element_type)
    if key not in _NUMPY_DTYPES:
        raise MicroError(f"no array type for element type {element_type}")
    return _NUMPY_DTYPES[key]


def _global_name(hint: str, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9_]", "_", hint or "w")[:40].strip("_") or "w"
    if base[0].isdigit():
        base = "w" + base
    name, n = base, 1
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name


class LoweringContext:
    """What a backend rule may do while lowering one `nn` operator."""

    def __init__(self, module: ModuleOp, block: Block, source: str):
        self.module = module
        self.builder = Builder(InsertPoint.at_end(block))
        self.source = source
        self.buffers: dict[SSAValue, SSAValue] = {}
        self.globals: list[memref.GlobalOp] = []
        self._global_names: set[str] = set()
        self._weights: dict[tuple[SSAValue, str], SSAValue] = {}
        self._constants: dict[tuple[str, tuple[int, ...], bytes], SSAValue] = {}

    # -------------------------------------------------------------- errors

    def fail(self, op: Operation, message: str) -> MicroError:
        hint = op.results[0].name_hint if op.results and op.results[0].name_hint else ""
        where = f" (producing '{hint}')" if hint else ""
        return MicroError(f"{self.source}: {op.name}{where}: {message}")

    # -------------------------------------------------------------- values

    def insert(self, op: Operation) -> Operation:
        return self.builder.insert(op)

    @staticmethod
    def constant_array(value: SSAValue) -> np.ndarray | None:
        """The array of a value defined by `nn.constant` (storage values), else None."""
        owner = value.owner
        if not isinstance(owner, nn.ConstantOp):
            return None
        attr = owner.value
        assert isa(attr.type, TensorType[Attribute])
        dtype = numpy_dtype(attr.type.element_type)
        return np.frombuffer(attr.data.data, dtype=dtype).reshape(tuple(attr.type.get_shape()))

    def weight(
        self,
        value: SSAValue,
        layout: str = "as-is",
        transform: Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> SSAValue:
        """
        A buffer holding constant `value` in `layout` (after `transform`), as a constant
        global; one global per (constant, layout) however often it is used.
        """
        key = (value, layout)
        if key in self._weights:
            return self._weights[key]
        array = self.constant_array(value)
        assert array is not None, "weight() needs a constant"
        if transform is not None:
            array = transform(array)
        array = np.ascontiguousarray(array)
        elem = storage_type_of(nn.element_type(value))
        if array.dtype != numpy_dtype(elem):
            raise MicroError(f"internal: weight layout {layout} changed the element type")
        shape = list(array.shape) or [1]
        name = _global_name(value.name_hint or "w", self._global_names)
        data = DenseIntOrFPElementsAttr(TensorType(elem, shape), BytesAttr(array.tobytes()))
        global_op = memref.GlobalOp.get(
            StringAttr(name), MemRefType(elem, shape), data, constant=UnitAttr(), alignment=16
        )
        self.globals.append(global_op)
        get = self.insert(memref.GetGlobalOp(name, MemRefType(elem, shape)))
        get.results[0].name_hint = name
        self._weights[key] = get.results[0]
        return get.results[0]

    def constant(self, array: np.ndarray, hint: str) -> SSAValue:
        """A buffer holding `array` (computed at compile time) as a constant global; equal
        arrays (same type, shape and bytes) share one global."""
        array = np.ascontiguousarray(array)
        elem = _ELEMENT_TYPES[array.dtype.str]
        key = (array.dtype.str, array.shape, array.tobytes())
        if key in self._constants:
            return self._constants[key]
        shape = list(array.shape) or [1]
        name = _global_name(hint, self._global_names)
        data = DenseIntOrFPElementsAttr(TensorType(elem, shape), BytesAttr(array.tobytes()))
        global_op = memref.GlobalOp.get(
            StringAttr(name), MemRefType(elem, shape), data, constant=UnitAttr(), alignment=16
        )
        self.globals.append(global_op)
        get = self.insert(memref.GetGlobalOp(name, MemRefType(elem, shape)))
        get.results[0].name_hint = name
        self._constants[key] = get.results[0]
        return get.results[0]

    def buffer(self, value: SSAValue) -> SSAValue:
        """The buffer of an activation (or of a constant, as a global)."""
        if value in self.buffers:
            return self.buffers[value]
        if isinstance(value.owner, nn.ConstantOp):
            return self.weight(value)
        raise MicroError(f"internal: no buffer for value {value.name_hint or value}")

    def alloc(self, shape: Sequence[int], element_type: Attribute, hint: str = "") -> SSAValue:
        op = self.insert(memref.AllocOp.get(element_type, 16, list(shape)))
        if hint:
            op.results[0].name_hint = hint
        return op.results[0]

    def result_buffer(self, value: SSAValue) -> SSAValue:
        """A fresh buffer for the result `value` of the operator being lowered."""
        elem = storage_type_of(nn.element_type(value))
        buffer = self.alloc(nn.tensor_shape(value), elem, value.name_hint or "")
        self.buffers[value] = buffer
        return buffer

    def scratch(self, size: int) -> SSAValue | None:
        if size <= 0:
            return None
        return self.alloc([size], IntegerType(8), "scratch")


Rule = Callable[[LoweringContext, Operation], bool]
"""A backend rule: lower `op` and return True, or return False to leave it to others."""


def _backend_rules(name: str) -> Callable[[LoweringContext, Operation], bool]:
    if name == "generic":
        from micro.backends.generic.lower import lower_op

        return lower_op
    if name == "neon":
        from micro.backends.neon.lower import lower_op as neon_lower_op

        return neon_lower_op
    raise MicroError(f"unknown backend '{name}'")


@dataclass(frozen=True)
class ConvertNNToKernelPass(ModulePass):
    """Select kernels for the target and bufferize `nn` functions into `kernel` calls."""

    name = "convert-nn-to-kernel"

    target: str = "x86"
    kernels: str = "auto"
    """`auto`: the target's backends in order of preference; `generic`: the generic
    kernels only (the baseline the target-specific kernels are measured against)."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        target = get_target(self.target)
        if self.kernels not in ("auto", "generic"):
            raise MicroError(f"kernels={self.kernels}: expected auto or generic")
        backends = target.backends if self.kernels == "auto" else ("generic",)
        rules = [_backend_rules(b) for b in backends]
        source_attr = op.attributes.get("micro.source")
        source = source_attr.data if isinstance(source_attr, StringAttr) else "<module>"
        op.attributes["micro.target"] = StringAttr(target.name)
        for function in [f for f in op.ops if isinstance(f, func.FuncOp)]:
            self._convert_function(op, function, rules, source)

    def _convert_function(
        self,
        module: ModuleOp,
        function: func.FuncOp,
        rules: list[Callable[[LoweringContext, Operation], bool]],
        source: str,
    ) -> None:
        block = Block()
        lowering = LoweringContext(module, block, source)
        arg_names = _io_names(function.arg_attrs, len(function.args), "input")
        res_names = _io_names(
            function.res_attrs, len(function.function_type.outputs.data), "output"
        )

        for index, (arg, name) in enumerate(zip(function.args, arg_names, strict=True)):
            if not isa(arg.type, TensorType[Attribute]):
                raise MicroError(f"{source}: graph input '{name}' is not a tensor")
            buffer = lowering.alloc(
                arg.type.get_shape(), storage_type_of(arg.type.element_type), arg.name_hint or ""
            )
            lowering.insert(kernel.InputOp(buffer, name, index, _quantization(arg.type)))
            lowering.buffers[arg] = buffer

        for nn_op in list(function.body.block.ops):
            if isinstance(nn_op, nn.ConstantOp):
                continue  # materialized on use, in the layout its user wants
            if isinstance(nn_op, func.ReturnOp):
                self._outputs(lowering, nn_op, res_names)
                continue
            if not any(rule(lowering, nn_op) for rule in rules):
                raise lowering.fail(nn_op, "no kernel implements this operator on this target")

        lowering.insert(func.ReturnOp())
        new_function = func.FuncOp(function.sym_name.data, ([], []), Region(block))
        for key, value in function.attributes.items():
            if key not in ("sym_name", "function_type", "arg_attrs", "res_attrs"):
                new_function.attributes[key] = value
        insert_at = InsertPoint.before(function)
        for global_op in lowering.globals:
            Builder(insert_at).insert(global_op)
        Builder(insert_at).insert(new_function)
        function.detach()
        function.erase(safe_erase=False)

    @staticmethod
    def _outputs(lowering: LoweringContext, ret: func.ReturnOp, names: list[str]) -> None:
        used: set[SSAValue] = set()
        for index, (value, name) in enumerate(zip(ret.arguments, names, strict=True)):
            buffer = lowering.buffer(value)
            # Each output needs a buffer of its own, written by the graph: copy when the
            # output is a weight, a graph input, or another output.
            if buffer in used or not _is_alloc(buffer) or _is_input(buffer):
                assert isa(buffer.type, MemRefType[Attribute])
                copy = lowering.alloc(buffer.type.get_shape(), buffer.type.element_type, "out")
                lowering.insert(kernel.CopyOp(buffer, copy))
                buffer = copy
            used.add(buffer)
            lowering.insert(kernel.OutputOp(buffer, name, index, _quantization(value.type)))


def _quantization(type_: Attribute) -> tuple[float, int] | None:
    """(scale, zero point) of a per-tensor quantized tensor type, else None."""
    elem = nn.element_type(type_)
    if isinstance(elem, UniformQuantizedType):
        return elem.scale.data, elem.zero_point.data
    return None


def _is_alloc(buffer: SSAValue) -> bool:
    owner = buffer.owner
    while isinstance(owner, kernel.ReshapeOp):
        owner = owner.source.owner
    return isinstance(owner, memref.AllocOp)


def _is_input(buffer: SSAValue) -> bool:
    root = buffer
    while isinstance(root.owner, kernel.ReshapeOp):
        root = root.owner.source
    return any(isinstance(use.operation, kernel.InputOp) for use in root.uses)


def _io_names(attrs: ArrayAttr[DictionaryAttr] | None, count: int, kind: str) -> list[str]:
    names: list[str] = []
    for i in range(count):
        name = f"{kind}_{i}"
        if attrs is not None and i < len(attrs.data):
            entry = attrs.data[i].data.get("micro.name")
            if isinstance(entry, StringAttr):
                name = entry.data
        names.append(name)
    return names
