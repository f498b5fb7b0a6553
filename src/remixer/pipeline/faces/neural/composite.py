"""The neural backend's composite step: the model's aligned face pasted back into the frame
through the inverse alignment, weighted by a feathered face mask.

`paste_back` is the one place the swapped face meets the frame. Its `mask` argument is the
hook for the classic path's masks: any `MaskFn` (ROI, the target's state, the face outline
in frame pixels, the target's pixels → a 0..1 weight over the ROI). The default,
`occlusion_aware_mask`, is the classic path's: the feathered outline with the target's
inner mouth kept, less the occluders found in the target (they stay in front)."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import cv2
import numpy as np
from numpy.typing import NDArray

from remixer.pipeline.faces.follow import FaceState
from remixer.pipeline.faces.geometry import box_of, outline_polygon, warp_points
from remixer.pipeline.faces.occlusion import feature_mask
from remixer.pipeline.faces.warp import (
    FEATURE_GROW,
    Roi,
    blend_into,
    face_mask,
    occluders_at_scale,
    roi_for,
)
from remixer.pipeline.types import Frame

Floats = NDArray[np.float32]
MaskFn = Callable[[Roi, FaceState, Floats, Frame], Floats]
"""Blend weight (0..1, ROI-sized) from the ROI, the target's state, its face outline and
the target's pixels under the ROI (the source frame, before anything is pasted)."""

CROP_FEATHER = 0.06
"""Share of the aligned crop's side over which the crop's own edge is faded out, so no crop
border shows where the face mask reaches past it."""


def feathered_face_mask(roi: Roi, state: FaceState, outline: Floats, target: Frame) -> Floats:
    """The classic swapper's feathered mask: the face outline eroded and blurred, the top of
    the forehead faded, the target's inner mouth cut out (`warp.face_mask`)."""
    return face_mask(roi, state.landmarks, outline)


def occlusion_aware_mask(roi: Roi, state: FaceState, outline: Floats, target: Frame) -> Floats:
    """`feathered_face_mask` less what covers the target's face (glasses, hands, hair,
    a microphone), found in the target's pixels by the classic path's occluder test
    (`warp.occluders_at_scale`): those stay in front of the swapped face."""
    weight = feathered_face_mask(roi, state, outline, target)
    points = np.asarray(state.landmarks, np.float32) - roi.origin
    face_px = float(box_of(points)[2])
    size = (roi.box[2], roi.box[3])
    features = feature_mask(points, size, face_px * FEATURE_GROW)
    occluded = occluders_at_scale(target, weight, features, face_px)
    kept: Floats = weight * (np.float32(1.0) - occluded)
    return kept


@lru_cache(maxsize=4)
def crop_coverage(size: int) -> Floats:
    """A size×size weight: 1 inside, ramping to 0 over `CROP_FEATHER` at each edge."""
    ramp = max(1.0, CROP_FEATHER * size)
    edge = np.minimum(np.arange(size), np.arange(size)[::-1]).astype(np.float32) + 0.5
    line = np.clip(edge / np.float32(ramp), 0.0, 1.0).astype(np.float32)
    coverage: Floats = np.minimum(line[:, None], line[None, :])
    coverage.setflags(write=False)
    return coverage


def paste_back(
    frame_bgr: Frame,
    face_bgr: Frame,
    matrix: NDArray[np.float64],
    state: FaceState,
    outline_scale: float,
    alpha: float,
    mask: MaskFn = occlusion_aware_mask,
) -> bool:
    """Blend the swapped aligned face (`face_bgr`, the crop `matrix` made: frame → crop)
    into `frame_bgr` in place: warped back by the inverse alignment, weighted by
    `mask` × the crop's feathered coverage × `alpha`. False when the face is off-frame."""
    dst = warp_points(state.landmarks, outline_scale)
    roi = roi_for(dst, frame_bgr.shape)
    if roi is None or alpha <= 0.0:
        return False
    back = np.asarray(cv2.invertAffineTransform(matrix), dtype=np.float64)
    back[:, 2] -= np.array(roi.box[:2], dtype=np.float64)
    roi_size = (roi.box[2], roi.box[3])
    face = cv2.warpAffine(
        face_bgr, back, roi_size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    inside = cv2.warpAffine(
        crop_coverage(face_bgr.shape[0]),
        back,
        roi_size,
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=0,
    )
    x, y, w, h = roi.box
    target = np.ascontiguousarray(frame_bgr[y : y + h, x : x + w])
    weight = mask(roi, state, outline_polygon(dst), target) * np.asarray(inside, np.float32)
    face_u8 = np.ascontiguousarray(face, dtype=np.uint8)
    blend_into(frame_bgr, roi, face_u8, (weight * np.float32(alpha)).astype(np.float32))
    return True
