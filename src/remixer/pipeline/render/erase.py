"""Erase a caption's old text: Telea inpainting on the text pixel mask (fill and stroke
colour, dilated a little), or, on a plate, repainting the text pixels as plate.

The mask is computed on each frame from the measured colours inside the caption box, so
it follows the exact glyph pixels (a whole-box mask smears badly, MEDIA-NOTES)."""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from remixer.pipeline.overlays.model import Overlay
from remixer.pipeline.types import Box, Frame

COLOUR_TOLERANCE = 110
INPAINT_RADIUS = 3
HALF_SIZE_FROM_PX = 40


def _clip(box: Box, pad: int, frame: Frame) -> tuple[int, int, int, int]:
    x, y, w, h = box
    return (
        max(x - pad, 0),
        max(y - pad, 0),
        min(x + w + pad, frame.shape[1]),
        min(y + h + pad, frame.shape[0]),
    )


def _near(region: Frame, rgb: tuple[int, int, int], tolerance: int) -> NDArray[np.bool_]:
    bgr = np.array(rgb[::-1], dtype=np.int16)
    return np.asarray(np.abs(region.astype(np.int16) - bgr).sum(axis=2) < tolerance, dtype=bool)


def _dilation(overlay: Overlay) -> int:
    return max(overlay.style.font_size_px // 14, 2)


def text_mask(region: Frame, overlay: Overlay, inner: tuple[int, int, int, int]) -> Frame:
    """uint8 mask (255 = text) of the caption's fill and stroke pixels within `inner`."""
    style = overlay.style
    hit = _near(region, style.fill_rgb, COLOUR_TOLERANCE)
    if style.stroke_rgb is not None:
        # Stroke-coloured pixels count only where they hug the fill: a dark stroke on a
        # dark scene (a suit, hair) must not turn the whole box into a hole to inpaint.
        reach = 2 * (style.stroke_px + 2) + 1
        hug = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (reach, reach))
        around = cv2.dilate(hit.astype(np.uint8), hug) > 0
        hit |= _near(region, style.stroke_rgb, COLOUR_TOLERANCE) & around
    keep = np.zeros_like(hit)
    x0, y0, x1, y1 = inner
    keep[y0:y1, x0:x1] = True
    mask = (hit & keep).astype(np.uint8) * 255
    size = 2 * _dilation(overlay) + 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    return np.asarray(cv2.dilate(mask, kernel), dtype=np.uint8)


def erase_text(frame_bgr: Frame, overlay: Overlay) -> None:
    """Inpaint the caption's text pixels in place."""
    margin = _dilation(overlay) + INPAINT_RADIUS + 4
    grow = overlay.style.stroke_px + 2
    x0, y0, x1, y1 = _clip(overlay.box, margin + grow, frame_bgr)
    region = np.ascontiguousarray(frame_bgr[y0:y1, x0:x1])
    bx0, by0, bx1, by1 = _clip(overlay.box, grow, frame_bgr)
    mask = text_mask(region, overlay, (bx0 - x0, by0 - y0, bx1 - x0, by1 - y0))
    filled = _inpaint(region, mask, overlay.style.font_size_px)
    hole = mask > 0
    frame_bgr[y0:y1, x0:x1][hole] = filled[hole]


def _inpaint(region: Frame, mask: Frame, font_size: int) -> Frame:
    """Telea inpaint; large captions are filled at half size (4× fewer pixels to solve),
    which the smooth fill hardly shows and the new text mostly covers."""
    if font_size < HALF_SIZE_FROM_PX:
        return np.asarray(cv2.inpaint(region, mask, INPAINT_RADIUS, cv2.INPAINT_TELEA))
    h, w = region.shape[:2]
    small = cv2.resize(region, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
    small_mask = cv2.resize(mask, (w // 2, h // 2), interpolation=cv2.INTER_NEAREST)
    filled = cv2.inpaint(small, small_mask, INPAINT_RADIUS, cv2.INPAINT_TELEA)
    return np.asarray(cv2.resize(filled, (w, h), interpolation=cv2.INTER_LINEAR))


def erase_on_plate(frame_bgr: Frame, overlay: Overlay) -> None:
    """Repaint everything on the plate that is not plate colour (the text) as plate."""
    style = overlay.style
    assert style.plate_rgb is not None and style.plate_box is not None
    x0, y0, x1, y1 = _clip(overlay.box, _dilation(overlay) + 1, frame_bgr)
    region = frame_bgr[y0:y1, x0:x1]
    text = ~_near(region, style.plate_rgb, 40)
    size = 2 * _dilation(overlay) + 1
    grown = cv2.dilate(text.astype(np.uint8), np.ones((size, size), np.uint8)) > 0
    region[grown] = np.array(style.plate_rgb[::-1], dtype=np.uint8)
