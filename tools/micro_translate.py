"""
`micro-translate`: move between files and IR, as mlir-translate does.

    micro-translate --import-tflite model.tflite [--inputShape=...]   # print `nn` IR
    micro-translate --import-onnx model.onnx [--inputShape=...]       # print `nn` IR
    micro-translate --emit-c [module.mlir] [-o DIR]                   # print (or write) C

`--emit-c` takes the `c` dialect (the output of `convert-kernel-to-c`) and prints every
text file after a `/* ===== path ===== */` banner, or writes the whole project into DIR.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from xdsl.dialects.builtin import ModuleOp
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.utils.exceptions import DiagnosticException, ParseError

from micro.errors import MicroError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise MicroError(f"{message} (see micro-translate --help)")


def _arguments() -> argparse.ArgumentParser:
    parser = _Parser(prog="micro-translate", description="Translate models and IR.")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--import-tflite", action="store_true", help="TFLite file -> nn IR")
    mode.add_argument("--import-onnx", action="store_true", help="ONNX file -> nn IR")
    mode.add_argument("--emit-c", action="store_true", help="c dialect IR -> C files")
    parser.add_argument(
        "input",
        nargs="?",
        default="-",
        help="the input file (default '-': standard input, for --emit-c)",
    )
    parser.add_argument("--inputShape", help='static input shapes, e.g. "x:1,28,28,1"')
    parser.add_argument("-o", "--output", help="output file (IR) or directory (--emit-c)")
    return parser


def _read_module(path: str) -> ModuleOp:
    from micro.pipeline import make_context

    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text()
    except OSError as e:
        raise MicroError(f"{path}: cannot read ({e.strerror})") from None
    module = Parser(make_context(), text, path).parse_module()
    module.verify()
    return module


def translate(argv: Sequence[str]) -> int:
    args = _arguments().parse_args(list(argv))
    if args.import_tflite or args.import_onnx:
        flag = "--import-tflite" if args.import_tflite else "--import-onnx"
        if args.input == "-":
            raise MicroError(f"{flag} needs a model file (see micro-translate --help)")
        from micro.config import parse_input_shapes
        from micro.pipeline import import_model

        shapes = parse_input_shapes(args.inputShape) if args.inputShape else {}
        module = import_model("TFLITE" if args.import_tflite else "ONNX", args.input, shapes)
        text = io.StringIO()
        Printer(stream=text).print_op(module)
        text.write("\n")
        if args.output:
            Path(args.output).write_text(text.getvalue())
        else:
            sys.stdout.write(text.getvalue())
        return 0

    from micro.backends.c.printer import CEmitError, emit_c

    module = _read_module(args.input)
    if args.output:
        from micro.project.writer import write_project

        write_project(module, args.output)
        return 0
    buffer = io.StringIO()
    try:
        emit_c(module, buffer)
    except CEmitError as e:
        raise MicroError(str(e)) from None
    sys.stdout.write(buffer.getvalue())
    return 0


def main(argv: Sequence[str] | None = None) -> None:
    try:
        status = translate(sys.argv[1:] if argv is None else argv)
    except (ParseError, DiagnosticException) as e:
        print(e, file=sys.stderr)
        for note in getattr(e, "__notes__", ()):
            print(note, file=sys.stderr)
        status = 1
    except MicroError as e:
        print(f"error: {e}", file=sys.stderr)
        status = 1
    except Exception as e:
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
