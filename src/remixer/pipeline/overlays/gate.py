"""OCR only where the picture changed: the change gate between two OCR samples.

SubtitleEdit-style grouping for captions at any place: each sample is compared, on a
downscaled grey copy, with the previous sample. Where nothing changed no new caption can
have appeared, so the sample needs no text detection at all (the tracked captions are
still checked pixel by pixel); where only part of the frame changed (a face talking in
front of a still background) text detection runs on that region alone, at the scale a
full-frame detection would use, so its boxes match. Every `FULL_EVERY` samples a full
detection runs anyway, so slow drift below the threshold cannot hide a caption for long.

A moving camera changes every pixel, yet it brings no caption: captions are drawn on the
frame, not in the scene. So the camera's motion between the two samples (a similarity
transform from corners tracked on the grey copies) is also compensated, and a tile counts
as changed only where it changed both as it stands and after the previous sample is moved
with the camera. A caption that appeared changes both; the scene panning under it changes
only the first; a caption that stayed where it was changes neither.
"""

from __future__ import annotations

import cv2
import numpy as np

from remixer.pipeline.overlays.ocr import OCR_PARAMS, detect_boxes
from remixer.pipeline.types import Box, Frame

SMALL_SIDE = 192
"""Long side of the grey copy the samples are compared on."""
CHANGE_LEVEL = 10
"""Grey levels (0..255, after area averaging) a small pixel must move to count as changed."""
TILE = 8
"""Small pixels per side of a tile; a tile counts as changed when `TILE_SHARE` of it did
(scattered noise pixels change no tile, a caption's strokes change every tile it covers)."""
TILE_SHARE = 0.1
MARGIN_PX = 24
"""Frame pixels added around the changed region (a caption's edge blurs into it)."""
FULL_AREA = 0.6
"""A changed region larger than this fraction of the frame is detected whole."""
FULL_EVERY = 6
"""Samples between two forced full-frame detections (2 s at 3 samples a second)."""
MIN_TRACKED = 12
"""Corners that must follow one similarity transform before the camera counts as moving."""
STILL_PX = 0.25
"""Camera motion below this (small pixels, at the frame's corners) is no motion."""


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _union(a: Box, b: Box) -> Box:
    x0, y0 = min(a[0], b[0]), min(a[1], b[1])
    x1, y1 = max(a[0] + a[2], b[0] + b[2]), max(a[1] + a[3], b[1] + b[3])
    return (x0, y0, x1 - x0, y1 - y0)


def _changed_tiles(small: np.ndarray, previous: np.ndarray) -> np.ndarray:
    """TILE×TILE tiles (edge tiles padded) where enough small pixels changed."""
    changed = (cv2.absdiff(small, previous) > CHANGE_LEVEL).astype(np.float32)
    rows, cols = -(-changed.shape[0] // TILE), -(-changed.shape[1] // TILE)
    padded = np.zeros((rows * TILE, cols * TILE), dtype=np.float32)
    padded[: changed.shape[0], : changed.shape[1]] = changed
    share = padded.reshape(rows, TILE, cols, TILE).mean(axis=(1, 3))
    return np.asarray(share >= TILE_SHARE)


def camera_motion(previous: np.ndarray, current: np.ndarray) -> np.ndarray | None:
    """The 2×3 similarity transform taking `previous` onto `current` (grey copies), or None
    when the camera did not move or its motion cannot be told from the scene's."""
    corners = cv2.goodFeaturesToTrack(previous, maxCorners=200, qualityLevel=0.01, minDistance=4)
    if corners is None or len(corners) < MIN_TRACKED:
        return None
    moved, status, _ = cv2.calcOpticalFlowPyrLK(previous, current, corners, np.empty(0))
    ok = status.ravel() == 1
    if int(ok.sum()) < MIN_TRACKED:
        return None
    matrix, inliers = cv2.estimateAffinePartial2D(
        corners[ok], moved[ok], method=cv2.RANSAC, ransacReprojThreshold=1.0
    )
    if matrix is None or inliers is None or int(inliers.sum()) < max(MIN_TRACKED, ok.sum() // 2):
        return None
    height, width = previous.shape[:2]
    frame_corners = np.array([[0, 0], [width, 0], [0, height], [width, height]], np.float32)
    shift = frame_corners @ matrix[:, :2].T + matrix[:, 2] - frame_corners
    return None if float(np.abs(shift).max()) < STILL_PX else np.asarray(matrix)


def _scene_changed_tiles(small: np.ndarray, previous: np.ndarray) -> np.ndarray:
    """Tiles changed as they stand and after moving `previous` with the camera. After the
    move a small pixel counts as changed only outside the range of its 3×3 neighbourhood
    in the moved copy, so a registration error below a pixel changes nothing, and a lone
    changed tile (a registration error at a strong edge; a caption line spans several
    tiles) is dropped. A caption too small to span two tiles is still found by the next
    full detection."""
    tiles = _changed_tiles(small, previous)
    matrix = camera_motion(previous, small) if tiles.any() else None
    if matrix is None:
        return tiles
    size = (small.shape[1], small.shape[0])
    moved = cv2.warpAffine(previous, matrix, size, flags=cv2.INTER_LINEAR)
    seen = cv2.warpAffine(np.full_like(previous, 255), matrix, size, flags=cv2.INTER_NEAREST)
    kernel = np.ones((3, 3), np.uint8)
    high = np.where(seen == 255, cv2.dilate(moved, kernel), 255)
    low = np.where(seen == 255, cv2.erode(moved, kernel), 0)
    outside = np.maximum(cv2.subtract(small, high), cv2.subtract(low, small))
    changed = (tiles & _changed_tiles(outside, np.zeros_like(outside))).astype(np.uint8)
    ring = np.ones((3, 3), np.float32)
    neighbours = cv2.filter2D(changed, -1, ring, borderType=cv2.BORDER_CONSTANT)
    return np.asarray((changed > 0) & (neighbours > 1))


class ChangeGate:
    """Compares each OCR sample with the previous one; says where detection must look."""

    def __init__(self) -> None:
        self._previous: np.ndarray | None = None
        self._since_full = 0

    def region(self, frame_bgr: Frame, captions: list[Box]) -> Box | None:
        """`None`: nothing changed since the previous sample; else the region to detect
        text in (the changed part grown to cover every caption box it touches, or the
        whole frame)."""
        height, width = frame_bgr.shape[:2]
        scale = SMALL_SIDE / max(height, width)
        size = (max(round(width * scale), 1), max(round(height * scale), 1))
        grey = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2GRAY)
        small = cv2.resize(grey, size, interpolation=cv2.INTER_AREA)
        previous, self._previous = self._previous, small
        self._since_full += 1
        if previous is None or self._since_full >= FULL_EVERY:
            self._since_full = 0
            return (0, 0, width, height)
        tiles = _scene_changed_tiles(small, previous)
        if not tiles.any():
            return None
        ys, xs = np.nonzero(tiles)
        step = TILE / scale
        x0 = max(int(xs.min() * step) - MARGIN_PX, 0)
        y0 = max(int(ys.min() * step) - MARGIN_PX, 0)
        x1 = min(int((xs.max() + 1) * step) + MARGIN_PX, width)
        y1 = min(int((ys.max() + 1) * step) + MARGIN_PX, height)
        box: Box = (x0, y0, x1 - x0, y1 - y0)
        for caption in captions:
            if _overlaps(box, caption):
                box = _union(box, caption)
        if box[2] * box[3] > FULL_AREA * width * height:
            self._since_full = 0
            return (0, 0, width, height)
        return box


def is_whole(region: Box, frame_bgr: Frame) -> bool:
    return region == (0, 0, frame_bgr.shape[1], frame_bgr.shape[0])


def detect_in(ocr: object, frame_bgr: Frame, region: Box) -> list[Box]:
    """Text boxes inside `region`, in frame pixels, detected at the full-frame scale."""
    if is_whole(region, frame_bgr):
        return detect_boxes(ocr, frame_bgr)
    x, y, w, h = region
    crop: Frame = np.ascontiguousarray(frame_bgr[y : y + h, x : x + w])
    limit = int(OCR_PARAMS["Det.limit_side_len"])
    ratio = min(limit / max(frame_bgr.shape[:2]), 1.0)
    if ratio < 1.0:
        size = (max(round(w * ratio), 1), max(round(h * ratio), 1))
        crop = np.asarray(cv2.resize(crop, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    boxes = detect_boxes(ocr, crop)
    return [
        (
            x + int(bx / ratio),
            y + int(by / ratio),
            round(bw / ratio),
            round(bh / ratio),
        )
        for bx, by, bw, bh in boxes
    ]
