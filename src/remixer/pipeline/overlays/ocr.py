"""RapidOCR wrapper: one engine loaded per process, text lines with frame-pixel boxes.

Settings follow MEDIA-NOTES: no angle classifier, detection capped at 736 px on the
long side (~0.22 s per 1080×1920 frame on 2 cores, exact text on TikTok-style captions).
RapidOCR keeps per-call switches (use_det/use_rec) as engine state, so every call here
passes them explicitly; one engine must not be shared by concurrent threads.

onnxruntime runs each model on one thread (`OCR_THREADS`): OCR always runs beside the face
lane, so the cores are already busy, and onnxruntime's default pool (one thread a core,
spinning between the many small runs of a caption read) spent about twice the CPU for the
same OCR on 2 cores (docs/performance.md, round of 2026-12-07).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np

from remixer.pipeline.types import Box, Frame

OCR_THREADS = 1
OCR_PARAMS: dict[str, Any] = {
    "EngineConfig.onnxruntime.intra_op_num_threads": OCR_THREADS,
    "EngineConfig.onnxruntime.inter_op_num_threads": OCR_THREADS,
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


def load_ocr_engine() -> Any:
    """A RapidOCR engine, warmed up: one detection and recognition run on a small drawn
    line, so the first real call (on the analysis critical path) does not pay
    onnxruntime's first-run set-up (≈ 0.3 s); the load itself runs in the preload thread.
    The model store (`pipeline.models`) keeps one per process."""
    import cv2
    from rapidocr import RapidOCR

    logging.getLogger("RapidOCR").setLevel(logging.ERROR)
    engine = RapidOCR(params=OCR_PARAMS)
    line = np.zeros((96, 320, 3), np.uint8)
    cv2.putText(line, "warm up", (16, 64), cv2.FONT_HERSHEY_DUPLEX, 1.6, (255, 255, 255), 3)
    read_lines(engine, line)
    return engine


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
