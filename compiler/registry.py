"""
The one registry of what micro adds to xDSL: dialects, passes and output targets, each
as a lazy factory (imported only when used), as `xdsl/transforms/__init__.py` does.
"""

from collections.abc import Callable

from xdsl.context import Context
from xdsl.ir import Dialect
from xdsl.passes import ModulePass


def get_dialects() -> dict[str, Callable[[], Dialect]]:
    def get_nn() -> Dialect:
        from micro.dialects.nn import NN

        return NN

    def get_quant() -> Dialect:
        from micro.dialects.quant import Quant

        return Quant

    def get_kernel() -> Dialect:
        from micro.dialects.kernel import Kernel

        return Kernel

    def get_c() -> Dialect:
        from micro.dialects.c import C

        return C

    return {"nn": get_nn, "quant": get_quant, "kernel": get_kernel, "c": get_c}


def get_passes() -> dict[str, Callable[[], type[ModulePass]]]:
    def get_nn_layout() -> type[ModulePass]:
        from micro.lowering.nn_layout import NNLayoutPass

        return NNLayoutPass

    def get_nn_fold_affine() -> type[ModulePass]:
        from micro.lowering.nn_fold_affine import NNFoldAffinePass

        return NNFoldAffinePass

    def get_nn_fuse_activation() -> type[ModulePass]:
        from micro.lowering.nn_fuse_activation import NNFuseActivationPass

        return NNFuseActivationPass

    def get_quant_compute_params() -> type[ModulePass]:
        from micro.lowering.quant_compute_params import QuantComputeParamsPass

        return QuantComputeParamsPass

    def get_convert_nn_to_kernel() -> type[ModulePass]:
        from micro.lowering.convert_nn_to_kernel import ConvertNNToKernelPass

        return ConvertNNToKernelPass

    def get_memory_plan() -> type[ModulePass]:
        from micro.lowering.memory_plan import MemoryPlanPass

        return MemoryPlanPass

    def get_convert_kernel_to_c() -> type[ModulePass]:
        from micro.lowering.convert_kernel_to_c import ConvertKernelToCPass

        return ConvertKernelToCPass

    return {
        "nn-layout": get_nn_layout,
        "nn-fold-affine": get_nn_fold_affine,
        "nn-fuse-activation": get_nn_fuse_activation,
        "quant-compute-params": get_quant_compute_params,
        "convert-nn-to-kernel": get_convert_nn_to_kernel,
        "memory-plan": get_memory_plan,
        "convert-kernel-to-c": get_convert_kernel_to_c,
    }


def load_all_dialects(ctx: Context) -> None:
    """Register xDSL's dialects and ours in `ctx` (lazily)."""
    from xdsl.dialects import get_all_dialects

    registered = set(ctx.registered_dialect_names)
    for name, factory in {**get_all_dialects(), **get_dialects()}.items():
        if name not in registered:
            ctx.register_dialect(name, factory)
