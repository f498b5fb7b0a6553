"""The OCR engine runs each onnxruntime model on `OCR_THREADS` threads (it shares the
cores with the face lane), and still reads a line."""

from __future__ import annotations

import cv2
import numpy as np

from remixer.pipeline.overlays.ocr import OCR_THREADS, load_ocr_engine, read_lines


def test_each_model_runs_on_the_set_thread_count() -> None:
    engine = load_ocr_engine()
    for part in (engine.text_det, engine.text_rec):
        options = part.session.session.get_session_options()
        assert options.intra_op_num_threads == OCR_THREADS
    line = np.zeros((96, 480, 3), np.uint8)
    cv2.putText(line, "morning", (16, 64), cv2.FONT_HERSHEY_DUPLEX, 1.8, (255, 255, 255), 3)
    assert [found.text.lower() for found in read_lines(engine, line)] == ["morning"]
