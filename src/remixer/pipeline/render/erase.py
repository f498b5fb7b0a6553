"""Erase a caption: which pixels are the caption on a frame, and filling them.

Geometry (`EraseArea`, once per caption): the work region (caption plus a margin of scene
for aligning), the caption's *area* (its box grown by the stroke, or its whole plate
grown for a shadow; flow inside it is not trusted) and the *band* along its lines,
widened by about a glyph each side, where emoji and shadows sit beside the OCR box.

The hole on a frame: a plate is removed as a whole shape (rounded rectangle grown by
its anti-aliased rim); stroke/fill text by its colour mask (fill colour, plus stroke
colour hugging it). When an aligned clean reference exists, every pixel of the band that
differs clearly from it is added (emoji, shadows, glows), then the hole is filled from
the reference (`render.temporal`). Without one: Telea inpainting (`inpaint_rest`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from remixer.pipeline.overlays.model import Overlay
from remixer.pipeline.render.temporal import Mask, Region, inpaint_rest, match_colour
from remixer.pipeline.types import Frame

COLOUR_TOLERANCE = 110
DIFF_THRESHOLD = 40
"""Max channel difference from the aligned clean reference that marks a caption pixel."""
EMOJI_REACH = 1.4
MARGIN_SHARE = 1.0
"""Scene context kept around the caption area for alignment, in caption-area heights."""
"""The band reaches this many font sizes beyond the OCR box on each side."""


@dataclass(frozen=True)
class EraseArea:
    region: Region
    area: Mask
    band: Mask
    plate: Mask | None


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
    band |= area
    area |= band
    plate = None
    if style.plate_box is not None:
        plate = _rounded(shape, style.plate_box, style.plate_radius_px, (x0, y0), 2)
    return EraseArea(region, area, band, plate)


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
    return np.asarray(np.abs(region.astype(np.int16) - bgr).sum(axis=2) < tolerance, dtype=bool)


def colour_hole(crop: Frame, overlay: Overlay, geo: EraseArea) -> Mask:
    """The caption's pixels found by colour alone: the plate shape, or fill pixels plus
    stroke-coloured pixels hugging them, within the caption area, dilated a little."""
    if geo.plate is not None:
        return geo.plate
    style = overlay.style
    hit = _near(crop, style.fill_rgb, COLOUR_TOLERANCE) & geo.area
    if style.stroke_rgb is not None:
        # Stroke-coloured pixels count only where they hug the fill: a dark stroke on a
        # dark scene (a suit, hair) must not turn the whole box into a hole.
        reach = 2 * (style.stroke_px + 2) + 1
        hug = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (reach, reach))
        around = cv2.dilate(hit.astype(np.uint8), hug) > 0
        hit |= _near(crop, style.stroke_rgb, COLOUR_TOLERANCE) & around & geo.area
    size = 2 * _dilation(overlay) + 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    return np.asarray(cv2.dilate(hit.astype(np.uint8), kernel) > 0)


def _differs(crop: Frame, warped: Frame, valid: Mask, band: Mask) -> Mask:
    diff = np.abs(crop.astype(np.int16) - warped.astype(np.int16)).max(axis=2) > DIFF_THRESHOLD
    diff &= band & valid
    opened = cv2.morphologyEx(diff.astype(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    return opened > 0


def _feather(hole: Mask) -> NDArray[np.float32]:
    grown = cv2.dilate(hole.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(np.float32)
    alpha = cv2.GaussianBlur(grown, (0, 0), 1.0)
    return np.asarray(np.maximum(alpha, hole.astype(np.float32)))[:, :, None]


Aligned = Callable[[Frame], Iterator[tuple[Frame, Mask]]]
"""Given the caption's current crop: clean references warped onto it with their valid
pixels, best first (computed lazily: later ones only when holes are left)."""


def erase(frame_bgr: Frame, overlay: Overlay, geo: EraseArea, aligned: Aligned) -> None:
    """Erase `overlay` from `frame_bgr` in place."""
    x0, y0, x1, y1 = geo.region
    crop = np.ascontiguousarray(frame_bgr[y0:y1, x0:x1])
    hole = colour_hole(crop, overlay, geo)
    out = crop.astype(np.float32)
    left: Mask | None = None
    for number, (warped_raw, valid) in enumerate(aligned(crop)):
        if number == 0:
            hole = hole | _differs(crop, warped_raw, valid, geo.band)
            hole = cv2.dilate(hole.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
            left = hole.copy()
        assert left is not None
        warped = match_colour(warped_raw, crop, hole, valid)
        use = left & valid
        alpha = _feather(use)
        out = out * (1 - alpha) + warped.astype(np.float32) * alpha
        left &= ~valid
        if not left.any():
            break
    rest = hole if left is None else left
    result = np.clip(out + 0.5, 0, 255).astype(np.uint8)
    if rest.any():
        result = inpaint_rest(result, rest)
    frame_bgr[y0:y1, x0:x1] = result
