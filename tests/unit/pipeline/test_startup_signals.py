"""Start-up signals: the OCR engine preload, and the once-per-process first-frame log line
the end-to-end benchmark times the cold start by."""

from __future__ import annotations

import logging
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from remixer.pipeline.overlays.ocr import load_ocr_engine, preload_ocr_engine
from remixer.pipeline.video import iter_frames_bgr, probe_video, reader
from remixer.pipeline.video.writer import VideoWriter


def test_the_preloaded_engine_is_the_one_every_load_returns() -> None:
    thread = preload_ocr_engine()
    engine = load_ocr_engine()  # waits for the preload instead of loading a second engine
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert load_ocr_engine() is engine


def test_the_first_decoded_frame_is_logged_once_per_process(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clip = tmp_path / "tiny.mp4"
    with VideoWriter(clip, 64, 64, Fraction(10)) as writer:
        for value in range(5):
            writer.write(np.full((64, 64, 3), value * 40, dtype=np.uint8))
    reader._first_frame.clear()
    with caplog.at_level(logging.INFO, logger="remixer.pipeline.video.reader"):
        probe_video(clip)
        assert sum(1 for _ in iter_frames_bgr(clip)) == 5
    lines = [r.getMessage() for r in caplog.records if "first frame decoded at" in r.getMessage()]
    assert len(lines) == 1
    assert float(lines[0].rsplit(" ", 1)[1]) > 1.7e9
