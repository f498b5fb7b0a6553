"""The ArcFace identity embedder (`REMIXER_FACE_EMBEDDER_MODEL`, e.g. InsightFace's
`w600k_r50.onnx` or `w600k_mbf.onnx`): a 112×112 crop aligned to the ArcFace template
(black outside the image), RGB, (x − 127.5) / 127.5, NCHW in; 512 values out, used at
unit length. An influencer's embedding is the normalised mean over its usable reference
photos (InsightFace `model_zoo/arcface_onnx.py`, `face_align.norm_crop`)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from remixer.pipeline.errors import PipelineError
from remixer.pipeline.faces.identity import FaceIdentity
from remixer.pipeline.faces.models import Landmarks
from remixer.pipeline.faces.neural.alignment import align_matrix, aligned_crop, five_points
from remixer.pipeline.faces.neural.contracts import LATENT, Floats, unit
from remixer.pipeline.faces.neural.providers import open_session
from remixer.pipeline.types import Frame

SIZE = 112
WHAT = "face embedder model (REMIXER_FACE_EMBEDDER_MODEL)"


def _dims(shape: Any) -> list[int | None]:
    return [d if isinstance(d, int) and d > 0 else None for d in shape]


@dataclass(frozen=True)
class ArcFaceEmbedder:
    """A loaded ArcFace model."""

    session: Any
    input_name: str
    path: Path

    @staticmethod
    def blob(aligned_bgr: Frame) -> Floats:
        """The model input for a 112×112 aligned BGR crop."""
        rgb = cv2.cvtColor(aligned_bgr, cv2.COLOR_BGR2RGB).astype(np.float32)
        norm = (rgb - np.float32(127.5)) / np.float32(127.5)
        return np.ascontiguousarray(norm.transpose(2, 0, 1)[None], dtype=np.float32)

    @staticmethod
    def crop(image_bgr: Frame, landmarks: Landmarks) -> Frame:
        """The 112×112 ArcFace crop of the face whose FaceMesh landmarks are given."""
        return aligned_crop(image_bgr, align_matrix(five_points(landmarks), SIZE), SIZE, False)

    def embed_aligned(self, aligned_bgr: Frame) -> Floats:
        """The unit embedding of an aligned crop."""
        out = self.session.run(None, {self.input_name: self.blob(aligned_bgr)})[0]
        return unit(np.asarray(out)[0])

    def embed(self, image_bgr: Frame, landmarks: Landmarks) -> Floats:
        """The unit embedding of the face whose FaceMesh landmarks are given."""
        return self.embed_aligned(self.crop(image_bgr, landmarks))

    def identity_embedding(self, identity: FaceIdentity) -> Floats:
        """The influencer's embedding: the normalised mean over its usable references."""
        found = [self.embed(r.crop_bgr, r.landmarks) for r in identity.references]
        return unit(np.mean(found, axis=0))


def with_arcface(identity: FaceIdentity, embedder: ArcFaceEmbedder) -> FaceIdentity:
    """`identity` with its ArcFace embedding set (stored with it by `FaceIdentity.save`)."""
    return dataclasses.replace(identity, arcface=embedder.identity_embedding(identity))


def open_embedder(path: Path) -> ArcFaceEmbedder:
    """Load and check an ArcFace model: one N×3×112×112 input, a 512-value first output."""
    session = open_session(path, WHAT)
    inputs, outputs = session.get_inputs(), session.get_outputs()
    image = _dims(inputs[0].shape) if len(inputs) == 1 else []
    out = _dims(outputs[0].shape) if outputs else []
    size_ok = (
        len(image) == 4 and image[1] in (3, None) and image[2:] in ([SIZE, SIZE], [None, None])
    )
    if not size_ok or len(out) != 2 or out[1] != LATENT:
        shown = [f"`{s.name}` {s.shape}" for s in inputs] + [f"-> {s.shape}" for s in outputs]
        raise PipelineError(
            "INTERNAL",
            f"The {WHAT} {path.name} ({', '.join(shown)}) is not an ArcFace model: expected "
            f"one input N×3×{SIZE}×{SIZE} and a first output N×{LATENT}.",
        )
    return ArcFaceEmbedder(session, str(inputs[0].name), path)
