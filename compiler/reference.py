"""
Reference runtimes, when installed, for outputs computed at conversion time (the
Cortex-M benchmark's expected outputs): LiteRT's reference kernels for TFLite (the
tflite-micro interpreter for a model LiteRT refuses), onnxruntime for ONNX. They are
optional dependencies (`pip install micro[reference]`); without them no expected output
is baked in.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def reference_outputs(
    fmk: str, model: Path, inputs: list[np.ndarray]
) -> tuple[list[np.ndarray], str] | tuple[None, str]:
    """(outputs, which reference) or (None, why there are none)."""
    if fmk.upper() == "TFLITE":
        return _tflite(model, inputs)
    if fmk.upper() == "ONNX":
        return _onnx(model, inputs)
    return None, f"no reference runtime for --fmk={fmk}"


def _tflite(model: Path, inputs: list[np.ndarray]) -> tuple[list[np.ndarray] | None, str]:
    refused = ""
    try:
        from ai_edge_litert.interpreter import Interpreter, OpResolverType

        try:
            interpreter = Interpreter(
                model_path=str(model),
                experimental_op_resolver_type=OpResolverType.BUILTIN_REF,
            )
            interpreter.allocate_tensors()
            for detail, array in zip(interpreter.get_input_details(), inputs, strict=True):
                interpreter.set_tensor(detail["index"], array)
            interpreter.invoke()
            outputs = [
                interpreter.get_tensor(d["index"]).copy() for d in interpreter.get_output_details()
            ]
            return outputs, "Expected outputs: LiteRT's reference kernels (BUILTIN_REF)."
        except (RuntimeError, ValueError) as e:
            refused = f"LiteRT refuses the model ({str(e).splitlines()[0][:100]}); "
    except ImportError:
        pass
    try:
        import tflite
        from tflite_micro.python.tflite_micro import runtime
    except ImportError:
        return None, (
            f"{refused}no reference runtime installed (pip install ai-edge-litert or "
            "tflite-micro): no expected outputs"
        )
    interpreter = runtime.Interpreter.from_file(str(model))
    for i, array in enumerate(inputs):
        interpreter.set_input(array, i)
    interpreter.invoke()
    count = tflite.Model.GetRootAs(model.read_bytes(), 0).Subgraphs(0).OutputsLength()
    outputs = [interpreter.get_output(i).copy() for i in range(count)]
    return outputs, f"{refused}Expected outputs: the tflite-micro interpreter."


def _onnx(model: Path, inputs: list[np.ndarray]) -> tuple[list[np.ndarray] | None, str]:
    try:
        import onnxruntime
    except ImportError:
        return None, "no reference runtime installed (pip install onnxruntime): no expected outputs"
    session = onnxruntime.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    feeds = {i.name: a for i, a in zip(session.get_inputs(), inputs, strict=True)}
    return list(session.run(None, feeds)), "Expected outputs: onnxruntime (CPU)."
