"""Burned-in text overlays: OCR over sampled frames, caption blocks tracked over time with
frame-exact spans, and their measured style.

Public API: `load_ocr_engine()` (load once, reuse), `extract_overlays(path, info, ocr,
hooks) -> list[Overlay]`, and the JSON-safe value types `Overlay` / `OverlayStyle`.
"""

from remixer.pipeline.overlays.extract import extract_overlays
from remixer.pipeline.overlays.model import Overlay, OverlayStyle
from remixer.pipeline.overlays.ocr import load_ocr_engine

__all__ = ["Overlay", "OverlayStyle", "extract_overlays", "load_ocr_engine"]
