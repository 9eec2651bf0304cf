"""
micro.cfg and command-line shape parsing (lark grammars beside this file).

`parse_micro_cfg` reads MindSpore Lite's converter configuration: every section and key
micro does not know is an error naming the file, line and key, and every key MindSpore
accepts but micro cannot honour yet is an error saying so, never silently ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path

from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedInput

from micro.backends.targets import cpu_flags, get_target
from micro.errors import MicroError


@cache
def _parser(grammar: str) -> Lark:
    text = files("micro.config").joinpath(grammar).read_text()
    return Lark(text, parser="lalr", propagate_positions=True)


# ----------------------------------------------------------------------------- --inputShape


def parse_input_shapes(text: str) -> dict[str, list[int]]:
    """`--inputShape="in1:1,32,32,3;in2:1,10"` -> {"in1": [1, 32, 32, 3], "in2": [1, 10]}."""
    try:
        tree = _parser("input_shape.lark").parse(text.strip())
    except LarkError:
        raise MicroError(
            f"--inputShape='{text}' is not valid: write name:d0,d1,...[;name2:d0,...], "
            'e.g. --inputShape="input_1:1,49,10,1"'
        ) from None
    shapes: dict[str, list[int]] = {}
    for entry in tree.children:
        assert isinstance(entry, Tree)
        name_token, dims = entry.children
        assert isinstance(name_token, Token)
        assert isinstance(dims, Tree)
        name = str(name_token).strip()
        values = [int(str(d)) for d in dims.children]
        if any(v <= 0 for v in values):
            raise MicroError(f"--inputShape: dimensions of '{name}' must be positive, got {values}")
        if name in shapes:
            raise MicroError(f"--inputShape gives input '{name}' twice")
        shapes[name] = values
    return shapes


# ----------------------------------------------------------------------------- micro.cfg

BOOL_KEYS = ("enable_micro", "support_parallel", "debug_mode", "keep_original_weight")

MICRO_PARAM_KEYS = (
    "enable_micro",
    "target",
    "codegen_mode",
    "support_parallel",
    "debug_mode",
    "save_path",
    "project_name",
    "keep_original_weight",
    "changeable_weights_name",
    "inputs_shape",
    "dynamic_dim_params",
)
"""The keys MindSpore Lite's converter accepts in [micro_param]."""

MICRO_OPTIONS_KEYS = ("memory_plan", "preserve_inputs", "cpu", "profile", "kernels")
"""micro's own options, in its own section [micro_options]."""

KERNELS_VALUES = ("auto", "generic")
"""`kernels=`: the target's kernel libraries, or the generic (portable C) kernels only."""

# Sections MindSpore documents that micro does not implement yet.
_PLANNED_SECTIONS = {
    "model_param": "multi-model projects",
    "common_quant_param": "quantization",
    "full_quant_param": "post-training quantization",
    "data_preprocess_param": "calibration data for quantization",
    "weight_quant_param": "weight quantization",
    "mixed_bit_weight_quant_param": "mixed-bit weight quantization",
    "dynamic_quant_param": "dynamic quantization",
}


@dataclass
class MicroConfig:
    """The options micro.cfg sets (defaults: x86 inference, no parallelism)."""

    target: str = "x86"
    codegen_mode: str = "Inference"
    support_parallel: bool = False
    input_shapes: dict[str, list[int]] = field(default_factory=dict[str, list[int]])
    memory_plan: str = "best"
    preserve_inputs: bool = False
    cpu: str = ""
    """ARM64/ARM32 core the project is built for (e.g. cortex-a76: SDOT), '' = baseline."""
    profile: bool = False
    """Time every kernel call; the benchmark prints a per-operator table."""
    kernels: str = "auto"
    """`auto`: the target's kernel libraries (NEON on ARM64/ARM32, falling back to the
    generic kernels); `generic`: the portable C kernels only (to compare against them)."""
    source: str = "<defaults>"


def _bool(path: str, line: int, key: str, value: str) -> bool:
    lowered = value.lower()
    if lowered not in ("true", "false"):
        raise MicroError(f"{path}:{line}: {key}={value}: expected true or false")
    return lowered == "true"


def _static_inputs_shape(path: str, line: int, value: str) -> dict[str, list[int]]:
    """`inputs_shape=in1:[1,28,28,1];in2:[1,10]` with numbers only (no symbols yet)."""
    shapes: dict[str, list[int]] = {}
    for entry in filter(None, (e.strip() for e in value.split(";"))):
        name, sep, dims = entry.rpartition(":")
        if not sep or not dims.startswith("[") or not dims.endswith("]"):
            raise MicroError(
                f"{path}:{line}: inputs_shape entry '{entry}' must look like name:[d0,d1,...]"
            )
        parts = [d.strip() for d in dims[1:-1].split(",")]
        if not all(p.isdigit() for p in parts):
            raise MicroError(
                f"{path}:{line}: inputs_shape '{entry}' has symbolic dimensions; dynamic shapes "
                "(inputs_shape with symbols, dynamic_dim_params) are not supported yet"
            )
        shapes[name] = [int(p) for p in parts]
    return shapes


def parse_micro_cfg(path: str | Path) -> MicroConfig:
    path = str(path)
    try:
        text = Path(path).read_text()
    except OSError as e:
        raise MicroError(f"{path}: cannot read the configuration file ({e.strerror})") from None
    except UnicodeDecodeError:
        raise MicroError(f"{path}: not a text file; pass a micro.cfg") from None
    return parse_micro_cfg_text(text, path)


def parse_micro_cfg_text(text: str, path: str = "micro.cfg") -> MicroConfig:
    try:
        tree = _parser("micro_cfg.lark").parse(text if text.endswith("\n") else text + "\n")
    except UnexpectedInput as e:
        line = text.splitlines()[e.line - 1].strip() if 0 < e.line <= len(text.splitlines()) else ""
        raise MicroError(
            f"{path}:{e.line}: cannot read '{line}': expected [section], key=value or # comment"
        ) from None
    except LarkError as e:
        raise MicroError(f"{path}: cannot read the configuration: {e}") from None

    config = MicroConfig(source=path)
    section: str | None = None
    seen: set[tuple[str, str]] = set()
    enable_micro: bool | None = None
    cpu_line = 0
    profile_line = 0
    for item in tree.children:
        assert isinstance(item, Tree)
        line = item.meta.line
        if item.data == "section":
            section = str(item.children[0])
            if section in _PLANNED_SECTIONS:
                raise MicroError(
                    f"{path}:{line}: [{section}] ({_PLANNED_SECTIONS[section]}) is not supported "
                    "yet; remove the section"
                )
            if section not in ("micro_param", "micro_options"):
                raise MicroError(
                    f"{path}:{line}: unknown section [{section}]; micro reads [micro_param] and "
                    "[micro_options]"
                )
            continue
        key = str(item.children[0])
        value = str(item.children[1]).strip() if len(item.children) > 1 else ""
        value = value.replace('"', "").replace("'", "")
        if section is None:
            raise MicroError(f"{path}:{line}: {key}= appears before any [section]")
        if (section, key) in seen:
            raise MicroError(f"{path}:{line}: {key} is set twice in [{section}]")
        seen.add((section, key))
        if section == "micro_options":
            if key not in MICRO_OPTIONS_KEYS:
                raise MicroError(
                    f"{path}:{line}: unknown key '{key}' in [micro_options]; valid keys: "
                    f"{', '.join(MICRO_OPTIONS_KEYS)}"
                )
            if key == "memory_plan":
                config.memory_plan = value
            elif key == "cpu":
                config.cpu = value
                cpu_line = line
            elif key == "profile":
                config.profile = _bool(path, line, key, value)
                profile_line = line
            elif key == "kernels":
                if value not in KERNELS_VALUES:
                    raise MicroError(
                        f"{path}:{line}: kernels={value}: expected {' or '.join(KERNELS_VALUES)}"
                    )
                config.kernels = value
            else:
                config.preserve_inputs = _bool(path, line, key, value)
            continue
        if key not in MICRO_PARAM_KEYS:
            raise MicroError(
                f"{path}:{line}: unknown key '{key}' in [micro_param]; valid keys: "
                f"{', '.join(MICRO_PARAM_KEYS)}"
            )
        if key in BOOL_KEYS:
            flag = _bool(path, line, key, value)
            if key == "enable_micro":
                enable_micro = flag
            elif key == "support_parallel":
                config.support_parallel = flag
                if flag:
                    raise MicroError(
                        f"{path}:{line}: support_parallel=true is not supported yet; "
                        "set support_parallel=false"
                    )
            elif flag:
                raise MicroError(f"{path}:{line}: {key}=true is not supported yet")
        elif key == "target":
            if not value:
                raise MicroError(f"{path}:{line}: target= is empty; e.g. target=x86")
            try:
                get_target(value)
            except MicroError as e:
                raise MicroError(f"{path}:{line}: {e}") from None
            config.target = value
        elif key == "codegen_mode":
            if value not in ("Inference", "Train"):
                raise MicroError(
                    f"{path}:{line}: codegen_mode={value}: expected Inference or Train"
                )
            if value == "Train":
                raise MicroError(f"{path}:{line}: codegen_mode=Train is not supported yet")
            config.codegen_mode = value
        elif key == "inputs_shape":
            config.input_shapes = _static_inputs_shape(path, line, value)
        elif value:
            raise MicroError(f"{path}:{line}: {key} is not supported yet; remove it")
    if enable_micro is False:
        raise MicroError(
            f"{path}: enable_micro=false: micro only generates code; set enable_micro=true"
        )
    if config.profile and get_target(config.target).kind == "mcu":
        raise MicroError(
            f"{path}:{profile_line}: profile=true is not supported for {config.target} yet "
            "(the QEMU boards do not emulate a cycle counter); profile on x86 or ARM Linux"
        )
    if config.cpu:
        try:
            cpu_flags(get_target(config.target), config.cpu)
        except MicroError as e:
            raise MicroError(f"{path}:{cpu_line}: {e}") from None
    return config
