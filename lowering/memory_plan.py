"""
`memory-plan{algorithm=greedy_by_size preserve-inputs=false}`: give every activation
buffer an offset in one aligned arena, reusing bytes across buffers whose lifetimes do
not overlap.

Before:
    func.func @main() {
      %x = memref.alloc() : memref<1x64xf32>
      kernel.input %x : memref<1x64xf32> {name = "x", index = 0 : i64}
      %y = memref.alloc() : memref<1x64xf32>
      kernel.unary %x : memref<1x64xf32> -> %y : memref<1x64xf32> {fn = "relu", ...}
      kernel.output %y : memref<1x64xf32> {name = "y", index = 0 : i64}
      func.return
    }
After:
    func.func @main(%arena: memref<256xi8>) attributes {micro.arena_size = 256 : i64, ...} {
      %c0 = arith.constant 0 : index
      %x = memref.view %arena[%c0][] : memref<256xi8> to memref<1x64xf32>
      ...

Lifetimes run from a buffer's first use to its last use, in operation order. A
`kernel.reshape` is a view: it extends its source's lifetime instead of taking bytes.
Graph outputs live to the end; graph inputs live from the start and, unless
`preserve-inputs` is set, may be overwritten once no kernel reads them any more (as in
TFLite Micro). An element-wise kernel writes in place over an operand of the same size
that dies at that kernel, so the two share bytes; so does the hybrid convolution's int8
copy of its input (`in_place_candidates`). The algorithm is looked up by name in
`memory_planning.ALGORITHMS`. The function records the arena size, the live-set peak
(the lower bound no plan beats) and the algorithm used.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.builder import Builder, InsertPoint
from xdsl.context import Context
from xdsl.dialects import arith, func, memref
from xdsl.dialects.builtin import (
    IndexType,
    IntegerAttr,
    IntegerType,
    MemRefType,
    ModuleOp,
    StringAttr,
    i64,
)
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.utils.hints import isa

from micro.dialects import kernel
from micro.errors import MicroError
from micro.lowering import memory_planning

_ELEMENT_BYTES = {"f32": 4, "f64": 8, "i8": 1, "ui8": 1, "i16": 2, "i32": 4, "i64": 8, "i1": 1}


def buffer_bytes(type_: Attribute) -> int:
    assert isa(type_, MemRefType[Attribute])
    count = 1
    for d in type_.get_shape():
        count *= d
    return count * _ELEMENT_BYTES[str(type_.element_type)]


def root_of(value: SSAValue) -> SSAValue:
    """The buffer a value views (through `kernel.reshape`), or the value itself."""
    while isinstance(value.owner, kernel.ReshapeOp):
        value = value.owner.source
    return value


def in_place_candidates(op: Operation) -> list[tuple[SSAValue, SSAValue, bool]]:
    """
    (buffer, operand, same_size): buffers `op` writes that may take the bytes of an
    operand that dies at `op`, as the kernel's contract allows. An element-wise kernel's
    output may overwrite an operand of the same size; the hybrid convolution's scratch
    (the int8 copy of its input) may overwrite its input when the batch is 1, if it fits.
    """
    if isinstance(op, kernel.BinaryOp):
        return [(op.output, op.lhs, True), (op.output, op.rhs, True)]
    if isinstance(op, kernel.UnaryOp | kernel.SoftmaxOp):
        return [(op.output, op.input, True)]
    if isinstance(op, kernel.Conv2DHybridOp) and op.scratch is not None:
        if kernel.memref_shape(op.input)[0] == 1:
            return [(op.scratch, op.input, False)]
    if isinstance(op, kernel.CallOp):
        return op.in_place_triples()
    return []


@dataclass
class _Buffer:
    root: SSAValue
    size: int
    start: int
    end: int
    name: str


class _Planner:
    def __init__(self, function: func.FuncOp, preserve_inputs: bool):
        self.function = function
        self.ops = list(function.body.block.ops)
        self.index = {op: i for i, op in enumerate(self.ops)}
        self.preserve_inputs = preserve_inputs
        self.merged: dict[SSAValue, SSAValue] = {}  # in-place: alloc -> alloc it reuses

    def find(self, root: SSAValue) -> SSAValue:
        while root in self.merged:
            root = self.merged[root]
        return root

    def lifetimes(self) -> dict[SSAValue, _Buffer]:
        buffers: dict[SSAValue, _Buffer] = {}
        last = len(self.ops) - 1
        for op in self.ops:
            if not isinstance(op, memref.AllocOp):
                continue
            value = op.memref
            buffers[value] = _Buffer(
                value,
                buffer_bytes(value.type),
                self.index[op],
                self.index[op],
                value.name_hint or f"buffer{len(buffers)}",
            )
        for i, op in enumerate(self.ops):
            for operand in op.operands:
                root = root_of(operand)
                if root not in buffers:
                    continue
                buf = buffers[root]
                buf.end = max(buf.end, i)
                if isinstance(op, kernel.OutputOp):
                    buf.end = last
                if isinstance(op, kernel.InputOp) and self.preserve_inputs:
                    buf.end = last
        for root in buffers:
            if any(isinstance(u.operation, kernel.InputOp) for u in root.uses):
                buffers[root].start = 0
        return buffers

    def merge_in_place(self, buffers: dict[SSAValue, _Buffer]) -> None:
        """Let kernels write over an operand that dies at them (see in_place_candidates)."""
        for i, op in enumerate(self.ops):
            for target, operand, same_size in in_place_candidates(op):
                if target not in buffers or root_of(target) is not target:
                    continue
                root = self.find(root_of(operand))
                if root not in buffers or root is self.find(target):
                    continue
                operand_buf, target_buf = buffers[root], buffers[target]
                if operand_buf.end != i:
                    continue  # the operand is still needed after this kernel
                if self.preserve_inputs and any(
                    isinstance(u.operation, kernel.InputOp) for u in root.uses
                ):
                    continue
                fits = (
                    target_buf.size == operand_buf.size
                    if same_size
                    else target_buf.size <= operand_buf.size
                )
                if not fits:
                    continue
                # `target` takes over `root`'s bytes: one buffer living across both.
                buffers.pop(target)
                operand_buf.end = max(operand_buf.end, target_buf.end)
                self.merged[target] = root
                break


@dataclass(frozen=True)
class MemoryPlanPass(ModulePass):
    """Lay out all activation and scratch buffers in one aligned arena."""

    name = "memory-plan"

    algorithm: str = "greedy_by_size"
    alignment: int = 16
    preserve_inputs: bool = False

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        if self.algorithm not in memory_planning.ALGORITHMS:
            raise MicroError(
                f"unknown memory planning algorithm '{self.algorithm}'; choose one of "
                f"{', '.join(memory_planning.ALGORITHMS)}"
            )
        for function in [f for f in op.ops if isinstance(f, func.FuncOp)]:
            self._plan(function)

    def _plan(self, function: func.FuncOp) -> None:
        planner = _Planner(function, self.preserve_inputs)
        buffers = planner.lifetimes()
        planner.merge_in_place(buffers)
        infos = {
            root: memory_planning.BufferInfo(
                b.name, _align(b.size, self.alignment), b.start, b.end, self.alignment
            )
            for root, b in buffers.items()
        }
        allocations = memory_planning.ALGORITHMS[self.algorithm](list(infos.values()))
        memory_planning.check_plan(allocations)
        offsets = {a.buffer: a.offset for a in allocations}
        size = max(memory_planning.arena_size(allocations, self.alignment), self.alignment)

        block = function.body.block
        arena_type = MemRefType(IntegerType(8), [size])
        arena = block.insert_arg(arena_type, 0)
        arena.name_hint = "arena"
        function.function_type = func.FunctionType.from_lists(
            [arena_type], list(function.function_type.outputs.data)
        )
        for alloc in [o for o in block.ops if isinstance(o, memref.AllocOp)]:
            root = planner.find(alloc.memref)
            offset = offsets[infos[root]]
            builder = Builder(InsertPoint.before(alloc))
            constant = builder.insert(arith.ConstantOp(IntegerAttr(offset, IndexType())))
            constant.result.name_hint = f"c{offset}"
            view = builder.insert(memref.ViewOp(arena, constant.result, [], alloc.memref.type))
            view.results[0].name_hint = alloc.memref.name_hint
            alloc.memref.replace_all_uses_with(view.results[0])
            alloc.detach()
            alloc.erase()

        function.attributes["micro.arena_size"] = IntegerAttr(size, i64)
        function.attributes["micro.live_set_peak"] = IntegerAttr(
            memory_planning.live_set_peak(list(infos.values())), i64
        )
        function.attributes["micro.memory_plan"] = StringAttr(self.algorithm)


def _align(n: int, alignment: int) -> int:
    return (n + alignment - 1) // alignment * alignment
