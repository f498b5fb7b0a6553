"""Seamless fill: a correction that matches the scene at the hole's rim exactly and fades
smoothly inside (a push-pull pyramid, close to the membrane of gradient-domain blending
at a fraction of its cost)."""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from remixer.pipeline.types import Frame

Field = NDArray[np.float32]
Mask = NDArray[np.bool_]


def push_pull(values: Field, weight: Field) -> Field:
    """`values` (h×w×c) where `weight` (h×w, 0..1) is set, filled in elsewhere from the
    known values around, finer where they are near and coarser where they are far: each
    level is shrunk by half (weighted averages) until few pixels are unknown, then each
    finer level keeps its own values in proportion to their weight and takes the
    coarser level's for the rest."""
    h, w = weight.shape
    known = weight > 0
    mean = values / np.maximum(weight, np.float32(1e-6))[:, :, None]
    if bool(known.all()) or min(h, w) < 4 or not known.any():
        if not known.any():
            return np.zeros_like(values)
        if not known.all():
            average = values.reshape(-1, values.shape[2]).sum(0) / float(weight.sum())
            mean[~known] = average
        return np.asarray(mean, dtype=np.float32)
    size = (max(w // 2, 1), max(h // 2, 1))
    small_values = cv2.resize(values, size, interpolation=cv2.INTER_AREA)
    small_weight = cv2.resize(weight, size, interpolation=cv2.INTER_AREA)
    if small_values.ndim == 2:
        small_values = small_values[:, :, None]
    # Four finer pixels make one coarser: its weight is their sum, capped at 1.
    scale = np.minimum(4.0 * small_weight, 1.0) / np.maximum(small_weight, 1e-6)
    coarse = push_pull(
        np.asarray(small_values * scale[:, :, None], dtype=np.float32),
        np.asarray(np.minimum(4.0 * small_weight, 1.0), dtype=np.float32),
    )
    up = cv2.resize(coarse, (w, h), interpolation=cv2.INTER_LINEAR)
    if up.ndim == 2:
        up = up[:, :, None]
    share = np.minimum(weight, 1.0)[:, :, None]
    return np.asarray(mean * share + up * (1 - share), dtype=np.float32)


def rim_offset(current: Frame, fill: Frame, hole: Mask, usable: Mask, width: int) -> Field:
    """The offset (current − fill) measured on the `width`-pixel rim just outside `hole`
    (where `usable`), spread over the hole by `push_pull`."""
    size = 2 * width + 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    rim = (cv2.dilate(hole.astype(np.uint8), kernel) > 0) & ~hole & usable
    weight = rim.astype(np.float32)
    diff = current.astype(np.float32) - fill.astype(np.float32)
    return push_pull(np.asarray(diff * weight[:, :, None], dtype=np.float32), weight)
