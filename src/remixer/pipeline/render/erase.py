"""Erase a caption: which pixels are the caption on a frame, and filling them.

Geometry (`EraseArea`, once per caption): the work region (caption plus a margin of scene
for aligning), the caption's *area* (its box grown by the stroke, or its whole plate
grown for a shadow; flow inside it is not trusted) and the *band* along its lines,
widened by about a glyph each side, where emoji and shadows sit beside the OCR box; the
*still* area (without the path a fading caption may slide along) and the *window* (the
area's bounding box plus a seam band: the only pixels a frame's erase touches).

The hole on a frame: a plate is removed as a whole shape (rounded rectangle grown by
its anti-aliased rim); stroke/fill text by its colour mask (fill colour, plus stroke
colour hugging it). When aligned clean references exist, every pixel of the band that
differs clearly from all of them is added (emoji, shadows, glows), then the hole is
filled from their time-weighted blend (`render.temporal`). Without one: Telea
inpainting (`inpaint_rest`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from remixer.pipeline.overlays.model import Overlay
from remixer.pipeline.render.temporal import (
    Mask,
    Region,
    Window,
    correct_reference,
    inpaint_rest,
)
from remixer.pipeline.types import Frame

COLOUR_TOLERANCE = 110
STEM_SHARE = 0.12
"""Half a bold stem as a share of the font size: how far inside its stroke a stroked
glyph's fill reaches."""
PLATE_TOLERANCE = 50
MAX_REFERENCES_TRIED = 2
STATIC_TOLERANCE = 14
"""Largest channel change between two frames of a pixel that counts as still."""
DIFF_THRESHOLD = 40
"""Max channel difference from the aligned clean reference that marks a caption pixel."""
DIFF_FADING = 20
"""The same while a caption fades: a caption at a fifth of its opacity still shows."""
EMOJI_REACH = 1.4
SLIDE_REACH = 0.6
"""How far (in caption heights) a fading caption may slide into place."""
EMOJI_INSIDE = 1.2
"""How far (font sizes) into the box from either end the difference test also looks."""
WINDOW_PAD = 16
"""Pixels kept around the caption area in the window (dilations, feathering, the seam band
the colour offset and staleness are measured on)."""
MARGIN_SHARE = 1.0
"""Scene context kept around the caption area for alignment, in caption-area heights."""
"""The band reaches this many font sizes beyond the OCR box on each side."""


@dataclass(frozen=True)
class EraseArea:
    region: Region
    area: Mask
    band: Mask
    plate: Mask | None
    still: Mask
    """The caption's area once it has settled: `area` without the path a fading caption
    may slide along (scene there is visible, so the flow may use it)."""
    window: Window = (0, 0, 0, 0)
    """Where pixels can change, in region coordinates: the area's bounding box plus a
    seam band. Flow is estimated on the whole region (it needs the scene around), but
    warping, colour correction and filling only touch this window."""

    def in_window(self) -> EraseArea:
        """The masks cut to the window."""
        y0, y1, x0, x1 = self.window
        return EraseArea(
            self.region,
            self.area[y0:y1, x0:x1],
            self.band[y0:y1, x0:x1],
            None if self.plate is None else self.plate[y0:y1, x0:x1],
            self.still[y0:y1, x0:x1],
            self.window,
        )


def _clip(x0: int, y0: int, x1: int, y1: int, width: int, height: int) -> Region:
    return max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)


def _dilation(overlay: Overlay) -> int:
    return max(overlay.style.font_size_px // 14, 2)


def erase_area(overlay: Overlay, width: int, height: int) -> EraseArea:
    """The caption's erase geometry on a `width`×`height` frame."""
    style = overlay.style
    bx, by, bw, bh = overlay.box
    font = max(style.font_size_px, 8)
    reach = int(EMOJI_REACH * font)
    grow = style.stroke_px + _dilation(overlay) + 2
    outer = style.plate_box or (bx - grow, by - grow, bw + 2 * grow, bh + 2 * grow)
    settled = outer
    if overlay.fade_in_frames or overlay.fade_out_frames:
        # A caption that fades in may also slide: its path is part of the caption area.
        slide = int(SLIDE_REACH * outer[3])
        outer = (outer[0], outer[1] - slide, outer[2], outer[3] + 2 * slide)
    shadow = max(font // 6, 3) if style.plate_box else 0
    margin = max(int(MARGIN_SHARE * outer[3]), font // 2, 16)
    ox, oy, ow, oh = outer
    region = _clip(
        min(ox - shadow, bx - reach) - margin,
        oy - shadow - margin,
        max(ox + ow + shadow, bx + bw + reach) + margin,
        oy + oh + shadow + margin,
        width,
        height,
    )
    x0, y0, x1, y1 = region
    shape = (y1 - y0, x1 - x0)
    area = np.zeros(shape, bool)
    band = np.zeros(shape, bool)
    ax0, ay0 = ox - shadow - x0, oy - shadow - y0
    area[
        max(ay0, 0) : max(ay0 + oh + 2 * shadow, 0), max(ax0, 0) : max(ax0 + ow + 2 * shadow, 0)
    ] = True
    band_y0, band_y1 = max(oy - shadow - y0, 0), max(oy + oh + shadow - y0, 0)
    band[band_y0:band_y1, max(bx - reach - x0, 0) : max(bx + bw + reach - x0, 0)] = True
    area |= band
    # Inside the caption's own box its colours find it; the difference test only looks
    # at its ends (an emoji before or after the text, which the measured box may half
    # include), beside it and around a plate (its shadow), where a scene that changed
    # since the reference is less likely to pass for caption.
    inside = int(EMOJI_INSIDE * font)
    inner = np.zeros(shape, bool)
    ix0, ix1 = max(ox + inside - x0, 0), max(ox + ow - inside - x0, 0)
    if style.plate_box is not None:
        ix0, ix1 = max(ox - x0, 0), max(ox + ow - x0, 0)
    inner[max(oy - y0, 0) : max(oy + oh - y0, 0), ix0:ix1] = True
    band &= ~inner
    plate = None
    if style.plate_box is not None:
        plate = _rounded(shape, style.plate_box, style.plate_radius_px, (x0, y0), 2)
    still = area
    if settled != outer:
        _sx, sy, _sw, sh = settled
        top, bottom = max(sy - shadow - y0, 0), max(sy + sh + shadow - y0, 0)
        still = area.copy()
        still[:top] = False
        still[bottom:] = False
    ys, xs = np.nonzero(area)
    pad = WINDOW_PAD
    window = (0, 0, 0, 0)
    if len(xs):
        window = (
            max(int(ys.min()) - pad, 0),
            min(int(ys.max()) + 1 + pad, shape[0]),
            max(int(xs.min()) - pad, 0),
            min(int(xs.max()) + 1 + pad, shape[1]),
        )
    return EraseArea(region, area, band, plate, still, window)


def _rounded(
    shape: tuple[int, int],
    box: tuple[int, int, int, int],
    radius: int,
    origin: tuple[int, int],
    grow: int,
) -> Mask:
    x, y, w, h = box
    canvas = np.zeros(shape, np.uint8)
    left, top = x - origin[0] - grow, y - origin[1] - grow
    right, bottom = left + w + 2 * grow - 1, top + h + 2 * grow - 1
    r = max(min(radius + grow, (right - left) // 2, (bottom - top) // 2), 0)
    if r > 0:
        cv2.rectangle(canvas, (left + r, top), (right - r, bottom), 1, -1)
        cv2.rectangle(canvas, (left, top + r), (right, bottom - r), 1, -1)
        for cx, cy in (
            (left + r, top + r),
            (right - r, top + r),
            (left + r, bottom - r),
            (right - r, bottom - r),
        ):
            cv2.circle(canvas, (cx, cy), r, 1, -1)
    else:
        cv2.rectangle(canvas, (left, top), (right, bottom), 1, -1)
    return canvas > 0


def _near(region: Frame, rgb: tuple[int, int, int], tolerance: int) -> NDArray[np.bool_]:
    bgr = np.array(rgb[::-1], dtype=np.int16)
    scalar: Any = (float(bgr[0]), float(bgr[1]), float(bgr[2]), 0.0)  # stubs want arrays
    diff = cv2.absdiff(region, scalar)
    total = diff[:, :, 0].astype(np.uint16) + diff[:, :, 1] + diff[:, :, 2]
    return np.asarray(total < tolerance)


def max_channel_diff(a: Frame, b: Frame) -> Frame:
    """Per pixel, the largest absolute channel difference of two uint8 images."""
    diff = cv2.absdiff(a, b)
    return np.asarray(np.maximum(np.maximum(diff[:, :, 0], diff[:, :, 1]), diff[:, :, 2]))


def colour_hole(crop: Frame, overlay: Overlay, geo: EraseArea, static: Mask | None) -> Mask:
    """The caption's pixels found by colour: the plate shape plus plate-coloured pixels
    of the area (a plate's edge the measured box missed), or fill pixels plus
    stroke-coloured pixels hugging them. Only pixels that did not change since the
    previous frame count (`static`; a caption is still, a moving scene is not), then
    dilated a little for the anti-aliased rim."""
    style = overlay.style
    keep = geo.area if static is None else geo.area & static
    if geo.plate is not None and style.plate_rgb is not None:
        hit = geo.plate | (_near(crop, style.plate_rgb, PLATE_TOLERANCE) & keep)
        grown = cv2.dilate(hit.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
        return np.asarray(grown)
    hit = _near(crop, style.fill_rgb, COLOUR_TOLERANCE) & keep
    if style.stroke_rgb is not None:
        stroke = _near(crop, style.stroke_rgb, COLOUR_TOLERANCE) & keep
        # Fill-coloured pixels count only within half a stem of the stroke: white text
        # on a pale sky (s20) turned the whole box into a hole, filled from references
        # where the head had moved (a grey block beside the new caption).
        stem = 2 * (style.stroke_px + max(2, round(STEM_SHARE * style.font_size_px))) + 1
        inside = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (stem, stem))
        hit &= cv2.dilate(stroke.astype(np.uint8), inside) > 0
        # Stroke-coloured pixels count only where they hug the fill: a dark stroke on a
        # dark scene (a suit, hair) must not turn the whole box into a hole.
        reach = 2 * (style.stroke_px + 2) + 1
        hug = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (reach, reach))
        around = cv2.dilate(hit.astype(np.uint8), hug) > 0
        hit |= stroke & around
    size = 2 * _dilation(overlay) + 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    return np.asarray(cv2.dilate(hit.astype(np.uint8), kernel) > 0)


def static_pixels(crop: Frame, previous: Frame | None) -> Mask | None:
    """Pixels that kept their colour since the previous frame (None: no previous)."""
    if previous is None or previous.shape != crop.shape:
        return None
    return np.asarray(max_channel_diff(crop, previous) <= STATIC_TOLERANCE)


def _differs(
    crop: Frame, warped: Frame, valid: Mask, band: Mask, static: Mask | None, level: int
) -> Mask:
    """Band pixels unlike the clean reference by more than `level` that stayed still:
    emoji, shadows, glows beside the text (a moving scene beside the caption is left
    alone)."""
    diff = max_channel_diff(crop, warped) > level
    diff &= band & valid
    if static is not None:
        diff &= static
    opened = cv2.morphologyEx(diff.astype(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    return opened > 0


def _blend(out: Frame, warped: Frame, use: Mask) -> None:
    """Paste `warped` into `out` where `use`, feathered over a pixel or two at the edge;
    only the bounding box of `use` is touched."""
    ys, xs = np.nonzero(use)
    if len(xs) == 0:
        return
    h, w = use.shape
    y0, y1 = max(int(ys.min()) - 4, 0), min(int(ys.max()) + 5, h)
    x0, x1 = max(int(xs.min()) - 4, 0), min(int(xs.max()) + 5, w)
    part = use[y0:y1, x0:x1]
    grown = cv2.dilate(part.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(np.float32)
    alpha = np.maximum(cv2.GaussianBlur(grown, (0, 0), 1.0), part.astype(np.float32))[:, :, None]
    mixed = out[y0:y1, x0:x1] * (1 - alpha) + warped[y0:y1, x0:x1] * alpha
    out[y0:y1, x0:x1] = np.clip(mixed + 0.5, 0, 255).astype(np.uint8)


Aligned = Callable[[Frame], Iterator[tuple[Frame, Mask, float]]]
"""Given the caption's current region crop: clean references warped onto its window
(`EraseArea.window`) with their valid pixels and blend weights, best first (computed
lazily: later ones only when needed). A positive weight blends the reference with the
others of positive weight; weight 0 marks a fallback, used only for pixels the ones
before it left."""


def erase(
    frame_bgr: Frame,
    overlay: Overlay,
    geo: EraseArea,
    aligned: Aligned,
    previous: Frame | None = None,
    fading: bool = False,
) -> Frame:
    """Erase `overlay` from `frame_bgr` in place; `previous` is the caption's window crop
    on the frame before (for the still-pixel test). Returns this frame's window crop (the
    next one's `previous`). `aligned` gets the whole region's crop and yields references
    warped onto the window. While `fading`, the caption's pixels are half-transparent and
    moving: any pixel of its area unlike the clean reference is taken for it."""
    x0, y0, x1, y1 = geo.region
    region_crop = frame_bgr[y0:y1, x0:x1].copy()
    wy0, wy1, wx0, wx1 = geo.window
    crop = region_crop[wy0:wy1, wx0:wx1]
    geo = geo.in_window()
    static = static_pixels(crop, previous)
    if not fading:
        geo = replace(geo, area=geo.still, band=geo.band & geo.still)
    hole = colour_hole(crop, overlay, geo, static)
    caption_like = _caption_coloured(crop, overlay)
    out = crop.copy()
    references = aligned(region_crop)
    pair = _blend_pair(references)
    left: Mask | None = None
    total: NDArray[np.float32] | None = None
    weights: NDArray[np.float32] | None = None
    if pair:
        band = geo.area if fading else geo.band
        # A pixel beside the text joins the hole only when it differs from every blended
        # reference: an emoji or a shadow differs from all, a scene edge that one
        # reference has out of place (it moved since) does not.
        level = DIFF_FADING if fading else DIFF_THRESHOLD
        extra = _differs(crop, pair[0][0], pair[0][1], band, None if fading else static, level)
        for warped_raw, valid, _weight in pair[1:]:
            extra &= _differs(crop, warped_raw, valid, band, None if fading else static, level)
        hole = hole | extra
        hole = cv2.dilate(hole.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
        left = hole.copy()
        total = np.zeros(crop.shape, np.float32)
        weights = np.zeros(hole.shape, np.float32)
    for tried, (warped_raw, valid, weight) in enumerate(_chain(pair, references), start=1):
        assert left is not None and total is not None and weights is not None
        warped, stale = correct_reference(warped_raw, crop, hole, hole | caption_like, valid)
        use = hole & valid & ~stale
        if weight <= 0.0:
            use &= left
        share = np.float32(weight if weight > 0.0 else 1.0)
        total[use] += warped[use].astype(np.float32) * share
        weights[use] += share
        left &= ~use
        if tried >= len(pair) and (tried >= MAX_REFERENCES_TRIED or not (left & ~stale).any()):
            break
    rest = hole if left is None else left
    if total is not None and weights is not None:
        filled = weights > 0
        if filled.any():
            mean = total / np.maximum(weights, np.float32(1e-6))[:, :, None]
            fill = np.where(filled[:, :, None], np.clip(mean + 0.5, 0, 255), out)
            _blend(out, fill.astype(np.uint8), filled)
    result = out
    if rest.any():
        result = inpaint_rest(result, rest)
    frame_bgr[y0 + wy0 : y0 + wy1, x0 + wx0 : x0 + wx1] = result
    return crop


Aligned_ = tuple[Frame, Mask, float]


def _blend_pair(references: Iterator[Aligned_]) -> list[Aligned_]:
    """The first reference, and the second too when the first is blended with it."""
    first = next(references, None)
    if first is None:
        return []
    if not 0.0 < first[2] < 1.0:
        return [first]
    second = next(references, None)
    return [first] if second is None else [first, second]


def _chain(pair: list[Aligned_], rest: Iterator[Aligned_]) -> Iterator[Aligned_]:
    yield from pair
    yield from rest


def _caption_coloured(crop: Frame, overlay: Overlay) -> Mask:
    """Pixels with one of the caption's colours: kept out of the colour-matching band."""
    style = overlay.style
    mask = _near(crop, style.fill_rgb, 60)
    for colour in (style.stroke_rgb, style.plate_rgb):
        if colour is not None:
            mask |= _near(crop, colour, 60)
    return mask
