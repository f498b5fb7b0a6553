"""The classic landmark swapper: the default `FaceSwapper`, no neural weights."""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from remixer.pipeline.faces.composite import blur, local_mean
from remixer.pipeline.faces.follow import FULL_YAW, FaceState, TargetFollower
from remixer.pipeline.faces.geometry import (
    EYE_OUTER_LEFT,
    EYE_OUTER_RIGHT,
    MESH_POINTS,
    Pose,
    box_of,
    outline_polygon,
    warp_points,
)
from remixer.pipeline.faces.identity import FaceIdentity
from remixer.pipeline.faces.lids import LidMemory
from remixer.pipeline.faces.models import FaceModels
from remixer.pipeline.faces.occlusion import (
    HAIR_TEXTURE,
    LEFT_BROW,
    LEFT_EYE,
    REFERENCE_CHROMA_Z,
    REFERENCE_LIGHT_Z,
    RIGHT_BROW,
    RIGHT_EYE,
    feature_mask,
    midface_mask,
    occluder_map,
    soften,
    texture_ratio,
)
from remixer.pipeline.faces.shape import SHAPE_GAIN, ShapeTransfer
from remixer.pipeline.faces.swapping import SwapStats
from remixer.pipeline.faces.track import FaceTrack
from remixer.pipeline.faces.warp import (
    REFERENCE_DENOISE,
    ColourMatch,
    OccluderMemory,
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


EYE_LINES = 0.04
"""Reference "occluders" this close to the eye apertures (share of face width) are kept."""
BROW_LINE = 0.0
"""Where across the brows (0 = their top, 1 = their bottom) the reference's cut is placed.
At 1 the target keeps its own brows: influencer pass 0.0 on all six pairs tried (from
0.87–1.0): the brows carry much of the identity for the recogniser."""
BROW_MARGIN = 0.06
"""The reference is used up to this share of the face height above its brows' top (with
its hair smoothed away it can reach that far: at 0.02 the target's own brows, where they
sit higher than the drawn ones, showed as a second, grey brow line)."""
BROW_RAMP = 0.08
"""... and fades out over this share further up (see `above_brows`)."""


HAIR_CHROMA_Z = 0.5
"""Above the brows' bottom line, a tint this many spreads off the cheeks' starts to count
as hair (fully 1.5 spreads further): a blond fringe sits about 2 spreads off pink skin in
chroma, a bare forehead within about 1.3."""
HAIR_FEATHER = 0.015
"""σ (share of the face width) of the edge where the reference's hair is painted over."""


def _down_axis(points: NDArray[np.float32]) -> NDArray[np.float32]:
    """The face's own down axis (unit), square to the line through the outer eye corners."""
    eye_r, eye_l = points[EYE_OUTER_RIGHT], points[EYE_OUTER_LEFT]
    across = (eye_l - eye_r) / max(float(np.linalg.norm(eye_l - eye_r)), 1e-6)
    return np.array([-across[1], across[0]], np.float32)


def brow_depth(
    points: NDArray[np.float32], size: tuple[int, int], line: float = BROW_LINE
) -> NDArray[np.float32]:
    """Per pixel of a `size` (width, height) image, how far (px, along the face's own
    down axis) it lies below a line across the brows (`line`: 0 their top, 1 their bottom)."""
    down = _down_axis(points)
    brows = points[list(RIGHT_BROW + LEFT_BROW)] @ down
    brow_top = float(brows.min() + line * (brows.max() - brows.min()))
    yy, xx = np.mgrid[0 : size[1], 0 : size[0]].astype(np.float32)
    return np.asarray(xx * down[0] + yy * down[1] - brow_top, np.float32)


TEMPLE_MARGIN = 0.03
"""How far (share of the face width) past an outer eye corner the temple starts: a
liner's wing stays the eye's."""


def beside_eyes(points: NDArray[np.float32], size: tuple[int, int]) -> NDArray[np.bool_]:
    """Per pixel of a `size` (width, height) image, whether it lies out past the outer
    eye corners (plus `TEMPLE_MARGIN`) along the line through them: the temples, where
    hair falls beside the eyes (s42's strand next to her left eye was pasted as a brown
    smear beside every target's eye)."""
    eye_r, eye_l = points[EYE_OUTER_RIGHT], points[EYE_OUTER_LEFT]
    span = float(np.linalg.norm(eye_l - eye_r))
    across = (eye_l - eye_r) / max(span, 1e-6)
    margin = TEMPLE_MARGIN * float(box_of(points)[2])
    yy, xx = np.mgrid[0 : size[1], 0 : size[0]].astype(np.float32)
    along = (xx - eye_r[0]) * across[0] + (yy - eye_r[1]) * across[1]
    return np.asarray((along < -margin) | (along > span + margin))


def face_height(points: NDArray[np.float32]) -> float:
    """The mesh's extent along the face's own down axis (px)."""
    return float(np.ptp(points[:MESH_POINTS] @ _down_axis(points)))


def above_brows(points: NDArray[np.float32], size: tuple[int, int]) -> NDArray[np.float32]:
    """1 at and below the reference's brows (plus `BROW_MARGIN`), ramping to 0 above: a
    hairline over the forehead is never pasted; the forehead carries little identity and
    the target's own shows there."""
    height = face_height(points)
    depth = brow_depth(points, size) + BROW_MARGIN * height
    return np.asarray(np.clip(depth / max(BROW_RAMP * height, 1.0) + 1.0, 0.0, 1.0), np.float32)


HAIR_SMOOTHING = 0.08
"""σ (share of the face width) of the smooth average painted over the reference's hair."""


def smooth_average(
    image_bgr: Frame, weight: NDArray[np.float32], sigma: float
) -> NDArray[np.float32]:
    """The image averaged over the pixels `weight` (0..1) says, with a Gaussian of `sigma`
    px (`composite.local_mean`), as float BGR: smooth colour and shading carried into the
    pixels left out; the weighted mean colour where none is near."""
    weight = np.asarray(weight, np.float32)
    average = local_mean(np.asarray(image_bgr, np.float32), weight, sigma)
    kept = weight > 0.5
    mean = image_bgr[kept].mean(axis=0) if kept.any() else image_bgr.reshape(-1, 3).mean(0)
    near = np.clip(blur(weight, sigma) / 0.05, 0.0, 1.0)[..., None]
    return np.asarray(average * near + mean * (1.0 - near), np.float32)


def reference_with_skin(crop_bgr: Frame, points: NDArray[np.float32]) -> Frame:
    """The reference crop as BGRA with its own occluders (hair strands, a hand, glasses
    rims, background inside the outline) painted over from the skin around them, hair
    down to its brows smoothed away, and alpha 0 above its brows (`above_brows`), where
    the target shows through instead.

    Filled, not cut out: the composite adds a band-pass of (reference − target), and a hole
    where it is 0 came out as a dark blotch (the surrounding difference's coarse band
    reaches into it)."""
    h, w = crop_bgr.shape[:2]
    face_px = float(box_of(points)[2])
    inside = np.zeros((h, w), np.float32)
    cv2.fillPoly(
        inside, [np.round(outline_polygon(points) * 16).astype(np.int32)], 1.0, cv2.LINE_AA, 4
    )
    features = feature_mask(points, (w, h), face_px * 0.015)
    # Skin is sampled on the cheeks and nose: a fringe down to the brows (s1) lies inside
    # the outline's core and, sampled with the skin, was taken for skin.
    skin = midface_mask(points, (w, h)) * inside
    occluded = occluder_map(
        crop_bgr, inside, features, REFERENCE_CHROMA_Z, REFERENCE_LIGHT_Z, skin=skin
    )
    occluded = soften(
        np.asarray(cv2.dilate(occluded, np.ones((5, 5), np.uint8)), np.float32), face_px
    )
    # The eyes' own dark lines (lashes, liner, lid crease) read as occluders; they stay
    # the reference's (cut out, the target's eyes came back: influencer 1.0 → 0.47 on the
    # green-screen clip × s1).
    occluded *= 1.0 - feature_mask(points, (w, h), face_px * EYE_LINES, (RIGHT_EYE, LEFT_EYE))
    # Hair down to the brows and beside the eyes (told by colour or by its strands; above
    # the brows' bottom line, between them too, and out past the outer eye corners:
    # `beside_eyes`) is painted over with a smooth average of the reference around it
    # (`smooth_average`, the hair itself included): its strands and hard edges go (Telea
    # filled it from the brows: a dark, stair-stepped band across the target's forehead
    # and between the brows), a soft shading stays. Painted with the bare skin's tone
    # alone, the recogniser lost the influencer whose photo has a fringe down to the brows
    # (glasses clip × s1: influencer 1.0 → 0.13; 0.92 with the average).
    low, full = HAIR_TEXTURE
    strands = np.clip((texture_ratio(crop_bgr, skin, face_px) - low) / (full - low), 0.0, 1.0)
    tint = occluder_map(crop_bgr, inside, features, HAIR_CHROMA_Z, np.inf, skin=skin)
    found = np.maximum(np.maximum(occluded, tint), strands)
    where = (brow_depth(points, (w, h), 1.0) < 0) | beside_eyes(points, (w, h))
    found *= (1.0 - features) * where
    spread = cv2.GaussianBlur(soften(found, face_px), (0, 0), face_px * HAIR_FEATHER)
    brows = feature_mask(points, (w, h), face_px * 0.01, (RIGHT_BROW, LEFT_BROW))
    brows = np.asarray(cv2.GaussianBlur(brows, (0, 0), face_px * HAIR_FEATHER / 2), np.float32)
    hair = np.clip(spread * 1.5, 0.0, 1.0) * (1.0 - brows)
    # Filled from the skin only: what lies outside the outline (hair, background) is part
    # of the hole, else a hole at the face's edge is filled with the hair next to it.
    occluded = np.maximum(occluded, 1.0 - inside)
    holes = np.asarray(occluded > 0.05, np.uint8)
    filled = cv2.inpaint(crop_bgr, holes, max(3.0, face_px * 0.02), cv2.INPAINT_TELEA)
    k = occluded[..., None]
    mixed = crop_bgr * (1.0 - k) + filled * k
    smooth = smooth_average(
        crop_bgr, inside * (1.0 - features) * (1.0 - occluded), face_px * HAIR_SMOOTHING
    )
    mixed += (smooth - mixed) * hair[..., None]
    bgr = np.clip(mixed + 0.5, 0, 255).astype(np.uint8)
    alpha = np.clip(above_brows(points, (w, h)) * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(np.dstack([bgr, alpha]))


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
        shape_gain: float | None = None,
    ) -> None:
        self._identity = identity
        self._follower = TargetFollower(track, models, steady_crop=True)
        self._picker = ReferencePicker(identity)
        self._colour = ColourMatch(smoothing=0.1)
        self._memory = OccluderMemory()
        self._lids = LidMemory()
        self._sources = [
            warp_points(r.landmarks, identity.outline_scale) for r in identity.references
        ]
        self._track = track
        self._crops = [
            reference_with_skin(denoise_reference(r.crop_bgr, denoise), points)
            for r, points in zip(identity.references, self._sources, strict=True)
        ]
        gain = SHAPE_GAIN if shape_gain is None else shape_gain
        self._shapes = [ShapeTransfer(r.landmarks, gain) for r in identity.references]
        self._shape_on = gain > 0.0
        self.stats = SwapStats()

    def swap(self, frame_bgr: Frame, frame_index: int) -> Frame:
        self.stats.frames += 1
        if self._track.box_at(frame_index) is not None:
            self.stats.visible += 1
        if self._track.is_shot_start(frame_index):
            self._colour.reset()
            self._memory.reset()
            self._lids.reset()
            for shape in self._shapes:
                shape.reset()
        state = self._follower.follow(frame_bgr, frame_index)
        if state is None or state.alpha <= 0.0:
            self._lids.reset()
            return frame_bgr
        out = frame_bgr.copy()
        self._render(out, state)
        self.stats.swapped += 1
        return out

    def _render(self, frame_bgr: Frame, state: FaceState) -> None:
        ref_index = self._picker.pick(state.pose)
        if state.alpha < 1.0 and abs(state.pose.yaw) > FULL_YAW:
            self.stats.turned += 1
        stable = state.stable
        drawn = self._shapes[ref_index](stable.local, stable.unit) if self._shape_on else None
        occluded = render_reference(
            frame_bgr,
            self._crops[ref_index],
            self._sources[ref_index],
            state.stable,
            self._identity.outline_scale,
            self._identity.triangles,
            self._colour,
            state.alpha,
            drawn,
            self._memory,
            self._lids,
        )
        if occluded >= OCCLUDED_SHARE:
            self.stats.occluded += 1

    def close(self) -> None:
        self._follower.close()
