"""
Flash and RAM of a generated Cortex-M project, measured with the target's compiler:
every C file of `src/` but the weights is compiled with the core's flags (`-O2`, function
sections, `-fstack-usage`) and measured with `arm-none-eabi-size`.

- flash = code and read-only data of the objects (an upper bound: the linker's
  `--gc-sections` drops the API functions an application does not call) + the weights;
- RAM = the arena + the objects' static data (.data, .bss: the model and tensor structs)
  + a stack estimate: the frames of MSModelPredict, net_inference and the deepest kernel
  frame net.c calls, from gcc's `.su` files (kernels call no deeper functions of their
  own: their helpers are inlined).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from micro.backends.targets import TargetInfo


@dataclass(frozen=True)
class Footprint:
    code: int
    weights: int
    arena: int
    static_ram: int
    stack: int

    @property
    def flash(self) -> int:
        return self.code + self.weights

    @property
    def ram(self) -> int:
        return self.arena + self.static_ram + self.stack


def mcu_footprint(project: Path, target: TargetInfo, arena: int, weights: int) -> Footprint | str:
    """The project's footprint, or why it could not be measured."""
    compiler = f"{target.triple}-gcc"
    size_tool = f"{target.triple}-size"
    if shutil.which(compiler) is None or shutil.which(size_tool) is None:
        return f"{compiler} not found: flash and RAM not measured"
    sources = [
        p
        for p in sorted((project / "src").rglob("*.c"))
        if p.name != "weight.c"  # the weights are counted exactly, not compiled here
    ]
    includes = [f"-I{project / d}" for d in ("include", "src", "src/kernels", ".")]
    with tempfile.TemporaryDirectory(prefix="micro-footprint-") as tmp:
        work = Path(tmp)

        def compile_one(source: Path) -> subprocess.CompletedProcess[str]:
            obj = work / (source.stem + ".o")
            argv = [compiler, *target.flags, "-std=c99", "-O2", "-DNDEBUG"]
            argv += ["-ffunction-sections", "-fdata-sections", "-fstack-usage", *includes]
            argv += ["-c", str(source), "-o", str(obj)]
            return subprocess.run(argv, capture_output=True, text=True, cwd=work)

        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(compile_one, sources))
        failed = [r for r in results if r.returncode != 0]
        if failed:
            first = (failed[0].stderr.strip().splitlines() or ["?"])[0]
            return f"{compiler} could not compile the project for measuring: {first}"
        objects = sorted(str(p) for p in work.glob("*.o"))
        table = subprocess.run(
            [size_tool, "-t", *objects], capture_output=True, text=True, check=True
        ).stdout.splitlines()
        text, data, bss = (int(v) for v in table[-1].split()[:3])
        frames: dict[str, int] = {}
        for su in work.glob("*.su"):
            for line in su.read_text().splitlines():
                parts = line.split("\t")
                if len(parts) >= 2 and parts[1].isdigit():
                    frames[parts[0].rsplit(":", 1)[-1]] = int(parts[1])
    called = set(re.findall(r"\b(micro_[A-Za-z0-9_]+)\(", (project / "src" / "net.c").read_text()))
    deepest_kernel = max((frames.get(name, 0) for name in called), default=0)
    stack = frames.get("MSModelPredict", 0) + frames.get("net_inference", 0) + deepest_kernel
    return Footprint(
        code=text + data, weights=weights, arena=arena, static_ram=data + bss, stack=stack
    )
