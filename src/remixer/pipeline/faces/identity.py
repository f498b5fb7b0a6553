"""Influencer identity from reference photos: each photo must show exactly one clear,
large, sharp, roughly frontal face; the good ones give landmarks, embeddings and a face crop."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from remixer.pipeline.errors import PipelineError
from remixer.pipeline.faces.geometry import (
    Pose,
    box_of,
    estimate_pose,
    expand_box,
    scale_box,
    triangulate,
    warp_points,
)
from remixer.pipeline.faces.models import Detection, Embedding, FaceModels, Landmarks
from remixer.pipeline.faces.photo import MAX_PHOTO_PIXELS, PhotoUnusableError, read_photo_rgb
from remixer.pipeline.faces.warp import u8
from remixer.pipeline.types import Box, Frame

DETECT_SIDE = 1024
FIND_SIDE = 640
HOG_MIN_FACE_PX = 80
"""The smallest face dlib's HOG detector finds without upsampling (its 80×80 window)."""
"""The face is found on the photo at most this large (HOG with one upsampling costs by the
pixel: 0.56 → 0.2 s on a 1145² photo); it is embedded at `DETECT_SIDE` and its landmarks
and crop come from the full photo."""
MIN_FACE_PX = 80
MIN_SHARPNESS = 40.0
MAX_YAW = 0.5
MAX_PITCH_FROM_FRONTAL = 0.45
CLEAR_SCORE = 0.3
CROP_FACE_PX = 512
OUTLINE_SCALE = 1.0

REASON_TEXT = {
    "unreadable": "the file is not a readable image",
    "too_large": f"the image is over {MAX_PHOTO_PIXELS // 1_000_000} megapixels",
    "no_face": "no face was found",
    "several_faces": "more than one face was found",
    "too_small": f"the face is too small (under {MIN_FACE_PX} px wide)",
    "too_blurry": "the face is too blurry",
    "too_turned": "the face is turned too far from the camera",
}


@dataclass(frozen=True)
class PhotoProblem:
    """Why a reference photo was not used."""

    index: int
    name: str
    reason: str

    def to_dict(self) -> dict[str, object]:
        return {"index": self.index, "name": self.name, "reason": self.reason}

    def describe(self) -> str:
        return f"photo {self.index + 1} ({self.name}): {REASON_TEXT[self.reason]}"


@dataclass(frozen=True)
class ReferenceFace:
    """One usable reference: a BGR face crop, its landmarks in crop pixels, pose, embedding."""

    name: str
    crop_bgr: Frame
    landmarks: Landmarks
    pose: Pose
    embedding: Embedding


@dataclass(frozen=True)
class FaceIdentity:
    """An influencer's face: usable references, warp triangulation, rejected photos."""

    references: list[ReferenceFace]
    triangles: NDArray[np.int32]
    outline_scale: float = OUTLINE_SCALE
    rejected: list[PhotoProblem] = field(default_factory=list)
    arcface: NDArray[np.float32] | None = None
    """The unit ArcFace embedding (512) for the neural swapper, when an embedder was set."""

    @property
    def embedding(self) -> Embedding:
        """The mean embedding of the references (what quality is measured against)."""
        return np.asarray(np.mean([r.embedding for r in self.references], axis=0), dtype=np.float64)

    def pick_reference(self, pose: Pose) -> int:
        """Index of the reference whose pose best matches `pose`."""
        return int(np.argmin([r.pose.distance(pose) for r in self.references]))

    def save(self, path: Path) -> None:
        arrays: dict[str, Any] = {"triangles": self.triangles}
        meta = {
            "outline_scale": self.outline_scale,
            "rejected": [p.to_dict() for p in self.rejected],
            "names": [r.name for r in self.references],
        }
        for i, ref in enumerate(self.references):
            arrays[f"crop_{i}"] = ref.crop_bgr
            arrays[f"landmarks_{i}"] = ref.landmarks
            arrays[f"pose_{i}"] = np.array([ref.pose.yaw, ref.pose.pitch, ref.pose.roll])
            arrays[f"embedding_{i}"] = ref.embedding
        if self.arcface is not None:
            arrays["arcface"] = self.arcface
        with path.open("wb") as handle:
            np.savez_compressed(handle, meta=np.array(json.dumps(meta)), **arrays)

    @classmethod
    def load(cls, path: Path) -> FaceIdentity:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            refs = [
                ReferenceFace(
                    name=name,
                    crop_bgr=data[f"crop_{i}"],
                    landmarks=data[f"landmarks_{i}"],
                    pose=Pose(*(float(v) for v in data[f"pose_{i}"])),
                    embedding=data[f"embedding_{i}"],
                )
                for i, name in enumerate(meta["names"])
            ]
            rejected = [PhotoProblem(**p) for p in meta["rejected"]]
            arcface = data["arcface"] if "arcface" in data.files else None
            return cls(refs, data["triangles"], float(meta["outline_scale"]), rejected, arcface)


def sharpness(image_rgb: Frame, box: Box) -> float:
    """Variance of the Laplacian of the face resized to 128×128 (low = blurry)."""
    x, y, w, h = box
    face = image_rgb[max(0, y) : y + h, max(0, x) : x + w]
    gray = cv2.cvtColor(
        cv2.resize(face, (128, 128), interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2GRAY
    )
    return float(cv2.Laplacian(gray, cv2.CV_64F).var())


def _clear_faces(detections: list[Detection]) -> list[Detection]:
    confident = [d for d in detections if d.score >= CLEAR_SCORE]
    if not confident:
        return []
    largest = max(d.box[2] for d in confident)
    return [d for d in confident if d.box[2] >= 0.5 * largest]


def _find_faces(models: FaceModels, rgb: Frame) -> list[Detection]:
    """The clear faces of a photo: HOG at the photo's scale first (a quarter of the pixels
    of one upsampling); upsampled only when that finds no face, or one small enough that a
    second face half its width (which `_clear_faces` keeps) could have been missed."""
    faces = _clear_faces(models.detect(rgb, upsample=0, min_score=0.0))
    if faces and max(d.box[2] for d in faces) >= 2 * HOG_MIN_FACE_PX:
        return faces
    return _clear_faces(models.detect(rgb, upsample=1, min_score=0.0))


def _face_landmarks(models: FaceModels, rgb: Frame, box: Box) -> tuple[Landmarks, Box] | None:
    """FaceMesh (static) on a crop around `box`; landmarks in `rgb` pixels and the crop box."""
    h, w = rgb.shape[:2]
    crop = expand_box(box, 2.2, w, h)
    x, y, cw, ch = crop
    factor = min(1.0, 400 / max(box[2], 1))
    patch = cv2.resize(
        rgb[y : y + ch, x : x + cw], None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA
    )
    mesh = models.landmarker(static=True)
    try:
        found = mesh.find(np.ascontiguousarray(patch))
    finally:
        mesh.close()
    if not found:
        return None
    return found[0] / factor + np.array([x, y], dtype=np.float32), crop


def _reference_crop(rgb: Frame, points: Landmarks) -> tuple[Frame, Landmarks]:
    h, w = rgb.shape[:2]
    x, y, cw, ch = expand_box(box_of(points), 1.7, w, h)
    factor = min(1.0, CROP_FACE_PX / max(box_of(points)[2], 1))
    crop = cv2.resize(
        rgb[y : y + ch, x : x + cw], None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA
    )
    local = ((points - np.array([x, y], dtype=np.float32)) * factor).astype(np.float32)
    return np.ascontiguousarray(cv2.cvtColor(crop, cv2.COLOR_RGB2BGR)), local


def check_photo(models: FaceModels, rgb: Frame, name: str) -> ReferenceFace | str:
    """A usable reference from one photo, or the reason (a `REASON_TEXT` key) it is not."""
    factor = min(1.0, DETECT_SIDE / max(rgb.shape[:2]))
    small = u8(cv2.resize(rgb, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA))
    find = min(1.0, FIND_SIDE / max(small.shape[:2]))
    tiny = u8(cv2.resize(small, None, fx=find, fy=find, interpolation=cv2.INTER_AREA))
    faces = _find_faces(models, tiny)
    if not faces:
        return "no_face"
    if len(faces) > 1:
        return "several_faces"
    box = scale_box(faces[0].box, 1 / (factor * find))
    if box[2] < MIN_FACE_PX:
        return "too_small"
    if sharpness(rgb, box) < MIN_SHARPNESS:
        return "too_blurry"
    found = _face_landmarks(models, rgb, box)
    if found is None:
        return "no_face"
    points, _crop = found
    pose = estimate_pose(points)
    if abs(pose.yaw) > MAX_YAW or abs(pose.pitch) > MAX_PITCH_FROM_FRONTAL:
        return "too_turned"
    crop_bgr, local = _reference_crop(rgb, points)
    embedding = models.embed(small, scale_box(faces[0].box, 1 / find))
    return ReferenceFace(name, crop_bgr, local, pose, embedding)


def _check_file(models: FaceModels, path: Path) -> ReferenceFace | str:
    try:
        rgb = read_photo_rgb(path)
    except PhotoUnusableError as exc:
        return exc.reason
    return check_photo(models, rgb, path.name)


def build_identity(
    photos: Sequence[Path], models: FaceModels, outline_scale: float = OUTLINE_SCALE
) -> FaceIdentity:
    """Check every photo and build the identity from the usable ones.

    Raises `PipelineError("REFERENCE_PHOTOS_INVALID")` naming each photo and why when none
    is usable; otherwise the problems of the others are listed in `identity.rejected`."""
    references: list[ReferenceFace] = []
    problems: list[PhotoProblem] = []
    for index, path in enumerate(photos):
        outcome = _check_file(models, path)
        if isinstance(outcome, str):
            problems.append(PhotoProblem(index, path.name, outcome))
        else:
            references.append(outcome)
    if not references:
        text = "; ".join(p.describe() for p in problems) or "no photos were given"
        raise PipelineError(
            "REFERENCE_PHOTOS_INVALID",
            f"No usable reference photo: {text}.",
            {"photos": [p.to_dict() for p in problems]},
        )
    frontal = min(references, key=lambda r: abs(r.pose.yaw))
    triangles = triangulate(warp_points(frontal.landmarks, outline_scale))
    return FaceIdentity(references, triangles, outline_scale, problems)
