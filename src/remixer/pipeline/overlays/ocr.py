"""RapidOCR wrapper: one engine loaded per process, text lines with frame-pixel boxes.

Settings follow MEDIA-NOTES: no angle classifier, detection capped at 736 px on the
long side (~0.22 s per 1080×1920 frame on 2 cores, exact text on TikTok-style captions).
RapidOCR keeps per-call switches (use_det/use_rec) as engine state, so every call here
passes them explicitly; one engine must not be shared by concurrent threads.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from remixer.pipeline.types import Box, Frame

OCR_PARAMS: dict[str, Any] = {
    "Global.use_cls": False,
    "Det.limit_type": "max",
    "Det.limit_side_len": 736,
    "Global.log_level": "error",
}
MIN_SCORE = 0.6


@dataclass(frozen=True)
class TextLine:
    """One line OCR read: text, axis-aligned box in frame pixels, confidence."""

    text: str
    box: Box
    score: float

    @property
    def bottom(self) -> int:
        return self.box[1] + self.box[3]


_LOADING = threading.Lock()


@lru_cache(maxsize=1)
def _engine() -> Any:
    from rapidocr import RapidOCR

    logging.getLogger("RapidOCR").setLevel(logging.ERROR)
    return RapidOCR(params=OCR_PARAMS)


def load_ocr_engine() -> Any:
    """The process-wide RapidOCR engine (loaded once, reused by every call; a call made
    while `preload_ocr_engine` is still loading waits for that load)."""
    with _LOADING:
        return _engine()


def preload_ocr_engine() -> threading.Thread:
    """Start loading the engine in a background thread (about 1 s of imports and model
    sessions) so that it overlaps the work done before the first OCR call."""
    thread = threading.Thread(target=load_ocr_engine, name="remixer-ocr-load", daemon=True)
    thread.start()
    return thread


def _axis_box(quad: Any) -> Box:
    pts = np.asarray(quad, dtype=np.float32)
    x0, y0 = np.floor(pts.min(axis=0)).astype(int)
    x1, y1 = np.ceil(pts.max(axis=0)).astype(int)
    return (int(x0), int(y0), int(x1 - x0), int(y1 - y0))


def detect_boxes(ocr: Any, frame_bgr: Frame) -> list[Box]:
    """Text detection only (no recognition): about a third of a full OCR call."""
    result = ocr(frame_bgr, use_det=True, use_cls=False, use_rec=False)
    if result is None or result.boxes is None:
        return []
    return [_axis_box(quad) for quad in result.boxes]


def read_lines(ocr: Any, frame_bgr: Frame) -> list[TextLine]:
    """OCR a frame; lines below `MIN_SCORE` or without letters are dropped."""
    result = ocr(frame_bgr, use_det=True, use_cls=False, use_rec=True)
    if result is None or result.boxes is None or result.txts is None:
        return []
    lines: list[TextLine] = []
    for quad, text, score in zip(result.boxes, result.txts, result.scores, strict=True):
        clean = " ".join(str(text).split())
        if float(score) < MIN_SCORE or not any(ch.isalnum() for ch in clean):
            continue
        lines.append(TextLine(clean, _axis_box(quad), float(score)))
    return lines
