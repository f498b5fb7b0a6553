"""Video I/O on PyAV: probe, decode, encode H.264 MP4 with the source audio copied untouched,
and `transcode`, the threaded dense pass engine every rendering stage runs inside."""

from remixer.pipeline.video.probe import VideoInfo, probe_video
from remixer.pipeline.video.reader import iter_frames_bgr, open_input
from remixer.pipeline.video.transcode import ProcessFn, transcode
from remixer.pipeline.video.writer import VideoWriter

__all__ = [
    "ProcessFn",
    "VideoInfo",
    "VideoWriter",
    "iter_frames_bgr",
    "open_input",
    "probe_video",
    "transcode",
]
