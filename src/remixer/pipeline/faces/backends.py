"""`create_swapper`: the face-swap backend for a configuration (classic or neural)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from remixer.pipeline.faces.identity import FaceIdentity
from remixer.pipeline.faces.models import FaceModels
from remixer.pipeline.faces.swapper import ClassicFaceSwapper
from remixer.pipeline.faces.swapping import FaceSwapper
from remixer.pipeline.faces.track import FaceTrack

if TYPE_CHECKING:
    from remixer.pipeline.faces.neural.contracts import SwapModel
    from remixer.pipeline.faces.neural.embedder import ArcFaceEmbedder


def create_swapper(
    identity: FaceIdentity,
    track: FaceTrack,
    models: FaceModels,
    model_path: Path | None = None,
    embedder_path: Path | None = None,
    *,
    load_swap: Callable[[Path], SwapModel] | None = None,
    load_arcface: Callable[[Path], ArcFaceEmbedder] | None = None,
) -> FaceSwapper:
    """`ClassicFaceSwapper` by default; `OnnxFaceSwapper` when `model_path` names a model
    (`embedder_path`: the ArcFace model, for an identity stored without its embedding).
    `load_swap` / `load_arcface`: a model registry's loaders (default: load afresh)."""
    if model_path is not None:
        from remixer.pipeline.faces.neural.loaders import load_embedder, load_swap_model
        from remixer.pipeline.faces.onnx_swapper import OnnxFaceSwapper

        return OnnxFaceSwapper(
            identity,
            track,
            models,
            model_path,
            embedder_path=embedder_path,
            load_swap=load_swap or load_swap_model,
            load_arcface=load_arcface or load_embedder,
        )
    return ClassicFaceSwapper(identity, track, models)
