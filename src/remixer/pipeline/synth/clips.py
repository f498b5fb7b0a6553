"""Synthetic 9:16 test clips: a real photo under camera motion, captions on top, an optional
moving scene-text distractor and an optional sine-tone AAC track; ground truth JSON beside.

`make_clip(spec, out_path)` writes `out_path` (MP4) and `out_path.with_suffix(".json")`.
`caption_suite()` returns a varied set of specs used by tests, benchmarks and the demo.
"""

from __future__ import annotations

import json
import math
import tempfile
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from remixer.pipeline.render.compose import composite_rgba
from remixer.pipeline.synth.captions import (
    CaptionSpec,
    PlacedCaption,
    place_caption,
)
from remixer.pipeline.synth.faces import portrait_rgb
from remixer.pipeline.synth.motion import Motion, render_motion_frames_bgr
from remixer.pipeline.synth.photos import load_photo_rgb
from remixer.pipeline.types import Frame
from remixer.pipeline.typeset.text import TextStyle, render_block
from remixer.pipeline.video.writer import VideoWriter


@dataclass(frozen=True)
class ClipSpec:
    """Everything a synthetic clip is made of."""

    photo: str = "astronaut"
    width: int = 540
    height: int = 960
    fps: int = 30
    duration_s: float = 3.0
    motion: Motion = field(default_factory=lambda: Motion(pan_px=30, zoom_from=1.0, zoom_to=1.08))
    captions: tuple[CaptionSpec, ...] = ()
    scene_text: str | None = None
    """Small text that moves with the scene (must not be taken for a caption)."""
    audio: bool = False
    face_width: float | None = None
    """When set, the photo is framed so its face is this fraction of the frame width."""


@dataclass(frozen=True)
class ClipTruth:
    """Ground truth of a generated clip."""

    path: Path
    width: int
    height: int
    fps: int
    frame_count: int
    has_audio: bool
    captions: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "width": self.width,
            "height": self.height,
            "fps": self.fps,
            "frame_count": self.frame_count,
            "has_audio": self.has_audio,
            "captions": self.captions,
        }


def truth_of(placed: PlacedCaption) -> dict[str, Any]:
    style = placed.text_style
    return {
        "text": " ".join(placed.spec.lines),
        "lines": placed.spec.lines,
        "start_frame": placed.start_frame,
        "end_frame": placed.end_frame,
        "box": list(placed.box),
        "plate_box": list(placed.plate_box) if placed.plate_box else None,
        "reveal": placed.spec.reveal,
        "word_frames": list(placed.word_frames),
        "anim_frames": placed.anim_frames,
        "style": {
            "preset": placed.spec.style,
            "fill_rgb": list(style.fill_rgb),
            "stroke_rgb": list(style.stroke_rgb) if style.stroke_rgb else None,
            "plate_rgb": list(style.plate_rgb) if style.plate_rgb else None,
            "font_size_px": style.font_size,
            "align": style.align,
            "family": style.family,
            "weight": style.weight,
        },
    }


def write_sine_audio(path: Path, duration_s: float, freq_hz: float = 440.0) -> None:
    """Write an AAC (MP4 container) sine tone of `duration_s` seconds."""
    rate = 44100
    with av.open(str(path), mode="w", format="mp4") as container:
        stream: Any = container.add_stream("aac", rate=rate)
        stream.layout = "mono"
        total = int(duration_s * rate)
        t = np.arange(total, dtype=np.float32) / rate
        samples = (0.2 * np.sin(2 * math.pi * freq_hz * t)).astype(np.float32)
        for start in range(0, total, 1024):
            chunk = samples[start : start + 1024].reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="mono")
            frame.sample_rate = rate
            frame.pts = start
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


def _scene_text_at(sprite: Frame, index: int, width: int, height: int) -> tuple[int, int]:
    phase = math.sin(index / 9.0)
    return int(width * 0.55 + phase * width * 0.12), int(height * 0.62 + phase * height * 0.03)


def _frames(spec: ClipSpec, placed: list[PlacedCaption]) -> Any:
    photo = (
        portrait_rgb(spec.photo, spec.width, spec.height, spec.face_width)
        if spec.face_width is not None
        else load_photo_rgb(spec.photo)
    )
    scene = None
    if spec.scene_text:
        style = TextStyle(font_size=max(spec.width // 40, 8), fill_rgb=(250, 250, 240))
        scene = render_block([spec.scene_text], style).rgba
    frames = render_motion_frames_bgr(
        photo, spec.width, spec.height, spec.fps, spec.duration_s, spec.motion
    )
    for index, frame in enumerate(frames):
        if scene is not None:
            composite_rgba(frame, scene, *_scene_text_at(scene, index, spec.width, spec.height))
        burn(frame, index, placed)
        yield frame


def burn(frame: Frame, index: int, placed: list[PlacedCaption]) -> None:
    """Draw every caption shown on frame `index` (animation included) in place."""
    for caption in placed:
        drawn = caption.sprite_at(index)
        if drawn is not None:
            composite_rgba(frame, *drawn)


def make_clip(spec: ClipSpec, out_path: Path) -> ClipTruth:
    """Render the clip to `out_path` (H.264 MP4) and its ground truth JSON beside it."""
    out_path.parent.mkdir(parents=True, exist_ok=True)
    placed = [place_caption(c, spec.width, spec.height, spec.fps) for c in spec.captions]
    with tempfile.TemporaryDirectory() as tmp:
        audio = Path(tmp) / "tone.m4a" if spec.audio else None
        if audio is not None:
            write_sine_audio(audio, spec.duration_s + 0.5)
        with VideoWriter(
            out_path, spec.width, spec.height, Fraction(spec.fps), audio_from=audio
        ) as writer:
            for frame in _frames(spec, placed):
                writer.write(frame)
            count = writer.frames_written
    truth = ClipTruth(
        out_path,
        spec.width,
        spec.height,
        spec.fps,
        count,
        spec.audio,
        [truth_of(p) for p in placed],
    )
    out_path.with_suffix(".json").write_text(json.dumps(truth.to_dict(), indent=2))
    return truth


def caption_suite(
    width: int = 540, height: int = 960, fps: int = 30, duration_s: float = 3.0
) -> list[ClipSpec]:
    """A varied set of clips: every style preset, positions, alignments, multi-line, emoji."""
    d = duration_s
    return [
        ClipSpec(
            "astronaut",
            width,
            height,
            fps,
            d,
            captions=(
                CaptionSpec(
                    "POV: you finally found\nthe morning routine",
                    0.2,
                    d * 0.55,
                    "white_stroke",
                    0.22,
                ),
                CaptionSpec("It changed everything", d * 0.55, d - 0.1, "yellow_stroke", 0.75),
            ),
            scene_text="NASA",
            audio=True,
        ),
        ClipSpec(
            "obama",
            width,
            height,
            fps,
            d,
            captions=(
                CaptionSpec(
                    "Nobody talks about this\nproductivity trick", 0.0, d * 0.6, "white_plate", 0.18
                ),
                CaptionSpec(
                    "Save it for later 🔥", d * 0.6, d, "red_stroke", 0.8, family="poppins"
                ),
            ),
        ),
        ClipSpec(
            "biden",
            width,
            height,
            fps,
            d,
            captions=(
                CaptionSpec(
                    "Three habits\nthat actually work",
                    0.3,
                    d - 0.3,
                    "black_plate",
                    0.7,
                    align="left",
                    family="noto-sans",
                    weight="bold",
                ),
            ),
            audio=True,
        ),
    ]
