"""Video I/O on PyAV: probe, decode, encode H.264 MP4 with the source audio copied untouched."""

from remixer.pipeline.video.probe import VideoInfo, probe_video
from remixer.pipeline.video.reader import iter_frames_bgr
from remixer.pipeline.video.writer import VideoWriter

__all__ = ["VideoInfo", "VideoWriter", "iter_frames_bgr", "probe_video"]
