"""Erase from time: fill a caption's region from frames where that region is visible.

A caption comes and goes while the scene under it stays, so a frame shortly before (or
after) its span shows what lies under it. For each caption a few such *reference crops*
are kept (only the caption's work region, never whole frames); on every frame of the
span the nearest clean reference before it and the nearest after it (or the nearest one,
when the span touches an end of the clip) are aligned to the current frame and blended,
weighted by closeness in time, into the caption's pixels. Alignment: DIS optical flow
(OpenCV, fast preset, at reduced scale) from the current crop to the reference, trusted
only outside the caption's area; inside it the flow is filled in from the surrounding
flow (a Gaussian-weighted average, for wide bands a per-column interpolation between the
flow above and below, or the mean of the two; both carry the global camera motion and
the local subject motion around the caption). Which fill, and how deep DIS goes, is a
`FlowMethod` chosen per caption by `render.flowcheck`. Only the caption's window is
warped. A colour offset matched on the rim just outside the hole (`render.seam`) then
absorbs lighting drift and the warp's misfit at the rim. Pixels no reference saw are
inpainted.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from remixer.pipeline.render.seam import rim_offset
from remixer.pipeline.types import Frame

Mask = NDArray[np.bool_]
Flow = NDArray[np.float32]
Region = tuple[int, int, int, int]
"""x0, y0, x1, y1 in frame pixels."""
Window = tuple[int, int, int, int]
"""y0, y1, x0, x1 inside a region crop."""

FLOW_MAX_SIDE = 320
"""Flow is estimated on the work region scaled so its longer side is at most this."""
SEAM_BAND_PX = 6
"""Width of the band around a hole that must show enough scene for a colour offset."""
SEAM_RIM_PX = 2
"""Width of the rim just outside a hole the colour offset is matched on."""
STALE_LEVEL = 28.0
"""Mean difference between the scene around a hole and the aligned reference above which
the reference is taken as out of date there."""
MAX_COLOUR_OFFSET = 30
MIN_BLEND_WEIGHT = 0.2
"""Below this weight the farther reference of a before/after pair is not blended in."""
EXCLUDE_GROW = 6
"""Reduced pixels around the caption area whose flow is not trusted either (DIS patches
overlapping the area's edge)."""


@dataclass
class Reference:
    frame_index: int
    crop: Frame
    valid: Mask
    """Pixels of the crop not covered by any caption on that frame."""
    valid_u8: Frame = field(init=False, repr=False)
    _greys: dict[tuple[int, int], Frame] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.valid_u8 = self.valid.astype(np.uint8)

    def grey(self, size: tuple[int, int]) -> Frame:
        """The crop in grey at `size` (width, height), as `raw_flow` sees a target: made
        once, not on every frame the reference is aligned to (≈ 1 ms each)."""
        if size not in self._greys:
            self._greys[size] = _gray(self.crop, size)
        return self._greys[size]


@dataclass
class CleanPlate:
    """Reference crops of one caption's work region, nearest in time first."""

    region: Region
    references: list[Reference] = field(default_factory=list)
    method: FlowMethod | None = None
    """How the flow is found for this caption, once chosen (`render.flowcheck`)."""

    def add(self, frame_index: int, frame: Frame, covered: Mask) -> None:
        x0, y0, x1, y1 = self.region
        crop = frame[y0:y1, x0:x1].copy()
        self.references.append(Reference(frame_index, crop, ~covered))

    def ordered(self, frame_index: int) -> list[Reference]:
        """Nearest first; of two as near, the earlier. References before the span are
        added by the painting thread and those after it by the painter's reader thread,
        so the list's own order is a race: it must not decide a tie."""
        return sorted(
            self.references, key=lambda r: (abs(r.frame_index - frame_index), r.frame_index)
        )

    def blend_order(self, frame_index: int) -> list[tuple[Reference, float]]:
        """References to try for `frame_index` with blend weights. When there are clean
        frames on both sides of it, the nearest before and the nearest after come first,
        weighted by closeness in time (1 / distance): a scene that moves under a long
        caption is half-way between the two, and the blend halves the error of either
        guess. Otherwise nearest first, weight 1 for the first and 0 (a fallback for
        pixels the first did not cover) for the rest."""
        ordered = self.ordered(frame_index)
        before = [r for r in ordered if r.frame_index < frame_index]
        after = [r for r in ordered if r.frame_index > frame_index]
        if before and after:
            pair = [before[0], after[0]]
            near = [1.0 / max(abs(r.frame_index - frame_index), 1) for r in pair]
            total = sum(near)
            rest = [r for r in ordered if r not in pair]
            if min(near) / total < MIN_BLEND_WEIGHT:
                # One side is far closer: the other would change little and costs a flow.
                return [(r, 1.0 if n == 0 else 0.0) for n, r in enumerate(ordered)]
            return [(r, w / total) for r, w in zip(pair, near, strict=True)] + [
                (r, 0.0) for r in rest
            ]
        return [(r, 1.0 if n == 0 else 0.0) for n, r in enumerate(ordered)]


@dataclass(frozen=True)
class FlowMethod:
    """How the flow across a caption is found. Neither choice wins on every caption of
    real footage (`render.flowcheck` picks one per caption on its clean references):

    - `fine`: DIS down to the flow scale itself without variational refinement, instead
      of stopping at half of it and refining (fine texture such as hair needs the
      finer level; large motion is steadier with the coarser, refined one);
    - `fill`: how the untrusted flow on and near the caption is guessed: "average" (a
      Gaussian-weighted average of the flow around), "near" (the same over half the
      distance: the rim's own motion reaches less far in), "columns" (per column between
      the flow above and below: a head beside a wall) or "mean" (of average and columns);
    - `also`: a second fill; the reference is warped by both flows and the two warps are
      averaged (the test's pick is not always the best fill on the span, and where two
      good guesses disagree their mean errs less than either: overlays-real mean +0.6 dB,
      for one more fill and warp per reference and frame)."""

    fine: bool = False
    fill: str = "mean"
    also: str | None = None


DEFAULT_METHOD = FlowMethod()
FILLS = ("average", "columns", "mean", "near")

_DIS = threading.local()
"""Each thread's DIS objects: one object keeps its pyramids and flow buffers between
calls, so two painters calling the same one at once (a worker running two jobs, a bench
painting two clips) got each other's flow, or crashed OpenCV."""


def _dis(fine: bool = False) -> Any:
    """This thread's DIS optical flow object of a kind (OpenCV's, fast preset; `fine`:
    finest scale 1, no variational refinement, about the same cost), made on first use."""
    made: dict[bool, Any] = _DIS.__dict__.setdefault("by_kind", {})
    if fine not in made:
        opencv: Any = cv2  # the stubs lack DISOpticalFlow_create
        dis = opencv.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_FAST)
        if fine:
            dis.setFinestScale(1)
            dis.setVariationalRefinementIterations(0)
        made[fine] = dis
    return made[fine]


def _smooth(image: NDArray[np.float32], sigma: float) -> NDArray[np.float32]:
    """A Gaussian-like blur whose cost does not grow with `sigma`: the image is shrunk so
    the blur is a few pixels wide, blurred, and scaled back."""
    h, w = image.shape[:2]
    factor = max(int(sigma // 3), 1)
    if factor > 1 and min(h, w) // factor >= 4:
        small = cv2.resize(
            image, (max(w // factor, 1), max(h // factor, 1)), interpolation=cv2.INTER_AREA
        )
        small = cv2.GaussianBlur(small, (0, 0), sigma / factor)
        return np.asarray(
            cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR), dtype=np.float32
        )
    return np.asarray(cv2.GaussianBlur(image, (0, 0), sigma), dtype=np.float32)


def _normalized_blur(
    values: NDArray[np.float32], weight: NDArray[np.float32], sigma: float
) -> NDArray[np.float32]:
    """Gaussian-weighted average of `values` over pixels with `weight` (normalized
    convolution); falls back to the global weighted mean where no weight is near."""
    if values.ndim == 2:
        values = values[:, :, None]
    channels = values.shape[2]
    stacked = np.concatenate([values * weight[:, :, None], weight[:, :, None]], axis=2)
    blurred = _smooth(np.ascontiguousarray(stacked, dtype=np.float32), sigma)
    if blurred.ndim == 2:
        blurred = blurred[:, :, None]
    num, den = blurred[:, :, :channels], blurred[:, :, channels : channels + 1]
    out = num / np.maximum(den, np.float32(1e-6))
    far = den[:, :, 0] <= 1e-3
    if far.any():
        total = float(weight.sum())
        weighted = stacked[:, :, :channels].reshape(-1, channels).sum(axis=0)
        out[far] = weighted / total if total > 0 else 0.0
    return np.asarray(out, dtype=np.float32)


def _dis_flow(current: Frame, target: Frame, trusted: Mask, fine: bool = False) -> Flow:
    """DIS flow started from the global shift found by phase correlation (a pan of tens
    of pixels between a reference and the current frame is more than DIS's coarsest level
    reliably finds on small crops). The target is moved by that shift before DIS and the
    shift added back, rather than passed to DIS as its initial flow: DIS reads its
    patches through a 16-pixel border, and an initial flow reaching beyond it read out of
    bounds (run-to-run differences, and segfaults, on OpenCV 4.14)."""
    window = cv2.createHanningWindow((current.shape[1], current.shape[0]), cv2.CV_32F)
    (dx, dy), response = cv2.phaseCorrelate(
        target.astype(np.float32), current.astype(np.float32), window
    )
    # Whole pixels: the moved target is a copy, not an interpolation (a blur).
    dx, dy = float(round(dx)), float(round(dy))
    if not (response > 0.05 and bool(trusted.any())):
        dx = dy = 0.0
    moved = target
    if dx or dy:
        shift = np.array([[1, 0, -dx], [0, 1, -dy]], dtype=np.float32)
        moved = np.asarray(
            cv2.warpAffine(
                target,
                shift,
                (target.shape[1], target.shape[0]),
                flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                borderMode=cv2.BORDER_REPLICATE,
            ),
            dtype=np.uint8,
        )
    flow = np.asarray(_dis(fine).calc(current, moved, None), dtype=np.float32)
    if dx or dy:
        # Where the moved target is only its replicated edge, DIS matched nothing real:
        # keep the bare shift there (it lands outside the target, so the warp finds no
        # valid pixel instead of a wrong one).
        h, w = current.shape[:2]
        xs, ys = np.arange(w) - dx, np.arange(h) - dy
        edge = ((ys < 0) | (ys > h - 1))[:, None] | ((xs < 0) | (xs > w - 1))[None, :]
        flow[edge] = 0.0
    flow[:, :, 0] -= np.float32(dx)
    flow[:, :, 1] -= np.float32(dy)
    return flow


def _gray(img: Frame, size: tuple[int, int]) -> Frame:
    return np.asarray(
        cv2.cvtColor(cv2.resize(img, size, interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2GRAY)
    )


def _float(image: Any) -> NDArray[np.float32]:
    return np.asarray(image, dtype=np.float32)


def _shrunk_share(mask: Mask, size: tuple[int, int]) -> NDArray[np.float32]:
    """Share of each shrunk pixel covered by `mask` (0..1)."""
    small = cv2.resize(mask.view(np.uint8) * np.uint8(255), size, interpolation=cv2.INTER_AREA)
    return np.asarray(small, dtype=np.float32) / 255.0


def _resized_mask(mask: Mask, size: tuple[int, int]) -> Mask:
    small = cv2.resize(mask.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST)
    return np.asarray(small > 0)


def flow_size(h: int, w: int) -> tuple[int, int, float]:
    """The (width, height) flow is estimated at for an h×w crop, and the scale."""
    scale = min(FLOW_MAX_SIDE / max(h, w), 1.0)
    return max(int(w * scale), 8), max(int(h * scale), 8), scale


RawFlow = tuple[Flow, Mask, Mask]
"""A DIS flow, where it is not trusted (the caption and the patches overlapping it) and
where it is (the rest, where the target is valid), at flow scale."""


def raw_flow(current: Frame, target: Reference, exclude: Mask, fine: bool = False) -> RawFlow:
    """DIS flow from `current` to the reference `target` before the caption's part is
    filled in (the reference's grey copy at flow size is made once: `Reference.grey`)."""
    h, w = current.shape[:2]
    sw, sh, _scale = flow_size(h, w)
    caption = _resized_mask(exclude, (sw, sh))
    current_gray = _gray(current, (sw, sh))
    target_gray = target.grey((sw, sh))
    # The caption's hard edges would drag the flow of patches overlapping them: show DIS
    # a smooth fill from the surroundings there instead (the flow found inside is dropped).
    around = (~caption).astype(np.float32)
    smooth = _normalized_blur(current_gray.astype(np.float32), around, max(min(sw, sh) / 8.0, 2.0))
    current_gray = np.where(caption, smooth[:, :, 0], current_gray).astype(np.uint8)
    flow = _dis_flow(current_gray, target_gray, ~caption, fine)
    size = 2 * EXCLUDE_GROW + 1
    grown = cv2.dilate(caption.astype(np.uint8), np.ones((size, size), np.uint8))
    small_ex: Mask = np.asarray(grown > 0)
    weight: Mask = ~small_ex & _resized_mask(target.valid, (sw, sh))
    return flow, small_ex, weight


def fill_flow(flow: Flow, untrusted: Mask, weight: Mask, fill: str) -> Flow:
    """`flow` with its `untrusted` part guessed from the flow where `weight` is set."""
    return fill_guesses(flow, untrusted, weight, (fill,))[fill]


def fill_guesses(
    flow: Flow, untrusted: Mask, weight: Mask, fills: tuple[str, ...]
) -> dict[str, Flow]:
    """The flow filled in each of the ways in `fills` (`FlowMethod.fill`; sharing the
    work they have in common). "columns" falls back on "average" where the hole is not a
    wide band."""
    sh, sw = untrusted.shape
    trusted = weight.astype(np.float32)
    columns = _column_fill(flow, weight) if {"columns", "mean"} & set(fills) else None
    blurred: dict[float, Flow] = {}

    def average(share: float) -> Flow:
        """The Gaussian-weighted average at `share` of the shorter side."""
        if share not in blurred:
            blurred[share] = _normalized_blur(flow, trusted, max(min(sw, sh) * share, 3.0))
        return blurred[share]

    guesses: dict[str, Flow] = {}
    for fill in fills:
        if fill == "near":
            guess = average(1 / 8)
        elif fill == "columns" and columns is not None:
            guess = columns
        elif fill == "mean" and columns is not None:
            # The mean of the two guesses is closer to the true flow than either on
            # average (a head and the wall beside it favour the columns, a face moving
            # under a plate the isotropic average).
            guess = (average(1 / 4) + columns) * np.float32(0.5)
        else:
            guess = average(1 / 4)
        guesses[fill] = np.asarray(np.where(untrusted[:, :, None], guess, flow), np.float32)
    return guesses


def _column_fill(flow: Flow, weight: Mask) -> Flow | None:
    """Inside a wide hole, flow interpolated per column between the trusted flow just
    above and just below it (a head and the scene beside it move differently, so an
    isotropic average mixes them); None when the hole is not a wide band."""
    rows = np.nonzero(~weight.all(axis=1))[0]
    if len(rows) == 0:
        return None
    top, bottom = int(rows.min()), int(rows.max())
    h, w = weight.shape
    if top < 3 or bottom > h - 4 or (bottom - top) * 2 > w:
        return None
    band = 4
    smooth = cv2.blur(flow, (5, 1))
    above = np.median(smooth[max(top - band, 0) : top], axis=0)
    below = np.median(smooth[bottom + 1 : bottom + 1 + band], axis=0)
    t = ((np.arange(h, dtype=np.float32) - top) / max(bottom - top, 1)).clip(0, 1)[:, None, None]
    out = above[None] * (1 - t) + below[None] * t
    keep_columns = weight.all(axis=0)
    out[:, keep_columns] = flow[:, keep_columns]
    return np.asarray(out, dtype=np.float32)


_GRIDS: dict[tuple[int, int, Window], tuple[NDArray[np.float32], ...]] = {}


def _grids(shape: tuple[int, int], window: Window) -> tuple[NDArray[np.float32], ...]:
    """Pixel coordinates of `window` (in region pixels) and the same in reduced-flow
    pixels, cached per region shape and window (they are the same on every frame)."""
    key = (shape[0], shape[1], window)
    if key not in _GRIDS:
        h, w = shape
        sw, sh, _scale = flow_size(h, w)
        y0, y1, x0, x1 = window
        grid_x, grid_y = np.meshgrid(
            np.arange(x0, x1, dtype=np.float32), np.arange(y0, y1, dtype=np.float32)
        )
        # Pixel centres of the full crop in the reduced flow's pixels (as cv2.resize maps them).
        small_x = (grid_x + 0.5) * np.float32(sw / w) - np.float32(0.5)
        small_y = (grid_y + 0.5) * np.float32(sh / h) - np.float32(0.5)
        if len(_GRIDS) > 64:
            _GRIDS.clear()
        _GRIDS[key] = (grid_x, grid_y, small_x, small_y)
    return _GRIDS[key]


def warp_reference(
    reference: Reference, flow: Flow, shape: tuple[int, int], window: Window | None = None
) -> tuple[Frame, Mask]:
    """The reference crop warped by a reduced-scale flow onto a crop of `shape` (h, w),
    or only onto `window` of it, and where that warp lands on valid reference pixels."""
    h, w = shape
    sw, sh, _scale = flow_size(h, w)
    grid_x, grid_y, small_x, small_y = _grids(shape, window or (0, h, 0, w))
    up = cv2.remap(flow, small_x, small_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    map_x = grid_x + up[:, :, 0] * np.float32(w / sw)
    map_y = grid_y + up[:, :, 1] * np.float32(h / sh)
    warped = cv2.remap(
        reference.crop, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    valid = cv2.remap(reference.valid_u8, map_x, map_y, cv2.INTER_NEAREST, borderValue=0) > 0
    inside = (map_x >= 0) & (map_x <= w - 1) & (map_y >= 0) & (map_y <= h - 1)
    return np.asarray(warped), valid & inside


def align_reference(
    reference: Reference,
    current: Frame,
    exclude: Mask,
    window: Window | None = None,
    method: FlowMethod = DEFAULT_METHOD,
) -> tuple[Frame, Mask]:
    """The reference crop warped onto `current` (or its `window`) by a direct flow (the
    mean of two warps when `method.also` is set), and where it is valid."""
    raw = raw_flow(current, reference, exclude, method.fine)
    fills = (method.fill,) if method.also is None else (method.fill, method.also)
    guesses = fill_guesses(*raw, fills)
    warped, valid = warp_reference(reference, guesses[method.fill], current.shape[:2], window)
    if method.also is not None:
        other, other_valid = warp_reference(
            reference, guesses[method.also], current.shape[:2], window
        )
        warped = np.asarray((warped.astype(np.uint16) + other + 1) // 2, dtype=np.uint8)
        valid = valid & other_valid
    return warped, valid


def correct_reference(
    warped: Frame, current: Frame, hole: Mask, exclude: Mask, valid: Mask
) -> tuple[Frame, Mask]:
    """Colour-correct an aligned reference and find where it is out of date, both from the
    scene visible around the caption (pixels not in `exclude`, valid in the reference):

    - a colour offset that matches the scene on the rim just outside `hole` exactly and
      fades smoothly inside (`render.seam`) absorbs lighting drift, exposure changes and
      the misfit of the warp at the hole's edge (a smoother offset measured on a wider
      band left a visible step at the rim, where the old caption's edge is scored);
    - hole pixels whose surroundings disagree with the reference by more than
      `STALE_LEVEL` on average are *stale* (something moved in since): they are left for
      inpainting from the current frame.

    The staleness is worked out at quarter size (a smooth field)."""
    h, w = hole.shape
    sw, sh = max(w // 4, 4), max(h // 4, 4)
    size = 2 * SEAM_BAND_PX + 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    around = valid & ~exclude
    band = (cv2.dilate(hole.astype(np.uint8), kernel) > 0) & around
    cur_s = _float(cv2.resize(current, (sw, sh), interpolation=cv2.INTER_AREA))
    ref_s = _float(cv2.resize(warped, (sw, sh), interpolation=cv2.INTER_AREA))
    band_s = _shrunk_share(band, (sw, sh))
    around_s = _shrunk_share(around, (sw, sh))
    corrected = warped
    if float(band_s.sum()) * 16 >= 20:
        offset = rim_offset(current, warped, hole, around, SEAM_RIM_PX)
        offset = np.clip(offset, -MAX_COLOUR_OFFSET, MAX_COLOUR_OFFSET)
        corrected = np.clip(warped.astype(np.float32) + offset, 0, 255).astype(np.uint8)
    stale = np.zeros_like(hole)
    if float(around_s.sum()) * 16 >= 20:
        mismatch = _float(np.abs(cur_s - ref_s).max(axis=2))
        level = _normalized_blur(mismatch, around_s, max(min(sw, sh) / 6.0, 1.5))[:, :, 0]
        up = _float(cv2.resize(level, (w, h), interpolation=cv2.INTER_LINEAR))
        stale = (up > STALE_LEVEL) & hole
    return np.asarray(corrected), np.asarray(stale)


FULL_SIZE_INPAINT_PX = 30_000
"""Holes up to this many pixels are inpainted at full size (Telea, about 15 ms): at half
size the fill blurs the rim where it joins the scene, which is where a caption larger
than its replacement is seen (overlays-real pink plate +0.5 dB)."""


def inpaint_rest(crop: Frame, hole: Mask) -> Frame:
    """Inpaint what no frame showed, or what changed since (stale): Telea, at half size
    only for holes too large to do at full size cheaply."""
    mask = hole.astype(np.uint8) * 255
    h, w = crop.shape[:2]
    if hole.sum() <= FULL_SIZE_INPAINT_PX or min(h, w) < 16:
        return np.asarray(cv2.inpaint(crop, mask, 3, cv2.INPAINT_TELEA))
    small = cv2.resize(crop, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
    small_mask = cv2.resize(mask, (w // 2, h // 2), interpolation=cv2.INTER_NEAREST)
    filled = cv2.inpaint(small, small_mask, 3, cv2.INPAINT_TELEA)
    up = cv2.resize(filled, (w, h), interpolation=cv2.INTER_LINEAR)
    out = crop.copy()
    out[hole] = up[hole]
    return out
