"""
Target descriptions: what a `target=` name in micro.cfg means to the compiler.

A target names the backends whose kernels `convert-nn-to-kernel` may pick (in order of
preference), where weights live, and whether the generated code may allocate memory.
"""

from __future__ import annotations

from dataclasses import dataclass

from micro.errors import MicroError


@dataclass(frozen=True)
class TargetInfo:
    name: str
    backends: tuple[str, ...]
    weights_in_flash: bool
    """Weights as `const` arrays in `weight.c` (MCU) instead of a `net.bin` file."""
    may_malloc: bool
    alignment: int = 16


_TARGETS: dict[str, TargetInfo] = {
    "x86": TargetInfo("x86", ("generic",), weights_in_flash=False, may_malloc=True),
}

# Targets MindSpore's micro.cfg accepts that micro does not generate code for yet.
_PLANNED = (
    "ARM64",
    "ARM32",
    "ARM32A",
    "ARM32M",
    "Cortex-M",
    "cortex-m4",
    "cortex-m7",
    "cortex-m55",
)


def get_target(name: str) -> TargetInfo:
    """The target called `name` (MindSpore's spelling), or a MicroError saying why not."""
    if name in _TARGETS:
        return _TARGETS[name]
    lowered = {k.lower(): v for k, v in _TARGETS.items()}
    if name.lower() in lowered:
        return lowered[name.lower()]
    if name in _PLANNED or name.lower() in (p.lower() for p in _PLANNED):
        raise MicroError(
            f"target '{name}' is not supported yet; supported targets: {', '.join(_TARGETS)}"
        )
    raise MicroError(f"unknown target '{name}'; supported targets: {', '.join(_TARGETS)}")


def target_names() -> tuple[str, ...]:
    return tuple(_TARGETS)
