"""Synthetic caption clips: real video with captions, audio and ground truth beside it."""

from __future__ import annotations

import json
from pathlib import Path

from overlay_fixtures import suite

from remixer.pipeline.synth.captions import CaptionSpec
from remixer.pipeline.synth.clips import ClipSpec, make_clip
from remixer.pipeline.video import iter_frames_bgr, probe_video


def test_suite_clips_have_video_audio_and_truth() -> None:
    for spec, truth in suite():
        info = probe_video(truth.path)
        assert (info.width, info.height, info.fps) == (540, 960, 30.0)
        assert info.frame_count == truth.frame_count == 72
        assert info.has_audio == spec.audio
        saved = json.loads(truth.path.with_suffix(".json").read_text())
        assert saved["captions"] == truth.captions
        assert len(truth.captions) == len(spec.captions)


def test_caption_pixels_are_drawn_exactly_over_their_span(tmp_path: Path) -> None:
    spec = ClipSpec(
        "astronaut",
        270,
        480,
        10,
        1.0,
        captions=(CaptionSpec("Hello there", 0.3, 0.7, "yellow_stroke", 0.5),),
    )
    truth = make_clip(spec, tmp_path / "one.mp4")
    caption = truth.captions[0]
    assert (caption["start_frame"], caption["end_frame"]) == (3, 6)
    x, y, w, h = caption["box"]
    frames = list(iter_frames_bgr(truth.path))
    yellow = [
        float(((f[y : y + h, x : x + w, 2] > 200) & (f[y : y + h, x : x + w, 0] < 90)).mean())
        for f in frames
    ]
    assert all(v > 0.05 for v in yellow[3:7])
    assert all(v < 0.01 for v in yellow[:3] + yellow[7:])
