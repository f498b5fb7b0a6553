"""The sparse analysis pass over a clip: decode every frame once, find scene cuts from grey
thumbnails, and detect and embed faces on sampled frames (every `sample_every` frames, plus
the first and last frame of every shot) at a reduced analysis width."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from remixer.pipeline.faces.geometry import scale_box
from remixer.pipeline.faces.models import Embedding, FaceModels
from remixer.pipeline.types import Box, Frame, StageHooks
from remixer.pipeline.video import probe_video
from remixer.pipeline.video.transcode import prefetch_frames

ANALYSIS_WIDTH = 540
CUT_THRESHOLD = 30.0
MAX_FACES_PER_FRAME = 4
SAMPLES_PER_SECOND = 5.0


@dataclass(frozen=True)
class FaceSample:
    """A face seen on a sampled frame: its box in frame pixels and its embedding."""

    frame: int
    box: Box
    embedding: Embedding


@dataclass
class ClipScan:
    """What the analysis pass saw."""

    width: int
    height: int
    fps: float
    frame_count: int = 0
    sample_every: int = 6
    shot_starts: list[int] = field(default_factory=lambda: [0])
    sampled: list[int] = field(default_factory=list)
    faces: list[FaceSample] = field(default_factory=list)


def thumbnail(frame_bgr: Frame) -> NDArray[np.float32]:
    """A 32×56 grey thumbnail for cut detection."""
    small = cv2.resize(frame_bgr, (32, 56), interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(small, cv2.COLOR_BGR2GRAY).astype(np.float32)


def is_cut(previous: NDArray[np.float32] | None, current: NDArray[np.float32]) -> bool:
    """A scene cut: the mean absolute grey difference of thumbnails exceeds `CUT_THRESHOLD`."""
    return previous is not None and float(np.abs(current - previous).mean()) > CUT_THRESHOLD


def detect_and_embed(models: FaceModels, frame_bgr: Frame, index: int) -> list[FaceSample]:
    """Faces on one frame (HOG at `ANALYSIS_WIDTH`), boxes mapped back to frame pixels."""
    factor = min(1.0, ANALYSIS_WIDTH / frame_bgr.shape[1])
    small = cv2.resize(frame_bgr, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    rgb = np.ascontiguousarray(cv2.cvtColor(small, cv2.COLOR_BGR2RGB), dtype=np.uint8)
    found = models.detect(rgb, upsample=0)[:MAX_FACES_PER_FRAME]
    return [
        FaceSample(index, scale_box(d.box, 1 / factor), models.embed(rgb, d.box)) for d in found
    ]


def sample_faces(
    video: Path, models: FaceModels, hooks: StageHooks, sample_every: int | None = None
) -> ClipScan:
    """Run the analysis pass over `video` (see module docstring)."""
    info = probe_video(video)
    every = sample_every or max(1, round(info.fps / SAMPLES_PER_SECOND))
    scan = ClipScan(info.width, info.height, info.fps, sample_every=every)
    previous: tuple[int, Frame] | None = None
    last_thumb: NDArray[np.float32] | None = None
    index = -1
    with prefetch_frames(video) as frames:  # decode overlaps HOG (both release the GIL)
        for index, frame in enumerate(frames):
            thumb = thumbnail(frame)
            if index > 0 and is_cut(last_thumb, thumb):
                scan.shot_starts.append(index)
                _sample(scan, models, previous)
            last_thumb = thumb
            if index % every == 0 or scan.shot_starts[-1] == index:
                _sample(scan, models, (index, frame))
            previous = (index, frame)
            if index % 8 == 0:
                hooks.check_cancel()
                hooks.progress(min(0.99, index / max(info.frame_count, 1)))
    _sample(scan, models, previous)
    scan.frame_count = index + 1
    return scan


def _sample(scan: ClipScan, models: FaceModels, item: tuple[int, Frame] | None) -> None:
    if item is None or (scan.sampled and scan.sampled[-1] == item[0]):
        return
    scan.sampled.append(item[0])
    scan.faces.extend(detect_and_embed(models, item[1], item[0]))
