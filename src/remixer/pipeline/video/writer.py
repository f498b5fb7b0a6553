"""Encode BGR frames to H.264 MP4 (yuv420p, faststart), optionally remuxing a source's audio.

Audio packets are copied untouched (no re-encode) from the first audio stream of
`audio_from` when it is AAC or MP3; any other codec (Opus, Vorbis, FLAC, PCM: an MP4
that carries them plays in ffmpeg but not in browsers or on the platforms) is re-encoded
to AAC. Audio past the end of the written video is dropped so the output's
duration follows the video. Frames are spaced at the fixed rate; a `timed` writer (for a
variable-rate source) places each at the source time it is written with instead, which
keeps it in step with the copied audio. The output's video starts at 0 whatever the source
time of its first frame; when that time is not 0 (a video stream that starts after its
audio, as a file cut by stream copy has), the audio is moved by the same amount, so what
was heard with a frame still is.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Any

import av
import numpy as np

from remixer.pipeline.errors import PipelineError
from remixer.pipeline.types import Frame

COPIED_AUDIO = frozenset({"aac", "mp3"})
"""Audio codecs copied as they are: what every browser and platform plays in an MP4."""
AAC_RATES = (96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000)
AAC_BIT_RATE = 160_000

TIMED_TIME_BASE = Fraction(1, 90_000)
"""The time base of frames written with their source times (the MPEG clock)."""

ENCODER_THREADS = 2
"""libx264's slice threads: fixed, never the machine's core count (its default), because
the slices, and so the encoded pixels, follow the thread count; two is what the default
gave on the 2-core dev box, so outputs and timings there are unchanged
(docs/performance.md, "Reproducible output")."""


class VideoWriter:
    """Write frames at a fixed rate (or at their given times); `close()` copies the audio
    packets of `audio_from`."""

    def __init__(
        self,
        path: Path,
        width: int,
        height: int,
        frame_rate: Fraction,
        *,
        audio_from: Path | None = None,
        crf: int = 20,
        preset: str = "veryfast",
        timed: bool = False,
    ) -> None:
        self._frame_rate = frame_rate
        self._timed = timed
        self._container: Any = av.open(str(path), mode="w", options={"movflags": "+faststart"})
        self._stream: Any = self._container.add_stream("libx264", rate=frame_rate)
        # yuv420p needs even sides: an odd-sized source gains one edge-copied row/column.
        self._pad = (height % 2, width % 2)
        self._stream.width = width + self._pad[1]
        self._stream.height = height + self._pad[0]
        self._stream.pix_fmt = "yuv420p"
        self._stream.options = {"crf": str(crf), "preset": preset}
        # libx264's bitstream depends on its thread count, and its default follows the
        # machine's cores: a fixed count makes the same frames encode the same anywhere.
        self._stream.codec_context.thread_type = "SLICE"
        self._stream.codec_context.thread_count = ENCODER_THREADS
        self._stream.codec_context.time_base = (
            TIMED_TIME_BASE if timed else Fraction(1, 1) / frame_rate
        )
        self._audio_src: Any = None
        self._audio_out: Any = None
        self._resampler: Any = None
        if audio_from is not None:
            self._open_audio(audio_from)
        self._index = 0
        self._end_s = 0.0
        self._first_time_s: float | None = None
        """The source time of the first frame written: output time 0."""
        self._last_pts = -1
        self._closed = False

    @property
    def frames_written(self) -> int:
        return self._index

    def _open_audio(self, source: Path) -> None:
        try:
            src = av.open(str(source))
        except (av.FFmpegError, OSError) as exc:
            self._container.close()
            raise PipelineError("SOURCE_INVALID", "The audio source is not a media file.") from exc
        if not src.streams.audio:
            src.close()
            return
        self._audio_src = src
        stream = src.streams.audio[0]
        if stream.codec_context.name in COPIED_AUDIO:
            self._audio_out = self._container.add_stream_from_template(stream)
            return
        rate = stream.rate if stream.rate in AAC_RATES else 48000
        layout = "stereo" if stream.channels >= 2 else "mono"
        self._audio_out = self._container.add_stream("aac", rate=rate, layout=layout)
        self._audio_out.bit_rate = AAC_BIT_RATE
        self._resampler = av.AudioResampler(format="fltp", layout=layout, rate=rate)

    def write(self, frame_bgr: Frame, time_s: float = 0.0) -> None:
        """Encode the next frame (a `timed` writer places it at `time_s`, its source time)."""
        if any(self._pad):
            frame_bgr = np.pad(frame_bgr, ((0, self._pad[0]), (0, self._pad[1]), (0, 0)), "edge")
        frame = av.VideoFrame.from_ndarray(frame_bgr, format="bgr24")
        if self._first_time_s is None:
            self._first_time_s = time_s
        frame.pts = self._timed_pts(time_s) if self._timed else self._index
        self._index += 1
        start_s = float(frame.pts * self._stream.codec_context.time_base)
        self._end_s = start_s + 1 / float(self._frame_rate)
        for packet in self._stream.encode(frame):
            self._container.mux(packet)

    def _timed_pts(self, time_s: float) -> int:
        """`time_s` from the first frame's, on the 90 kHz clock, always after the last."""
        first = self._first_time_s or 0.0
        pts = max(round((time_s - first) / TIMED_TIME_BASE), self._last_pts + 1)
        self._last_pts = pts
        return pts

    def _copy_audio(self) -> None:
        in_stream = self._audio_src.streams.audio[0]
        end_s = self._end_s
        # Source audio time = output time + `offset_s` (the first frame's source time).
        offset_s = self._first_time_s or 0.0
        shift = round(offset_s / in_stream.time_base) if offset_s else 0
        for packet in self._audio_src.demux(in_stream):
            if packet.dts is None:
                continue
            if (
                packet.pts is not None
                and float(packet.pts * in_stream.time_base) - offset_s >= end_s
            ):
                continue
            if shift and not _moved(packet, shift):
                continue
            if self._resampler is None:
                packet.stream = self._audio_out
                self._container.mux(packet)
                continue
            for frame in packet.decode():
                if not shift or frame.pts is None or frame.pts >= 0:
                    self._encode_audio(frame)  # (the part of moved audio before 0 is dropped)
        if self._resampler is not None:
            self._encode_audio(None)

    def _encode_audio(self, frame: Any) -> None:
        """Resample `frame` (None: flush) to the AAC encoder's format and mux what it gives."""
        frames = self._resampler.resample(frame)
        for resampled in [*frames, None] if frame is None else frames:
            for packet in self._audio_out.encode(resampled):
                self._container.mux(packet)

    def close(self) -> None:
        """Flush the encoder, copy the audio and close; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        try:
            for packet in self._stream.encode(None):
                self._container.mux(packet)
            if self._audio_src is not None:
                self._copy_audio()
        finally:
            if self._audio_src is not None:
                self._audio_src.close()
            self._container.close()

    def abort(self) -> None:
        """Close without flushing (used when the work failed or was canceled)."""
        if self._closed:
            return
        self._closed = True
        if self._audio_src is not None:
            self._audio_src.close()
        try:
            self._container.close()
        except (av.FFmpegError, OSError, ValueError):
            return

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


AUDIO_PREROLL_S = 0.05
"""Audio kept before output time 0 when the audio is moved: about two AAC frames, what an
encoder's priming packets span, for the decoder to warm up on."""


def _moved(packet: Any, shift: int) -> bool:
    """Move `packet` `shift` ticks earlier; False (drop it) when it then ends more than
    `AUDIO_PREROLL_S` before time 0."""
    packet.pts = None if packet.pts is None else packet.pts - shift
    packet.dts = packet.dts - shift
    start = packet.pts if packet.pts is not None else packet.dts
    end_s = float((start + (packet.duration or 0)) * packet.time_base)
    return end_s > -AUDIO_PREROLL_S
