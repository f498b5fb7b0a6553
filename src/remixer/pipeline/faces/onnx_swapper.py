"""Optional neural backend: an inswapper-style ONNX model (an aligned 128 or 256 px face and an
identity latent in, the swapped aligned face out), pasted back with the classic swapper's
feathered mask.

Contract of the model: one 4-d input (1×3×S×S, RGB in 0..1, S = 128 or 256, aligned to the
ArcFace 5-point template scaled to S) and one 2-d input (1×L identity latent); the first
output is 1×3×S×S RGB in 0..1. This build supplies the influencer's unit-length 128-d dlib
embedding as the latent, so L must be 128; other sizes are refused with `INTERNAL`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from remixer.pipeline.errors import PipelineError
from remixer.pipeline.faces.follow import FaceState, TargetFollower
from remixer.pipeline.faces.geometry import ALIGN_POINTS, outline_polygon, warp_points
from remixer.pipeline.faces.identity import FaceIdentity
from remixer.pipeline.faces.models import FaceModels
from remixer.pipeline.faces.swapper import SwapStats
from remixer.pipeline.faces.track import FaceTrack
from remixer.pipeline.faces.warp import blend_into, face_mask, roi_for
from remixer.pipeline.types import Frame

ARCFACE_TEMPLATE_112 = np.array(
    [
        [38.2946, 51.6963],
        [73.5318, 51.5014],
        [56.0252, 71.7366],
        [41.5493, 92.3655],
        [70.7299, 92.2041],
    ],
    dtype=np.float32,
)
LATENT_SIZE = 128


def _inputs(session: Any) -> tuple[str, int, str]:
    image = next((i for i in session.get_inputs() if len(i.shape) == 4), None)
    latent = next((i for i in session.get_inputs() if len(i.shape) == 2), None)
    if image is None or latent is None:
        raise PipelineError(
            "INTERNAL", "The face-swap model needs a 4-d face and a 2-d latent input."
        )
    size = image.shape[2] if isinstance(image.shape[2], int) else 128
    if size not in (128, 256) or latent.shape[1] != LATENT_SIZE:
        raise PipelineError(
            "INTERNAL",
            f"The face-swap model wants a {size} px face and a latent of {latent.shape[1]} values; "
            f"this build supplies 128 or 256 px faces and {LATENT_SIZE}-value dlib embeddings.",
        )
    return str(image.name), int(size), str(latent.name)


class OnnxFaceSwapper:
    """Runs an inswapper-style ONNX model on the aligned target face of every frame."""

    def __init__(
        self, identity: FaceIdentity, track: FaceTrack, models: FaceModels, model_path: Path
    ) -> None:
        import onnxruntime as ort

        try:
            self._session: Any = ort.InferenceSession(
                str(model_path), providers=["CPUExecutionProvider"]
            )
        except Exception as exc:
            raise PipelineError(
                "INTERNAL", f"The face-swap model could not be loaded: {exc}"
            ) from exc
        self._image_name, self._size, self._latent_name = _inputs(self._session)
        latent = identity.embedding / max(float(np.linalg.norm(identity.embedding)), 1e-6)
        self._latent = latent.reshape(1, -1).astype(np.float32)
        self._template = ARCFACE_TEMPLATE_112 * (self._size / 112.0)
        self._outline_scale = identity.outline_scale
        self._follower = TargetFollower(track, models)
        self._track = track
        self.stats = SwapStats()

    def swap(self, frame_bgr: Frame, frame_index: int) -> Frame:
        self.stats.frames += 1
        self.stats.visible += int(self._track.box_at(frame_index) is not None)
        state = self._follower.follow(frame_bgr, frame_index)
        if state is None or state.alpha <= 0.0:
            return frame_bgr
        out = frame_bgr.copy()
        if self._paste(out, state):
            self.stats.swapped += 1
        return out

    def _infer(self, aligned_bgr: Frame) -> Frame:
        rgb = cv2.cvtColor(aligned_bgr, cv2.COLOR_BGR2RGB).astype(np.float32) / 255.0
        blob = np.ascontiguousarray(rgb.transpose(2, 0, 1)[None])
        feeds = {self._image_name: blob, self._latent_name: self._latent}
        result = np.asarray(self._session.run(None, feeds)[0], dtype=np.float32)[0]
        face = np.clip(result.transpose(1, 2, 0) * 255.0, 0, 255).astype(np.uint8)
        return np.ascontiguousarray(cv2.cvtColor(face, cv2.COLOR_RGB2BGR), dtype=np.uint8)

    def _paste(self, frame_bgr: Frame, state: FaceState) -> bool:
        points = state.landmarks[list(ALIGN_POINTS)]
        matrix, _ = cv2.estimateAffinePartial2D(points, self._template, method=cv2.LMEDS)
        dst = warp_points(state.landmarks, self._outline_scale)
        roi = roi_for(dst, frame_bgr.shape)
        if matrix is None or roi is None:
            return False
        size = (self._size, self._size)
        aligned = cv2.warpAffine(frame_bgr, matrix, size, borderMode=cv2.BORDER_REPLICATE)
        swapped = self._infer(np.ascontiguousarray(aligned, dtype=np.uint8))
        back = np.asarray(cv2.invertAffineTransform(matrix), dtype=np.float64)
        back[:, 2] -= np.array(roi.box[:2], dtype=np.float64)
        roi_size = (roi.box[2], roi.box[3])
        face = cv2.warpAffine(swapped, back, roi_size, borderMode=cv2.BORDER_REPLICATE)
        inside = cv2.warpAffine(np.ones(size, np.float32), back, roi_size)
        weight: NDArray[np.float32] = face_mask(roi, state.landmarks, outline_polygon(dst)) * inside
        blend_into(
            frame_bgr,
            roi,
            np.ascontiguousarray(face, dtype=np.uint8),
            weight * np.float32(state.alpha),
        )
        return True

    def close(self) -> None:
        self._follower.close()
