"""
Every benchmark in one command: runs each section script of bench/ on the same models,
then draws one plot per metric from their measurements.

    .venv/bin/python bench/run.py                 # all sections, all models; print tables
    .venv/bin/python bench/run.py --write         # and rewrite docs/benchmarks.md's
                                                  # sections and docs/bench/*.png
    .venv/bin/python bench/run.py --quick hello_world_int8   # short rounds, some models

Sections (each script also runs on its own, see docs/benchmarks.md): memory.py
(arena vs tflite-micro vs the naive live set), speed.py (x86 latency against LiteRT,
tflite-micro, onnxruntime, emx-onnx-cgen and IREE; compile time; callgrind counts),
cortex_m.py (flash, RAM and instruction counts on Cortex-M4/M7/M55 under QEMU) and,
when present, neon.py (ARM64 NEON vs generic kernels). A section script takes model
names, `--write` and, if its --help lists them, `--quick` and `--json FILE`; a section
whose script is absent is reported and skipped, one that fails is reported and the
others still run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchlib import DOC, PLOTS, REPO, BenchError, git_revision, run_main, select_models

BENCH = REPO / "bench"


@dataclass(frozen=True)
class Section:
    key: str  # the marker of its section in docs/benchmarks.md
    script: str
    what: str


SECTIONS = (
    Section("memory", "memory.py", "activation memory"),
    Section("speed", "speed.py", "x86 latency, compile time, x86 instructions"),
    Section("cortex-m", "cortex_m.py", "Cortex-M flash, RAM, instructions"),
    Section("neon", "neon.py", "ARM64 NEON vs generic instructions"),
)


def _options(script: Path) -> str:
    """The script's --help text (which options it takes)."""
    result = subprocess.run(
        [sys.executable, str(script), "--help"], capture_output=True, text=True, timeout=120
    )
    return result.stdout


def run_section(
    section: Section, models: list[str], quick: bool, write: bool, out: Path
) -> tuple[str, Path | None]:
    """Run one section script; returns its status line and its JSON file (if any)."""
    script = BENCH / section.script
    if not script.is_file():
        return f"{section.key}: skipped (bench/{section.script} is absent)", None
    options = _options(script)
    argv = [sys.executable, str(script), *models]
    if quick and "--quick" in options:
        argv.append("--quick")
    if write:
        argv.append("--write")
    data = out / f"{section.key}.json"
    if "--json" in options:
        argv += ["--json", str(data)]
    print(f"== {section.key}: {' '.join(argv[1:])}", file=sys.stderr, flush=True)
    start = time.perf_counter()
    result = subprocess.run(argv, stdout=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    print(result.stdout, flush=True)
    if result.returncode != 0:
        return f"{section.key}: FAILED (exit {result.returncode}, {seconds:.0f} s)", None
    return f"{section.key}: done ({seconds:.0f} s)", data if data.is_file() else None


# ------------------------------------------------------------------ plots


def _load(path: Path | None) -> list[dict[str, Any]]:
    if path is None or not path.is_file():
        return []
    rows: list[dict[str, Any]] = json.loads(path.read_text())["rows"]
    return rows


def _bars(
    ax: Any,
    labels: list[str],
    series: dict[str, list[float | None]],
    xlabel: str,
    log: bool = True,
    base: float = 0.0,
) -> None:
    """
    Horizontal grouped bars from `base`: one group per label, one bar per series (None:
    no bar); a label with no value at all says so in the plot.
    """
    height = 0.8 / max(len(series), 1)
    for k, (name, values) in enumerate(series.items()):
        ys = [i + (k - (len(series) - 1) / 2) * height for i in range(len(labels))]
        widths = [v - base if v is not None and v > 0 else 0.0 for v in values]
        ax.barh(ys, widths, height=height, left=base, label=name)
    for i in range(len(labels)):
        if all(values[i] is None for values in series.values()):
            ax.text(
                0.5,
                i,
                "not measured (see the table)",
                transform=ax.get_yaxis_transform(),
                ha="center",
                va="center",
                fontsize=7,
                color="gray",
            )
    ax.set_yticks(range(len(labels)))
    ax.set_yticklabels(labels, fontsize=8)
    ax.invert_yaxis()
    if log:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))


def plot_all(data: dict[str, Path | None], out: Path, stamp: str) -> list[Path]:
    """One PNG per metric from the sections' JSON; returns the files written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def save(fig: Any, name: str, title: str) -> None:
        fig.suptitle(f"{title}\n{stamp}", fontsize=9)
        fig.tight_layout()
        path = out / name
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)

    speed = _load(data.get("speed"))
    if speed:
        ref = json.loads(data["speed"].read_text())["reference"]  # type: ignore[union-attr]
        labels = [r["model"] for r in speed]
        series: dict[str, list[float | None]] = {}
        for peer, base in ref.items():
            values = [
                r["ms"][peer] / r["ms"][base] if peer in r["ms"] and base in r["ms"] else None
                for r in speed
            ]
            if any(values):
                series[f"{peer} / {base}"] = values
        fig, ax = plt.subplots(figsize=(9, 0.45 * len(labels) + 2.5))
        _bars(ax, labels, series, "time ratio, log scale (> 1: micro faster)", base=1.0)
        ax.axvline(1.0, color="black", linewidth=0.8)
        save(fig, "latency.png", "x86 latency: each runtime / the micro build in its label")

        fig, ax = plt.subplots(figsize=(9, 0.4 * len(labels) + 2.5))
        _bars(
            ax,
            labels,
            {
                "micro-convert": [r["convert_s"] for r in speed],
                "emx-onnx-cgen": [r["emx_s"] for r in speed],
                "IREE import + compile": [r["iree_s"] for r in speed],
            },
            "seconds (wall clock, one run, including start-up)",
            log=False,
        )
        save(fig, "compile_time.png", "Compile time per model")

    cortex = _load(data.get("cortex-m"))
    if speed or cortex:
        fig, axes = plt.subplots(1, 2, figsize=(12, 0.4 * max(len(speed), len(cortex)) + 2.5))
        if speed:
            _bars(
                axes[0],
                [r["model"] for r in speed],
                {
                    "micro -O2 (MSModelPredict)": [r["instructions"].get("micro") for r in speed],
                    "emx -O2 (model())": [r["instructions"].get("emx") for r in speed],
                },
                "x86 instructions of one inference (callgrind), log scale",
            )
        if cortex:
            _bars(
                axes[1],
                [r["model"] for r in cortex],
                {
                    core: [(r["cores"].get(core) or {}).get("instructions") for r in cortex]
                    for core in ("cortex-m4", "cortex-m7", "cortex-m55")
                },
                "instructions of one inference (QEMU insncount), log scale",
            )
        save(fig, "instructions.png", "Instructions of one inference: x86 and Cortex-M")

    memory = _load(data.get("memory"))
    if memory:
        labels = [r["model"] for r in memory]
        fig, ax = plt.subplots(figsize=(9, 0.45 * len(labels) + 2.5))
        _bars(
            ax,
            labels,
            {
                "micro arena": [r["arena"] for r in memory],
                "TFLM arena (total)": [(r["tflm"] or {}).get("total") for r in memory],
                "TFLM head (activations)": [(r["tflm"] or {}).get("head") for r in memory],
                "naive live set": [r["naive"] for r in memory],
            },
            "bytes, log scale",
        )
        save(fig, "memory.png", "Activation memory: micro vs tflite-micro vs the naive live set")

    if cortex:
        labels = [r["model"] for r in cortex]
        m7 = [(r["cores"].get("cortex-m7") or {}) for r in cortex]
        fig, ax = plt.subplots(figsize=(9, 0.45 * len(labels) + 2.5))
        _bars(
            ax,
            labels,
            {
                "micro M7 flash (text+data)": [(c["text"] + c["data"]) if c else None for c in m7],
                "micro weights": [r["weights"] or None for r in cortex],
                "TFLM model data (.tflite)": [r["tflite_bytes"] for r in cortex],
            },
            "bytes, log scale",
        )
        save(fig, "flash.png", "Cortex-M7 flash: micro's program vs the model data TFLM needs")
    return written


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Run every benchmark section and draw the plots (docs/benchmarks.md)."
    )
    parser.add_argument("models", nargs="*", help="model names or parts of names (default: all)")
    parser.add_argument("--quick", action="store_true", help="short timing rounds")
    parser.add_argument(
        "--write",
        action="store_true",
        help=f"rewrite the sections of {DOC.name} and the plots in {PLOTS.name}/",
    )
    parser.add_argument(
        "--plots", type=Path, help=f"folder for the plots (default with --write: {PLOTS})"
    )
    parser.add_argument(
        "--only", action="append", help="run only this section (repeatable): memory, speed, ..."
    )
    args = parser.parse_args()
    if args.write and args.models:
        raise BenchError("--write records every model: drop the model names")
    select_models(args.models)  # fail early, in one line, on an unknown name
    known = {s.key for s in SECTIONS}
    if args.only and not set(args.only) <= known:
        raise BenchError(f"--only takes {', '.join(sorted(known))}")
    sections = [s for s in SECTIONS if not args.only or s.key in args.only]
    start = time.perf_counter()
    statuses: list[str] = []
    with tempfile.TemporaryDirectory(prefix="micro-bench-run-") as tmp:
        out = Path(tmp)
        data: dict[str, Path | None] = {}
        for section in sections:
            status, data[section.key] = run_section(
                section, args.models, args.quick, args.write, out
            )
            statuses.append(status)
        plots = args.plots or (PLOTS if args.write else None)
        if plots is not None:
            stamp = f"bench/run.py, {time.strftime('%Y-%m-%d')}, micro commit {git_revision()}"
            for path in plot_all(data, plots, stamp):
                statuses.append(
                    f"plot: {path.relative_to(REPO) if path.is_relative_to(REPO) else path}"
                )
    print(f"bench/run.py: {time.perf_counter() - start:.0f} s", file=sys.stderr)
    for status in statuses:
        print(f"  {status}", file=sys.stderr)
    return 1 if any("FAILED" in s for s in statuses) else 0


if __name__ == "__main__":
    run_main(main)
