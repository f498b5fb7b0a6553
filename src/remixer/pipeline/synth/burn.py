"""Burn TikTok-style captions onto a real clip, keeping the clean clip as ground truth.

`burn_captions(source, captions, out_dir, name)` decodes `source` once (optionally only
its first seconds, optionally scaled to a width), writes `<name>-clean.mp4` (the frames
re-encoded untouched: the ground truth an erase is compared with), `<name>.mp4` (the same
frames with the captions drawn, every reveal kind included) and `<name>.json` (the truth:
text, lines, frames, boxes, style, font, word times).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from remixer.pipeline.synth.captions import CaptionSpec, place_caption
from remixer.pipeline.synth.clips import burn, truth_of
from remixer.pipeline.video import iter_frames_bgr, probe_video
from remixer.pipeline.video.writer import VideoWriter


@dataclass(frozen=True)
class BurnedClip:
    path: Path
    clean: Path
    width: int
    height: int
    fps: float
    frame_count: int
    captions: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "clean": str(self.clean),
            "width": self.width,
            "height": self.height,
            "fps": self.fps,
            "frame_count": self.frame_count,
            "captions": self.captions,
        }


def burn_captions(
    source: Path,
    captions: Sequence[CaptionSpec],
    out_dir: Path,
    name: str,
    *,
    max_s: float | None = None,
    width: int | None = None,
) -> BurnedClip:
    """Write the clean and the captioned clip of `source` and the truth JSON."""
    info = probe_video(source)
    scale = 1.0 if width is None else width / info.width
    out_w = int(round(info.width * scale / 2) * 2)
    out_h = int(round(info.height * scale / 2) * 2)
    rate = Fraction(info.fps).limit_denominator(1001)
    limit = info.frame_count if max_s is None else min(info.frame_count, int(max_s * info.fps))
    placed = [place_caption(c, out_w, out_h, float(info.fps)) for c in captions]
    out_dir.mkdir(parents=True, exist_ok=True)
    path, clean = out_dir / f"{name}.mp4", out_dir / f"{name}-clean.mp4"
    count = 0
    with (
        VideoWriter(clean, out_w, out_h, rate) as clean_writer,
        VideoWriter(path, out_w, out_h, rate) as writer,
    ):
        for index, frame in enumerate(iter_frames_bgr(source)):
            if index >= limit:
                break
            if (out_w, out_h) != (frame.shape[1], frame.shape[0]):
                frame = np.asarray(cv2.resize(frame, (out_w, out_h), interpolation=cv2.INTER_AREA))
            clean_writer.write(frame)
            burned = frame.copy()
            burn(burned, index, placed)
            writer.write(burned)
            count += 1
    result = BurnedClip(
        path, clean, out_w, out_h, float(info.fps), count, [truth_of(p) for p in placed]
    )
    path.with_suffix(".json").write_text(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    return result
