"""The honest floor for the pipeline benchmarks: the plainest fast transcode of a clip.

Run as its own process: `python -m benchmarks.plain_transcode SRC.mp4 DST.mp4`.

PyAV decodes every frame to a numpy array, re-wraps it, and libx264 (`veryfast`, `crf 20`,
yuv420p) encodes it; audio packets are copied untouched. Nothing of the project is imported:
the floor must never be the project's own code.
"""

from __future__ import annotations

import sys
from fractions import Fraction
from typing import Any

import av


def _copy_audio_stream(src: Any, dst: Any) -> tuple[Any, Any] | tuple[None, None]:
    if not src.streams.audio:
        return None, None
    audio_in = src.streams.audio[0]
    return audio_in, dst.add_stream_from_template(audio_in)


def transcode(src_path: str, dst_path: str) -> int:
    """Transcode `src_path` to `dst_path`; returns the number of video frames written."""
    src: Any = av.open(src_path)
    dst: Any = av.open(dst_path, mode="w", options={"movflags": "+faststart"})
    video_in = src.streams.video[0]
    video_in.thread_type = "AUTO"
    rate = video_in.average_rate or video_in.guessed_rate
    video_out = dst.add_stream("libx264", rate=rate)
    video_out.width = video_in.codec_context.width // 2 * 2
    video_out.height = video_in.codec_context.height // 2 * 2
    video_out.pix_fmt = "yuv420p"
    video_out.options = {"crf": "20", "preset": "veryfast"}
    video_out.codec_context.time_base = Fraction(1, 1) / rate
    audio_in, audio_out = _copy_audio_stream(src, dst)
    streams = [video_in] + ([audio_in] if audio_in is not None else [])
    frames = 0
    for packet in src.demux(*streams):
        if packet.stream is audio_in:
            if packet.dts is not None:
                packet.stream = audio_out
                dst.mux(packet)
            continue
        for frame in packet.decode():
            array = frame.to_ndarray(format="bgr24")
            out = av.VideoFrame.from_ndarray(
                array[: video_out.height, : video_out.width], format="bgr24"
            )
            out.pts = frames
            out.time_base = video_out.codec_context.time_base
            dst.mux(video_out.encode(out))
            frames += 1
    dst.mux(video_out.encode(None))
    dst.close()
    src.close()
    return frames


if __name__ == "__main__":
    written = transcode(sys.argv[1], sys.argv[2])
    print(written)
