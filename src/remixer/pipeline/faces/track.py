"""Target selection and tracking: the sparse analysis pass finds the clip's main on-camera
person (most screen presence, by clustering dlib embeddings of faces on sampled frames),
then marks, frame by frame, where that person is visible and their face box."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from remixer.pipeline.errors import PipelineError
from remixer.pipeline.faces.models import Embedding, FaceModels
from remixer.pipeline.faces.sampling import FaceSample, sample_faces
from remixer.pipeline.types import Box, StageHooks

CLUSTER_DISTANCE = 0.55


@dataclass(frozen=True)
class FaceTrack:
    """The target person through a clip: visibility and face box per frame, shot starts."""

    width: int
    height: int
    fps: float
    frame_count: int
    embedding: Embedding
    visible: NDArray[np.bool_]
    boxes: NDArray[np.int32]
    shot_starts: NDArray[np.int32]
    sample_every: int = 6
    sampled_frames: NDArray[np.int32] = field(default_factory=lambda: np.zeros(0, np.int32))

    def box_at(self, index: int) -> Box | None:
        """The target's face box on frame `index`, or None where it is not visible."""
        if not 0 <= index < self.frame_count or not self.visible[index]:
            return None
        x, y, w, h = (int(v) for v in self.boxes[index])
        return x, y, w, h

    def is_shot_start(self, index: int) -> bool:
        return bool(np.any(self.shot_starts == index))

    def visible_runs(self) -> tuple[NDArray[np.int32], NDArray[np.int32]]:
        """Per frame, the first and last frame of the visible run (within a shot) holding it."""
        starts = np.zeros(self.frame_count, dtype=np.int32)
        ends = np.zeros(self.frame_count, dtype=np.int32)
        shot_start = np.zeros(self.frame_count + 1, dtype=np.bool_)
        shot_start[self.shot_starts] = True
        shot_start[self.frame_count] = True
        for i in range(self.frame_count):
            joined = i > 0 and self.visible[i - 1] and self.visible[i] and not shot_start[i]
            starts[i] = starts[i - 1] if joined else i
        for i in range(self.frame_count - 1, -1, -1):
            joined = self.visible[i] and i + 1 < self.frame_count and self.visible[i + 1]
            ends[i] = ends[i + 1] if joined and not shot_start[i + 1] else i
        return starts, ends

    def save(self, path: Path) -> None:
        meta = {"width": self.width, "height": self.height, "fps": self.fps}
        meta |= {"frame_count": self.frame_count, "sample_every": self.sample_every}
        with path.open("wb") as handle:
            np.savez_compressed(
                handle,
                meta=np.array(json.dumps(meta)),
                embedding=self.embedding,
                visible=self.visible,
                boxes=self.boxes,
                shot_starts=self.shot_starts,
                sampled_frames=self.sampled_frames,
            )

    @classmethod
    def load(cls, path: Path) -> FaceTrack:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            return cls(
                width=int(meta["width"]),
                height=int(meta["height"]),
                fps=float(meta["fps"]),
                frame_count=int(meta["frame_count"]),
                embedding=data["embedding"],
                visible=data["visible"],
                boxes=data["boxes"],
                shot_starts=data["shot_starts"],
                sample_every=int(meta["sample_every"]),
                sampled_frames=data["sampled_frames"],
            )


def cluster_faces(samples: list[FaceSample]) -> list[list[FaceSample]]:
    """Greedy identity clustering, largest faces first: a face joins the cluster whose mean
    embedding is nearest if closer than `CLUSTER_DISTANCE`, else starts a new one."""
    clusters: list[list[FaceSample]] = []
    centres: list[Embedding] = []
    for face in sorted(samples, key=lambda s: -s.box[2]):
        dists = [float(np.linalg.norm(face.embedding - c)) for c in centres]
        best = int(np.argmin(dists)) if dists else -1
        if best >= 0 and dists[best] < CLUSTER_DISTANCE:
            clusters[best].append(face)
            centres[best] = np.mean([f.embedding for f in clusters[best]], axis=0)
        else:
            clusters.append([face])
            centres.append(face.embedding)
    return clusters


def main_person(clusters: list[list[FaceSample]], width: int) -> list[FaceSample] | None:
    """The cluster with most screen presence among those HOG saw at least once (None: no
    such cluster). A person only ever seen by the fallback detector is not tracked: it
    finds covered faces, but also faces in a poster, a pet or a pattern, and a clip
    where HOG finds no face stays a clip with no face."""
    seen = [c for c in clusters if any(not face.covered for face in c)]
    return max(seen, key=lambda c: screen_presence(c, width)) if seen else None


def screen_presence(cluster: list[FaceSample], width: int) -> float:
    """Sum over the sampled frames of the face width as a fraction of the frame width."""
    return sum(f.box[2] / width for f in cluster)


def _per_frame(
    target: dict[int, Box], sampled: list[int], shots: list[int], frame_count: int
) -> tuple[NDArray[np.bool_], NDArray[np.int32]]:
    visible = np.zeros(frame_count, dtype=np.bool_)
    boxes = np.zeros((frame_count, 4), dtype=np.int32)
    bounds = [*shots, frame_count]
    for start, stop in itertools.pairwise(bounds):
        keys = np.array([s for s in sampled if start <= s < stop], dtype=np.int64)
        for frame in range(start, stop):
            _fill_frame(frame, keys, target, visible, boxes)
    return visible, boxes


def _fill_frame(
    frame: int,
    keys: NDArray[np.int64],
    target: dict[int, Box],
    visible: NDArray[np.bool_],
    boxes: NDArray[np.int32],
) -> None:
    if keys.size == 0:
        return
    pos = int(np.searchsorted(keys, frame))
    before = int(keys[max(pos - 1, 0)] if pos == keys.size or keys[pos] != frame else keys[pos])
    after = int(keys[min(pos, keys.size - 1)])
    a, b = target.get(before), target.get(after)
    if a is not None and b is not None:
        t = 0.0 if after == before else (frame - before) / (after - before)
        boxes[frame] = np.round(np.array(a) * (1 - t) + np.array(b) * t).astype(np.int32)
        visible[frame] = True
    elif a is not None or b is not None:
        near_before = frame - before < after - frame
        chosen = a if near_before else b
        if chosen is not None:
            boxes[frame] = chosen
            visible[frame] = True


def analyze_target(
    video: Path, models: FaceModels, hooks: StageHooks, sample_every: int | None = None
) -> FaceTrack:
    """Find and track the main on-camera person (see module docstring).

    Raises `PipelineError("NO_FACE_FOUND")` when no sampled frame shows a face."""
    scan = sample_faces(video, models, hooks, sample_every)
    if not scan.faces:
        raise PipelineError("NO_FACE_FOUND", "No face was found in the source video.")
    main = main_person(cluster_faces(scan.faces), scan.width)
    if main is None:
        raise PipelineError("NO_FACE_FOUND", "No face was found in the source video.")
    centre = np.mean([f.embedding for f in main], axis=0)
    target: dict[int, Box] = {}
    for face in sorted(main, key=lambda f: -float(np.linalg.norm(f.embedding - centre))):
        target[face.frame] = face.box
    visible, boxes = _per_frame(target, scan.sampled, scan.shot_starts, scan.frame_count)
    hooks.progress(1.0)
    return FaceTrack(
        width=scan.width,
        height=scan.height,
        fps=scan.fps,
        frame_count=scan.frame_count,
        embedding=centre,
        visible=visible,
        boxes=boxes,
        shot_starts=np.array(scan.shot_starts, dtype=np.int32),
        sample_every=scan.sample_every,
        sampled_frames=np.array(scan.sampled, dtype=np.int32),
    )
