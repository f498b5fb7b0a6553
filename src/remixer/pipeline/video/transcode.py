"""The dense pass engine: decode → process(frame_index, frame_bgr) → encode, overlapped in threads.

The stages run at once (decode thread, a thread per processing step, encoding in the
caller's thread); PyAV, OpenCV and numpy release the GIL so they overlap on several cores.
Each processing step is called in frame order from its own single thread, so stateful
processors (trackers, smoothers) stay correct. Progress and cancel hooks are called
from the caller's thread every few frames; any exception (a cancel included) stops
every thread, closes the containers and leaves no partial file behind.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import cast

from remixer.pipeline.errors import PipelineError
from remixer.pipeline.types import Frame, StageHooks
from remixer.pipeline.video.probe import VideoInfo
from remixer.pipeline.video.reader import (
    DecodedFrame,
    iter_decoded_frames,
    iter_frames_bgr,
    iter_selected_frames_bgr,
)
from remixer.pipeline.video.writer import VideoWriter

ProcessFn = Callable[[int, Frame], Frame]
_Items = Generator[object, None, None]

HOOK_EVERY = 5
_QUEUE_DEPTH = 8
_END = object()


class _Failure:
    def __init__(self, error: BaseException) -> None:
        self.error = error


class _Stage(threading.Thread):
    """A thread that feeds the items of `source` into a bounded queue until told to stop."""

    def __init__(self, name: str, source: Callable[[], _Items], stop: threading.Event):
        super().__init__(name=name, daemon=True)
        self.out: queue.Queue[object] = queue.Queue(maxsize=_QUEUE_DEPTH)
        self._source = source
        self._halt = stop

    def run(self) -> None:
        items = self._source()
        try:
            for item in items:
                if not self._put(item):
                    return
            self._put(_END)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, re-raised there
            self._put(_Failure(exc))
        finally:
            items.close()

    def _put(self, item: object) -> bool:
        while not self._halt.is_set():
            try:
                self.out.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False


def drain(stage: _Stage, stop: threading.Event) -> Iterator[object]:
    """Yield a stage's items until its end marker; re-raise its failure here."""
    while True:
        try:
            item = stage.out.get(timeout=0.1)
        except queue.Empty:
            if stop.is_set() or (not stage.is_alive() and stage.out.empty()):
                return
            continue
        if item is _END:
            return
        if isinstance(item, _Failure):
            raise item.error
        yield item


def transcode(
    src: Path,
    dst: Path,
    process: ProcessFn | Sequence[ProcessFn],
    info: VideoInfo,
    hooks: StageHooks,
) -> None:
    """Write `dst`: every frame of `src` passed through `process`, source audio copied.

    Several processing steps form a pipeline, each in its own thread (frame n's second
    step runs while frame n+1's first does), each called in frame order."""
    steps = [process] if callable(process) else list(process)
    stop = threading.Event()
    times: list[float] = []
    stages = [_Stage("remixer-decode", lambda: _timing(src, times), stop)]
    for number, step in enumerate(steps):
        stages.append(_Stage(f"remixer-process-{number}", _stepping(step, stages[-1], stop), stop))
    try:
        writer = VideoWriter(
            dst,
            info.width,
            info.height,
            info.frame_rate,
            audio_from=src,
            timed=info.variable_rate,
        )
    except PipelineError:
        dst.unlink(missing_ok=True)
        raise
    try:
        for stage in stages:
            stage.start()
        _encode_all(writer, drain(stages[-1], stop), times, info, hooks)
        writer.close()
    except BaseException:
        writer.abort()
        dst.unlink(missing_ok=True)
        raise
    finally:
        stop.set()
        for stage in stages:
            if stage.ident is not None:  # started
                stage.join()


def _timing(src: Path, times: list[float]) -> _Items:
    """The frames of `src` as BGR, each one's source time appended to `times` first (frame
    n has passed every stage before the writer reads `times[n]`)."""
    for decoded in iter_decoded_frames(src):
        times.append(decoded.time_s)
        yield decoded.bgr()


def _stepping(step: ProcessFn, upstream: _Stage, stop: threading.Event) -> Callable[[], _Items]:
    def run() -> _Items:
        for index, frame in enumerate(drain(upstream, stop)):
            yield step(index, frame)  # type: ignore[arg-type]

    return run


def _encode_all(
    writer: VideoWriter,
    frames: Iterator[object],
    times: list[float],
    info: VideoInfo,
    hooks: StageHooks,
) -> None:
    total = max(info.frame_count, 1)
    for index, frame in enumerate(frames):
        if index % HOOK_EVERY == 0:
            hooks.check_cancel()
            hooks.progress(min(index / total, 1.0))
        writer.write(frame, times[index])  # type: ignore[arg-type]
    if writer.frames_written == 0:
        raise PipelineError("SOURCE_INVALID", "The video has no decodable frame.")
    hooks.progress(1.0)


@contextmanager
def _prefetched(source: Callable[[], _Items]) -> Iterator[Iterator[object]]:
    """`source`'s items, produced in a background thread; the caller iterates them."""
    stop = threading.Event()
    decoder = _Stage("remixer-prefetch", source, stop)
    decoder.start()
    try:
        yield drain(decoder, stop)
    finally:
        stop.set()
        decoder.join()


@contextmanager
def prefetch_frames(path: Path) -> Iterator[Iterator[Frame]]:
    """Decode `path` in a background thread; the caller iterates the frames in order."""
    with _prefetched(lambda: iter_frames_bgr(path)) as items:
        yield cast(Iterator[Frame], items)


@contextmanager
def prefetch_decoded_frames(path: Path) -> Iterator[Iterator[DecodedFrame]]:
    """Like `prefetch_frames`, the frames left unconverted (`DecodedFrame`)."""
    with _prefetched(lambda: iter_decoded_frames(path)) as items:
        yield cast(Iterator[DecodedFrame], items)


@contextmanager
def prefetch_selected_frames(
    path: Path, wanted: Callable[[int], bool]
) -> Iterator[Iterator[tuple[int, Frame]]]:
    """Like `prefetch_frames`, for only the frames where `wanted(index)`, with their index."""
    with _prefetched(lambda: iter_selected_frames_bgr(path, wanted)) as items:
        yield cast(Iterator[tuple[int, Frame]], items)
