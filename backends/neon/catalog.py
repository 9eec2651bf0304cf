"""
The NEON kernels micro ships (`kernels/neon/`), found by their declarations.

Every NEON kernel has exactly the C ABI of a generic kernel (same parameter struct, same
arguments, same weight layout, same scratch) under the name `micro_neon_<name>` for the
generic `micro_<name>`, declared in a header under `kernels/neon/`. The compiler therefore
swaps one for the other by name only, and the catalog is read from the headers rather
than kept by hand: a NEON kernel exists exactly when its declaration does.
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

_DECLARATION = re.compile(r"\bvoid\s+micro_neon_([A-Za-z0-9_]+)\s*\(")


@cache
def neon_kernels() -> dict[str, str]:
    """Generic function name -> the library path of the header declaring its NEON twin."""
    root = files("micro.kernels").joinpath("neon")
    found: dict[str, str] = {}
    if not root.is_dir():
        return found
    for folder in sorted(root.iterdir(), key=lambda p: p.name):
        if not folder.is_dir():
            continue
        for header in sorted(folder.iterdir(), key=lambda p: p.name):
            if not header.name.endswith(".h"):
                continue
            for name in _DECLARATION.findall(header.read_text()):
                found[f"micro_{name}"] = f"neon/{folder.name}/{header.name}"
    return found
