"""
`micro-convert`: a model file becomes a C project (flags as MindSpore Lite's
`converter_lite`, which `--configFile` micro.cfg drives).

    micro-convert --fmk=TFLITE --modelFile=model.tflite --outputFile=out --configFile=micro.cfg
    micro-convert --fmk=ONNX --modelFile=model.onnx --outputFile=out [--inputShape="x:1,3,32,32"]

Prints what it made (arena and weight bytes) and `CONVERT RESULT SUCCESS:0`, as
converter_lite does. Any problem with the model, the flags or the configuration is one
line, `error: ...`, and exit status 1.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from micro.config import MicroConfig, parse_input_shapes, parse_micro_cfg
from micro.errors import MicroError

# converter_lite flags micro accepts only with their default (or an equivalent) value.
_FIXED_FLAGS = {
    "inputDataFormat": ("NHWC",),
    "fp16": ("off", "OFF", "false"),
    "inputDataType": ("DEFAULT",),
    "outputDataType": ("DEFAULT",),
    "optimize": ("general",),
    "saveType": ("MINDIR", "MINDIR_LITE"),
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise MicroError(f"{message} (see micro-convert --help)")


def _arguments() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="micro-convert",
        description="Compile a TFLite or ONNX model into a standalone C project "
        "(flags as MindSpore Lite's converter_lite).",
    )
    parser.add_argument("--fmk", required=True, help="model framework: TFLITE or ONNX")
    parser.add_argument("--modelFile", required=True, help="the model file (.tflite, .onnx)")
    parser.add_argument(
        "--outputFile", required=True, help="the project directory to create (e.g. out)"
    )
    parser.add_argument("--configFile", help="micro.cfg ([micro_param]); default: x86 inference")
    parser.add_argument(
        "--inputShape", help='static input shapes, e.g. "input_1:1,49,10,1;input_2:1,10"'
    )
    for flag, values in _FIXED_FLAGS.items():
        parser.add_argument(f"--{flag}", help=f"accepted values: {', '.join(values)}")
    parser.add_argument(
        "--dump-ir", metavar="DIR", help="also write the IR after each pass into DIR"
    )
    return parser


def convert(argv: Sequence[str]) -> int:
    args = _arguments().parse_args(list(argv))
    for flag, values in _FIXED_FLAGS.items():
        value = getattr(args, flag)
        if value is not None and value not in values:
            raise MicroError(f"--{flag}={value} is not supported; accepted: {', '.join(values)}")
    config = parse_micro_cfg(args.configFile) if args.configFile else MicroConfig()
    shapes = dict(config.input_shapes)
    if args.inputShape:
        shapes.update(parse_input_shapes(args.inputShape))

    import numpy as np

    from micro.backends.targets import get_target
    from micro.pipeline import compile_module, import_model, io_specs
    from micro.project.bench_data import bench_data_files, seeded_inputs
    from micro.project.writer import write_project
    from micro.reference import reference_outputs

    model = Path(args.modelFile)
    module = import_model(args.fmk, model, shapes)
    target = get_target(config.target)
    bench_note = ""
    bench_data = None
    if target.kind == "mcu":
        inputs_spec, output_names = io_specs(module)
        inputs = seeded_inputs(inputs_spec, model.name)
    result = compile_module(module, config, keep_stages=args.dump_ir is not None)
    out = Path(args.outputFile)
    if out.suffix == ".ms":  # converter_lite strips it from the project name
        out = out.with_suffix("")
    if target.kind == "mcu":
        expected, bench_note = reference_outputs(args.fmk, model, inputs)
        bench_data = bench_data_files(
            [(spec.name, array) for spec, array in zip(inputs_spec, inputs, strict=True)],
            None
            if expected is None
            else [(name, np.asarray(a)) for name, a in zip(output_names, expected, strict=True)],
            f"Input: seeded random (crc32 of '{model.name}'). {bench_note}",
        )
    written = write_project(result.module, out, bench_data)
    if args.dump_ir:
        dump = Path(args.dump_ir)
        dump.mkdir(parents=True, exist_ok=True)
        for name, text in result.stages.items():
            (dump / f"{name}.mlir").write_text(text)

    s = result.stats
    kernels = ", generic kernels only" if config.kernels == "generic" else ""
    print(f"micro-convert: {model.name} -> {out}/ (target {target.name}{kernels})")
    by_backend = ""
    if set(s.calls_by_backend) - {"generic"}:
        counts = sorted(s.calls_by_backend.items())
        by_backend = " (" + ", ".join(f"{n} {b}" for b, n in counts) + ")"
    print(
        f"  operators: {s.nn_ops}, kernel calls: {s.kernel_calls}{by_backend}, "
        f"files: {len(written)}"
    )
    print(
        f"  arena: {s.arena_size} bytes (live-set peak {s.live_set_peak} bytes, "
        f"plan {s.memory_plan})"
    )
    if target.weights_in_flash:
        print(f"  weights: {s.weight_size} bytes (compiled in: src/weight.c, flash)")
    else:
        print(f"  weights: {s.weight_size} bytes (src/net.bin)")
    if target.kind == "mcu":
        from micro.project.footprint import mcu_footprint

        fp = mcu_footprint(out, target, s.arena_size, s.weight_size)
        if isinstance(fp, str):
            print(f"  flash/RAM: {fp}")
        else:
            print(
                f"  flash: {fp.flash} bytes = {fp.code} code (all of src/, before the linker "
                f"drops unused functions) + {fp.weights} weights"
            )
            print(
                f"  RAM: {fp.ram} bytes = {fp.arena} arena + {fp.static_ram} static + "
                f"~{fp.stack} stack (inference call chain, gcc -fstack-usage)"
            )
        print(f"  benchmark data: {bench_note}")
    print("CONVERT RESULT SUCCESS:0")
    return 0


def main(argv: Sequence[str] | None = None) -> None:
    try:
        status = convert(sys.argv[1:] if argv is None else argv)
    except MicroError as e:
        print(f"error: {e}", file=sys.stderr)
        status = 1
    except KeyboardInterrupt:
        status = 130
    except Exception as e:  # a bug in micro: say so in one line (MICRO_DEBUG=1: traceback)
        if os.environ.get("MICRO_DEBUG"):
            raise
        print(
            f"error: internal error in micro ({type(e).__name__}: {e}); "
            "rerun with MICRO_DEBUG=1 for a traceback and report it",
            file=sys.stderr,
        )
        status = 2
    sys.exit(status)


if __name__ == "__main__":
    main()
