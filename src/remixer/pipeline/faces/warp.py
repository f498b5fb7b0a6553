"""The classic face render: a dense piecewise-affine warp of a reference face onto the
target's landmarks, LAB colour transfer, and a feathered blend that keeps the inner mouth.

Work happens on the face ROI only. The warp maps and the mask are built on a coarse grid
(both are smooth, so little is lost): for the classic swapper a grid fixed to the face's
own frame (`facegrid`), carried into the ROI by the face's similarity; for the ONNX
backend's mask a grid at `Roi.scale` of the ROI, upsampled."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from remixer.pipeline.faces.composite import composite
from remixer.pipeline.faces.facegrid import grid_for
from remixer.pipeline.faces.geometry import (
    FACE_OVAL,
    INNER_LIPS,
    MESH_POINTS,
    box_of,
    outline_polygon,
    warp_points,
)
from remixer.pipeline.faces.lids import LidMemory, lid_covers, shut_lids
from remixer.pipeline.faces.occlusion import (
    FEATURE_AREAS,
    LEFT_EYE,
    RIGHT_EYE,
    feature_mask,
    occluder_map,
    soften,
    under_eyes,
)
from remixer.pipeline.faces.stabilise import Stabilised
from remixer.pipeline.types import Box, Frame

Floats = NDArray[np.float32]
NO_TRIANGLE = np.uint16(0xFFFF)


def f32(array: object) -> Floats:
    """`array` typed as float32 (OpenCV's results are loosely typed)."""
    return np.asarray(array, dtype=np.float32)


def u8(array: object) -> Frame:
    """`array` typed as uint8."""
    return np.asarray(array, dtype=np.uint8)


@dataclass(frozen=True)
class Roi:
    """The part of the frame a render touches, and the grid scale used inside it."""

    box: Box
    scale: float

    @property
    def origin(self) -> Floats:
        return np.array(self.box[:2], dtype=np.float32)

    @property
    def grid_size(self) -> tuple[int, int]:
        return max(1, round(self.box[2] * self.scale)), max(1, round(self.box[3] * self.scale))

    def to_grid(self, points: Floats) -> Floats:
        return ((points - self.origin) * self.scale).astype(np.float32)


def roi_for(points: Floats, frame_shape: tuple[int, ...], grid_px: int = 320) -> Roi | None:
    """The frame box around `points` (with a small margin) and a grid scale that puts
    about `grid_px` grid cells across the face (full resolution below that)."""
    x, y, w, h = box_of(points)
    margin = int(0.04 * max(w, h)) + 2
    x0, y0 = max(0, x - margin), max(0, y - margin)
    x1, y1 = min(frame_shape[1], x + w + margin), min(frame_shape[0], y + h + margin)
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None
    return Roi((x0, y0, x1 - x0, y1 - y0), min(1.0, grid_px / max(w, 1)))


def triangle_affines(dst: Floats, src: Floats, triangles: NDArray[np.int32]) -> Floats:
    """Per triangle, the 3×2 matrix taking [x, y, 1] in `dst` space to `src` space."""
    d = np.concatenate([dst[triangles], np.ones((len(triangles), 3, 1), np.float32)], axis=2)
    det = np.linalg.det(d.astype(np.float64))
    d[np.abs(det) < 1e-6] = np.eye(3, dtype=np.float32)
    return np.linalg.solve(d, src[triangles]).astype(np.float32)


def triangle_ids(
    grid_pts: Floats, triangles: NDArray[np.int32], size: tuple[int, int]
) -> NDArray[np.uint16]:
    """A map of which triangle covers each grid cell (`NO_TRIANGLE` outside all)."""
    ids = np.full((size[1], size[0]), NO_TRIANGLE, dtype=np.uint16)
    fixed = np.round(grid_pts[triangles] * 16).astype(np.int32)
    for index, tri in enumerate(fixed):
        cv2.fillConvexPoly(ids, tri, int(index), lineType=cv2.LINE_8, shift=4)
    return ids


def nearest_triangle(ids: NDArray[np.uint16]) -> NDArray[np.uint16]:
    """`ids` with every cell outside the mesh given the nearest triangle's id, so the
    warp carries on past the drawn mesh's edge with the affine of the triangle there.

    The drawn mesh (`shape.py`: the reference's proportions) can end inside the target's
    outline, which bounds the blend: a narrower reference face, or, on the near cheek of
    a turned head, an outline that zigzags where the thin outer triangles fold. The cells
    between were left undrawn and the target's skin showed through in teeth beside the
    drawn face. The reference crop is painted skin out past its outline, so what the
    extrapolated warp reads there is skin."""
    outside = ids == NO_TRIANGLE
    if not outside.any() or outside.all():
        return ids
    _dist, labels = cv2.distanceTransformWithLabels(
        outside.astype(np.uint8), cv2.DIST_L2, 3, labelType=cv2.DIST_LABEL_PIXEL
    )
    lookup = np.zeros(int(labels.max()) + 1, np.uint16)
    lookup[labels[~outside]] = ids[~outside]
    return np.asarray(lookup[labels], np.uint16)


def grid_maps(
    grid_dst: Floats, src: Floats, triangles: NDArray[np.int32], size: tuple[int, int]
) -> Floats:
    """Per grid cell (H×W×2), the reference-crop position it shows (past the mesh, by the
    nearest triangle's affine: `nearest_triangle`)."""
    return grid_maps_and_ids(grid_dst, src, triangles, size)[0]


def grid_maps_and_ids(
    grid_dst: Floats, src: Floats, triangles: NDArray[np.int32], size: tuple[int, int]
) -> tuple[Floats, NDArray[np.intp]]:
    """`grid_maps` and, per cell, the index of the triangle covering it or, past the mesh,
    of the nearest one (`len(triangles)` where no triangle was drawn at all)."""
    ids = nearest_triangle(triangle_ids(grid_dst, triangles, size))
    affines = triangle_affines(grid_dst, src, triangles)
    outside = np.zeros((1, 3, 2), np.float32)
    outside[0, 2] = -1.0
    affines = np.concatenate([affines, outside])
    safe = np.where(ids == NO_TRIANGLE, len(triangles), ids).astype(np.intp)
    gx, gy = np.meshgrid(np.arange(size[0], dtype=np.float32), np.arange(size[1], dtype=np.float32))
    # One gather per coefficient: 4× faster than gathering H×W×3×2 matrices at once.
    a00, a01, a10, a11, a20, a21 = (
        np.take(np.ascontiguousarray(affines[:, row, col]), safe)
        for row in range(3)
        for col in range(2)
    )
    maps = np.empty((size[1], size[0], 2), np.float32)
    maps[..., 0] = gx * a00 + gy * a10 + a20
    maps[..., 1] = gx * a01 + gy * a11 + a21
    return maps, safe


MIN_STRETCH, FULL_STRETCH = 0.2, 0.45
"""A triangle squeezed to under MIN_STRETCH of its usual area ratio (the far side of a
turned head) is not drawn; from FULL_STRETCH on it is drawn fully."""


_RIM = np.array(sorted(set(FACE_OVAL)) + list(range(MESH_POINTS, MESH_POINTS + len(FACE_OVAL))))
"""The outline's points (the mesh's and the pushed-out ring's): a triangle on one of them
lies in the thin strip along the face's edge."""


def triangle_facing(dst: Floats, src: Floats, triangles: NDArray[np.int32]) -> Floats:
    """Per triangle (plus one 0 for "outside"), how fully to draw it: its area in `dst`
    over its area in `src`, relative to the median ratio, ramped between MIN_STRETCH and
    FULL_STRETCH; flipped triangles get 0. Keeps squeezed, torn triangles of a turned
    head (and the reference background they would show) out of the render.

    In the strip along the outline a flip is not counted, only the squeeze: the outline
    there moves less than the ring inside it (`shape.py`), and where the reference's
    outline hugs that ring (hair down its cheeks) the strip folds over on a near cheek
    that is wide open. Left out, its triangles cut teeth of the target's skin into the
    drawn face's edge."""

    def areas(points: Floats) -> NDArray[np.float64]:
        a, b, c = (points[triangles[:, i]].astype(np.float64) for i in range(3))
        return 0.5 * (
            (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])
        )

    a_src = areas(src)
    ratio = areas(dst) / np.where(np.abs(a_src) < 1e-6, 1e-6, a_src)
    typical = float(np.median(ratio[ratio > 0])) if np.any(ratio > 0) else 1.0
    rim = np.isin(triangles, _RIM).any(axis=1)
    ratio = np.where(rim, np.abs(ratio), ratio)
    rel = ratio / max(typical, 1e-9)
    facing = np.clip((rel - MIN_STRETCH) / (FULL_STRETCH - MIN_STRETCH), 0.0, 1.0)
    return f32(np.append(facing, 0.0))


FOREHEAD_FADE = 0.2
"""Top share of the face outline faded out of the blend: a reference's fringe or hairline
would otherwise be pasted onto the target's forehead; identity lives lower down."""


def _forehead_ramp(rows: int, face_box: Box) -> Floats:
    top, height = face_box[1], max(face_box[3], 1)
    y = np.arange(rows, dtype=np.float32)[:, None]
    return f32(np.clip((y - top) / (height * FOREHEAD_FADE), 0.0, 1.0))


_CROSS = cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3))
_SQUARE = np.ones((3, 3), np.uint8)


def erode_disc(mask: Floats, radius: int) -> Floats:
    """Grey erosion by a regular octagon of `radius` (a close stand-in for a disc): 3×3
    cross steps then 3×3 square steps, ~10× faster than one large elliptic kernel."""
    square = round(radius * (math.sqrt(2) - 1))
    eroded = cv2.erode(mask, _CROSS, iterations=radius - square)
    return f32(cv2.erode(eroded, _SQUARE, iterations=square) if square else eroded)


def grid_mask(
    size: tuple[int, int],
    outline: Floats,
    inner_lips: Floats | None = None,
    holes: Sequence[Floats] = (),
    hole_depth: float = 1.0,
) -> Floats:
    """The feathered blend mask (0..1) on a grid of `size` cells, points in cells: the
    outline polygon eroded and blurred by a face-relative radius, minus the inner mouth
    and, `hole_depth` deep, any other `holes` (the eye apertures): the target's own face
    shows there."""
    mask = np.zeros((size[1], size[0]), dtype=np.float32)
    cv2.fillPoly(mask, [np.round(outline * 16).astype(np.int32)], 1.0, cv2.LINE_AA, 4)
    face_w = box_of(outline)[2]
    cuts = [([inner_lips], 1.0)] if inner_lips is not None else []
    cuts += [(list(holes), hole_depth)] if holes and hole_depth > 0 else []
    for polys, depth in cuts:
        cut = np.zeros_like(mask)
        cv2.fillPoly(cut, [np.round(p * 16).astype(np.int32) for p in polys], 1.0, cv2.LINE_AA, 4)
        cut = f32(cv2.GaussianBlur(cut, (0, 0), max(0.6, face_w * 0.006)))
        mask = np.minimum(mask, 1.0 - depth * np.clip(cut * 1.5, 0.0, 1.0))
    mask *= _forehead_ramp(mask.shape[0], box_of(outline))
    radius = max(1, int(face_w * 0.05))
    return f32(cv2.GaussianBlur(erode_disc(mask, radius), (0, 0), radius * 0.6))


def face_mask(roi: Roi, points: Floats, outline: Floats, keep_mouth: bool = True) -> Floats:
    """`grid_mask` for frame points on the ROI's grid, at ROI resolution."""
    lips = roi.to_grid(points[list(INNER_LIPS)]) if keep_mouth else None
    mask = grid_mask(roi.grid_size, roi.to_grid(outline), lips)
    return f32(cv2.resize(mask, (roi.box[2], roi.box[3]), interpolation=cv2.INTER_LINEAR))


GAIN_CAP = np.array([2.0, 1.0, 1.0], np.float32)
"""Most the LAB spread of the warped face is stretched: lightness up to 2×, chroma never.
A reference whose skin is more even than the target's (a pale, made-up face onto a
ruddy, lined one) had its pink lids and lips stretched to red-orange patches."""


class ColourMatch:
    """LAB mean/std transfer from a warped face to the frame's face, smoothed over time."""

    def __init__(self, smoothing: float = 0.3) -> None:
        self._smoothing = smoothing
        self._gain: Floats | None = None
        self._offset: Floats | None = None

    def reset(self) -> None:
        self._gain = self._offset = None

    def update(self, warped_bgr: Frame, target_bgr: Frame, mask: Floats) -> None:
        small = cv2.resize(mask, (64, 64), interpolation=cv2.INTER_AREA) > 0.5
        if small.sum() < 32:
            return
        w = cv2.cvtColor(cv2.resize(warped_bgr, (64, 64)), cv2.COLOR_BGR2LAB)[small].astype(
            np.float32
        )
        t = cv2.cvtColor(cv2.resize(target_bgr, (64, 64)), cv2.COLOR_BGR2LAB)[small].astype(
            np.float32
        )
        gain = np.clip(t.std(axis=0) / np.maximum(w.std(axis=0), 1.0), 0.5, GAIN_CAP)
        gain = gain.astype(np.float32)
        offset = (t.mean(axis=0) - w.mean(axis=0) * gain).astype(np.float32)
        if self._gain is None or self._offset is None:
            self._gain, self._offset = gain, offset
            return
        k = self._smoothing
        self._gain = (1 - k) * self._gain + k * gain
        self._offset = (1 - k) * self._offset + k * offset

    def apply(self, warped_bgr: Frame) -> Frame:
        if self._gain is None or self._offset is None:
            return warped_bgr
        levels = np.arange(256, dtype=np.float32)[:, None] * self._gain + self._offset
        table = np.clip(levels, 0, 255).astype(np.uint8).reshape(256, 1, 3)
        lab = cv2.LUT(cv2.cvtColor(warped_bgr, cv2.COLOR_BGR2LAB), table)
        return u8(cv2.cvtColor(lab, cv2.COLOR_LAB2BGR))


REFERENCE_DENOISE = 10.0
"""Non-local-means strength for reference crops. Photo grain and JPEG blocks, upscaled
onto the frame's face, come back as frame-to-frame coding noise after encoding that a
landmark tracker reads as jitter (see docs/pipeline-faces.md for the measured trade)."""


def denoise_reference(crop_bgr: Frame, strength: float = REFERENCE_DENOISE) -> Frame:
    """The reference crop with its grain removed (edge-preserving); as is at strength 0."""
    if strength <= 0.0:
        return crop_bgr
    return u8(cv2.fastNlMeansDenoisingColored(crop_bgr, None, strength, strength, 5, 15))


def blend_into(frame_bgr: Frame, roi: Roi, face_bgr: Frame, weight: Floats) -> None:
    """Blend `face_bgr` into the frame's ROI in place with per-pixel `weight` (0..1)."""
    x, y, w, h = roi.box
    region = frame_bgr[y : y + h, x : x + w]
    region[:] = cv2.blendLinear(face_bgr, region, weight, 1.0 - weight)


EYE_KEEP = 0.0
"""How much of the target's own eye apertures shows through (gaze and blinks). Off: the
reference's lids follow the target's eye landmarks, so blinks are drawn, but at 0.3–0.6
the recogniser saw the original again on some pairs (green-screen clip × s1: influencer
in 82 % of frames at 0, 29 % at 0.3, 0 % at 0.6; glasses clip × s42 held at 0.6)."""

DETAIL_GAIN = 1.0
"""How much of the reference's fine band replaces the target's over the features."""

GRID_CELLS = 320
"""Grid cells across the face for warp maps and mask (full resolution below that)."""


def _to_roi(grid_image: Floats, matrix: NDArray[np.float64], roi: Box, outside: float) -> Floats:
    return f32(
        cv2.warpAffine(
            grid_image,
            matrix,
            (roi[2], roi[3]),
            flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=(outside, outside, outside, outside),
        )
    )


FEATURE_GROW = 0.01
"""Features (not occluders) reach this share of the face width past their landmarks."""

OCCLUDER_FACE_PX = 280
"""Occluders are looked for on a copy with the face at most this wide (cost ∝ area)."""


def occluders_at_scale(target: Frame, weight: Floats, features: Floats, face_px: float) -> Floats:
    """`soften(occluder_map(...))` on a reduced copy when the face is large, resized back."""
    k = min(1.0, OCCLUDER_FACE_PX / max(face_px, 1.0))
    if k >= 1.0:
        return soften(occluder_map(target, weight, features), face_px)
    h, w = target.shape[:2]
    size = (max(1, round(w * k)), max(1, round(h * k)))
    small = [cv2.resize(a, size, interpolation=cv2.INTER_AREA) for a in (target, weight, features)]
    occ = soften(occluder_map(u8(small[0]), f32(small[1]), f32(small[2])), face_px * k)
    return f32(cv2.resize(occ, (w, h), interpolation=cv2.INTER_LINEAR))


OCCLUDER_MEMORY = 0.5
"""Weight of the previous frames in the occluder map (an EMA on the face's own grid): the
per-frame test flickers on lashes, liner and hair edges, and the kept target pixels
flickered with it."""


class OccluderMemory:
    """The target's occluder map smoothed over time on the face grid (which stays put on
    the face); forgotten when the grid changes (a cut, a lost face, a new local frame)."""

    def __init__(self, memory: float = OCCLUDER_MEMORY) -> None:
        self._memory = memory
        self._key: tuple[object, ...] | None = None
        self._map: Floats | None = None

    def reset(self) -> None:
        self._key = self._map = None

    def smooth(self, grid_map: Floats, key: tuple[object, ...]) -> Floats:
        if self._map is None or key != self._key or self._map.shape != grid_map.shape:
            self._key, self._map = key, grid_map
            return grid_map
        k = np.float32(self._memory)
        self._map = f32(k * self._map + (1 - k) * grid_map)
        return self._map


def render_reference(
    frame_bgr: Frame,
    crop_bgra: Frame,
    src: Floats,
    face: Stabilised,
    outline_scale: float,
    triangles: NDArray[np.int32],
    colour: ColourMatch,
    alpha: float,
    shape: Floats | None = None,
    memory: OccluderMemory | None = None,
    lids: LidMemory | None = None,
) -> float:
    """Warp the reference crop (BGR + alpha = where the reference shows bare skin or a
    feature; points `src`) onto the stabilised face and composite it in; returns the share
    of the face found covered by occluders (kept in front).

    Maps and mask are built on a grid in the face's own frame (`facegrid`) and carried
    into the frame by the face's similarity, so a face that moves rigidly is rendered
    as one rigidly moving image. Compositing is frequency-separated (`composite`): the
    target keeps its light and its fine detail; its eye apertures and inner mouth stay.

    `shape` (local points like `face.local`) are where the reference is drawn (`shape.py`:
    the reference's proportions in the target's pose and expression); the blend mask
    keeps the target's outline and inner mouth. None: the target's own landmarks."""
    local = warp_points(face.local, outline_scale)
    drawn = local if shape is None else warp_points(shape, outline_scale)
    covers = lid_covers(drawn, src)
    if lids is not None:
        covers = lids.smooth(covers)
    if any(k > 0.0 for k in covers):
        drawn, src = shut_lids(drawn, src, covers)
    both = np.vstack([local, drawn])
    frame_pts = (both @ face.rigid[:, :2].T + face.rigid[:, 2]).astype(np.float32)
    roi = roi_for(frame_pts, frame_bgr.shape)
    if roi is None or alpha <= 0.0:
        return 0.0
    grid = grid_for(both, face.unit, GRID_CELLS)
    grid_local = grid.to_grid(local)
    grid_drawn = grid.to_grid(drawn)
    maps, ids = grid_maps_and_ids(grid_drawn, src, triangles, grid.size)
    facing = np.take(triangle_facing(grid_drawn, src, triangles), ids)
    face_cells = box_of(grid_local)[2]
    facing = f32(cv2.GaussianBlur(facing, (0, 0), max(0.8, face_cells * 0.01)))
    mask = grid_mask(
        grid.size,
        grid.to_grid(outline_polygon(local)),
        grid.to_grid(face.local[list(INNER_LIPS)]),
        [grid.to_grid(face.local[list(eye)]) for eye in (RIGHT_EYE, LEFT_EYE)],
        EYE_KEEP,
    )
    features = feature_mask(grid_local, grid.size, face_cells * FEATURE_GROW)
    rings = under_eyes(grid_local, grid.size, face_cells)
    areas = feature_mask(grid_local, grid.size, face_cells * 0.03, FEATURE_AREAS)
    if shape is not None:  # fine detail where the features are drawn and where the target has them
        areas = np.maximum(
            areas, feature_mask(grid_drawn, grid.size, face_cells * 0.03, FEATURE_AREAS)
        )
    areas = f32(cv2.GaussianBlur(areas, (0, 0), max(0.8, face_cells * 0.015)))
    matrix = grid.from_roi(face.rigid, roi.box)
    map_x, map_y = cv2.split(_to_roi(maps, matrix, roi.box, -1.0))
    warped = u8(
        cv2.remap(crop_bgra, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    )
    weight = _to_roi(mask * facing, matrix, roi.box, 0.0)
    feature_roi = _to_roi(features, matrix, roi.box, 0.0)
    detail = np.clip(_to_roi(areas, matrix, roi.box, 0.0) * DETAIL_GAIN, 0.0, 1.0)
    x, y, w, h = roi.box
    target = frame_bgr[y : y + h, x : x + w]
    face_px = float(face.unit) * float(np.hypot(*face.rigid[:, 0]))
    occluded = occluders_at_scale(target, weight, feature_roi, face_px)
    occluded *= 1.0 - _to_roi(rings, matrix, roi.box, 0.0)
    if memory is not None and OCCLUDER_MEMORY > 0.0:
        on_grid = f32(cv2.warpAffine(occluded, matrix, grid.size, flags=cv2.INTER_LINEAR))
        key = (grid.origin, grid.size, grid.scale, face.unit)
        occluded = _to_roi(memory.smooth(on_grid, key), matrix, roi.box, 0.0)
    ref_skin = f32(warped[..., 3]) * np.float32(1 / 255)
    bgr = np.ascontiguousarray(warped[..., :3])
    colour.update(bgr, target, weight * ref_skin)
    blend = weight * ref_skin * np.float32(alpha)
    target[:] = composite(target, colour.apply(bgr), blend, occluded, detail, face_px)
    inside = weight > 0.5
    return float(occluded[inside].mean()) if inside.any() else 0.0
