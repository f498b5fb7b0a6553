"""Erase and redraw on real clips: old text gone, new text readable, spans respected."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from overlay_fixtures import cer, extracted, ocr_text, suite

from remixer.pipeline.render import OverlayPainter
from remixer.pipeline.types import StageHooks
from remixer.pipeline.typeset.fonts import split_emoji_runs, strip_emoji
from remixer.pipeline.typeset.text import TextStyle, render_block, wrap_text
from remixer.pipeline.video import iter_frames_bgr, probe_video, transcode

NEW = ["Mornings made easy", "Remixer does the work", "Try Remixer today"]


def _render(index: int, tmp_path: Path) -> tuple[list[np.ndarray], OverlayPainter]:
    truth = suite()[index][1]
    overlays = extracted(index)
    info = probe_video(truth.path)
    painter = OverlayPainter(overlays, NEW[: len(overlays)], info.width, info.height)
    out = tmp_path / f"out{index}.mp4"
    transcode(truth.path, out, lambda i, f: painter.paint(f, i), info, StageHooks())
    return list(iter_frames_bgr(out)), painter


@pytest.mark.parametrize("index", [0, 1, 2])
def test_old_text_is_gone_and_new_text_reads_back(index: int, tmp_path: Path) -> None:
    frames, painter = _render(index, tmp_path)
    for number, overlay in enumerate(extracted(index)):
        middle = (overlay.start_frame + overlay.end_frame) // 2
        read = ocr_text(frames[middle])
        old_words = [w for w in overlay.text.lower().split() if len(w) > 3]
        assert not any(w in read.lower() for w in old_words if w not in NEW[number].lower())
        # The new block keeps the old one's anchor (a caption low in the frame keeps its
        # bottom edge and grows upwards when it wraps): read around the new block.
        _bx, by, _bw, bh = painter.placements[number].block_box
        h = overlay.box[3]
        region = ocr_text(np.ascontiguousarray(frames[middle][max(by - h, 0) : by + bh + h]))
        assert cer(NEW[number], region) <= 0.1, region
        assert painter.active(middle) == [overlay] or overlay in painter.active(middle)


def test_frames_outside_every_span_are_untouched() -> None:
    overlays = extracted(2)
    painter = OverlayPainter(overlays, ["New text here"], 540, 960)
    frame = np.full((960, 540, 3), 90, np.uint8)
    before = overlays[0].start_frame - 1
    assert painter.paint(frame, before) is frame
    painted = painter.paint(frame, overlays[0].start_frame)
    assert painted is not frame and not np.array_equal(painted, frame)
    assert np.array_equal(frame, np.full((960, 540, 3), 90, np.uint8))


def test_painter_needs_one_text_per_overlay() -> None:
    with pytest.raises(ValueError, match="one new text per overlay"):
        OverlayPainter(extracted(0), ["only one"], 540, 960)


def test_emoji_runs_are_split_and_drawn_in_colour() -> None:
    assert split_emoji_runs("Go 🔥🔥 now 👍🏽") == [
        ("Go ", False),
        ("🔥", True),
        ("🔥", True),
        (" now ", False),
        ("👍🏽", True),
    ]
    assert strip_emoji("Save it 🔥 later") == "Save it later"
    sprite = render_block(["fire 🔥"], TextStyle(font_size=40))
    rgb = sprite.rgba[..., :3].astype(int)
    coloured = (np.abs(rgb[..., 0] - rgb[..., 2]) > 80) & (sprite.rgba[..., 3] > 200)
    assert coloured.sum() > 100


def test_wrap_fits_width() -> None:
    style = TextStyle(font_size=40)
    lines = wrap_text("one two three four five six seven eight", style, 200)
    assert len(lines) > 1
    assert all(render_block([line], style).text_box[2] <= 204 for line in lines)
