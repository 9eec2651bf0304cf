"""
`convert-kernel-to-c`: turn a planned `kernel` module into the files of a C project, as
`c` dialect ops.

Before (after `memory-plan`):
    memref.global "private" constant @w : memref<4xf32> = dense<...>
    func.func @main(%arena: memref<64xi8>) attributes {micro.arena_size = 64 : i64} {
      %c0 = arith.constant 0 : index
      %x = memref.view %arena[%c0][] : memref<64xi8> to memref<1x4xf32>
      kernel.input %x : memref<1x4xf32> {name = "x", index = 0 : i64}
      ...
      kernel.unary %x : memref<1x4xf32> -> %y : memref<1x4xf32> {fn = "relu", ...}
After:
    c.file "src/net.c" {
      ...
      c.func @net_inference(["arena", "weights"]) : (!c.ptr<ui8>, !c.ptr<const ui8>) -> () {
        ^bb0(%arena: !c.ptr<ui8>, %weights: !c.ptr<const ui8>):
        %0 = c.offset %arena[0 : i64] : !c.ptr<ui8> -> !c.ptr<const f32>
        ...
        c.call @micro_clip_f32(%0, %1, %2, %3, %4) : ...
      }
      c.global @net_model : !c.opaque<"MicroModelDesc"> {const, init = #c.struct<...>}
    }
    c.binary_file "src/net.bin" {data = dense<...> : tensor<16xi8>}
    c.copy_file "src/kernels/unary_f32.c" from "generic/fp32/unary_f32.c"
    ...

Decisions made here: the weight blob's layout (constants in order of first use, each
16-byte aligned) and its CRC-32; each buffer's address (`arena + offset` from the plan,
`weights + offset` from the blob; reshapes share their source's address); the kernel
call of each op (asked of the op's backend); the model description the runtime reads
(`MicroModelDesc`); and the exact set of library files the project needs (the kernels
called, the headers they include, the runtime, the C API headers, the benchmark).
"""

from __future__ import annotations

import math
import re
import zlib
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import PurePosixPath

from xdsl.context import Context
from xdsl.dialects import arith, func, memref
from xdsl.dialects.builtin import (
    ArrayAttr,
    BytesAttr,
    DenseIntOrFPElementsAttr,
    FloatAttr,
    IntegerAttr,
    IntegerType,
    MemRefType,
    ModuleOp,
    Signedness,
    StringAttr,
    SymbolRefAttr,
    TensorType,
    f32,
    i32,
    i64,
)
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.utils.hints import isa

from micro.backends.generic import emit as generic_emit
from micro.backends.targets import TargetInfo, get_target
from micro.dialects import c, kernel
from micro.errors import MicroError
from micro.lowering.memory_plan import buffer_bytes

ALIGN = 16
UI8 = IntegerType(8, Signedness.UNSIGNED)
UI64 = IntegerType(64, Signedness.UNSIGNED)

_MS_DATA_TYPES = {
    "f32": "kMSDataTypeNumberTypeFloat32",
    "i1": "kMSDataTypeNumberTypeBool",
    "i8": "kMSDataTypeNumberTypeInt8",
    "ui8": "kMSDataTypeNumberTypeUInt8",
    "i16": "kMSDataTypeNumberTypeInt16",
    "i32": "kMSDataTypeNumberTypeInt32",
    "i64": "kMSDataTypeNumberTypeInt64",
}

RUNTIME_FILES = (
    ("src/micro_config.h", "runtime/micro_config.h"),
    ("src/micro_model.h", "runtime/micro_model.h"),
    ("src/micro_log.h", "runtime/micro_log.h"),
    ("src/model.c", "runtime/model.c"),
    ("src/tensor.h", "runtime/tensor.h"),
    ("src/tensor.c", "runtime/tensor.c"),
    ("src/context.h", "runtime/context.h"),
    ("src/context.c", "runtime/context.c"),
)
PROFILE_FILES = (
    ("src/micro_profile.h", "runtime/micro_profile.h"),
    ("src/micro_profile.c", "runtime/micro_profile.c"),
)
ALLOCATOR_FILES = (
    ("src/allocator.h", "runtime/allocator.h"),
    ("src/allocator.c", "runtime/allocator.c"),
)
C_API_HEADERS = (
    "types_c.h",
    "status_c.h",
    "data_type_c.h",
    "format_c.h",
    "tensor_c.h",
    "context_c.h",
    "model_c.h",
)
BENCHMARK_FILES = (
    "benchmark.c",
    "load_input.h",
    "load_input.c",
    "calib_output.h",
    "calib_output.c",
)


def _align(n: int) -> int:
    return (n + ALIGN - 1) // ALIGN * ALIGN


@dataclass
class WeightBlob:
    """The constants, laid out one after the other (16-byte aligned) as `net.bin`."""

    offsets: dict[str, int] = field(default_factory=dict[str, int])
    entries: list[tuple[str, int, int]] = field(default_factory=list[tuple[str, int, int]])
    data: bytearray = field(default_factory=bytearray)

    def add(self, name: str, raw: bytes) -> int:
        if name in self.offsets:
            return self.offsets[name]
        offset = _align(len(self.data))
        self.data.extend(b"\0" * (offset - len(self.data)))
        self.data.extend(raw)
        self.offsets[name] = offset
        self.entries.append((name, offset, len(raw)))
        return offset

    def finish(self) -> bytes:
        self.data.extend(b"\0" * (_align(len(self.data)) - len(self.data)))
        return bytes(self.data)


@dataclass(frozen=True)
class _Address:
    base: str  # "arena" or "weights"
    offset: int


def _include_names(text: str) -> list[str]:
    return re.findall(r'^\s*#\s*include\s+"([^"]+)"', text, flags=re.MULTILINE)


def _has_non_finite(attr: Attribute) -> bool:
    if isinstance(attr, FloatAttr):
        return not math.isfinite(attr.value.data)
    if isinstance(attr, c.StructInitAttr):
        return any(_has_non_finite(v) for _, v in attr.items())
    if isinstance(attr, ArrayAttr):
        return any(_has_non_finite(v) for v in attr.data)
    return False


_SEARCH_DIRS = ("generic", "generic/fp32", "generic/int8", "generic/data", "neon")


def library_closure(sources: list[str]) -> list[str]:
    """
    `sources` (paths in micro's C library) plus every library header they include,
    directly or not. A quoted include is looked up beside the including file, then in
    `generic/` and its folders (a NEON kernel includes its generic twin's header for the
    parameter struct).
    """
    root = files("micro.kernels")
    result: list[str] = []
    pending = list(sources)
    while pending:
        path = pending.pop(0)
        if path in result:
            continue
        resource = root.joinpath(*path.split("/"))
        if not resource.is_file():
            raise MicroError(f"internal: micro's C library has no file '{path}'")
        result.append(path)
        folder = str(PurePosixPath(path).parent)
        for name in _include_names(resource.read_text()):
            for candidate in (f"{folder}/{name}", *(f"{d}/{name}" for d in _SEARCH_DIRS)):
                if root.joinpath(*candidate.split("/")).is_file():
                    pending.append(candidate)
                    break
    return result


class _Builder:
    """Accumulates the ops of one generated C file."""

    def __init__(self, path: str, guard: str | None = None):
        self.file = c.FileOp(path, guard)
        self.block = self.file.body.block

    def add(self, op: Operation) -> Operation:
        self.block.add_op(op)
        return op


def _ms_data_type(element: Attribute) -> str:
    key = str(element)
    if key not in _MS_DATA_TYPES:
        raise MicroError(f"graph tensors of element type {element} are not supported")
    return _MS_DATA_TYPES[key]


@dataclass(frozen=True)
class ConvertKernelToCPass(ModulePass):
    """
    Generate the C project files (net.c/h, weight.c/h, net.bin, library copies).

    With `profile=true` every kernel call is timed: net.c brackets it with
    `MicroProfileBegin(); ... MicroProfileEnd(net_profile_ticks, <index>);`, defines the
    call names and `net_profile` (a `MicroProfile`), net.h defines `NET_PROFILE`, and the
    runtime's micro_profile.c/h are copied; the benchmark then prints a per-operator table.
    """

    name = "convert-kernel-to-c"

    prefix: str = "net"
    profile: bool = False

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        target_attr = op.attributes.get("micro.target")
        target = get_target(target_attr.data if isinstance(target_attr, StringAttr) else "x86")
        functions = [f for f in op.ops if isinstance(f, func.FuncOp)]
        if len(functions) != 1:
            raise MicroError(f"convert-kernel-to-c expects one function, found {len(functions)}")
        function = functions[0]
        arena_attr = function.attributes.get("micro.arena_size")
        if not isinstance(arena_attr, IntegerAttr):
            raise MicroError("convert-kernel-to-c needs a planned function: run memory-plan first")
        globals_ = {g.sym_name.data: g for g in op.ops if isinstance(g, memref.GlobalOp)}
        source_attr = op.attributes.get("micro.source")
        source = source_attr.data if isinstance(source_attr, StringAttr) else "model"
        model_name = re.sub(r"\.[A-Za-z0-9]+$", "", source)

        generator = _Generator(self.prefix, model_name, source, target, globals_, self.profile)
        layout = op.attributes.get("micro.layout")
        # ONNX graphs keep ONNX's NCHW at their inputs and outputs (MSTensorGetFormat says so)
        generator.io_format = (
            "kMSFormatNCHW"
            if isinstance(layout, StringAttr) and layout.data == "onnx"
            else "kMSFormatNHWC"
        )
        new_ops = generator.run(function, int(arena_attr.value.data))
        for old in list(op.ops):
            old.detach()
            old.erase(safe_erase=False)
        for new in new_ops:
            op.body.block.add_op(new)
        op.attributes["micro.weight_size"] = IntegerAttr(generator.weight_size, i64)


class _Generator:
    def __init__(
        self,
        prefix: str,
        model_name: str,
        source: str,
        target: TargetInfo,
        globals_: dict[str, memref.GlobalOp],
        profile: bool = False,
    ):
        self.prefix = prefix
        self.profile = profile
        self.macro = prefix.upper()
        self.model_name = model_name
        self.source = source
        self.target = target.name
        self.target_info = target
        self.flash = target.weights_in_flash
        self.globals = globals_
        self.blob = WeightBlob()
        self.weight_size = 0
        self.io_format = "kMSFormatNHWC"

    # ----------------------------------------------------------------------- addresses

    def _addresses(self, function: func.FuncOp) -> dict[SSAValue, _Address]:
        addresses: dict[SSAValue, _Address] = {}
        for op in function.body.block.ops:
            if isinstance(op, memref.ViewOp):
                shift = op.byte_shift.owner
                if not isinstance(shift, arith.ConstantOp) or not isinstance(
                    shift.value, IntegerAttr
                ):
                    raise MicroError("internal: arena views need constant offsets")
                addresses[op.results[0]] = _Address("arena", int(shift.value.value.data))
            elif isinstance(op, kernel.ReshapeOp):
                addresses[op.result] = addresses[op.source]
            elif isinstance(op, memref.GetGlobalOp):
                name = op.name_.root_reference.data
                addresses[op.results[0]] = _Address("weights", self._weight_offset(name))
            elif isinstance(op, memref.AllocOp):
                raise MicroError(
                    "convert-kernel-to-c needs a planned function: run memory-plan first"
                )
        return addresses

    def _weight_offset(self, name: str) -> int:
        if name not in self.globals:
            raise MicroError(f"internal: no memref.global @{name}")
        value = self.globals[name].initial_value
        if not isinstance(value, DenseIntOrFPElementsAttr):
            raise MicroError(f"weight @{name} has no constant value")
        return self.blob.add(name, value.data.data)

    # ----------------------------------------------------------------------- generation

    def run(self, function: func.FuncOp, arena_size: int) -> list[Operation]:
        addresses = self._addresses(function)
        blob = self.blob.finish()
        self.weight_size = len(blob)
        crc = zlib.crc32(blob) & 0xFFFFFFFF

        arena_ptr, weights_ptr = c.PtrType(UI8), c.PtrType(UI8, True)
        inference = c.FuncOp(
            f"{self.prefix}_inference", [arena_ptr, weights_ptr], ["arena", "weights"]
        )
        body = inference.body.block
        arena_arg, weights_arg = body.args
        params_globals: list[c.GlobalOp] = []
        headers: list[str] = []
        sources: list[str] = []
        inputs: list[tuple[int, str, kernel.InputOp | kernel.OutputOp]] = []
        outputs: list[tuple[int, str, kernel.InputOp | kernel.OutputOp]] = []
        needs_memcpy = False
        profile_names: list[str] = []
        ticks_name = f"{self.prefix}_profile_ticks"

        def pointer(value: SSAValue, element: Attribute, const: bool) -> SSAValue:
            address = addresses.get(value)
            if address is None:
                raise MicroError(f"internal: buffer {value.name_hint or value} has no address")
            base = arena_arg if address.base == "arena" else weights_arg
            offset = c.OffsetOp(base, address.offset, c.PtrType(element, const))
            body.add_op(offset)
            return offset.result

        step = 0
        for op in function.body.block.ops:
            if isinstance(op, kernel.InputOp):
                inputs.append((op.index.value.data, op.tensor_name.data, op))
                continue
            if isinstance(op, kernel.OutputOp):
                outputs.append((op.index.value.data, op.tensor_name.data, op))
                continue
            if isinstance(op, kernel.CopyOp):
                needs_memcpy = True
                size = buffer_bytes(op.source.type)
                body.add_op(c.CommentOp(f"copy: {op.target.name_hint or 'output'}"))
                dst = pointer(op.target, c.OpaqueType("void"), False)
                src = pointer(op.source, c.OpaqueType("void"), True)
                n = c.LiteralOp(str(size), c.OpaqueType("size_t"))
                body.add_op(n)
                body.add_op(c.CallOp("memcpy", [dst, src, n.result]))
                continue
            call = self._kernel_call(op)
            if call is None:
                continue
            headers.append(call.header)
            sources.extend([call.header, *call.sources])
            body.add_op(c.CommentOp(_describe(step, op)))
            args: list[SSAValue] = []
            params_name = f"k{step}_params"
            for arg in call.args:
                if isinstance(arg, generic_emit.BufferArg):
                    args.append(pointer(arg.value, arg.element, arg.const))
                elif isinstance(arg, generic_emit.LiteralArg):
                    literal = c.LiteralOp(arg.text, arg.type)
                    body.add_op(literal)
                    args.append(literal.result)
                else:
                    assert call.params_type is not None
                    ref = c.AddrOfOp(params_name, c.PtrType(c.OpaqueType(call.params_type), True))
                    body.add_op(ref)
                    args.append(ref.result)
            if call.params_type is not None:
                params_globals.append(
                    c.GlobalOp(
                        params_name,
                        c.OpaqueType(call.params_type),
                        static=True,
                        const=True,
                        init=c.StructInitAttr(call.params),
                    )
                )
            if self.profile:
                profile_names.append(_describe(step, op).split(": ", 1)[1])
                body.add_op(c.CallOp("MicroProfileBegin", []))
            body.add_op(c.CallOp(call.function, args))
            if self.profile:
                ticks = c.SymbolOp(ticks_name, c.PtrType(UI64))
                index = c.LiteralOp(str(step), i32)
                body.add_ops([ticks, index])
                body.add_op(c.CallOp("MicroProfileEnd", [ticks.result, index.result]))
            step += 1
        for param in (weights_arg, arena_arg):
            if not param.uses:  # e.g. a model without weights
                discard = c.DiscardOp(param)
                if body.first_op is None:
                    body.add_op(discard)
                else:
                    body.insert_op_before(discard, body.first_op)
        body.add_op(c.ReturnOp())

        inputs.sort()
        outputs.sort()
        if self.profile:
            params_globals += self._profile_globals(profile_names, ticks_name)
        files_ops: list[Operation] = [
            self._net_h(arena_size, len(inputs), len(outputs)),
            self._net_c(
                inference,
                params_globals,
                headers,
                needs_memcpy,
                arena_size,
                crc,
                self._descs("inputs", inputs, addresses),
                self._descs("outputs", outputs, addresses),
                len(inputs),
                len(outputs),
            ),
            self._weight_h(),
            self._weight_c(blob),
        ]
        if not self.flash:
            files_ops.append(
                c.BinaryFileOp(
                    "src/net.bin",
                    DenseIntOrFPElementsAttr(TensorType(UI8, [len(blob)]), BytesAttr(blob))
                    if blob
                    else DenseIntOrFPElementsAttr(TensorType(UI8, [0]), BytesAttr(b"")),
                )
            )
        if self.target_info.kind == "mcu":
            files_ops.append(self._mcu_config())
        files_ops += self._library_copies(sources, self.target_info.kind)
        if self.profile:
            files_ops += [c.CopyFileOp(dest, src) for dest, src in PROFILE_FILES]
        return files_ops

    def _profile_globals(self, names: list[str], ticks_name: str) -> list[c.GlobalOp]:
        """The call names, their time accumulators and the `MicroProfile` over both."""
        count = max(len(names), 1)  # C has no zero-length arrays
        names_name = f"{self.prefix}_profile_names"
        return [
            c.GlobalOp(
                names_name,
                c.ArrayType(count, c.PtrType(c.OpaqueType("char"), True)),
                static=True,
                init=ArrayAttr([StringAttr(n) for n in names] or [c.ExprAttr("NULL")]),
            ),
            c.GlobalOp(ticks_name, c.ArrayType(count, UI64), static=True),
            c.GlobalOp(
                f"{self.prefix}_profile",
                c.OpaqueType("MicroProfile"),
                const=True,
                init=c.StructInitAttr(
                    [
                        ("count", IntegerAttr(len(names), i32)),
                        ("names", SymbolRefAttr(names_name)),
                        ("ticks", SymbolRefAttr(ticks_name)),
                    ]
                ),
            ),
        ]

    @staticmethod
    def _kernel_call(op: Operation) -> generic_emit.KernelCall | None:
        backend = op.properties.get("backend")
        if backend is None:
            return None
        if not isinstance(backend, StringAttr) or backend.data not in ("generic", "neon"):
            raise MicroError(f"no C emitter for backend {backend} of {op.name}")
        if backend.data == "neon":
            from micro.backends.neon import emit as neon_emit

            call = neon_emit.kernel_call(op)
        else:
            call = generic_emit.kernel_call(op)
        if call is None:
            raise MicroError(f"emit-c: no C call for kernel op '{op.name}'")
        return call

    # ----------------------------------------------------------------------- descriptors

    def _descs(
        self,
        kind: str,
        entries: list[tuple[int, str, kernel.InputOp | kernel.OutputOp]],
        addresses: dict[SSAValue, _Address],
    ) -> c.GlobalOp | None:
        if not entries:
            return None
        items: list[Attribute] = []
        for _, name, marker in entries:
            buffer = marker.buffer
            scale, zero_point = marker.quantization() or (0.0, 0)
            assert isa(buffer.type, MemRefType[Attribute])
            shape = list(buffer.type.get_shape())
            address = addresses[buffer]
            if address.base != "arena":
                raise MicroError(f"internal: graph {kind[:-1]} '{name}' is not in the arena")
            items.append(
                c.StructInitAttr(
                    [
                        ("name", StringAttr(name)),
                        ("data_type", c.ExprAttr(_ms_data_type(buffer.type.element_type))),
                        ("format", c.ExprAttr(self.io_format)),
                        ("ndim", IntegerAttr(len(shape), i32)),
                        (
                            "shape",
                            ArrayAttr(
                                [IntegerAttr(d, i64) for d in shape] or [IntegerAttr(1, i64)]
                            ),
                        ),
                        ("offset", IntegerAttr(address.offset, i64)),
                        ("size", IntegerAttr(buffer_bytes(buffer.type), i64)),
                        ("scale", FloatAttr(scale, f32)),
                        ("zero_point", IntegerAttr(zero_point, i32)),
                    ]
                )
            )
        return c.GlobalOp(
            f"{self.prefix}_{kind}",
            c.ArrayType(len(items), c.OpaqueType("MicroTensorDesc")),
            static=True,
            const=True,
            init=ArrayAttr(items),
        )

    # ----------------------------------------------------------------------- files

    def _banner(self) -> c.CommentOp:
        return c.CommentOp(
            f"Generated by micro from {self.source} for target {self.target}. Do not edit."
        )

    def _net_h(self, arena_size: int, n_in: int, n_out: int) -> c.FileOp:
        f = _Builder("src/net.h", f"MICRO_{self.macro}_H_")
        f.add(self._banner())
        f.add(c.IncludeOp("stddef.h", system=True))
        f.add(c.IncludeOp("stdint.h", system=True))
        f.add(c.IncludeOp("micro_model.h"))
        if self.profile:
            f.add(c.IncludeOp("micro_profile.h"))
        f.add(c.DefineOp(f"{self.macro}_ARENA_SIZE", str(arena_size)))
        f.add(c.DefineOp(f"{self.macro}_WEIGHT_SIZE", str(self.weight_size)))
        f.add(c.DefineOp(f"{self.macro}_INPUT_NUM", str(n_in)))
        f.add(c.DefineOp(f"{self.macro}_OUTPUT_NUM", str(n_out)))
        f.add(c.CommentOp("Runs the graph: inputs and outputs live in `arena` (see net_model)."))
        f.add(
            c.FuncOp(
                f"{self.prefix}_inference",
                [c.PtrType(UI8), c.PtrType(UI8, True)],
                ["arena", "weights"],
                declaration=True,
            )
        )
        f.add(
            c.GlobalOp(
                f"{self.prefix}_model", c.OpaqueType("MicroModelDesc"), extern=True, const=True
            )
        )
        if self.profile:
            f.add(c.CommentOp("Per-kernel-call times (profile=true): see micro_profile.h."))
            f.add(c.DefineOp(f"{self.macro}_PROFILE", "1"))
            f.add(
                c.GlobalOp(
                    f"{self.prefix}_profile",
                    c.OpaqueType("MicroProfile"),
                    extern=True,
                    const=True,
                )
            )
        return f.file

    def _net_c(
        self,
        inference: c.FuncOp,
        params: list[c.GlobalOp],
        headers: list[str],
        needs_memcpy: bool,
        arena_size: int,
        crc: int,
        inputs: c.GlobalOp | None,
        outputs: c.GlobalOp | None,
        n_in: int,
        n_out: int,
    ) -> c.FileOp:
        f = _Builder("src/net.c")
        f.add(self._banner())
        if any(_has_non_finite(p.init) for p in params if p.init is not None) or any(
            isinstance(op, c.LiteralOp) and op.value.data.lstrip("-") in ("INFINITY", "NAN")
            for op in inference.walk()
        ):
            f.add(c.IncludeOp("math.h", system=True))  # INFINITY in an initializer or call
        if needs_memcpy:
            f.add(c.IncludeOp("string.h", system=True))
        f.add(c.IncludeOp("net.h"))
        if self.flash:
            f.add(c.IncludeOp("weight.h"))
        for header in sorted({PurePosixPath(h).name for h in headers}):
            f.add(c.IncludeOp(header))
        for p in params:
            f.add(p)
        f.add(inference)
        if inputs is not None:
            f.add(inputs)
        if outputs is not None:
            f.add(outputs)
        null = c.ExprAttr("NULL")
        f.add(
            c.GlobalOp(
                f"{self.prefix}_model",
                c.OpaqueType("MicroModelDesc"),
                const=True,
                init=c.StructInitAttr(
                    [
                        ("name", StringAttr(self.model_name)),
                        ("arena_size", IntegerAttr(arena_size, i64)),
                        ("weight_size", IntegerAttr(self.weight_size, i64)),
                        ("weight_crc32", c.ExprAttr(f"0x{crc:08X}u")),
                        (
                            "flash_weights",
                            SymbolRefAttr(f"{self.prefix}_weights") if self.flash else null,
                        ),
                        ("input_num", IntegerAttr(n_in, i32)),
                        ("inputs", SymbolRefAttr(inputs.sym_name.data) if inputs else null),
                        ("output_num", IntegerAttr(n_out, i32)),
                        ("outputs", SymbolRefAttr(outputs.sym_name.data) if outputs else null),
                        ("inference", SymbolRefAttr(inference.sym_name.data)),
                    ]
                ),
            )
        )
        return f.file

    def _weight_h(self) -> c.FileOp:
        f = _Builder("src/weight.h", f"MICRO_{self.macro}_WEIGHT_H_")
        f.add(self._banner())
        f.add(c.IncludeOp("micro_model.h"))
        f.add(c.DefineOp(f"{self.macro}_WEIGHT_COUNT", str(len(self.blob.entries))))
        if self.flash:
            f.add(c.CommentOp("The weights, compiled in (read-only: flash on a microcontroller)."))
            f.add(
                c.GlobalOp(
                    f"{self.prefix}_weights",
                    c.ArrayType(max(self.weight_size, 1), UI8),
                    extern=True,
                    const=True,
                )
            )
        where = f"{self.prefix}_weights" if self.flash else "net.bin"
        f.add(c.CommentOp(f"The constants in {where}: name, byte offset, byte size."))
        if self.blob.entries:
            f.add(
                c.GlobalOp(
                    f"{self.prefix}_weight_table",
                    c.ArrayType(len(self.blob.entries), c.OpaqueType("MicroWeightDesc")),
                    extern=True,
                    const=True,
                )
            )
        return f.file

    def _weight_c(self, blob: bytes) -> c.FileOp:
        f = _Builder("src/weight.c")
        f.add(self._banner())
        f.add(c.IncludeOp("weight.h"))
        if self.flash:
            data = blob or b"\x00"
            f.add(
                c.GlobalOp(
                    f"{self.prefix}_weights",
                    c.ArrayType(len(data), UI8),
                    const=True,
                    align=ALIGN,
                    init=DenseIntOrFPElementsAttr(TensorType(UI8, [len(data)]), BytesAttr(data)),
                )
            )
        if self.blob.entries:
            f.add(
                c.GlobalOp(
                    f"{self.prefix}_weight_table",
                    c.ArrayType(len(self.blob.entries), c.OpaqueType("MicroWeightDesc")),
                    const=True,
                    init=ArrayAttr(
                        [
                            c.StructInitAttr(
                                [
                                    ("name", StringAttr(name)),
                                    ("offset", IntegerAttr(offset, i64)),
                                    ("size", IntegerAttr(size, i64)),
                                ]
                            )
                            for name, offset, size in self.blob.entries
                        ]
                    ),
                )
            )
        return f.file

    def _mcu_config(self) -> c.FileOp:
        f = _Builder("src/micro_config.h", "MICRO_CONFIG_H_")
        f.add(
            c.CommentOp(
                f"Runtime options for {self.target} (see the library's micro_config.h): no "
                "heap, no files, no stdio."
            )
        )
        for option in ("MICRO_NO_MALLOC", "MICRO_NO_FILESYSTEM", "MICRO_NO_LOG"):
            f.add(c.DefineOp(option, "1"))
        return f.file

    @staticmethod
    def _library_copies(kernel_sources: list[str], kind: str) -> list[Operation]:
        copies: list[Operation] = []
        seen: dict[str, str] = {}
        for path in library_closure(kernel_sources):
            name = PurePosixPath(path).name
            if name in seen and seen[name] != path:
                raise MicroError(f"internal: kernel files {seen[name]} and {path} share a name")
            seen[name] = path
        for name, path in sorted(seen.items()):
            copies.append(c.CopyFileOp(f"src/kernels/{name}", path))
        # The allocator is copied for every target: under MICRO_NO_MALLOC (Cortex-M) it
        # compiles to functions that return NULL, and nothing references malloc.
        for dest, src in (*RUNTIME_FILES, *ALLOCATOR_FILES):
            if kind == "mcu" and dest == "src/micro_config.h":
                continue  # generated for the target
            copies.append(c.CopyFileOp(dest, src))
        for header in C_API_HEADERS:
            copies.append(c.CopyFileOp(f"include/c_api/{header}", f"include/c_api/{header}"))
        if kind == "mcu":
            copies.append(c.CopyFileOp("benchmark/benchmark.c", "benchmark/benchmark_mcu.c"))
        else:
            for name in BENCHMARK_FILES:
                copies.append(c.CopyFileOp(f"benchmark/{name}", f"benchmark/{name}"))
        return copies


def _describe(step: int, op: Operation) -> str:
    """A one-line comment for a kernel call: step, op, output name and shape."""
    out = None
    for name in ("output",):
        value = getattr(op, name, None)
        if isinstance(value, SSAValue):
            out = value
    kind = op.name.removeprefix("kernel.")
    if isinstance(op, kernel.CallOp):
        kind = op.callee.data.removeprefix("micro_")
        scratch = op.scratch_value()
        out = next((v for v in op.written() if v is not scratch), None)
    fn = op.properties.get("fn") or op.properties.get("mode")
    if isinstance(fn, StringAttr):
        kind = f"{kind} {fn.data}"
    if out is not None and isa(out.type, MemRefType[Attribute]):
        shape = "x".join(str(d) for d in out.type.get_shape())
        return f"{step}: {kind} -> {out.name_hint or 'out'} [{shape}]"
    return f"{step}: {kind}"
