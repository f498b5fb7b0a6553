"""Camera motion over a still photo: pan, zoom and small rotation into a 9:16 frame."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from remixer.pipeline.types import Frame


@dataclass(frozen=True)
class Motion:
    """Smooth camera motion: the crop pans by `pan_px`, zooms between the two
    factors and rotates by up to `rotate_deg`, over `period_s` seconds."""

    pan_px: float = 0.0
    zoom_from: float = 1.0
    zoom_to: float = 1.0
    rotate_deg: float = 0.0
    period_s: float = 4.0


def render_motion_frames_bgr(
    photo_rgb: Frame, width: int, height: int, fps: float, duration_s: float, motion: Motion
) -> Iterator[Frame]:
    """Yield `round(duration_s * fps)` BGR frames of the photo filling a `width`×`height` frame."""
    photo_bgr = cv2.cvtColor(photo_rgb, cv2.COLOR_RGB2BGR)
    ph, pw = photo_bgr.shape[:2]
    cover = max(width / pw, height / ph)
    count = round(duration_s * fps)
    for index in range(count):
        phase = math.sin(2 * math.pi * (index / fps) / motion.period_s)
        zoom = cover * (motion.zoom_from + (motion.zoom_to - motion.zoom_from) * (phase + 1) / 2)
        angle = motion.rotate_deg * phase
        matrix = cv2.getRotationMatrix2D((pw / 2, ph / 2), angle, zoom)
        matrix[0, 2] += width / 2 - pw / 2 + motion.pan_px * phase
        matrix[1, 2] += height / 2 - ph / 2
        yield np.ascontiguousarray(
            cv2.warpAffine(
                photo_bgr,
                matrix,
                (width, height),
                flags=cv2.INTER_LINEAR,
                borderMode=cv2.BORDER_REFLECT,
            )
        )
