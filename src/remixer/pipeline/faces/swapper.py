"""The classic landmark swapper: the default `FaceSwapper`, no neural weights."""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from remixer.pipeline.faces.follow import FULL_YAW, FaceState, TargetFollower
from remixer.pipeline.faces.geometry import Pose, box_of, outline_polygon, warp_points
from remixer.pipeline.faces.identity import FaceIdentity
from remixer.pipeline.faces.models import FaceModels
from remixer.pipeline.faces.occlusion import (
    REFERENCE_CHROMA_Z,
    REFERENCE_LIGHT_Z,
    feature_mask,
    occluder_map,
    soften,
)
from remixer.pipeline.faces.swapping import SwapStats
from remixer.pipeline.faces.track import FaceTrack
from remixer.pipeline.faces.warp import (
    REFERENCE_DENOISE,
    ColourMatch,
    denoise_reference,
    render_reference,
)
from remixer.pipeline.types import Frame

OCCLUDED_SHARE = 0.12
"""A frame counts as occluded when this share of the face is found covered."""

SWITCH_MARGIN = 0.08


class ReferencePicker:
    """The reference whose pose best matches, switching only for a clear gain."""

    def __init__(self, identity: FaceIdentity) -> None:
        self._identity = identity
        self._current = -1

    def pick(self, pose: Pose) -> int:
        best = self._identity.pick_reference(pose)
        refs = self._identity.references
        if self._current < 0 or refs[best].pose.distance(pose) + SWITCH_MARGIN < refs[
            self._current
        ].pose.distance(pose):
            self._current = best
        return self._current


def reference_with_skin(crop_bgr: Frame, points: NDArray[np.float32]) -> Frame:
    """The reference crop as BGRA, alpha 255 where it shows bare skin or a feature and 0
    over its own occluders (hair strands, a hand, glasses rims, background inside the
    outline): those parts are not pasted, the target shows through there instead."""
    h, w = crop_bgr.shape[:2]
    face_px = float(box_of(points)[2])
    inside = np.zeros((h, w), np.float32)
    cv2.fillPoly(
        inside, [np.round(outline_polygon(points) * 16).astype(np.int32)], 1.0, cv2.LINE_AA, 4
    )
    features = feature_mask(points, (w, h), face_px * 0.015)
    occluded = occluder_map(crop_bgr, inside, features, REFERENCE_CHROMA_Z, REFERENCE_LIGHT_Z)
    occluded = soften(
        np.asarray(cv2.dilate(occluded, np.ones((5, 5), np.uint8)), np.float32), face_px
    )
    alpha = np.clip((1.0 - occluded) * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(np.dstack([crop_bgr, alpha]))


class ClassicFaceSwapper:
    """Dense piecewise-affine warp of the best-matching (denoised) reference onto the target's
    stabilised landmarks, LAB colour transfer, feathered blend keeping the target's inner
    mouth. The target is followed with a view that moves with the face (`steady_crop`)."""

    def __init__(
        self,
        identity: FaceIdentity,
        track: FaceTrack,
        models: FaceModels,
        denoise: float = REFERENCE_DENOISE,
    ) -> None:
        self._identity = identity
        self._follower = TargetFollower(track, models, steady_crop=True)
        self._picker = ReferencePicker(identity)
        self._colour = ColourMatch(smoothing=0.1)
        self._sources = [
            warp_points(r.landmarks, identity.outline_scale) for r in identity.references
        ]
        self._track = track
        self._crops = [
            reference_with_skin(denoise_reference(r.crop_bgr, denoise), points)
            for r, points in zip(identity.references, self._sources, strict=True)
        ]
        self.stats = SwapStats()

    def swap(self, frame_bgr: Frame, frame_index: int) -> Frame:
        self.stats.frames += 1
        if self._track.box_at(frame_index) is not None:
            self.stats.visible += 1
        if self._track.is_shot_start(frame_index):
            self._colour.reset()
        state = self._follower.follow(frame_bgr, frame_index)
        if state is None or state.alpha <= 0.0:
            return frame_bgr
        out = frame_bgr.copy()
        self._render(out, state)
        self.stats.swapped += 1
        return out

    def _render(self, frame_bgr: Frame, state: FaceState) -> None:
        ref_index = self._picker.pick(state.pose)
        if state.alpha < 1.0 and abs(state.pose.yaw) > FULL_YAW:
            self.stats.turned += 1
        occluded = render_reference(
            frame_bgr,
            self._crops[ref_index],
            self._sources[ref_index],
            state.stable,
            self._identity.outline_scale,
            self._identity.triangles,
            self._colour,
            state.alpha,
        )
        if occluded >= OCCLUDED_SHARE:
            self.stats.occluded += 1

    def close(self) -> None:
        self._follower.close()
