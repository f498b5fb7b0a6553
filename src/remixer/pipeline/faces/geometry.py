"""Landmark geometry: FaceMesh index sets, head pose from landmarks, the extended
face outline, the warp triangulation and box helpers."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from remixer.pipeline.types import Box

MESH_POINTS = 468
"""FaceMesh points without the 10 refined iris points (used for warping and jitter)."""

FACE_OVAL = (
    10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
    152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
)  # fmt: skip
"""The face outline, in order around the face."""

INNER_LIPS = (
    78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308, 324, 318, 402, 317, 14, 87, 178, 88, 95,
)  # fmt: skip
"""The inner edge of the lips, in order: the target's mouth inside it is kept."""

NOSE_TIP, CHEEK_RIGHT, CHEEK_LEFT, FOREHEAD, CHIN = 1, 234, 454, 10, 152
EYE_OUTER_RIGHT, EYE_OUTER_LEFT = 33, 263
TRIANGULATION_MARGIN = 1000.0
"""`triangulate`'s rectangle reaches this many point-set spans past the points each side."""
ALIGN_POINTS = (468, 473, 1, 61, 291)
"""Iris centres, nose tip and mouth corners: the 5 points of the ArcFace alignment template."""


@dataclass(frozen=True)
class Pose:
    """Head pose read off landmarks: `yaw` and `pitch` as signed ratios in -1..1 (0 = facing
    the camera, ±1 = full profile), `roll` in degrees."""

    yaw: float
    pitch: float
    roll: float

    def distance(self, other: Pose) -> float:
        return float(np.hypot(self.yaw - other.yaw, self.pitch - other.pitch))


def _ratio(a: float, b: float) -> float:
    return (a - b) / max(a + b, 1e-6)


def estimate_pose(points: NDArray[np.float32]) -> Pose:
    """Yaw from the nose tip's position between the cheeks, pitch from its position
    between forehead and chin (both measured along the face's own axes), roll from the eyes."""
    right, left = points[CHEEK_RIGHT], points[CHEEK_LEFT]
    across = left - right
    across_unit = across / max(float(np.linalg.norm(across)), 1e-6)
    down_unit = np.array([-across_unit[1], across_unit[0]])
    nose = points[NOSE_TIP]
    yaw = _ratio(float((nose - right) @ across_unit), float((left - nose) @ across_unit))
    pitch = _ratio(
        float((nose - points[FOREHEAD]) @ down_unit), float((points[CHIN] - nose) @ down_unit)
    )
    eyes = points[EYE_OUTER_LEFT] - points[EYE_OUTER_RIGHT]
    roll = float(np.degrees(np.arctan2(eyes[1], eyes[0])))
    return Pose(yaw=yaw, pitch=pitch, roll=roll)


def warp_points(points: NDArray[np.float32], outline_scale: float) -> NDArray[np.float32]:
    """The mesh points used for warping: the 468 mesh points plus the face outline pushed
    out from the face centre by `outline_scale` (takes in forehead, cheeks and jaw edge)."""
    mesh = points[:MESH_POINTS]
    oval = mesh[list(FACE_OVAL)]
    centre = oval.mean(axis=0)
    ring = centre + (oval - centre) * outline_scale
    return np.ascontiguousarray(np.vstack([mesh, ring]), dtype=np.float32)


def outline_polygon(points: NDArray[np.float32]) -> NDArray[np.float32]:
    """The outer polygon of `warp_points` output (the pushed-out ring)."""
    return points[MESH_POINTS : MESH_POINTS + len(FACE_OVAL)]


def triangulate(points: NDArray[np.float32]) -> NDArray[np.int32]:
    """Delaunay triangles (T×3 point indices) over a frontal face's warp points, each row
    starting at its smallest index (winding kept), rows in ascending order.

    OpenCV's `Subdiv2D` (cv2 is loaded already; scipy.spatial cost 0.3–0.7 s of import in
    the face lane). Its outer vertices stand about 3 rectangle sides out, and from that
    near they take thin triangles off the hull (5 of 300 random point sets at a 100-span
    margin, 0 of 1300 at 1000); the rectangle is `TRIANGULATION_MARGIN` spans wider than
    the points each side, and what it leaves out are the triangles on the outer vertices
    alone. A point given twice (the pushed-out ring at an outline scale of 1 lies on the
    outline) is one vertex, named by its first index."""
    pts = np.asarray(points, dtype=np.float32)
    low, high = pts.min(axis=0).astype(np.float64), pts.max(axis=0).astype(np.float64)
    margin = TRIANGULATION_MARGIN * max(float((high - low).max()), 1.0)
    x0, y0 = np.floor(low - margin)
    side = int(np.ceil(float((high - low).max()) + 2 * margin)) + 2
    subdiv = cv2.Subdiv2D((int(x0), int(y0), side, side))
    first: dict[tuple[float, float], int] = {}
    for index, (x, y) in enumerate(pts.tolist()):
        first.setdefault((x, y), index)
    subdiv.insert([(x, y) for x, y in first])
    corners = np.asarray(subdiv.getTriangleList(), dtype=np.float32).reshape(-1, 3, 2)
    triangles = np.array(
        [[first[(x, y)] for x, y in corner] for corner in corners.tolist()], dtype=np.int32
    ).reshape(-1, 3)
    start = np.argmin(triangles, axis=1)
    rolled = triangles[np.arange(len(triangles))[:, None], (start[:, None] + np.arange(3)) % 3]
    return np.ascontiguousarray(rolled[np.lexsort(rolled.T[::-1])], dtype=np.int32)


def box_of(points: NDArray[np.float32]) -> Box:
    """The bounding box of a point set."""
    x0, y0 = np.floor(points.min(axis=0)).astype(int)
    x1, y1 = np.ceil(points.max(axis=0)).astype(int)
    return int(x0), int(y0), int(x1 - x0), int(y1 - y0)


def expand_box(box: Box, factor: float, width: int, height: int) -> Box:
    """`box` grown about its centre by `factor`, clipped to a width×height frame."""
    x, y, w, h = box
    cx, cy = x + w / 2, y + h / 2
    half_w, half_h = w * factor / 2, h * factor / 2
    x0, y0 = max(0, int(cx - half_w)), max(0, int(cy - half_h))
    x1, y1 = min(width, int(np.ceil(cx + half_w))), min(height, int(np.ceil(cy + half_h)))
    return x0, y0, max(0, x1 - x0), max(0, y1 - y0)


def box_iou(a: Box, b: Box) -> float:
    """Intersection over union of two boxes."""
    ix = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


def scale_box(box: Box, factor: float) -> Box:
    """A box measured in a resized image mapped back (multiply every field by `factor`)."""
    return (
        round(box[0] * factor),
        round(box[1] * factor),
        round(box[2] * factor),
        round(box[3] * factor),
    )
