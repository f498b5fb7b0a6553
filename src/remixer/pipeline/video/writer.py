"""Encode BGR frames to H.264 MP4 (yuv420p, faststart), optionally remuxing a source's audio.

Audio packets are copied untouched (no re-encode) from the first audio stream of
`audio_from`; packets past the end of the written video are dropped so the output's
duration follows the video.
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

ENCODER_THREADS = 2
"""libx264's slice threads: fixed, never the machine's core count (its default), because
the slices, and so the encoded pixels, follow the thread count; two is what the default
gave on the 2-core dev box, so outputs and timings there are unchanged
(docs/performance.md, "Reproducible output")."""


class VideoWriter:
    """Write frames at a fixed rate; `close()` copies the audio packets of `audio_from`."""

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
    ) -> None:
        self._frame_rate = frame_rate
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
        self._stream.codec_context.time_base = Fraction(1, 1) / frame_rate
        self._audio_src: Any = None
        self._audio_out: Any = None
        if audio_from is not None:
            self._open_audio(audio_from)
        self._index = 0
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
        self._audio_out = self._container.add_stream_from_template(src.streams.audio[0])

    def write(self, frame_bgr: Frame) -> None:
        if any(self._pad):
            frame_bgr = np.pad(frame_bgr, ((0, self._pad[0]), (0, self._pad[1]), (0, 0)), "edge")
        frame = av.VideoFrame.from_ndarray(frame_bgr, format="bgr24")
        frame.pts = self._index
        self._index += 1
        for packet in self._stream.encode(frame):
            self._container.mux(packet)

    def _copy_audio(self) -> None:
        in_stream = self._audio_src.streams.audio[0]
        end_s = self._index / float(self._frame_rate)
        for packet in self._audio_src.demux(in_stream):
            if packet.dts is None:
                continue
            if packet.pts is not None and float(packet.pts * in_stream.time_base) >= end_s:
                continue
            packet.stream = self._audio_out
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
