"""
micro as an ONNX backend (`onnx.backend.base.Backend`): `prepare` compiles a model to a C
program and builds it, `run` executes that program on the inputs and returns its
outputs. This is what `onnx.backend.test.BackendTest` drives to measure conformance on
the test suite the `onnx` package ships (tests/test_onnx_backend.py,
docs/onnx-conformance.md).

The program is the generated project's own benchmark (`benchmark/benchmark.c`) linked
with the generated graph: inputs go in as raw files, outputs come back through its dump
file, exactly as a user would run it. Building is made cheap enough for thousands of
cases: micro's library files (kernels, runtime) are compiled once per content and
flags into object files shared by every case, and whole programs are cached by the
content of their project, both under `MICRO_CACHE_DIR` (default
`~/.cache/micro/onnx-backend`).

micro compiles shapes and shape-like operands (a Reshape's shape, a Slice's starts) into
the code. When a model takes such an operand as a graph input, `prepare` cannot compile
it yet; the program is then compiled on the first `run`, with those inputs bound to the
values given (`BoundInputs` in the report), and recompiled if they change.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import tempfile
import unittest
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx.backend.base import Backend, BackendRep
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.ir import Attribute
from xdsl.utils.hints import isa

from micro.backends.c.printer import EmittedFile
from micro.config import MicroConfig
from micro.dialects.quant import storage_type_of
from micro.errors import MicroError, NeedsConstantInput, Unsupported
from micro.frontends.onnx import import_onnx_model
from micro.lowering.convert_nn_to_kernel import numpy_dtype
from micro.pipeline import compile_module
from micro.project.writer import build_files

CC = os.environ.get("MICRO_CC", "gcc")
LIBRARY_FLAGS = ("-std=c99", "-O2", "-Wall", "-Wextra", "-Werror")
GRAPH_FLAGS = ("-std=c99", "-O1", "-Wall", "-Wextra", "-Werror")
INCLUDE_DIRS = ("include", ".", "src", "src/kernels", "benchmark")
RUN_TIMEOUT = 120

_INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.MULTILINE)


def cache_dir() -> Path:
    root = os.environ.get("MICRO_CACHE_DIR") or Path.home() / ".cache" / "micro" / "onnx-backend"
    path = Path(root)
    path.mkdir(parents=True, exist_ok=True)
    return path


class BuildError(MicroError):
    """The generated C did not compile or link (a bug: the message has the compiler's)."""


class RunError(MicroError):
    """The program failed at run time (a bug: the message has its output)."""


@dataclass(frozen=True)
class TensorInfo:
    name: str
    shape: tuple[int, ...]
    dtype: np.dtype


def _tensor_infos(types: Sequence[Attribute], names: Sequence[str]) -> list[TensorInfo]:
    infos: list[TensorInfo] = []
    for type_, name in zip(types, names, strict=True):
        assert isa(type_, TensorType[Attribute])
        dtype = numpy_dtype(storage_type_of(type_.element_type))
        infos.append(TensorInfo(name, tuple(type_.get_shape()), dtype))
    return infos


def _signature(module: ModuleOp) -> tuple[list[TensorInfo], list[TensorInfo]]:
    function = next(op for op in module.ops if isinstance(op, func.FuncOp))

    def names(attrs: Any, count: int, kind: str) -> list[str]:
        result = []
        for i in range(count):
            entry = attrs.data[i].data.get("micro.name") if attrs is not None else None
            result.append(entry.data if entry is not None else f"{kind}_{i}")
        return result

    ins = list(function.function_type.inputs.data)
    outs = list(function.function_type.outputs.data)
    return (
        _tensor_infos(ins, names(function.arg_attrs, len(ins), "input")),
        _tensor_infos(outs, names(function.res_attrs, len(outs), "output")),
    )


# ------------------------------------------------------------------------------ building


def _digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()[:32]


def _content(file: EmittedFile) -> bytes:
    return file.content.encode() if isinstance(file.content, str) else file.content


class _Project:
    """A generated project's files, written to a directory, with header resolution."""

    def __init__(self, files: list[EmittedFile], root: Path):
        self.files = {f.path: f for f in files}
        self.root = root
        for f in files:
            target = root / f.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(_content(f))

    def _resolve(self, name: str) -> EmittedFile | None:
        for folder in INCLUDE_DIRS:
            path = name if folder == "." else f"{folder}/{name}"
            if path in self.files:
                return self.files[path]
        return None

    def headers(self, source: EmittedFile) -> list[EmittedFile]:
        """The project headers `source` includes, transitively (`"..."` includes)."""
        seen: dict[str, EmittedFile] = {}
        pending = [source]
        while pending:
            text = _content(pending.pop()).decode(errors="replace")
            for name in _INCLUDE.findall(text):
                found = self._resolve(name)
                if found is not None and found.path not in seen:
                    seen[found.path] = found
                    pending.append(found)
        return [seen[k] for k in sorted(seen)]


def _run_compiler(argv: list[str], what: str) -> None:
    result = subprocess.run(argv, capture_output=True, text=True)
    if result.returncode != 0:
        first = (result.stderr or result.stdout).strip().splitlines()
        raise BuildError(f"{what}: {' | '.join(first[:6])}")


def build_program(files: list[EmittedFile]) -> Path:
    """The generated project's benchmark program, built (or found in the cache)."""
    root = cache_dir()
    key = _digest(
        CC,
        *LIBRARY_FLAGS,
        *GRAPH_FLAGS,
        *(f"{f.path}\0" for f in files),
        *(_content(f) for f in files),
    )
    exe = root / "programs" / key / "benchmark"
    if exe.is_file():
        return exe
    with tempfile.TemporaryDirectory(prefix="micro-build-") as tmp:
        project = _Project(files, Path(tmp))
        includes = [arg for d in INCLUDE_DIRS for arg in ("-I", str(project.root / d))]
        objects: list[str] = []
        graph_sources: list[str] = []
        for file in files:
            if not (file.path.endswith(".c") and file.path.startswith(("src/", "benchmark/"))):
                continue
            headers = project.headers(file)
            if file.copied_from is None or any(h.copied_from is None for h in headers):
                graph_sources.append(str(project.root / file.path))
                continue
            objects.append(str(_library_object(project, file, headers, includes)))
        (root / "programs" / key).mkdir(parents=True, exist_ok=True)
        partial = exe.with_name(f"benchmark.{os.getpid()}.tmp")
        _run_compiler(
            [CC, *GRAPH_FLAGS, *includes, *graph_sources, *objects, "-o", str(partial), "-lm"],
            "building the generated program",
        )
        os.replace(partial, exe)
    return exe


def _library_object(
    project: _Project, file: EmittedFile, headers: list[EmittedFile], includes: list[str]
) -> Path:
    key = _digest(
        CC, *LIBRARY_FLAGS, _content(file), *(f"{h.path}\0".encode() + _content(h) for h in headers)
    )
    obj = cache_dir() / "objects" / f"{key}.o"
    if obj.is_file():
        return obj
    obj.parent.mkdir(parents=True, exist_ok=True)
    partial = obj.with_name(f"{key}.{os.getpid()}.tmp.o")
    _run_compiler(
        [CC, *LIBRARY_FLAGS, *includes, "-c", str(project.root / file.path), "-o", str(partial)],
        f"compiling {file.path}",
    )
    os.replace(partial, obj)
    return obj


# ------------------------------------------------------------------------------ programs


@dataclass
class Program:
    """A compiled model: its executable, weights and signature."""

    exe: Path
    weights: Path
    inputs: list[TensorInfo]
    outputs: list[TensorInfo]

    def run(self, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
        if len(inputs) != len(self.inputs):
            raise MicroError(f"the program takes {len(self.inputs)} inputs, got {len(inputs)}")
        with tempfile.TemporaryDirectory(prefix="micro-run-") as tmp:
            paths = []
            for i, (info, array) in enumerate(zip(self.inputs, inputs, strict=True)):
                data = np.asarray(array)
                if data.size != int(np.prod(info.shape, dtype=np.int64)):
                    raise MicroError(
                        f"input '{info.name}' has {data.size} elements, the program takes "
                        f"shape {list(info.shape)}"
                    )
                path = Path(tmp) / f"input{i}.bin"
                path.write_bytes(np.ascontiguousarray(data.astype(info.dtype)).tobytes())
                paths.append(str(path))
            dump = Path(tmp) / "outputs.bin"
            argv = [
                str(self.exe),
                ",".join(paths) or "-",
                str(self.weights),
                "1",
                "-",
                "1",
                "0",
                "0",
                "0.9999",
                str(dump),
            ]
            try:
                result = subprocess.run(argv, capture_output=True, text=True, timeout=RUN_TIMEOUT)
            except subprocess.TimeoutExpired:
                raise RunError(f"the program ran for more than {RUN_TIMEOUT} s") from None
            if result.returncode != 0 or "run success" not in result.stdout:
                lines = (result.stdout + result.stderr).strip().splitlines()
                raise RunError(
                    f"the program failed (status {result.returncode}): {' | '.join(lines[-4:])}"
                )
            raw = dump.read_bytes()
        outputs: list[np.ndarray] = []
        offset = 0
        for info in self.outputs:
            count = int(np.prod(info.shape, dtype=np.int64))
            size = count * info.dtype.itemsize
            outputs.append(
                np.frombuffer(raw[offset : offset + size], dtype=info.dtype).reshape(info.shape)
            )
            offset += size
        if offset != len(raw):
            raise RunError(f"the program dumped {len(raw)} bytes, expected {offset}")
        return outputs


def compile_onnx(
    model: onnx.ModelProto,
    constant_inputs: dict[str, np.ndarray] | None = None,
    name: str = "model.onnx",
) -> Program:
    """Compile an ONNX model (graph inputs in `constant_inputs` bound to their values)."""
    module = import_onnx_model(model, name, None, constant_inputs)
    inputs, outputs = _signature(module)
    compile_module(module, MicroConfig())
    files = build_files(module)
    exe = build_program(files)
    weights = exe.parent / "net.bin"
    if not weights.is_file():
        blob = next((f for f in files if f.path == "src/net.bin"), None)
        weights.write_bytes(_content(blob) if blob is not None else b"")
    return Program(exe, weights, inputs, outputs)


# ------------------------------------------------------------------------------ backend


def _skip_if_unsupported(error: MicroError) -> None:
    if isinstance(error, Unsupported):
        raise unittest.SkipTest(f"unsupported {error.kind}: {error}") from None


class MicroRep(BackendRep):
    """A prepared model: its program, or the model waiting for the values of the graph
    inputs micro must compile in (`bound`)."""

    def __init__(self, model: onnx.ModelProto, program: Program | None, bound: list[str]):
        self.model = model
        self.program = program
        self.bound = list(bound)
        self._bound_key: bytes | None = None
        initializers = {t.name for t in model.graph.initializer}
        self.input_names = [i.name for i in model.graph.input if i.name not in initializers]

    def run(self, inputs: Any, **kwargs: Any) -> tuple[np.ndarray, ...]:
        values = dict(zip(self.input_names, self._positional(inputs), strict=True))
        if self.bound:
            self._compile_bound(values)
        assert self.program is not None
        # the program's inputs: those not bound, and not empty (an empty input is data-free)
        return tuple(self.program.run([values[i.name] for i in self.program.inputs]))

    def _compile_bound(self, values: dict[str, np.ndarray]) -> None:
        while True:
            bound = {n: values[n] for n in self.bound}
            key = b"".join(
                n.encode() + str(v.dtype).encode() + str(v.shape).encode() + v.tobytes()
                for n, v in sorted(bound.items())
            )
            if self.program is not None and key == self._bound_key:
                return
            try:
                self.program = compile_onnx(self.model, bound)
            except NeedsConstantInput as needs:
                new = [n for n in needs.inputs if n not in self.bound and n in values]
                if not new:
                    raise
                self.bound += new
                continue
            except MicroError as error:
                _skip_if_unsupported(error)
                raise
            self._bound_key = key
            return

    def _positional(self, inputs: Any) -> list[np.ndarray]:
        if isinstance(inputs, dict):
            return [np.asarray(inputs[n]) for n in self.input_names]
        if isinstance(inputs, np.ndarray):
            return [inputs]
        return [np.asarray(a) for a in inputs]


class MicroBackend(Backend):
    """micro as an `onnx.backend` backend (CPU: the generated C built for this host)."""

    @classmethod
    def prepare(cls, model: onnx.ModelProto, device: str = "CPU", **kwargs: Any) -> MicroRep:
        super().prepare(model, device, **kwargs)
        try:
            return MicroRep(model, compile_onnx(model), [])
        except NeedsConstantInput as needs:
            return MicroRep(model, None, needs.inputs)
        except MicroError as error:
            _skip_if_unsupported(error)
            raise

    @classmethod
    def run_model(
        cls, model: onnx.ModelProto, inputs: Any, device: str = "CPU", **kwargs: Any
    ) -> tuple[np.ndarray, ...]:
        return cls.prepare(model, device, **kwargs).run(inputs)

    @classmethod
    def run_node(
        cls,
        node: onnx.NodeProto,
        inputs: Any,
        device: str = "CPU",
        outputs_info: Sequence[tuple[Any, Any]] | None = None,
        **kwargs: Any,
    ) -> tuple[np.ndarray, ...]:
        arrays = [np.asarray(a) for a in inputs]
        graph_inputs = [
            onnx.helper.make_tensor_value_info(
                name, onnx.helper.np_dtype_to_tensor_dtype(a.dtype), a.shape
            )
            for name, a in zip(node.input, arrays, strict=False)
        ]
        graph_outputs = [onnx.helper.make_empty_tensor_value_info(n) for n in node.output]
        graph = onnx.helper.make_graph([node], "node", graph_inputs, graph_outputs)
        model = onnx.shape_inference.infer_shapes(onnx.helper.make_model(graph))
        return cls.run_model(model, arrays, device, **kwargs)

    @classmethod
    def supports_device(cls, device: str) -> bool:
        return device.upper() == "CPU"


prepare = MicroBackend.prepare
run_model = MicroBackend.run_model
run_node = MicroBackend.run_node
supports_device = MicroBackend.supports_device
