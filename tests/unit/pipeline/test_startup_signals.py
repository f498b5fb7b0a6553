"""Start-up signals: model preloads through the model store, and the once-per-process
first-frame log line the end-to-end benchmark times the cold start by."""

from __future__ import annotations

import logging
import threading
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from remixer.pipeline.models import ModelStore, preload
from remixer.pipeline.video import iter_frames_bgr, probe_video, reader
from remixer.pipeline.video.writer import VideoWriter
from remixer.workflows.runtime import ModelCache


def test_a_preloaded_model_loads_once_and_other_models_load_beside_it() -> None:
    models = ModelCache()
    calls: list[str] = []
    slow_started = threading.Event()

    def slow() -> object:
        calls.append("slow")
        slow_started.set()
        time.sleep(0.3)
        return object()

    def slow_model(store: ModelStore) -> object:
        return store.get("slow", slow)

    (thread,) = preload(models, slow_model)
    assert slow_started.wait(5)
    began = time.perf_counter()
    quick = models.get("quick", lambda: "ready")  # another name does not wait for "slow"
    assert quick == "ready"
    assert time.perf_counter() - began < 0.2
    engine = slow_model(models)  # waits for the preload instead of loading a second one
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert slow_model(models) is engine
    assert calls == ["slow"]


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
