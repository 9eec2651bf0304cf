"""Train the bundled example model: a tiny CNN for scikit-learn's 8x8 handwritten digits.

Everything is numpy (forward and backward written out, im2col based, Adam, float32, fixed seeds)
and runs single-threaded in a few seconds.  The trained network is written as a TFLite model
with ``micro.frontends.tflite_builder``, checked against LiteRT's reference kernels, and one
correctly classified test image per digit is saved as raw input bytes.

    python examples/digits/make_digits_model.py [--out-dir DIR]

Outputs (in DIR, default: this script's folder):
    digits_cnn.tflite          input [1,8,8,1] float32 (pixels in [0,1]) -> probabilities [1,10]
    samples/digit_<k>.bin      one input per class: 256 bytes, little-endian float32, NHWC
    samples/labels.txt         "digit_<k>.bin <k>" per line

Network (NHWC, TFLite padding rules):
    CONV_2D 3x3x8 SAME ReLU -> CONV_2D 3x3x16 stride 2 SAME ReLU -> AVERAGE_POOL_2D 2x2/2
    -> RESHAPE [1,64] -> FULLY_CONNECTED 64->10 -> SOFTMAX
"""

import argparse
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

from micro.frontends.tflite_builder import TFLiteModelBuilder

SEED = 0
EPOCHS = 150
BATCH = 32
LEARNING_RATE = 3e-3
F32 = np.float32


# --------------------------------------------------------------------------- conv helpers
def same_pads(size: int, k: int, stride: int) -> tuple[int, int, int]:
    """TFLite SAME padding: (output size, pad before, pad after)."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + k - size, 0)
    return out, total // 2, total - total // 2


def im2col(x: np.ndarray, k: int, stride: int) -> np.ndarray:
    """NHWC input -> [N, OH, OW, K, K, C] windows (SAME padding with zeros)."""
    n, h, w, c = x.shape
    oh, pt, pb = same_pads(h, k, stride)
    ow, pl, pr = same_pads(w, k, stride)
    xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    cols = np.empty((n, oh, ow, k, k, c), x.dtype)
    for i in range(k):
        for j in range(k):
            ys, xs = slice(i, i + stride * oh, stride), slice(j, j + stride * ow, stride)
            cols[:, :, :, i, j, :] = xp[:, ys, xs]
    return cols


def col2im(dcols: np.ndarray, in_shape: tuple[int, ...], stride: int) -> np.ndarray:
    """Adjoint of im2col: scatter-add window gradients back onto the input."""
    n, h, w, c = in_shape
    k = dcols.shape[3]
    oh, pt, pb = same_pads(h, k, stride)
    ow, pl, pr = same_pads(w, k, stride)
    dxp = np.zeros((n, h + pt + pb, w + pl + pr, c), dcols.dtype)
    for i in range(k):
        for j in range(k):
            ys, xs = slice(i, i + stride * oh, stride), slice(j, j + stride * ow, stride)
            dxp[:, ys, xs] += dcols[:, :, :, i, j]
    return dxp[:, pt : pt + h, pl : pl + w]


def conv(x: np.ndarray, w_ohwi: np.ndarray, b: np.ndarray, stride: int):
    """SAME conv, filter OHWI.  Returns (output, im2col matrix for the backward pass)."""
    o, k = w_ohwi.shape[0], w_ohwi.shape[1]
    cols = im2col(x, k, stride)
    n, oh, ow = cols.shape[:3]
    mat = cols.reshape(n * oh * ow, -1)
    y = mat @ w_ohwi.reshape(o, -1).T + b
    return y.reshape(n, oh, ow, o), mat


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


# --------------------------------------------------------------------------- the model
@dataclass
class Params:
    w1: np.ndarray  # [8, 3, 3, 1]  OHWI
    b1: np.ndarray
    w2: np.ndarray  # [16, 3, 3, 8] OHWI
    b2: np.ndarray
    w3: np.ndarray  # [10, 64]      [out, in]
    b3: np.ndarray

    NAMES = ("w1", "b1", "w2", "b2", "w3", "b3")

    @staticmethod
    def init(rng: np.random.Generator) -> "Params":
        def he(shape: tuple[int, ...], fan_in: int) -> np.ndarray:
            return (rng.standard_normal(shape) * math.sqrt(2.0 / fan_in)).astype(F32)

        return Params(
            he((8, 3, 3, 1), 9),
            np.zeros(8, F32),
            he((16, 3, 3, 8), 72),
            np.zeros(16, F32),
            he((10, 64), 64) / F32(math.sqrt(2.0)),
            np.zeros(10, F32),
        )


def forward(p: Params, x: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Probabilities [N, 10] for NHWC input [N, 8, 8, 1], plus what backward() needs."""
    z1, cols1 = conv(x, p.w1, p.b1, 1)
    a1 = np.maximum(z1, 0)  # [N, 8, 8, 8]
    z2, cols2 = conv(a1, p.w2, p.b2, 2)
    a2 = np.maximum(z2, 0)  # [N, 4, 4, 16]
    n = x.shape[0]
    pooled = a2.reshape(n, 2, 2, 2, 2, 16).mean(axis=(2, 4), dtype=F32)  # [N, 2, 2, 16]
    flat = pooled.reshape(n, 64)  # NHWC order, as TFLite's RESHAPE
    logits = flat @ p.w3.T + p.b3
    probs = softmax(logits)
    cache = {"cols1": cols1, "z1": z1, "cols2": cols2, "z2": z2, "flat": flat, "a1": a1}
    return probs.astype(F32), cache


def backward(p: Params, probs: np.ndarray, y: np.ndarray, c: dict[str, np.ndarray]) -> Params:
    """Gradients of the mean cross-entropy loss."""
    n = probs.shape[0]
    dlogits = probs.copy()
    dlogits[np.arange(n), y] -= 1
    dlogits /= n
    dw3 = dlogits.T @ c["flat"]
    db3 = dlogits.sum(axis=0)
    dpooled = (dlogits @ p.w3).reshape(n, 2, 2, 16)
    da2 = np.repeat(np.repeat(dpooled, 2, axis=1), 2, axis=2) * F32(0.25)
    dz2 = (da2 * (c["z2"] > 0)).reshape(-1, 16)
    dw2 = (dz2.T @ c["cols2"]).reshape(p.w2.shape)
    db2 = dz2.sum(axis=0)
    dcols2 = (dz2 @ p.w2.reshape(16, -1)).reshape(n, 4, 4, 3, 3, 8)
    da1 = col2im(dcols2, c["a1"].shape, 2)
    dz1 = (da1 * (c["z1"] > 0)).reshape(-1, 8)
    dw1 = (dz1.T @ c["cols1"]).reshape(p.w1.shape)
    db1 = dz1.sum(axis=0)
    return Params(dw1, db1, dw2, db2, dw3, db3)


def train(x: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> Params:
    """Adam with a cosine learning-rate schedule; mini-batches shuffled with ``rng``."""
    p = Params.init(rng)
    m = {k: np.zeros_like(getattr(p, k)) for k in Params.NAMES}
    v = {k: np.zeros_like(getattr(p, k)) for k in Params.NAMES}
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    steps_per_epoch = math.ceil(len(x) / BATCH)
    total, step = EPOCHS * steps_per_epoch, 0
    for _epoch in range(EPOCHS):
        order = rng.permutation(len(x))
        for start in range(0, len(x), BATCH):
            idx = order[start : start + BATCH]
            probs, cache = forward(p, x[idx])
            grads = backward(p, probs, y[idx], cache)
            step += 1
            lr = LEARNING_RATE * 0.5 * (1 + math.cos(math.pi * (step - 1) / total))
            for k in Params.NAMES:
                g = getattr(grads, k)
                m[k] = beta1 * m[k] + (1 - beta1) * g
                v[k] = beta2 * v[k] + (1 - beta2) * g * g
                mhat = m[k] / (1 - beta1**step)
                vhat = v[k] / (1 - beta2**step)
                update = (lr * mhat / (np.sqrt(vhat) + eps)).astype(F32)
                setattr(p, k, (getattr(p, k) - update).astype(F32))
    return p


# --------------------------------------------------------------------------- TFLite export
def build_tflite(p: Params) -> bytes:
    b = TFLiteModelBuilder(description="micro example: digits CNN (sklearn 8x8 digits, numpy)")
    x = b.add_input("input", [1, 8, 8, 1], np.float32)
    w1 = b.add_constant("conv1/weights", p.w1)
    b1 = b.add_constant("conv1/bias", p.b1)
    a1 = b.add_tensor("conv1/Relu", [1, 8, 8, 8])
    w2 = b.add_constant("conv2/weights", p.w2)
    b2 = b.add_constant("conv2/bias", p.b2)
    a2 = b.add_tensor("conv2/Relu", [1, 4, 4, 16])
    pooled = b.add_tensor("pool/AvgPool", [1, 2, 2, 16])
    shape = b.add_constant("flatten/shape", np.array([1, 64], np.int32))
    flat = b.add_tensor("flatten/Reshape", [1, 64])
    w3 = b.add_constant("fc/weights", p.w3)
    b3 = b.add_constant("fc/bias", p.b3)
    logits = b.add_tensor("fc/BiasAdd", [1, 10])
    probs = b.add_tensor("probabilities", [1, 10])

    def conv_options(stride: int) -> dict[str, int | str]:
        return {
            "padding": "SAME",
            "stride_w": stride,
            "stride_h": stride,
            "fused_activation_function": "RELU",
            "dilation_w_factor": 1,
            "dilation_h_factor": 1,
        }

    b.add_operator("CONV_2D", [x, w1, b1], [a1], conv_options(1))
    b.add_operator("CONV_2D", [a1, w2, b2], [a2], conv_options(2))
    pool_options = {"padding": "VALID", "stride_w": 2, "stride_h": 2}
    pool_options |= {"filter_width": 2, "filter_height": 2}
    b.add_operator("AVERAGE_POOL_2D", [a2], [pooled], pool_options)
    # Like TensorFlow's converter: shape as a constant input and as the new_shape option.
    b.add_operator("RESHAPE", [pooled, shape], [flat], {"new_shape": [1, 64]})
    b.add_operator("FULLY_CONNECTED", [flat, w3, b3], [logits])
    b.add_operator("SOFTMAX", [logits], [probs], {"beta": 1.0})
    b.mark_output(probs)
    return b.build()


def run_litert(model: bytes, images: np.ndarray) -> np.ndarray:
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    interp = Interpreter(
        model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF
    )
    interp.allocate_tensors()
    in_index = interp.get_input_details()[0]["index"]
    out_index = interp.get_output_details()[0]["index"]
    outs = []
    for img in images:
        interp.set_tensor(in_index, img[None])
        interp.invoke()
        outs.append(interp.get_tensor(out_index)[0].copy())
    return np.stack(outs)


# --------------------------------------------------------------------------- main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args()

    digits = load_digits()
    images = (digits.images / 16.0).astype(F32)[..., None]  # [1797, 8, 8, 1], in [0, 1]
    labels = digits.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        images, labels, test_size=0.2, random_state=SEED, stratify=labels
    )
    print(f"digits: {len(x_train)} train / {len(x_test)} test images")

    with threadpool_limits(limits=1):  # one core, and reproducible BLAS results
        t0 = time.perf_counter()
        params = train(x_train, y_train, np.random.default_rng(SEED))
        seconds = time.perf_counter() - t0
        train_acc = float((forward(params, x_train)[0].argmax(1) == y_train).mean())
        probs_np = forward(params, x_test)[0]
    test_acc = float((probs_np.argmax(1) == y_test).mean())
    print(f"trained {EPOCHS} epochs in {seconds:.1f} s")
    print(f"numpy:  train accuracy {train_acc:.4f}, test accuracy {test_acc:.4f}")

    model = build_tflite(params)
    probs_rt = run_litert(model, x_test)
    max_diff = float(np.max(np.abs(probs_rt - probs_np)))
    rt_pred = probs_rt.argmax(1)
    rt_acc = float((rt_pred == y_test).mean())
    print(f"LiteRT: test accuracy {rt_acc:.4f}, max |p_litert - p_numpy| = {max_diff:.2e}")
    if max_diff > 1e-4:
        raise SystemExit(f"LiteRT output differs from the numpy forward pass by {max_diff}")

    out_dir: Path = args.out_dir
    samples = out_dir / "samples"
    samples.mkdir(parents=True, exist_ok=True)
    (out_dir / "digits_cnn.tflite").write_bytes(model)
    lines = []
    for label in range(10):
        hits = np.flatnonzero((y_test == label) & (rt_pred == label))
        if hits.size == 0:
            raise SystemExit(f"no correctly classified test image of digit {label}")
        name = f"digit_{label}.bin"
        (samples / name).write_bytes(x_test[hits[0]].astype("<f4").tobytes())
        lines.append(f"{name} {label}\n")
    (samples / "labels.txt").write_text("".join(lines))
    print(f"wrote {out_dir / 'digits_cnn.tflite'} ({len(model)} bytes) and {len(lines)} samples")


if __name__ == "__main__":
    main()
