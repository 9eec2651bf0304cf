"""
The NEON backend's kernel selection (ARM64, ARM32): the generic backend's choice of
kernel, weight layout and scratch, with the NEON twin of the kernel wherever one exists
(`backends/neon/catalog.py`); the op's `backend` property records which was chosen.
"""

from __future__ import annotations

from xdsl.dialects.builtin import StringAttr
from xdsl.ir import Operation

from micro.backends.generic import emit as generic_emit
from micro.backends.generic.lower import lower_op as generic_lower_op
from micro.backends.neon.catalog import neon_kernels
from micro.lowering.convert_nn_to_kernel import LoweringContext

BACKEND = "neon"


def lower_op(ctx: LoweringContext, op: Operation) -> bool:
    block = ctx.builder.insertion_point.block
    before = block.last_op
    if not generic_lower_op(ctx, op):
        return False
    new = block.first_op if before is None else before.next_op
    twins = neon_kernels()
    while new is not None:
        backend = new.properties.get("backend")
        if isinstance(backend, StringAttr) and backend.data == "generic":
            call = generic_emit.kernel_call(new)
            if call is not None and call.function in twins:
                new.properties["backend"] = StringAttr(BACKEND)
        new = new.next_op
    return True
