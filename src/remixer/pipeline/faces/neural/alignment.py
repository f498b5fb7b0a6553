"""Face alignment for the neural models: the five ArcFace key points read off FaceMesh
landmarks, the ArcFace 5-point templates, a least-squares similarity and the aligned crop.

The templates follow InsightFace's `face_align.estimate_norm`: the 112 px ArcFace template
as is for crops that are a multiple of 112 px, and for others the template shifted 8 px
right then scaled by size / 128 (FaceFusion calls that template `arcface_128`; it is what
inswapper_128 and HyperSwap were trained on)."""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from remixer.pipeline.faces.models import Landmarks
from remixer.pipeline.types import Frame

Floats = NDArray[np.float32]
Affine = NDArray[np.float64]
"""A 2×3 matrix taking frame pixels to crop pixels."""

ARCFACE_112 = np.array(
    [
        [38.2946, 51.6963],
        [73.5318, 51.5014],
        [56.0252, 71.7366],
        [41.5493, 92.3655],
        [70.7299, 92.2041],
    ],
    dtype=np.float64,
)
"""Image-left eye, image-right eye, nose tip, image-left and image-right mouth corner on a
112×112 crop (InsightFace's `arcface_dst`)."""

EYE_CORNERS = ((33, 133), (362, 263))
"""FaceMesh corners of the image-left and the image-right eye: their midpoints are the eye
centres (steadier than the iris centres, which move with the gaze)."""
NOSE_TIP, MOUTH_LEFT, MOUTH_RIGHT = 1, 61, 291


def arcface_template(size: int) -> Floats:
    """The ArcFace 5-point template for a `size` px square crop (see the module doc)."""
    if size % 112 == 0:
        return np.asarray(ARCFACE_112 * (size / 112), dtype=np.float32)
    shifted = ARCFACE_112 + np.array([8.0, 0.0])
    return np.asarray(shifted * (size / 128), dtype=np.float32)


def five_points(landmarks: Landmarks) -> Floats:
    """The five ArcFace key points (template order) from 478 FaceMesh landmarks."""
    left = landmarks[list(EYE_CORNERS[0])].mean(axis=0)
    right = landmarks[list(EYE_CORNERS[1])].mean(axis=0)
    picked = [left, right, landmarks[NOSE_TIP], landmarks[MOUTH_LEFT], landmarks[MOUTH_RIGHT]]
    return np.asarray(picked, dtype=np.float32)


def similarity(src: Floats, dst: Floats) -> Affine:
    """The least-squares similarity (rotation, uniform scale, shift) taking `src` points onto
    `dst` points (Umeyama's closed form, as InsightFace's `SimilarityTransform.estimate`)."""
    s, d = src.astype(np.float64), dst.astype(np.float64)
    s_mean, d_mean = s.mean(axis=0), d.mean(axis=0)
    s0, d0 = s - s_mean, d - d_mean
    cov = d0.T @ s0 / len(s)
    u, sigma, vt = np.linalg.svd(cov)
    sign = np.eye(2)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        sign[1, 1] = -1.0
    rotation = u @ sign @ vt
    variance = float((s0**2).sum() / len(s))
    scale = float(np.trace(np.diag(sigma) @ sign)) / max(variance, 1e-12)
    linear = scale * rotation
    return np.hstack([linear, (d_mean - linear @ s_mean)[:, None]])


def align_matrix(points: Floats, size: int) -> Affine:
    """The frame → crop similarity putting the five `points` on the `size` px template."""
    return similarity(points, arcface_template(size))


def aligned_crop(frame_bgr: Frame, matrix: Affine, size: int, replicate: bool) -> Frame:
    """The `size`×`size` crop of `frame_bgr` under `matrix` (bilinear); outside the frame
    black (InsightFace) or the edge pixels repeated (`replicate`, FaceFusion)."""
    border = cv2.BORDER_REPLICATE if replicate else cv2.BORDER_CONSTANT
    crop = cv2.warpAffine(
        frame_bgr, matrix, (size, size), flags=cv2.INTER_LINEAR, borderMode=border, borderValue=0
    )
    return np.ascontiguousarray(crop, dtype=np.uint8)
