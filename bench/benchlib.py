"""
Helpers shared by bench/memory.py and bench/speed.py: where the models and the docs are,
markdown tables, the marker-delimited sections of docs/benchmarks.md, quiet one-line
errors, and a capture of the C-level stderr that LiteRT and tflite-micro write to.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MODELS = REPO.parent / "shared" / "models" / "tflite"
DOC = REPO / "docs" / "benchmarks.md"
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
