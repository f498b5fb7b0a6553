"""The sparse analysis pass over a clip: decode every frame once, find scene cuts from grey
thumbnails, and detect and embed faces on sampled frames (every `sample_every` frames, plus
the first and last frame of every shot) at a reduced analysis width.

The identity embedding (dlib's ResNet, the most expensive step of the pass) is computed
once per second of a continuous face, not on every sample: a face whose box overlaps the
one face of the previous sample in the same shot, with no other face in either sample, is
the same person, and keeps that face's embedding until it is `EMBED_EVERY` samples old.
Wherever faces could be confused (two or more in a sample, a cut, a jump) every face is
embedded."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from remixer.pipeline.faces.geometry import box_iou, scale_box
from remixer.pipeline.faces.models import Embedding, FaceModels
from remixer.pipeline.types import Box, Frame, StageHooks
from remixer.pipeline.video import probe_video
from remixer.pipeline.video.reader import DecodedFrame
from remixer.pipeline.video.transcode import prefetch_decoded_frames

ANALYSIS_WIDTH = 540
CUT_THRESHOLD = 30.0
MAX_FACES_PER_FRAME = 4
SAMPLES_PER_SECOND = 5.0
EMBED_EVERY = 5
"""Samples a continuous single face keeps one embedding for (1 s at 5 samples a second)."""
SAME_FACE_IOU = 0.5


@dataclass(frozen=True)
class FaceSample:
    """A face seen on a sampled frame: its box in frame pixels and its embedding."""

    frame: int
    box: Box
    embedding: Embedding
    embedded_at: int = -1
    """The frame the embedding was computed on (-1: this one)."""
    covered: bool = False
    """Found only by the fallback detector (a caption, a hand across the face): its own
    embedding is not to be trusted (`borrow_embeddings`)."""

    @property
    def source_frame(self) -> int:
        return self.frame if self.embedded_at < 0 else self.embedded_at


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


def thumbnail(frame: DecodedFrame) -> NDArray[np.float32]:
    """A 32×56 grey thumbnail for cut detection (converted from the decoded frame
    directly: the BGR array is made only for the sampled frames)."""
    return frame.grey(32, 56).astype(np.float32)


def is_cut(previous: NDArray[np.float32] | None, current: NDArray[np.float32]) -> bool:
    """A scene cut: the mean absolute grey difference of thumbnails exceeds `CUT_THRESHOLD`."""
    return previous is not None and float(np.abs(current - previous).mean()) > CUT_THRESHOLD


def detect_and_embed(
    models: FaceModels,
    frame_bgr: Frame,
    index: int,
    previous: list[FaceSample] | None = None,
    max_age: int = 0,
) -> list[FaceSample]:
    """Faces on one frame (HOG at `ANALYSIS_WIDTH`, BlazeFace where HOG sees none), boxes
    mapped back to frame pixels.

    `previous`: the faces of the previous sample in the same shot, whose embedding a
    continuing single face keeps while it was computed fewer than `max_age` frames ago
    (see the module docstring)."""
    factor = min(1.0, ANALYSIS_WIDTH / frame_bgr.shape[1])
    small = cv2.resize(frame_bgr, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    rgb = np.ascontiguousarray(cv2.cvtColor(small, cv2.COLOR_BGR2RGB), dtype=np.uint8)
    found = models.detect(rgb, upsample=0, fallback=True)[:MAX_FACES_PER_FRAME]
    boxes = [scale_box(d.box, 1 / factor) for d in found]
    same = _continuing(previous or [], boxes, index, max_age)
    if same is not None:
        return [FaceSample(index, boxes[0], same.embedding, same.source_frame, found[0].fallback)]
    pairs = zip(boxes, found, strict=True)
    return [
        FaceSample(index, box, models.embed(rgb, d.box), covered=d.fallback) for box, d in pairs
    ]


def borrow_embeddings(scan: ClipScan) -> None:
    """A covered face (`FaceSample.covered`) takes the embedding of the nearest uncovered
    one it is linked to: single faces on consecutive samples of one shot, their boxes
    overlapping (IoU ≥ `SAME_FACE_IOU`), link.

    Text across the eyes moves dlib's embedding away from the person: a clip whose first
    two seconds had a caption there made two clusters, the captioned frames the larger,
    and the clean frames after it were not tracked."""
    by_frame: dict[int, list[int]] = {}
    for position, face in enumerate(scan.faces):
        by_frame.setdefault(face.frame, []).append(position)
    chain: list[int] = []
    chains: list[list[int]] = []
    previous_frame = -1
    for frame in scan.sampled:
        faces = by_frame.get(frame, [])
        cut = any(previous_frame < start <= frame for start in scan.shot_starts)
        previous_frame = frame
        if not faces and not cut:
            continue  # a sample where no detector saw the face does not end the chain
        linked = (
            len(faces) == 1
            and bool(chain)
            and not cut
            and box_iou(scan.faces[chain[-1]].box, scan.faces[faces[0]].box) >= SAME_FACE_IOU
        )
        if not linked:
            chains.append(chain)
            chain = []
        if len(faces) == 1:
            chain.append(faces[0])
    chains.append(chain)
    for links in chains:
        clear = [p for p in links if not scan.faces[p].covered]
        for position in links:
            face = scan.faces[position]
            if face.covered and clear:
                donor = scan.faces[min(clear, key=lambda p: abs(scan.faces[p].frame - face.frame))]
                scan.faces[position] = FaceSample(
                    face.frame, face.box, donor.embedding, donor.source_frame, covered=True
                )


def _continuing(
    previous: list[FaceSample], boxes: list[Box], index: int, max_age: int
) -> FaceSample | None:
    """The previous sample's face that `boxes` continues, when it is unambiguous."""
    if len(previous) != 1 or len(boxes) != 1:
        return None
    face = previous[0]
    fresh = index - face.source_frame < max_age
    return face if fresh and box_iou(face.box, boxes[0]) >= SAME_FACE_IOU else None


def sample_faces(
    video: Path, models: FaceModels, hooks: StageHooks, sample_every: int | None = None
) -> ClipScan:
    """Run the analysis pass over `video` (see module docstring)."""
    info = probe_video(video)
    every = sample_every or max(1, round(info.fps / SAMPLES_PER_SECOND))
    scan = ClipScan(info.width, info.height, info.fps, sample_every=every)
    previous: tuple[int, DecodedFrame] | None = None
    last_thumb: NDArray[np.float32] | None = None
    index = -1
    with prefetch_decoded_frames(video) as frames:  # decode overlaps HOG (both release the GIL)
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
    borrow_embeddings(scan)
    return scan


def _sample(scan: ClipScan, models: FaceModels, item: tuple[int, DecodedFrame] | None) -> None:
    if item is None or (scan.sampled and scan.sampled[-1] == item[0]):
        return
    same_shot = bool(scan.sampled) and not any(
        scan.sampled[-1] < start <= item[0] for start in scan.shot_starts
    )
    recent = scan.faces[-MAX_FACES_PER_FRAME:] if same_shot else []
    last = [f for f in recent if f.frame == scan.sampled[-1]]
    scan.sampled.append(item[0])
    age = EMBED_EVERY * scan.sample_every
    scan.faces.extend(detect_and_embed(models, item[1].bgr(), item[0], last, age))
