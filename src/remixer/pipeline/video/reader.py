"""Decode a video's frames in order as BGR arrays, mapping decoder failures to `SOURCE_INVALID`."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Generator
from contextlib import closing
from pathlib import Path
from typing import Any

import av
import numpy as np
from av.video.reformatter import VideoReformatter
from numpy.typing import NDArray

from remixer.pipeline.errors import PipelineError
from remixer.pipeline.types import Frame

log = logging.getLogger(__name__)
_first_frame = threading.Event()
_REFORMATTERS = threading.local()
"""Each thread's PyAV reformatters, one per kind of conversion (see `reformatter`)."""


def reformatter(kind: str) -> VideoReformatter:
    """This thread's reformatter for one kind of conversion (`bgr`, `grey`), made on first
    use. `frame.to_ndarray(format=…)` and `frame.reformat` give every frame a reformatter of
    its own, so each converted frame set up a new swscale context (and its slice threads)
    and freed it with the frame: ≈ 1–2 ms a frame at 480×908, more than the conversion.
    A kept context converts to the same bytes; one per kind, since a context set up for
    another size or format is set up again. Not shared between threads (an swscale
    context is not thread-safe)."""
    made: dict[str, VideoReformatter] = _REFORMATTERS.__dict__.setdefault("by_kind", {})
    if kind not in made:
        made[kind] = VideoReformatter()
    return made[kind]


def note_first_frame() -> None:
    """Log, once per process, the wall-clock time the first frame was decoded: the end of
    the cold start the end-to-end benchmark measures (`REMIXER_LOG_LEVEL=info`)."""
    if not _first_frame.is_set():
        _first_frame.set()
        log.info("first frame decoded at %.3f", time.time())


def open_input(path: Path) -> Any:
    """Open `path` for reading; anything PyAV cannot open is `SOURCE_INVALID`."""
    try:
        container = av.open(str(path))
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise PipelineError("SOURCE_INVALID", "The file is not a decodable video.") from exc
    if not container.streams.video:
        container.close()
        raise PipelineError("SOURCE_INVALID", "The file has no video stream.")
    return container


def quarter_turns(frame: Any) -> int:
    """Counter-clockwise quarter turns that show `frame` upright (its display matrix says
    how phones recorded it; PyAV reports that rotation counter-clockwise in degrees)."""
    return round(float(getattr(frame, "rotation", 0) or 0) / 90) % 4


def turned_upright(array: Frame, turns: int) -> Frame:
    """`array` turned by `turns` counter-clockwise quarter turns (itself when none)."""
    return np.ascontiguousarray(np.rot90(array, turns)) if turns else array


def upright_bgr(frame: Any) -> Frame:
    """The decoded frame as an upright H×W×3 BGR array."""
    converted = reformatter("bgr").reformat(frame, format="bgr24")
    array: Frame = np.asarray(converted.to_ndarray(), dtype=np.uint8)
    return turned_upright(array, quarter_turns(frame))


def _decoded(path: Path) -> Generator[Any, None, None]:
    """Every decoded PyAV frame of the first video stream; decoder failures are
    `SOURCE_INVALID`, and the container is closed when the generator is."""
    container = open_input(path)
    try:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        yield from container.decode(stream)
    except av.FFmpegError as exc:
        raise PipelineError("SOURCE_INVALID", "The video could not be decoded.") from exc
    finally:
        container.close()


def iter_frames_bgr(path: Path) -> Generator[Frame, None, None]:
    """Yield every frame of the first video stream as an upright H×W×3 BGR uint8 array."""
    with closing(_decoded(path)) as frames:
        for frame in frames:
            note_first_frame()
            yield upright_bgr(frame)


class DecodedFrame:
    """A decoded frame whose conversions are paid only when asked for: at 1080×1920 the
    BGR array costs more than the decode itself (≈ 7 ms), a small grey copy 0.4 ms."""

    def __init__(self, frame: Any) -> None:
        self._frame = frame

    def bgr(self) -> Frame:
        """The frame as an upright H×W×3 BGR array."""
        return upright_bgr(self._frame)

    @property
    def time_s(self) -> float:
        """The frame's presentation time in seconds (0 when the decoder gives none)."""
        return float(self._frame.time or 0.0)

    def grey(self, width: int, height: int) -> NDArray[np.uint8]:
        """The frame area-averaged to `width`×`height` grey levels (0..255), as stored:
        not turned upright (a comparison between frames of one clip needs no turn)."""
        small = reformatter("grey").reformat(
            self._frame, width, height, "gray", interpolation="AREA"
        )
        return np.asarray(small.to_ndarray(), dtype=np.uint8)


def iter_decoded_frames(path: Path) -> Generator[DecodedFrame, None, None]:
    """Every frame of the first video stream, decoded but not converted (`DecodedFrame`)."""
    with closing(_decoded(path)) as frames:
        for frame in frames:
            note_first_frame()
            yield DecodedFrame(frame)


def iter_selected_frames_bgr(
    path: Path, wanted: Callable[[int], bool]
) -> Generator[tuple[int, Frame], None, None]:
    """Yield `(index, frame)` for the frames where `wanted(index)`; the others are decoded
    (later frames depend on them) but never converted to BGR, which at 1080×1920 costs
    about as much as the decode itself."""
    with closing(_decoded(path)) as frames:
        for index, frame in enumerate(frames):
            if wanted(index):
                yield index, upright_bgr(frame)
