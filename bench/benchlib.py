"""
Helpers shared by the benchmark scripts (bench/*.py): which models there are (the
shared TFLite and ONNX models and the bundled example), markdown tables, the
marker-delimited sections of docs/benchmarks.md, quiet one-line errors, and a capture of
the C-level stderr that LiteRT and tflite-micro write to.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED_MODELS = REPO.parent / "shared" / "models"
MODELS = SHARED_MODELS / "tflite"
ONNX_MODELS = SHARED_MODELS / "onnx"
MANIFEST = SHARED_MODELS / "MANIFEST.md"
EXAMPLE = REPO / "examples" / "digits" / "digits_cnn.tflite"
DOC = REPO / "docs" / "benchmarks.md"
PLOTS = REPO / "docs" / "bench"
EMPTY = "-"
"""A table cell with nothing to show."""


class BenchError(Exception):
    """An expected failure: reported as one line, `error: ...`, exit status 1."""


class BenchSkip(BenchError):
    """Nothing to measure (no models): reported as `skipped: ...`, exit status 0."""


def import_test_helpers() -> None:
    """Make tests/conftest.py importable (`from conftest import ...`)."""
    tests = str(REPO / "tests")
    if tests not in sys.path:
        sys.path.insert(0, tests)


def model_paths(names: Sequence[str] = ()) -> list[Path]:
    """
    The .tflite files of ../shared/models/tflite, sorted; with `names`, only those whose
    file name or stem equals a name, or else contains it.
    """
    if not MODELS.is_dir():
        raise BenchSkip(f"the shared models folder {MODELS} is absent: nothing to measure")
    paths = sorted(MODELS.glob("*.tflite"))
    if not paths:
        raise BenchError(f"{MODELS} holds no .tflite file")
    if not names:
        return paths
    chosen: list[Path] = []
    for name in names:
        exact = [p for p in paths if name in (p.name, p.stem)]
        found = exact or [p for p in paths if name in p.name]
        if not found:
            known = ", ".join(p.stem for p in paths)
            raise BenchError(f"no model matches '{name}' (models: {known})")
        chosen.extend(p for p in found if p not in chosen)
    return sorted(chosen)


@dataclass(frozen=True)
class Model:
    """One row of the benchmark tables."""

    name: str  # the row's label: the file's stem, `.onnx` kept for ONNX models
    path: Path
    fmk: str  # micro-convert's --fmk: TFLITE or ONNX
    onnx: Path | None = None  # what the ONNX peers run: the model, or its ONNX conversion
    example: bool = False  # the bundled example (examples/digits)

    @property
    def is_tflite(self) -> bool:
        return self.fmk == "TFLITE"


_CONVERSION = re.compile(r"^### (extra/onnx/\S+\.onnx)$")
_DERIVED_FROM = re.compile(r"from `tflite/(\S+)\.tflite`")


def onnx_conversions(manifest: Path = MANIFEST) -> dict[str, Path]:
    """
    TFLite model stem -> its ONNX conversion, as MANIFEST.md records them (an entry
    `### extra/onnx/X.onnx` whose source line says `... from `tflite/Y.tflite``).
    """
    try:
        lines = manifest.read_text().splitlines()
    except OSError:
        return {}
    found: dict[str, Path] = {}
    current: str | None = None
    for line in lines:
        if line.startswith("### "):
            match = _CONVERSION.match(line.strip())
            current = match.group(1) if match else None
        elif current and line.startswith("- source:") and (m := _DERIVED_FROM.search(line)):
            path = manifest.parent / current
            if path.is_file():
                found[m.group(1)] = path
            current = None
    return found


def all_models() -> list[Model]:
    """The shared TFLite models, the bundled example, then the shared ONNX models."""
    if not MODELS.is_dir():
        raise BenchSkip(f"the shared models folder {MODELS} is absent: nothing to measure")
    conversions = onnx_conversions()
    models = [
        Model(p.stem, p, "TFLITE", conversions.get(p.stem)) for p in sorted(MODELS.glob("*.tflite"))
    ]
    if not models:
        raise BenchError(f"{MODELS} holds no .tflite file")
    if EXAMPLE.is_file():
        models.append(Model(EXAMPLE.stem, EXAMPLE, "TFLITE", example=True))
    if ONNX_MODELS.is_dir():
        models += [Model(p.name, p, "ONNX", p) for p in sorted(ONNX_MODELS.glob("*.onnx"))]
    return models


def select_models(names: Sequence[str] = ()) -> list[Model]:
    """
    Every model, or with `names` those whose row label or file name equals a name, or
    else contains it (in the order of all_models()).
    """
    models = all_models()
    if not names:
        return models
    chosen: list[Model] = []
    for name in names:
        exact = [m for m in models if name in (m.name, m.path.name, m.path.stem)]
        found = exact or [m for m in models if name in m.path.name]
        if not found:
            known = ", ".join(m.name for m in models)
            raise BenchError(f"no model matches '{name}' (models: {known})")
        chosen.extend(m for m in found if m not in chosen)
    return [m for m in models if m in chosen]


def onnx_symbolic_inputs(path: Path) -> dict[str, list[int]]:
    """The inputs of an ONNX model that have symbolic dimensions, with those set to 1."""
    import onnx

    graph = onnx.load(str(path), load_external_data=False).graph
    initializers = {i.name for i in graph.initializer}
    shapes: dict[str, list[int]] = {}
    for value in graph.input:
        if value.name in initializers:
            continue
        dims = value.type.tensor_type.shape.dim
        if any(not d.HasField("dim_value") for d in dims):
            shapes[value.name] = [d.dim_value if d.HasField("dim_value") else 1 for d in dims]
    return shapes


def micro_convert_argv(model: Model, out: Path, config: Path | None = None) -> list[str]:
    """
    micro-convert's command line for `model`: --fmk from the file, and for an ONNX model
    with a symbolic (batch) dimension --inputShape giving it as 1.
    """
    argv = [
        str(Path(sys.executable).parent / "micro-convert"),
        f"--fmk={model.fmk}",
        f"--modelFile={model.path}",
        f"--outputFile={out}",
        *([f"--configFile={config}"] if config else []),
    ]
    if model.fmk == "ONNX":
        shapes = onnx_symbolic_inputs(model.path)
        if shapes:
            spec = ";".join(f"{k}:{','.join(map(str, v))}" for k, v in shapes.items())
            argv.append(f"--inputShape={spec}")
    return argv


def error_line(text: str) -> str:
    """The first line of `text` mentioning an error (micro-convert's `error: ...`)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines:
        if re.search(r"\berror\b", line, re.IGNORECASE):
            return one_line(re.sub(r"^error:\s*", "", line))
    return one_line(text or "(no output)")


def one_line(text: str, limit: int = 160) -> str:
    """The first meaningful line of an error text, shortened to `limit` characters."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    line = lines[0] if lines else "(no message)"
    return line if len(line) <= limit else line[: limit - 1] + "…"


def fmt_int(value: int) -> str:
    return f"{value:,}"


def fmt_ratio(value: float) -> str:
    if value >= 100:
        return f"{value:.0f}"
    return f"{value:.2f}" if value >= 0.1 else f"{value:.3f}"


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]], align: str) -> str:
    """A GitHub markdown table; `align` holds one of 'l'/'r' per column."""
    separator = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(separator) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def replace_section(key: str, body: str, doc: Path = DOC) -> None:
    """
    Replace the lines between the marker lines `<!-- key:begin -->` and `<!-- key:end -->`
    of `doc` (each marker alone on its line; mentions inside prose do not count).
    """
    begin, end = f"<!-- {key}:begin -->", f"<!-- {key}:end -->"
    if not doc.is_file():
        raise BenchError(f"{doc} is absent: cannot write the {key} section")
    lines = doc.read_text().splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.strip() == begin]
    stops = [i for i, line in enumerate(lines) if line.strip() == end]
    if len(starts) != 1 or len(stops) != 1 or stops[0] < starts[0]:
        raise BenchError(f"{doc} needs one '{begin}' line followed by one '{end}' line")
    start, stop = starts[0], stops[0]
    new = [*lines[: start + 1], body.strip() + "\n", *lines[stop:]]
    doc.write_text("".join(new))


def git_revision() -> str:
    """The repository's commit, marked when the work tree has uncommitted changes."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            # the tables' own page is rewritten by the benchmarks: not a change to what runs
            [
                "git",
                "-C",
                str(REPO),
                "status",
                "--porcelain",
                "--untracked-files=no",
                "--",
                ".",
                ":(exclude)docs/benchmarks.md",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + (" + uncommitted changes" if dirty else "")


@contextlib.contextmanager
def captured_stderr() -> Iterator[list[str]]:
    """
    Capture file descriptor 2 (where C++ runtimes log) for the block; the captured text
    is appended to the yielded list when the block ends, even on an exception.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    holder: list[str] = []
    with tempfile.TemporaryFile(mode="w+b") as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield holder
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            holder.append(sink.read().decode(errors="replace"))


def run_main(main: Callable[[], int]) -> None:
    """Run `main`, turning expected failures into one line on stderr."""
    try:
        status = main()
    except BenchSkip as skip:
        print(f"skipped: {skip}", file=sys.stderr)
        status = 0
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        status = 1
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        status = 130
    sys.exit(status)
