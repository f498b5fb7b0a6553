"""Face models loaded once per process: dlib's HOG detector, 5-point aligner and ResNet
embedder (128-d, distance < 0.6 means "same person"), MediaPipe FaceMesh (478 points), and
MediaPipe's full-range face detector (BlazeFace) as the fallback where HOG sees nothing."""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from remixer.pipeline.faces.geometry import box_iou
from remixer.pipeline.types import Box, Frame

os.environ.setdefault("GLOG_minloglevel", "2")

SAME_PERSON_DISTANCE = 0.6
"""dlib's documented threshold: embeddings closer than this belong to the same person."""

Landmarks = NDArray[np.float32]
"""478×2 landmark positions in pixels of the image they were found in."""

Embedding = NDArray[np.float64]
"""A 128-d dlib face embedding."""


@dataclass(frozen=True)
class Detection:
    """A face found by the HOG detector: its box and the detector's confidence."""

    box: Box
    score: float
    fallback: bool = False
    """Found by BlazeFace where HOG saw none: something covers part of the face."""


BLAZE_TO_HOG = 0.92
"""A BlazeFace box scaled by this about its centre covers what a HOG box covers (median
HOG ÷ BlazeFace width 0.87–1.09 over the eight shared real clips, centres within 3 %)."""
BLAZE_MIN_SCORE = 0.5
BLAZE_SAME_FACE = 0.3
"""Boxes overlapping more than this (IoU) are one face: the better scored is kept."""


class BlazeDetector:
    """MediaPipe's full-range face detector, made on first use and shared under a lock
    (a `FaceDetection` graph is not safe to call from two threads at once).

    HOG reads the face from its outline of gradients: a caption across the forehead, a
    hand or a microphone breaks it, and on a captioned selfie clip HOG lost the face in
    two thirds of the frames (so none of them was swapped); BlazeFace found it in all."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._graph: Any = None

    def detect(self, image_rgb: Frame) -> list[Detection]:
        with self._lock:
            if self._graph is None:
                solution = mediapipe_solution("face_detection")
                self._graph = solution.FaceDetection(
                    model_selection=1, min_detection_confidence=BLAZE_MIN_SCORE
                )
            result = self._graph.process(image_rgb)
        h, w = image_rgb.shape[:2]
        found = []
        for detection in result.detections or []:
            rel = detection.location_data.relative_bounding_box
            side = BLAZE_TO_HOG * rel.width * w, BLAZE_TO_HOG * rel.height * h
            cx, cy = (rel.xmin + rel.width / 2) * w, (rel.ymin + rel.height / 2) * h
            x0, y0 = max(0, round(cx - side[0] / 2)), max(0, round(cy - side[1] / 2))
            x1, y1 = min(w, round(cx + side[0] / 2)), min(h, round(cy + side[1] / 2))
            if x1 - x0 >= 8 and y1 - y0 >= 8:
                box = (x0, y0, x1 - x0, y1 - y0)
                found.append(Detection(box, float(detection.score[0]), fallback=True))
        kept: list[Detection] = []  # the graph can box one face twice
        for face in sorted(found, key=lambda d: -d.score):
            if all(box_iou(face.box, other.box) < BLAZE_SAME_FACE for other in kept):
                kept.append(face)
        return kept


@dataclass(frozen=True)
class FaceModels:
    """Loaded dlib models; create FaceMesh instances with `landmarker()` (they are stateful)."""

    detector: Any
    predictor: Any
    encoder: Any
    fallback: BlazeDetector = field(default_factory=BlazeDetector, compare=False)

    def detect(
        self,
        image_rgb: Frame,
        upsample: int = 0,
        min_score: float = 0.0,
        fallback: bool = False,
    ) -> list[Detection]:
        """Faces in `image_rgb` (boxes in its pixels), best score first. With `fallback`,
        where HOG finds none BlazeFace is asked (its boxes brought to HOG's extent)."""
        rects, scores, _kinds = self.detector.run(image_rgb, upsample, min_score)
        found = [
            Detection((int(r.left()), int(r.top()), int(r.width()), int(r.height())), float(s))
            for r, s in zip(rects, scores, strict=True)
        ]
        if not found and fallback:
            found = self.fallback.detect(image_rgb)
        return sorted(found, key=lambda d: -d.score)

    def embed(self, image_rgb: Frame, box: Box) -> Embedding:
        """The 128-d identity embedding of the face in `box` (5-point aligned)."""
        import dlib

        x, y, w, h = box
        shape = self.predictor(image_rgb, dlib.rectangle(x, y, x + w, y + h))
        return np.asarray(self.encoder.compute_face_descriptor(image_rgb, shape), dtype=np.float64)

    def landmarker(self, static: bool, max_faces: int = 1) -> Landmarker:
        """A new FaceMesh instance (static mode for photos, tracking mode for video)."""
        return Landmarker(static=static, max_faces=max_faces)


class Landmarker:
    """MediaPipe FaceMesh with refined landmarks, returning pixel coordinates."""

    def __init__(self, static: bool, max_faces: int = 1) -> None:
        self._mesh: Any = face_mesh_solution().FaceMesh(
            static_image_mode=static,
            max_num_faces=max_faces,
            refine_landmarks=True,
            min_detection_confidence=0.5,
            min_tracking_confidence=0.5,
        )

    def find(self, image_rgb: Frame) -> list[Landmarks]:
        """All faces' landmarks (478×2, pixels of `image_rgb`)."""
        result = self._mesh.process(image_rgb)
        faces = result.multi_face_landmarks or []
        h, w = image_rgb.shape[:2]
        scale = np.array([w, h], dtype=np.float32)
        out: list[Landmarks] = []
        for face in faces:
            points = np.array([(p.x, p.y) for p in face.landmark], dtype=np.float32)
            out.append(points * scale)
        return out

    def close(self) -> None:
        self._mesh.close()


_MEDIAPIPE_IMPORT = threading.Lock()
_UMBRELLAS = ("mediapipe", "mediapipe.python.solutions")
"""The packages whose `__init__` imports every solution, the tasks API and `drawing_utils`,
which imports matplotlib.pyplot: ≈ 1.3 CPU s a process (and a font cache build wherever
matplotlib finds none), none of it needed by FaceMesh."""


def face_mesh_solution() -> Any:
    """mediapipe's FaceMesh module (see `mediapipe_solution`)."""
    return mediapipe_solution("face_mesh")


def mediapipe_solution(solution: str) -> Any:
    """mediapipe's solution module `solution`, imported without running the `_UMBRELLAS`'
    `__init__`: each is put in `sys.modules` as a bare package (its path, none of its names)
    first. So in this process `mediapipe.solutions` and the like are not set; import
    submodules by their full path (`from mediapipe.python.solutions import face_mesh` still
    works)."""
    with _MEDIAPIPE_IMPORT:
        for name in _UMBRELLAS:
            if name not in sys.modules:
                spec = importlib.util.find_spec(name)
                if spec is None:
                    raise ModuleNotFoundError(name)
                sys.modules[name] = importlib.util.module_from_spec(spec)
        return importlib.import_module(f"mediapipe.python.solutions.{solution}")


def dlib_model_file(name: str) -> str:
    """The path of `face_recognition_models`' model file `name`, found without importing
    the package: its `__init__` imports `pkg_resources` (≈ 0.12 CPU s) for this alone."""
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("face_recognition_models")
    path = Path(next(iter(spec.submodule_search_locations))) / "models" / name
    if not path.is_file():
        raise FileNotFoundError(path)
    return str(path)


def load_face_models() -> FaceModels:
    """Load the dlib models shipped in `face_recognition_models`; a process keeps them in
    its `pipeline.models.ModelRegistry`."""
    import dlib

    return FaceModels(
        detector=dlib.get_frontal_face_detector(),
        predictor=dlib.shape_predictor(dlib_model_file("shape_predictor_5_face_landmarks.dat")),
        encoder=dlib.face_recognition_model_v1(
            dlib_model_file("dlib_face_recognition_resnet_model_v1.dat")
        ),
    )


def face_distance(a: Embedding, b: Embedding) -> float:
    """Euclidean distance between two embeddings (dlib's measure)."""
    return float(np.linalg.norm(a - b))
