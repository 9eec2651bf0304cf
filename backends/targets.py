"""
Target descriptions: what a `target=` name in micro.cfg means to the compiler.

A target names the backends whose kernels `convert-nn-to-kernel` may pick (in order of
preference), where weights live, whether the generated code may allocate memory, and how
the generated project is built for it (compiler, flags, the emulator the tests use).

MindSpore's spellings are accepted: `x86`, `ARM64`, `ARM32` (also `ARM32A`), `Cortex-M`
(which means a Cortex-M7, as MindSpore's own STM32F767 example), and a specific core:
`cortex-m4`, `cortex-m7`, `cortex-m55`.
"""

from __future__ import annotations

from dataclasses import dataclass

from micro.errors import MicroError


@dataclass(frozen=True)
class CortexMCore:
    """One Cortex-M core: its compiler flags and the QEMU board the tests run it on."""

    name: str
    flags: tuple[str, ...]
    qemu_machine: str
    linker_script: str
    """The harness linker script of that board (kernels/project/cortex-m/)."""


CORTEX_M_CORES: dict[str, CortexMCore] = {
    "cortex-m4": CortexMCore(
        "cortex-m4",
        ("-mcpu=cortex-m4", "-mfpu=fpv4-sp-d16", "-mfloat-abi=hard", "-mthumb"),
        "mps2-an386",
        "mps2-an386.ld",
    ),
    "cortex-m7": CortexMCore(
        "cortex-m7",
        ("-mcpu=cortex-m7", "-mfpu=fpv5-d16", "-mfloat-abi=hard", "-mthumb"),
        "mps2-an500",
        "mps2-an500.ld",
    ),
    "cortex-m55": CortexMCore(
        "cortex-m55",
        ("-mcpu=cortex-m55", "-mfloat-abi=hard", "-mthumb"),
        "mps3-an547",
        "mps3-an547.ld",
    ),
}


@dataclass(frozen=True)
class TargetInfo:
    name: str
    backends: tuple[str, ...]
    weights_in_flash: bool
    """Weights as a `const` array in `weight.c` (MCU) instead of a `net.bin` file."""
    may_malloc: bool
    kind: str = "host"
    """`host` (x86: the build machine itself), `linux` (ARM64/ARM32 Linux, cross-built),
    `mcu` (Cortex-M bare metal)."""
    triple: str = ""
    """The GNU toolchain prefix, e.g. `aarch64-linux-gnu` (empty: the host compiler)."""
    flags: tuple[str, ...] = ()
    """Architecture flags for every C file of the project."""
    default_cpu: str = ""
    """The core the project is built for unless micro.cfg names one (`cpu=`)."""
    alignment: int = 16

    def cortex_m(self) -> CortexMCore:
        if self.kind != "mcu":
            raise MicroError(f"internal: target {self.name} is not a Cortex-M core")
        return CORTEX_M_CORES[self.name]


def _cortex_m(name: str) -> TargetInfo:
    core = CORTEX_M_CORES[name]
    return TargetInfo(
        name,
        ("generic",),
        weights_in_flash=True,
        may_malloc=False,
        kind="mcu",
        triple="arm-none-eabi",
        flags=core.flags,
    )


_TARGETS: dict[str, TargetInfo] = {
    "x86": TargetInfo("x86", ("generic",), weights_in_flash=False, may_malloc=True),
    "ARM64": TargetInfo(
        "ARM64",
        ("neon", "generic"),
        weights_in_flash=False,
        may_malloc=True,
        kind="linux",
        triple="aarch64-linux-gnu",
        flags=(),
        default_cpu="",
    ),
    "ARM32": TargetInfo(
        "ARM32",
        ("neon", "generic"),
        weights_in_flash=False,
        may_malloc=True,
        kind="linux",
        triple="arm-linux-gnueabihf",
        flags=("-march=armv7-a", "-mfpu=neon", "-mfloat-abi=hard"),
        default_cpu="",
    ),
    **{name: _cortex_m(name) for name in CORTEX_M_CORES},
}

_ALIASES = {"arm32a": "ARM32", "cortex-m": "cortex-m7"}

# Targets MindSpore's micro.cfg accepts that micro does not generate code for.
_PLANNED = ("ARM32M",)

ARM_CPUS: dict[str, dict[str, tuple[str, ...]]] = {
    # cpu= for ARM64 / ARM32: -mcpu flags. Cores with the dot-product extension let the
    # int8 NEON kernels use SDOT (the compiler defines __ARM_FEATURE_DOTPROD).
    "ARM64": {
        "cortex-a53": ("-mcpu=cortex-a53",),
        "cortex-a55": ("-mcpu=cortex-a55",),
        "cortex-a72": ("-mcpu=cortex-a72",),
        "cortex-a76": ("-mcpu=cortex-a76",),
        "neoverse-n1": ("-mcpu=neoverse-n1",),
    },
    "ARM32": {
        "cortex-a7": ("-mcpu=cortex-a7", "-mfpu=neon-vfpv4"),
        "cortex-a15": ("-mcpu=cortex-a15", "-mfpu=neon-vfpv4"),
        "cortex-a53": ("-mcpu=cortex-a53", "-mfpu=neon-fp-armv8"),
        "cortex-a55": ("-mcpu=cortex-a55", "-mfpu=neon-fp-armv8"),
        "cortex-a76": ("-mcpu=cortex-a76", "-mfpu=neon-fp-armv8"),
    },
}


def get_target(name: str) -> TargetInfo:
    """The target called `name` (MindSpore's spelling), or a MicroError saying why not."""
    if name in _TARGETS:
        return _TARGETS[name]
    lowered = {k.lower(): v for k, v in _TARGETS.items()}
    key = _ALIASES.get(name.lower(), name.lower())
    if key in lowered:
        return lowered[key.lower()]
    if name in _PLANNED or name.lower() in (p.lower() for p in _PLANNED):
        raise MicroError(
            f"target '{name}' is not supported; supported targets: {', '.join(target_names())}"
        )
    raise MicroError(f"unknown target '{name}'; supported targets: {', '.join(target_names())}")


def cpu_flags(target: TargetInfo, cpu: str) -> tuple[str, ...]:
    """Architecture flags for `target` built for core `cpu` ('' = the target's default)."""
    if not cpu:
        return target.flags
    cores = ARM_CPUS.get(target.name)
    if cores is None:
        raise MicroError(
            f"cpu={cpu}: cpu= applies to ARM64 and ARM32, not to target {target.name} "
            "(a Cortex-M core is named in target=, e.g. target=cortex-m4)"
        )
    if cpu.lower() not in cores:
        raise MicroError(f"cpu={cpu} is not a known {target.name} core; known: {', '.join(cores)}")
    flags = cores[cpu.lower()]
    if target.name == "ARM32":
        flags = (*flags, "-mfloat-abi=hard")
    return flags


def target_names() -> tuple[str, ...]:
    return (*_TARGETS, "Cortex-M")
