"""Probe a file: is it a decodable video, and what are its size, rate, duration and audio.

The video packets are demuxed once (nothing decoded): a file cut short (an interrupted
download or copy) holds fewer packets than its header promises and is refused here, before
any work, instead of becoming a remix a fraction of the source's length.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from fractions import Fraction
from itertools import pairwise
from pathlib import Path
from typing import Any

import av

from remixer.pipeline.errors import PipelineError
from remixer.pipeline.video.reader import note_first_frame, quarter_turns

PRESENT_SHARE = 0.9
"""A video whose demuxed packets cover less than this share of the frames (or duration) its
header declares is truncated."""


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
    variable_rate: bool = False
    """The frames' timestamps are not evenly spaced at `fps` (phones lower the rate in low
    light): the output follows the source's timestamps instead of a fixed rate."""

    @property
    def frame_rate(self) -> Fraction:
        return Fraction(self.fps_num, self.fps_den)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VideoInfo:
        return cls(**data)


def probe_video(path: Path) -> VideoInfo:
    """Open `path`, demux its video packets and decode its first frame; raise
    `SOURCE_INVALID` if that fails or the file is truncated."""
    try:
        with av.open(str(path)) as container:
            if _is_still_image(container.format.name):
                raise PipelineError("SOURCE_INVALID", "The file is a still image, not a video.")
            if not container.streams.video:
                raise PipelineError("SOURCE_INVALID", "The file has no video stream.")
            stream = container.streams.video[0]
            rate = stream.average_rate or stream.guessed_rate or Fraction(30, 1)
            times = _packet_times(container, stream)
            container.seek(0)
            first = next(container.decode(stream), None)
            if first is None:
                raise PipelineError("SOURCE_INVALID", "The video stream has no decodable frame.")
            note_first_frame()
            duration_s = _duration_of(container, stream) or _end_of(times, rate)
            _check_complete(times, int(stream.frames), stream, rate)
            frames = int(stream.frames) or len(times) or round(duration_s * float(rate))
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
                variable_rate=_uneven(times, rate),
            )
    except PipelineError:
        raise
    except (av.FFmpegError, OSError, ValueError, StopIteration) as exc:
        raise PipelineError("SOURCE_INVALID", "The file is not a decodable video.") from exc


def _is_still_image(format_name: str) -> bool:
    """FFmpeg's image readers (`image2`, `jpeg_pipe`, `png_pipe`, …) open a photo as a
    one-frame video; a photo given as the source is refused rather than remixed into a
    one-frame MP4."""
    return format_name.startswith("image2") or format_name.endswith("_pipe")


def _duration_of(container: Any, stream: Any) -> float:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return float(container.duration) / 1_000_000
    return 0.0


def _packet_times(container: Any, stream: Any) -> list[float]:
    """The presentation times (s) of the video packets in display order (demuxed only)."""
    times = []
    for packet in container.demux(stream):
        pts = packet.pts if packet.pts is not None else packet.dts
        if pts is not None and packet.size and packet.time_base is not None:
            times.append(float(pts * packet.time_base))
    return sorted(times)


def _end_of(times: list[float], rate: Fraction) -> float:
    return times[-1] - times[0] + 1 / float(rate) if times else 0.0


def _check_complete(times: list[float], declared_frames: int, stream: Any, rate: Fraction) -> None:
    """Refuse a file holding fewer packets than its header declares (cut short)."""
    declared_s = float(stream.duration * stream.time_base) if stream.duration else 0.0
    if declared_frames and len(times) < PRESENT_SHARE * declared_frames:
        shown = f"{len(times)} of its {declared_frames} frames"
    elif not declared_frames and declared_s and _end_of(times, rate) < PRESENT_SHARE * declared_s:
        shown = f"{_end_of(times, rate):.2f} s of its {declared_s:.2f} s"
    else:
        return
    raise PipelineError(
        "SOURCE_INVALID", f"The video is truncated or damaged: the file holds only {shown}."
    )


def _uneven(times: list[float], rate: Fraction) -> bool:
    """Whether some frame interval is off the nominal one by more than half a frame."""
    nominal = 1 / float(rate)
    return any(abs(b - a - nominal) > nominal / 2 for a, b in pairwise(times))
