"""
How a `kernel` op of the NEON backend is called in C: the generic call (arguments,
parameter struct) with the NEON twin's name, header and source.
"""

from __future__ import annotations

from importlib.resources import files

from xdsl.ir import Operation

from micro.backends.generic import emit as generic_emit
from micro.backends.neon.catalog import neon_kernels
from micro.errors import MicroError


def kernel_call(op: Operation) -> generic_emit.KernelCall | None:
    call = generic_emit.kernel_call(op)
    if call is None:
        return None
    header = neon_kernels().get(call.function)
    if header is None:
        raise MicroError(f"internal: no NEON kernel for {call.function} ({op.name})")
    source = header[: -len(".h")] + ".c"
    has_source = files("micro.kernels").joinpath(*source.split("/")).is_file()
    call.function = "micro_neon_" + call.function.removeprefix("micro_")
    call.header = header
    call.sources = [source] if has_source else []
    return call
