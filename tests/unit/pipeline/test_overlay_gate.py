"""The OCR change gate: where two samples differ, and detection on a region of a frame."""

from __future__ import annotations

import cv2
import numpy as np

from remixer.pipeline.overlays.gate import FULL_EVERY, ChangeGate, detect_in, is_whole
from remixer.pipeline.overlays.ocr import detect_boxes, load_ocr_engine
from remixer.pipeline.synth.photos import load_photo_rgb
from remixer.pipeline.types import Box, Frame


def _background(width: int = 540, height: int = 960, seed: int = 1) -> Frame:
    rng = np.random.default_rng(seed)
    small = rng.integers(40, 200, (height // 40, width // 40, 3), dtype=np.uint8)
    return np.asarray(cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC))


def _with_text(frame: Frame, text: str, origin: tuple[int, int]) -> Frame:
    out = frame.copy()
    cv2.putText(out, text, origin, cv2.FONT_HERSHEY_DUPLEX, 1.4, (0, 0, 0), 9, cv2.LINE_AA)
    cv2.putText(out, text, origin, cv2.FONT_HERSHEY_DUPLEX, 1.4, (255, 255, 255), 3, cv2.LINE_AA)
    return out


def _inside(inner: Box, outer: Box) -> bool:
    return (
        inner[0] >= outer[0]
        and inner[1] >= outer[1]
        and inner[0] + inner[2] <= outer[0] + outer[2]
        and inner[1] + inner[3] <= outer[1] + outer[3]
    )


def test_first_sample_is_detected_whole_and_an_unchanged_one_not_at_all() -> None:
    gate, frame = ChangeGate(), _background()
    first = gate.region(frame, [])
    assert first is not None and is_whole(first, frame)
    assert gate.region(frame.copy(), []) is None


def test_sensor_noise_changes_nothing() -> None:
    gate, frame = ChangeGate(), _background()
    gate.region(frame, [])
    rng = np.random.default_rng(7)
    noisy = np.clip(frame.astype(np.int16) + rng.integers(-6, 7, frame.shape), 0, 255)
    assert gate.region(noisy.astype(np.uint8), []) is None


def test_a_new_caption_is_looked_for_where_it_appeared_only() -> None:
    gate, frame = ChangeGate(), _background()
    gate.region(frame, [])
    captioned = _with_text(frame, "try it for 7 days", (60, 820))
    region = gate.region(captioned, [])
    assert region is not None and not is_whole(region, captioned)
    assert _inside((60, 780, 330, 60), region)
    assert region[1] > 600  # the top of the frame did not change


def test_a_region_touching_a_caption_grows_to_cover_it() -> None:
    gate, frame = ChangeGate(), _background()
    gate.region(frame, [])
    changed = _with_text(frame, "new", (300, 500))
    caption: Box = (250, 420, 250, 60)
    region = gate.region(changed, [caption])
    assert region is not None and _inside(caption, region)


def _panned(frame: Frame, dx: float, dy: float, zoom: float = 1.0) -> Frame:
    height, width = frame.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), 0.8, zoom)
    matrix[:, 2] += (dx, dy)
    return np.asarray(cv2.warpAffine(frame, matrix, (width, height), borderMode=cv2.BORDER_REFLECT))


def _photo_scene() -> Frame:
    """A real photo (textured, like a filmed scene), 540×960 BGR."""
    rgb = load_photo_rgb("obama")
    return np.asarray(cv2.resize(rgb[..., ::-1], (540, 960), interpolation=cv2.INTER_AREA))


def test_a_moving_camera_alone_needs_no_full_detection() -> None:
    gate, scene = ChangeGate(), _photo_scene()
    gate.region(_with_text(scene, "keep going", (60, 300)), [])
    moved = _with_text(_panned(scene, 14, -9, 1.03), "keep going", (60, 300))
    region = gate.region(moved, [(50, 260, 260, 60)])
    assert region is None or region[2] * region[3] < 0.3 * 540 * 960


def test_a_caption_appearing_while_the_camera_moves_is_looked_for() -> None:
    gate, scene = ChangeGate(), _photo_scene()
    gate.region(scene, [])
    moved = _with_text(_panned(scene, -12, 8, 1.03), "try it for 7 days", (60, 820))
    region = gate.region(moved, [])
    assert region is not None and _inside((60, 780, 330, 60), region)


def test_a_full_detection_runs_every_few_samples_anyway() -> None:
    gate, frame = ChangeGate(), _background()
    regions = [gate.region(frame, []) for _ in range(FULL_EVERY + 1)]
    assert regions[1:FULL_EVERY] == [None] * (FULL_EVERY - 1)
    last = regions[FULL_EVERY]
    assert last is not None and is_whole(last, frame)


def test_detection_on_a_region_finds_the_boxes_a_full_detection_finds() -> None:
    ocr = load_ocr_engine()
    frame = _with_text(_background(1080, 1920, seed=3), "nobody talks about this", (120, 1500))
    full = detect_boxes(ocr, frame)
    assert full
    region: Box = (0, 1300, 1080, 400)
    found = detect_in(ocr, frame, region)
    assert len(found) == len(full)
    for a, b in zip(sorted(found), sorted(full), strict=True):
        assert all(abs(p - q) <= 8 for p, q in zip(a, b, strict=True)), (a, b)
