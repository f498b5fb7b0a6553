"""The per-frame pixel test that pins a caption's exact first and last frame.

A caption is static while the scene under it moves, so its fill pixels (and the stroke
or plate pixels around them) keep the colours they had on the reference frame exactly
as long as it is shown. Testing both sets makes the test hold on backgrounds that
happen to match one of the two colours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from remixer.pipeline.overlays.style import BlockLook, Mask
from remixer.pipeline.types import Box, Frame

_MAX_PIXELS = 1500
_TOLERANCE = 45
_VISIBLE = 0.6
SLIDE_SEARCH = 0.7
"""A fading caption may also slide: it is looked for this many crop heights up or down."""


def _sample(mask: Mask, crop: Frame) -> tuple[NDArray[np.intp], NDArray[np.int16]]:
    flat = np.flatnonzero(mask)
    if len(flat) > _MAX_PIXELS:
        flat = flat[:: len(flat) // _MAX_PIXELS + 1]
    return flat, crop.reshape(-1, 3)[flat].astype(np.int16)


def _match(crop: Frame, index: NDArray[np.intp], ref: NDArray[np.int16]) -> float:
    if len(index) == 0:
        return 1.0
    values = crop.reshape(-1, 3)[index].astype(np.int16)
    return float(np.mean(np.abs(values - ref).max(axis=1) < _TOLERANCE))


@dataclass(frozen=True)
class PixelProbe:
    """Tells whether a caption measured on a reference frame is shown on another frame."""

    crop_box: Box
    fill_index: NDArray[np.intp]
    fill_ref: NDArray[np.int16]
    support_index: NDArray[np.intp]
    support_ref: NDArray[np.int16]

    @classmethod
    def from_look(cls, look: BlockLook, frame_bgr: Frame) -> PixelProbe:
        crop = _crop(frame_bgr, look.crop_box)
        fill_index, fill_ref = _sample(look.fill_mask, crop)
        support_index, support_ref = _sample(look.support_mask, crop)
        return cls(look.crop_box, fill_index, fill_ref, support_index, support_ref)

    def distance(self, frame_bgr: Frame, dy: int = 0) -> float:
        """Mean largest channel difference of the probed pixels from the reference, with
        the caption looked for `dy` pixels lower."""
        x, y, w, h = self.crop_box
        if y + dy < 0 or y + dy + h > frame_bgr.shape[0]:
            return float("inf")
        crop = _crop(frame_bgr, (x, y + dy, w, h))
        parts = []
        for index, ref in (
            (self.fill_index, self.fill_ref),
            (self.support_index, self.support_ref),
        ):
            if len(index):
                values = crop.reshape(-1, 3)[index].astype(np.int16)
                parts.append(float(np.abs(values - ref).max(axis=1).mean()))
        return float(np.mean(parts)) if parts else 0.0

    def visible(self, frame_bgr: Frame) -> bool:
        crop = _crop(frame_bgr, self.crop_box)
        if _match(crop, self.fill_index, self.fill_ref) < _VISIBLE:
            return False
        return _match(crop, self.support_index, self.support_ref) >= _VISIBLE


def _crop(frame: Frame, box: Box) -> Frame:
    x, y, w, h = box
    return np.ascontiguousarray(frame[y : y + h, x : x + w])


def fade_length(probe: PixelProbe, frames: list[Frame]) -> int:
    """How many of `frames` (nearest to the span first) show the caption fading: their
    pixels are clearly closer to the caption's than the farthest frames' are, and grow
    steadily closer towards the span. 0 for a caption that appears at once."""
    reach = max(int(SLIDE_SEARCH * probe.crop_box[3]), 2)
    shifts = range(-reach, reach + 1, 2)
    distances = [min(probe.distance(frame, dy) for dy in shifts) for frame in frames]
    if len(distances) < 3:
        return 0
    far = max(distances)
    if far <= 0 or distances[0] > 0.5 * far:
        return 0
    count = 0
    for k, d in enumerate(distances):
        nxt = distances[k + 1] if k + 1 < len(distances) else far
        if d < 0.8 * far and d <= nxt + 0.05 * far:
            count += 1
        else:
            break
    return count if count >= 2 else 0
