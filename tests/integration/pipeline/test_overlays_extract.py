"""Overlay extraction on real synthetic clips: text, frame-exact spans, style, scene text."""

from __future__ import annotations

import json
import math
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from overlay_fixtures import cer, extracted, suite

from remixer.pipeline.errors import PipelineCanceled, PipelineError
from remixer.pipeline.models import ocr_engine
from remixer.pipeline.overlays import Overlay, extract_overlays, load_ocr_engine
from remixer.pipeline.overlays.extract import sample_step
from remixer.pipeline.synth.captions import CaptionSpec
from remixer.pipeline.synth.clips import ClipSpec, make_clip
from remixer.pipeline.types import StageHooks
from remixer.pipeline.video import probe_video
from remixer.workflows.runtime import ModelCache


def _pairs() -> list[tuple[dict[str, object], Overlay]]:
    pairs = []
    for index, (_spec, truth) in enumerate(suite()):
        found = extracted(index)
        assert len(found) == len(truth.captions), [o.text for o in found]
        pairs.extend(zip(truth.captions, found, strict=True))
    return pairs


def _rgb_close(a: object, b: object, tolerance: int = 45) -> bool:
    assert isinstance(a, list | tuple) and isinstance(b, list | tuple)
    return all(abs(int(x) - int(y)) <= tolerance for x, y in zip(a, b, strict=True))


def test_text_matches_truth_within_two_percent() -> None:
    errors = [cer(str(t["text"]).replace(" 🔥", ""), o.text) for t, o in _pairs()]
    assert sum(errors) / len(errors) <= 0.02
    assert max(errors) <= 0.05


def test_lines_follow_the_caption_layout() -> None:
    for truth, found in _pairs():
        assert len(found.lines) == len(truth["lines"])  # type: ignore[arg-type]


def test_spans_are_frame_exact() -> None:
    for truth, found in _pairs():
        assert abs(found.start_frame - int(truth["start_frame"])) <= 1  # type: ignore[call-overload]
        assert abs(found.end_frame - int(truth["end_frame"])) <= 1  # type: ignore[call-overload]
        assert found.start_s == pytest.approx(found.start_frame / 30, abs=1e-3)


def test_style_colours_plate_and_box_are_measured() -> None:
    for truth, found in _pairs():
        style = truth["style"]
        assert isinstance(style, dict)
        assert _rgb_close(style["fill_rgb"], found.style.fill_rgb)
        if style["plate_rgb"]:
            assert found.style.plate_rgb is not None
            assert _rgb_close(style["plate_rgb"], found.style.plate_rgb)
            assert found.style.plate_box is not None
        else:
            assert found.style.plate_rgb is None
            assert found.style.stroke_rgb is not None
            assert _rgb_close(style["stroke_rgb"], found.style.stroke_rgb, 60)
        tx, ty, _tw, th = truth["box"]  # type: ignore[misc]
        fx, fy, _fw, fh = found.box
        assert abs(fy - ty) <= 6 and abs(fh - th) <= 10
        assert abs(fx - tx) <= 8 or "🔥" in str(truth["text"])
        assert abs(found.style.font_size_px - int(style["font_size_px"])) <= 5
        assert found.style.align == style["align"]


CLOSING = "Follow for part two"


@pytest.mark.parametrize(
    ("duration_s", "last_from_s"),
    [(1 / 30, None), (0.3, None), (2.0, 1.65)],
    ids=["one-frame", "0.3s", "last-0.35s"],
)
def test_short_clips_and_a_caption_near_the_end_are_read(
    tmp_path: Path, duration_s: float, last_from_s: float | None
) -> None:
    # OCR samples every 10th frame and a caption must be seen twice: these were seen once
    # (the 0.3 s clip, the closing caption) or could not be (one frame) and were left as
    # they were in the output.
    captions = [CaptionSpec("Wait for the end", 0.0, last_from_s or duration_s, y_frac=0.2)]
    if last_from_s is not None:
        captions.append(CaptionSpec(CLOSING, last_from_s, duration_s, y_frac=0.8))
    spec = ClipSpec("astronaut", duration_s=duration_s, captions=tuple(captions))
    truth = make_clip(spec, tmp_path / "clip.mp4")
    found = extract_overlays(truth.path, probe_video(truth.path), load_ocr_engine(), StageHooks())
    assert [o.text for o in found] == [c.text for c in captions]
    last = found[-1]
    assert last.end_frame == truth.frame_count - 1
    assert abs(last.start_frame - round((last_from_s or 0.0) * 30)) <= 1


@pytest.mark.parametrize(
    ("end_s", "family", "weight"), [(2.05, "montserrat", "extrabold"), (2.15, "poppins", "bold")]
)
def test_a_caption_fading_out_with_the_clip_is_read(
    tmp_path: Path, end_s: float, family: str, weight: str
) -> None:
    # The clip's last frame is read too (above); a caption fading out over it was read
    # there, its pixels no longer matched, and it was dropped as moving scene text (the
    # overlays-real fade caption went unfound, its old text left in the output). Shown
    # until just past the clip's end, it is part-faded on the last frame.
    caption = CaptionSpec(
        "Wait for the end", 0.5, end_s, y_frac=0.5, reveal="fade", family=family, weight=weight
    )
    spec = ClipSpec("astronaut", duration_s=2.0, captions=(caption,))
    truth = make_clip(spec, tmp_path / "clip.mp4")
    found = extract_overlays(truth.path, probe_video(truth.path), load_ocr_engine(), StageHooks())
    assert [o.text for o in found] == [caption.text]
    assert found[0].end_frame >= truth.frame_count - 1 - round(caption.anim_s * 30)


def test_scene_text_is_rejected() -> None:
    texts = [o.text for index in range(len(suite())) for o in extracted(index)]
    assert not any("NASA" in text for text in texts)


def test_overlays_round_trip_through_json() -> None:
    for _truth, found in _pairs():
        again = Overlay.from_dict(json.loads(json.dumps(found.to_dict())))
        assert again == found


def test_cancel_stops_extraction() -> None:
    truth = suite()[0][1]
    info = probe_video(truth.path)
    engine = load_ocr_engine()
    seen = {"polls": 0, "ocr": 0, "ocr_after_cancel": 0}
    canceled = threading.Event()

    def ocr(*args: Any, **kwargs: Any) -> Any:
        seen["ocr"] += 1
        seen["ocr_after_cancel"] += canceled.is_set()
        return engine(*args, **kwargs)

    def cancel() -> None:
        seen["polls"] += 1
        if seen["polls"] > 2:
            canceled.set()
            raise PipelineCanceled()

    threads_before = threading.active_count()
    with pytest.raises(PipelineCanceled):
        extract_overlays(truth.path, info, ocr, StageHooks(check_cancel=cancel))
    assert seen["polls"] == 3, "the frame loop ended at the cancel"
    assert seen["ocr_after_cancel"] == 0, "no OCR ran after the cancel"
    samples = math.ceil(info.frame_count / sample_step(info.fps))
    assert 0 < seen["ocr"] < samples, "extraction stopped before the end of the clip"
    deadline = time.monotonic() + 5
    while threading.active_count() > threads_before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert threading.active_count() == threads_before, "the decode thread stopped too"


def test_non_video_is_source_invalid(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"nope" * 1000)
    info = probe_video(suite()[0][1].path)
    with pytest.raises(PipelineError) as caught:
        extract_overlays(bad, info, load_ocr_engine(), StageHooks())
    assert caught.value.code == "SOURCE_INVALID"


def test_ocr_engine_is_loaded_once_per_model_store() -> None:
    models = ModelCache()
    assert ocr_engine(models) is ocr_engine(models)
    assert ocr_engine(ModelCache()) is not ocr_engine(models), "the loader keeps no copy"
