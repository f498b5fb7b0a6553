"""Stand-in ONNX models for the neural face-swap tests, built with the `onnx` package, with
the published input and output names and shapes: inswapper_128 (with a 512×512 `emap` as
the graph's last initializer), HyperSwap 256 and an ArcFace embedder. Each computes a
simple, known function of its input (echo, colour negative, average pooling), so a test
can say exactly what the model must have received and returned."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import onnx
from numpy.typing import NDArray
from onnx import TensorProto, helper, numpy_helper

Behaviour = Literal["echo", "negative"]


def _save(graph: onnx.GraphProto, path: Path) -> Path:
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def _value(name: str, dims: list[int | str]) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, dims)


def random_emap(seed: int = 0) -> NDArray[np.float32]:
    return np.random.default_rng(seed).normal(size=(512, 512)).astype(np.float32)


def swapper_model(
    path: Path,
    size: int,
    behaviour: Behaviour,
    *,
    emap: NDArray[np.float32] | None = None,
    target: str = "target",
    source: str = "source",
    latent: int = 512,
    echo_source: bool = False,
) -> Path:
    """A swapper with inputs `target` 1×3×S×S and `source` 1×L and output `output`
    1×3×S×S = the target (echo) or its colour negative (`1 − x` for inswapper's 0..1,
    `−x` for HyperSwap's −1..1: pass `size`=128 or 256). With `echo_source` a second
    output `source_seen` returns the latent as received. `emap`, when given, is the last
    initializer (used by a node that adds 0 to the output, as a real graph uses it)."""
    nodes, inits = [], [numpy_helper.from_array(np.array(0.0, np.float32), "zero")]
    if behaviour == "echo":
        nodes.append(helper.make_node("Identity", [target], ["face"]))
    elif size == 128:
        inits.append(numpy_helper.from_array(np.array(1.0, np.float32), "one"))
        nodes.append(helper.make_node("Sub", ["one", target], ["face"]))
    else:
        nodes.append(helper.make_node("Neg", [target], ["face"]))
    mixed = source
    if emap is not None:
        inits.append(numpy_helper.from_array(emap, "emap"))
        nodes.append(helper.make_node("MatMul", [source, "emap"], ["mapped"]))
        mixed = "mapped"
    nodes += [
        helper.make_node("ReduceMean", [mixed], ["mean"], keepdims=1),
        helper.make_node("Mul", ["mean", "zero"], ["nothing"]),
        helper.make_node("Add", ["face", "nothing"], ["output"]),
    ]
    outputs = [_value("output", [1, 3, size, size])]
    if echo_source:
        nodes.append(helper.make_node("Identity", [source], ["source_seen"]))
        outputs.append(_value("source_seen", [1, latent]))
    inputs = [_value(target, [1, 3, size, size]), _value(source, [1, latent])]
    return _save(helper.make_graph(nodes, "swapper", inputs, outputs, inits), path)


POOL = 7
"""The ArcFace stand-in's pooling: 112 / 7 = 16, 3×16×16 = 768 values, the first 512 kept."""


def arcface_model(path: Path, size: int = 112, out: int = 512) -> Path:
    """An 'ArcFace' with InsightFace's names (`input.1` N×3×S×S → `683` N×out): 7×7 average
    pooling, flattened, the first `out` values."""
    inits = [
        numpy_helper.from_array(np.array([0], np.int64), "start"),
        numpy_helper.from_array(np.array([out], np.int64), "end"),
        numpy_helper.from_array(np.array([1], np.int64), "axis"),
    ]
    nodes = [
        helper.make_node(
            "AveragePool", ["input.1"], ["pooled"], kernel_shape=[POOL, POOL], strides=[POOL, POOL]
        ),
        helper.make_node("Flatten", ["pooled"], ["flat"], axis=1),
        helper.make_node("Slice", ["flat", "start", "end", "axis"], ["683"]),
    ]
    inputs = [_value("input.1", ["N", 3, size, size])]
    outputs = [_value("683", ["N", out])]
    return _save(helper.make_graph(nodes, "arcface", inputs, outputs, inits), path)


def arcface_reference(blob: NDArray[np.float32]) -> NDArray[np.float64]:
    """What `arcface_model` computes for a 1×3×112×112 blob (before normalisation)."""
    pooled = blob[0].reshape(3, 16, POOL, 16, POOL).astype(np.float64).mean(axis=(2, 4))
    return pooled.reshape(-1)[:512]
