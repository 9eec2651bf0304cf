"""
The compilation pipeline: model file -> `nn` -> `kernel` -> planned `kernel` -> `c`.

Every step is a registered pass (see `micro.registry`), so each stage can be reproduced
with `micro-opt -p <pass>` on the IR the previous stage printed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    ArrayAttr,
    DictionaryAttr,
    IntegerAttr,
    ModuleOp,
    StringAttr,
    TensorType,
)
from xdsl.ir import Attribute
from xdsl.passes import ModulePass
from xdsl.printer import Printer
from xdsl.utils.hints import isa

from micro.config import MicroConfig
from micro.dialects.quant import storage_type_of
from micro.errors import MicroError
from micro.lowering.convert_kernel_to_c import ConvertKernelToCPass
from micro.lowering.convert_nn_to_kernel import ConvertNNToKernelPass
from micro.lowering.memory_plan import MemoryPlanPass
from micro.lowering.nn_fold_affine import NNFoldAffinePass
from micro.lowering.nn_fuse_activation import NNFuseActivationPass
from micro.lowering.nn_layout import NNLayoutPass
from micro.lowering.quant_compute_params import QuantComputeParamsPass
from micro.project.bench_data import TensorSpec
from micro.registry import load_all_dialects


def make_context() -> Context:
    ctx = Context()
    load_all_dialects(ctx)
    return ctx


def import_model(
    fmk: str, path: str | Path, input_shapes: Mapping[str, Sequence[int]] | None = None
) -> ModuleOp:
    """Import a model file of framework `fmk` (converter_lite's --fmk) into `nn` IR."""
    fmk = fmk.upper()
    if fmk == "TFLITE":
        from micro.frontends.tflite import import_tflite

        return import_tflite(path, input_shapes)
    if fmk == "ONNX":
        from micro.frontends.onnx import import_onnx

        return import_onnx(path, input_shapes)
    raise MicroError(f"--fmk={fmk} is not supported; use --fmk=TFLITE or --fmk=ONNX")


def io_specs(module: ModuleOp) -> tuple[list[TensorSpec], list[str]]:
    """The graph inputs (name, shape, numpy dtype) and output names of an `nn` module."""
    from micro.lowering.convert_nn_to_kernel import numpy_dtype

    functions = [op for op in module.ops if isinstance(op, func.FuncOp)]
    if len(functions) != 1:
        raise MicroError(f"expected one graph function, found {len(functions)}")
    function = functions[0]

    def name(attrs: ArrayAttr[DictionaryAttr] | None, i: int, kind: str) -> str:
        if attrs is not None and i < len(attrs.data):
            entry = attrs.data[i].data.get("micro.name")
            if isinstance(entry, StringAttr):
                return entry.data
        return f"{kind}_{i}"

    inputs = []
    for i, arg in enumerate(function.args):
        assert isa(arg.type, TensorType[Attribute])
        dtype = numpy_dtype(storage_type_of(arg.type.element_type))
        inputs.append(
            TensorSpec(name(function.arg_attrs, i, "input"), tuple(arg.type.get_shape()), dtype)
        )
    outputs = [
        name(function.res_attrs, i, "output")
        for i in range(len(function.function_type.outputs.data))
    ]
    return inputs, outputs


def passes_for(config: MicroConfig) -> list[ModulePass]:
    return [
        NNLayoutPass(),
        NNFoldAffinePass(),
        NNFuseActivationPass(),
        QuantComputeParamsPass(),
        ConvertNNToKernelPass(target=config.target, kernels=config.kernels),
        MemoryPlanPass(algorithm=config.memory_plan, preserve_inputs=config.preserve_inputs),
        ConvertKernelToCPass(profile=config.profile),
    ]


@dataclass
class CompileStats:
    nn_ops: int = 0
    kernel_calls: int = 0
    calls_by_backend: dict[str, int] = field(default_factory=dict[str, int])
    """Kernel calls per kernel library (`generic`, `neon`)."""
    arena_size: int = 0
    live_set_peak: int = 0
    weight_size: int = 0
    memory_plan: str = ""


@dataclass
class CompileResult:
    module: ModuleOp
    stats: CompileStats
    stages: dict[str, str] = field(default_factory=dict[str, str])


def _count(module: ModuleOp, prefix: str) -> int:
    return sum(1 for op in module.walk() if op.name.startswith(prefix))


def compile_module(
    module: ModuleOp, config: MicroConfig, keep_stages: bool = False
) -> CompileResult:
    """Run the whole pipeline on an imported `nn` module (modified in place)."""
    ctx = make_context()
    stats = CompileStats(
        nn_ops=sum(
            1 for op in module.walk() if op.name.startswith("nn.") and op.name != "nn.constant"
        )
    )
    stages: dict[str, str] = {}
    if keep_stages:
        stages["0-import"] = _print(module)
    for index, compiler_pass in enumerate(passes_for(config), start=1):
        if isinstance(compiler_pass, ConvertKernelToCPass):
            _read_plan(module, stats)
        compiler_pass.apply(ctx, module)
        module.verify()
        if keep_stages:
            stages[f"{index}-{compiler_pass.name}"] = _print(module)
    if config.cpu:
        module.attributes["micro.cpu"] = StringAttr(config.cpu)
    weight = module.attributes.get("micro.weight_size")
    stats.weight_size = weight.value.data if isinstance(weight, IntegerAttr) else 0
    return CompileResult(module, stats, stages)


def _read_plan(module: ModuleOp, stats: CompileStats) -> None:
    for op in module.walk():
        backend = op.properties.get("backend")
        if op.name.startswith("kernel.") and isinstance(backend, StringAttr):
            stats.kernel_calls += 1
            stats.calls_by_backend[backend.data] = stats.calls_by_backend.get(backend.data, 0) + 1
    for function in module.ops:
        if not isinstance(function, func.FuncOp):
            continue
        arena = function.attributes.get("micro.arena_size")
        peak = function.attributes.get("micro.live_set_peak")
        plan = function.attributes.get("micro.memory_plan")
        if isinstance(arena, IntegerAttr):
            stats.arena_size = arena.value.data
        if isinstance(peak, IntegerAttr):
            stats.live_set_peak = peak.value.data
        if isinstance(plan, StringAttr):
            stats.memory_plan = plan.data


def _print(module: ModuleOp) -> str:
    import io

    stream = io.StringIO()
    Printer(stream=stream).print_op(module)
    stream.write("\n")
    return stream.getvalue()
