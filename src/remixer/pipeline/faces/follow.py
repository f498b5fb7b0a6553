"""Following the target on each frame of the dense pass: FaceMesh in tracking mode on a crop
around the track's box (so only the target is seen), rigid + residual smoothing
(`stabilise`), and the blend strength, which fades out and back in around turns,
occlusions and track gaps."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from remixer.pipeline.faces.geometry import Pose, estimate_pose, expand_box
from remixer.pipeline.faces.models import FaceModels, Landmarker, Landmarks
from remixer.pipeline.faces.stabilise import RigidResidualSmoother, Stabilised
from remixer.pipeline.faces.track import FaceTrack
from remixer.pipeline.types import Box, Frame

CROP_FACTOR = 2.2
LANDMARK_FACE_PX = 200
FULL_YAW, ZERO_YAW = 0.45, 0.7
FADE_SECONDS = 0.15


@dataclass(frozen=True)
class FaceState:
    """The target on one frame: smoothed landmarks (frame pixels, and split into the face's
    own frame and a similarity in `stable`), raw landmarks, pose, blend strength."""

    landmarks: Landmarks
    raw: Landmarks
    pose: Pose
    alpha: float
    stable: Stabilised


VIEW_PX = round(CROP_FACTOR * LANDMARK_FACE_PX)


def _centred(points: Landmarks, box: Box) -> bool:
    """Whether the mesh found is the target's: its centre within the track's box."""
    centre = points[:468].mean(axis=0)
    bx, by, bw, bh = box
    off_x, off_y = float(centre[0]) - (bx + bw / 2), float(centre[1]) - (by + bh / 2)
    return abs(off_x) <= 0.6 * bw and abs(off_y) <= 0.6 * bh


def steady_view(last: Stabilised | None, box: Box) -> NDArray[np.float64]:
    """The 2×3 affine from frame pixels to a VIEW_PX square showing the face
    LANDMARK_FACE_PX wide at its centre: placed by `last` (the face's own frame) when
    known, else by the track's box (upright)."""
    half = VIEW_PX / 2
    if last is None:
        k = LANDMARK_FACE_PX / max(box[2], 1)
        cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
        return np.array([[k, 0.0, half - k * cx], [0.0, k, half - k * cy]])
    rigid = last.rigid.astype(np.float64)
    linear = np.linalg.inv(rigid[:, :2]) * (LANDMARK_FACE_PX / last.unit)
    return np.hstack([linear, (np.array([half, half]) - linear @ rigid[:, 2])[:, None]])


class TargetFollower:
    """Per-frame target landmarks for a swapper; call `follow` in frame order."""

    def __init__(self, track: FaceTrack, models: FaceModels, steady_crop: bool = False) -> None:
        self._track = track
        self._steady = steady_crop
        self._last: Stabilised | None = None
        self._models = models
        self._mesh: Landmarker | None = None
        self._smooth = RigidResidualSmoother(track.fps)
        self._fade = max(1, round(FADE_SECONDS * track.fps))
        self._last_index = -2
        self._mesh_fresh = True
        self._run_start, self._run_end = track.visible_runs()
        self._found_since = 0

    def close(self) -> None:
        if self._mesh is not None:
            self._mesh.close()
            self._mesh = None

    def _restart(self) -> None:
        self.close()
        self._smooth.reset()
        self._last = None

    def follow(self, frame_bgr: Frame, index: int) -> FaceState | None:
        """The target's state on frame `index`, or None where it is not to be swapped."""
        box = self._track.box_at(index)
        if self._track.is_shot_start(index) or index != self._last_index + 1:
            self._restart()
        self._last_index = index
        if box is None:
            self._restart()
            return None
        self._mesh_fresh = self._mesh is None
        if self._steady:
            raw = self._landmarks_steady(frame_bgr, box)
        else:
            raw = self._landmarks(frame_bgr, box)
        if raw is None:
            self._restart()
            return None
        if self._mesh_fresh:
            self._found_since = index
        stable = self._last = self._smooth(raw)
        smooth = stable.points
        pose = estimate_pose(smooth)
        return FaceState(smooth, raw, pose, self._alpha(index, pose), stable)

    def _landmarks(self, frame_bgr: Frame, box: Box) -> Landmarks | None:
        h, w = frame_bgr.shape[:2]
        x, y, cw, ch = expand_box(box, CROP_FACTOR, w, h)
        if cw < 16 or ch < 16:
            return None
        factor = min(1.0, LANDMARK_FACE_PX / max(box[2], 1))
        patch = cv2.resize(frame_bgr[y : y + ch, x : x + cw], None, fx=factor, fy=factor)
        if self._mesh is None:
            self._mesh = self._models.landmarker(static=False)
        found = self._mesh.find(np.asarray(cv2.cvtColor(patch, cv2.COLOR_BGR2RGB), dtype=np.uint8))
        if not found:
            return None
        points = found[0] / factor + np.array([x, y], dtype=np.float32)
        return points.astype(np.float32) if _centred(points, box) else None

    def _landmarks_steady(self, frame_bgr: Frame, box: Box) -> Landmarks | None:
        """FaceMesh on a view that follows the previous frame's smoothed face (position,
        scale and roll), so the face sits still in what FaceMesh sees; the track's box
        crop moves in straight segments between analysis samples, and FaceMesh's answer
        would follow its kinks."""
        found = self._mesh_in_view(frame_bgr, steady_view(self._last, box), box)
        if found is None and self._last is not None:
            # A face that jumped out of the view (a dancer's head thrown about) is looked
            # for again where the track's box puts it, instead of the swap being dropped
            # and faded back in over the next frames.
            found = self._mesh_in_view(frame_bgr, steady_view(None, box), box)
        return found

    def _mesh_in_view(
        self, frame_bgr: Frame, view: NDArray[np.float64], box: Box
    ) -> Landmarks | None:
        patch = cv2.warpAffine(frame_bgr, view, (VIEW_PX, VIEW_PX), flags=cv2.INTER_AREA)
        if self._mesh is None:
            self._mesh = self._models.landmarker(static=False)
        found = self._mesh.find(np.asarray(cv2.cvtColor(patch, cv2.COLOR_BGR2RGB), dtype=np.uint8))
        if not found:
            return None
        back = cv2.invertAffineTransform(view)
        points = (found[0] @ back[:, :2].T + back[:, 2]).astype(np.float32)
        return points if _centred(points, box) else None

    def _alpha(self, index: int, pose: Pose) -> float:
        turn = float(np.clip((ZERO_YAW - abs(pose.yaw)) / (ZERO_YAW - FULL_YAW), 0.0, 1.0))
        start, end = int(self._run_start[index]), int(self._run_end[index])
        start = max(start, self._found_since)
        clean_start = start == int(self._run_start[index]) and (
            start == 0 or self._track.is_shot_start(start)
        )
        fade_in = 1e9 if clean_start else index - start + 1
        last = self._track.frame_count - 1
        fade_out = 1e9 if end == last or self._track.is_shot_start(end + 1) else end - index + 1
        ramp = min(1.0, min(fade_in, fade_out) / self._fade)
        return turn * ramp * ramp * (3.0 - 2.0 * ramp)  # smoothstep: no kink at either end
