"""Probe a file: is it a decodable video, and what are its size, rate, duration and audio."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from remixer.pipeline.errors import PipelineError
from remixer.pipeline.video.reader import note_first_frame, quarter_turns


@dataclass(frozen=True)
class VideoInfo:
    """What the pipeline needs to know about a source video."""

    width: int
    height: int
    fps: float
    fps_num: int
    fps_den: int
    frame_count: int
    duration_s: float
    rotation: int
    """Clockwise degrees the stored frames are turned for display; frames are decoded
    upright and `width`/`height` are the upright (display) size."""
    has_audio: bool
    video_codec: str

    @property
    def frame_rate(self) -> Fraction:
        return Fraction(self.fps_num, self.fps_den)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VideoInfo:
        return cls(**data)


def probe_video(path: Path) -> VideoInfo:
    """Open `path` and decode its first frame; raise `SOURCE_INVALID` if that fails."""
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise PipelineError("SOURCE_INVALID", "The file has no video stream.")
            stream = container.streams.video[0]
            rate = stream.average_rate or stream.guessed_rate or Fraction(30, 1)
            first = next(container.decode(stream), None)
            if first is None:
                raise PipelineError("SOURCE_INVALID", "The video stream has no decodable frame.")
            note_first_frame()
            duration_s = _duration_of(container, stream)
            frames = int(stream.frames) or round(duration_s * float(rate))
            turns = quarter_turns(first)
            width, height = (
                (first.height, first.width) if turns % 2 else (first.width, first.height)
            )
            return VideoInfo(
                width=int(width),
                height=int(height),
                fps=float(rate),
                fps_num=int(rate.numerator),
                fps_den=int(rate.denominator),
                frame_count=frames,
                duration_s=duration_s,
                rotation=(-90 * turns) % 360,
                has_audio=bool(container.streams.audio),
                video_codec=str(stream.codec_context.name),
            )
    except PipelineError:
        raise
    except (av.FFmpegError, OSError, ValueError, StopIteration) as exc:
        raise PipelineError("SOURCE_INVALID", "The file is not a decodable video.") from exc


def _duration_of(container: Any, stream: Any) -> float:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return float(container.duration) / 1_000_000
    return 0.0
