"""`create_swapper`: the face-swap backend for a configuration (classic or neural)."""

from __future__ import annotations

from pathlib import Path

from remixer.pipeline.faces.identity import FaceIdentity
from remixer.pipeline.faces.models import FaceModels
from remixer.pipeline.faces.swapper import ClassicFaceSwapper
from remixer.pipeline.faces.swapping import FaceSwapper
from remixer.pipeline.faces.track import FaceTrack


def create_swapper(
    identity: FaceIdentity,
    track: FaceTrack,
    models: FaceModels,
    model_path: Path | None = None,
    embedder_path: Path | None = None,
) -> FaceSwapper:
    """`ClassicFaceSwapper` by default; `OnnxFaceSwapper` when `model_path` names a model
    (`embedder_path`: the ArcFace model, for an identity stored without its embedding)."""
    if model_path is not None:
        from remixer.pipeline.faces.onnx_swapper import OnnxFaceSwapper

        return OnnxFaceSwapper(identity, track, models, model_path, embedder_path=embedder_path)
    return ClassicFaceSwapper(identity, track, models)
