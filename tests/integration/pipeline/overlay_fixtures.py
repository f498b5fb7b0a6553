"""Shared media for the overlay tests: small synthetic caption clips, generated once per
test process (they take a few seconds), and the OCR engine."""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from benchmarks.text_metrics import cer as text_cer

from remixer.pipeline.overlays import Overlay, extract_overlays, load_ocr_engine
from remixer.pipeline.overlays.ocr import read_lines
from remixer.pipeline.synth.clips import ClipSpec, ClipTruth, caption_suite, make_clip
from remixer.pipeline.types import StageHooks
from remixer.pipeline.video import probe_video


@cache
def clip_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="remixer-overlay-tests-"))


@cache
def suite() -> list[tuple[ClipSpec, ClipTruth]]:
    """The caption suite at 540×960, 30 fps, 2.4 s."""
    specs = caption_suite(540, 960, 30, 2.4)
    return [(spec, make_clip(spec, clip_dir() / f"suite{n}.mp4")) for n, spec in enumerate(specs)]


@cache
def extracted(index: int) -> list[Overlay]:
    truth = suite()[index][1]
    return extract_overlays(truth.path, probe_video(truth.path), load_ocr_engine(), StageHooks())


def cer(truth: str, read: str) -> float:
    """Character error rate, whitespace ignored (emoji and letter case count)."""
    return text_cer(truth, read, ignore_emoji=False, ignore_case=False)


def ocr_text(frame_bgr: Any) -> str:
    return " ".join(line.text for line in read_lines(load_ocr_engine(), frame_bgr))
