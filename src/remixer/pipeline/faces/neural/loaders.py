"""Loading the neural face models, and the start-up check `remixer serve`, `worker` and
`remix` run so that a missing, unreadable or unsupported model fails before any job starts.

Nothing is cached here: `pipeline.models.ModelRegistry` keeps what a process loaded and
passes its own loaders in (`check_face_models(..., load_swap=registry.swap_model)`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from remixer.pipeline.errors import PipelineError
from remixer.pipeline.faces.neural.contracts import SwapModel, open_swap_model
from remixer.pipeline.faces.neural.embedder import ArcFaceEmbedder, open_embedder


def load_swap_model(path: Path) -> SwapModel:
    """The face-swap model at `path`, loaded and checked."""
    return open_swap_model(path.expanduser().resolve())


def load_embedder(path: Path) -> ArcFaceEmbedder:
    """The ArcFace embedder at `path`, loaded and checked."""
    return open_embedder(path.expanduser().resolve())


def check_face_models(
    faceswap_model: Path | None,
    embedder_model: Path | None,
    *,
    load_swap: Callable[[Path], SwapModel] = load_swap_model,
    load_arcface: Callable[[Path], ArcFaceEmbedder] = load_embedder,
) -> None:
    """Load and check the configured neural models (through a registry's loaders, they stay
    warm for the jobs); raises `PipelineError("INTERNAL")` with a message fit for the
    operator. Both unset: the classic swapper runs and nothing is loaded."""
    if embedder_model is not None:
        load_arcface(embedder_model)
    if faceswap_model is None:
        return
    model = load_swap(faceswap_model)
    if embedder_model is None:
        raise PipelineError(
            "INTERNAL",
            f"REMIXER_FACESWAP_MODEL is a {model.contract.name} model, which swaps in an "
            "ArcFace identity: set REMIXER_FACE_EMBEDDER_MODEL to an ArcFace ONNX model "
            "(e.g. InsightFace's w600k_r50.onnx) as well.",
        )
