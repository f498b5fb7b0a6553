"""Alpha compositing of rendered text sprites onto video frames."""

from __future__ import annotations

import numpy as np

from remixer.pipeline.types import Frame


def composite_rgba(frame_bgr: Frame, rgba: Frame, x: int, y: int) -> None:
    """Alpha-blend an RGBA sprite onto a BGR frame in place, clipped to the frame."""
    fh, fw = frame_bgr.shape[:2]
    h, w = rgba.shape[:2]
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, fw), min(y + h, fh)
    if x0 >= x1 or y0 >= y1:
        return
    patch = rgba[y0 - y : y1 - y, x0 - x : x1 - x]
    alpha = patch[:, :, 3:4].astype(np.float32) / 255.0
    region = frame_bgr[y0:y1, x0:x1].astype(np.float32)
    colour = patch[:, :, 2::-1].astype(np.float32)
    frame_bgr[y0:y1, x0:x1] = (region * (1.0 - alpha) + colour * alpha + 0.5).astype(np.uint8)
