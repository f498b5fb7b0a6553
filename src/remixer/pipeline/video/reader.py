"""Decode a video's frames in order as BGR arrays."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av

from remixer.pipeline.errors import PipelineError
from remixer.pipeline.types import Frame


def iter_frames_bgr(path: Path) -> Iterator[Frame]:
    """Yield every frame of the first video stream as an H×W×3 BGR uint8 array."""
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            for frame in container.decode(stream):
                yield frame.to_ndarray(format="bgr24")
    except av.FFmpegError as exc:
        raise PipelineError("SOURCE_INVALID", "The video could not be decoded.") from exc
