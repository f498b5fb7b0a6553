"""Encode BGR frames to H.264 MP4 (yuv420p, faststart), optionally remuxing a source's audio."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Any

import av

from remixer.pipeline.types import Frame


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
        self._container: Any = av.open(str(path), mode="w", options={"movflags": "+faststart"})
        self._stream: Any = self._container.add_stream("libx264", rate=frame_rate)
        self._stream.width = width
        self._stream.height = height
        self._stream.pix_fmt = "yuv420p"
        self._stream.options = {"crf": str(crf), "preset": preset}
        self._stream.codec_context.time_base = Fraction(1, 1) / frame_rate
        self._audio_src: Any = None
        self._audio_out: Any = None
        if audio_from is not None:
            self._open_audio(audio_from)
        self._index = 0

    def _open_audio(self, source: Path) -> None:
        src = av.open(str(source))
        if not src.streams.audio:
            src.close()
            return
        self._audio_src = src
        self._audio_out = self._container.add_stream_from_template(src.streams.audio[0])

    def write(self, frame_bgr: Frame) -> None:
        frame = av.VideoFrame.from_ndarray(frame_bgr, format="bgr24")
        frame.pts = self._index
        self._index += 1
        for packet in self._stream.encode(frame):
            self._container.mux(packet)

    def close(self) -> None:
        for packet in self._stream.encode(None):
            self._container.mux(packet)
        if self._audio_src is not None:
            for packet in self._audio_src.demux(self._audio_src.streams.audio[0]):
                if packet.dts is None:
                    continue
                packet.stream = self._audio_out
                self._container.mux(packet)
            self._audio_src.close()
        self._container.close()

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
