"""Loading the neural face models once per process (cached by path), and the start-up
check `remixer serve`, `worker` and `remix` run so that a missing, unreadable or
unsupported model fails before any job starts."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from remixer.pipeline.errors import PipelineError
from remixer.pipeline.faces.neural.contracts import SwapModel, open_swap_model
from remixer.pipeline.faces.neural.embedder import ArcFaceEmbedder, open_embedder


@lru_cache(maxsize=2)
def _swap_model(path: Path) -> SwapModel:
    return open_swap_model(path)


@lru_cache(maxsize=2)
def _embedder(path: Path) -> ArcFaceEmbedder:
    return open_embedder(path)


def load_swap_model(path: Path) -> SwapModel:
    """The face-swap model at `path`, loaded and checked once per process."""
    return _swap_model(path.expanduser().resolve())


def load_embedder(path: Path) -> ArcFaceEmbedder:
    """The ArcFace embedder at `path`, loaded and checked once per process."""
    return _embedder(path.expanduser().resolve())


def check_face_models(faceswap_model: Path | None, embedder_model: Path | None) -> None:
    """Load and check the configured neural models (kept warm for the jobs); raises
    `PipelineError("INTERNAL")` with a message fit for the operator. Both unset: the
    classic swapper runs and nothing is loaded."""
    if embedder_model is not None:
        load_embedder(embedder_model)
    if faceswap_model is None:
        return
    model = load_swap_model(faceswap_model)
    if embedder_model is None:
        raise PipelineError(
            "INTERNAL",
            f"REMIXER_FACESWAP_MODEL is a {model.contract.name} model, which swaps in an "
            "ArcFace identity: set REMIXER_FACE_EMBEDDER_MODEL to an ArcFace ONNX model "
            "(e.g. InsightFace's w600k_r50.onnx) as well.",
        )
