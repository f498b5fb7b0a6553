"""Measured swap quality on an output video.

On every `sample_every`-th frame where the track says the target is visible, the face at
the track's box is found again (HOG) and embedded (dlib):

- `identity_similarity`: mean of 1 − distance to the influencer's mean embedding (a frame
  where no face is found there counts as distance 1);
- `identity_pass_rate`: fraction with distance to the influencer < 0.6;
- `original_distance_pass_rate`: fraction found and no longer the original (distance to the
  track's embedding ≥ 0.6);
- `face_coverage`: fraction found and nearer the influencer than the original (swapped);
- `warnings`: `reference_too_small` (the reference face is under `REFERENCE_MIN_RATIO` of
  the target's face width in the video: its detail cannot come from the photo),
  `face_turned_away` (in ≥ `WARN_SHARE` of the visible frames the head is turned past the
  angle where the swap fades out), `occluded` (in ≥ `WARN_SHARE` of the sampled frames
  ≥ `OCCLUDED_SHARE` of the face is covered; kept in front, not swapped);
- `passed`: identity and "not the original" pass rates both ≥ `PASS_RATE` (SPEC §7.3);
  each bar missed is added to `warnings` (`identity_below_bar`,
  `original_still_recognised`; `face_not_measured` when no frame could be sampled);
- `jitter_px`: over the visible frames of short runs of consecutive frames (`JITTER_RUN`
  of every `JITTER_PERIOD`), mean distance in frame pixels of each FaceMesh point from the
  midpoint of its neighbours in time (the acceleration a still or smoothly moving face does
  not have), averaged over the 468 mesh points; run on the source clip it gives the
  baseline the swap must not exceed.

Only the frames a figure needs are followed (FaceMesh) or converted from the decoder
(`FramePlan`): about 12 embedded frames spread over the clip and the jitter runs, a third
of the frames of a clip instead of all of them (docs/performance.md has the figures)."""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import cv2
import numpy as np

from remixer.pipeline.faces.follow import FULL_YAW, TargetFollower
from remixer.pipeline.faces.geometry import (
    MESH_POINTS,
    box_iou,
    box_of,
    expand_box,
    scale_box,
    warp_points,
)
from remixer.pipeline.faces.identity import FaceIdentity
from remixer.pipeline.faces.models import SAME_PERSON_DISTANCE, Embedding, FaceModels, Landmarks
from remixer.pipeline.faces.occlusion import occluded_share
from remixer.pipeline.faces.sampling import ANALYSIS_WIDTH
from remixer.pipeline.faces.track import FaceTrack
from remixer.pipeline.types import Box, Frame, StageHooks
from remixer.pipeline.video.transcode import prefetch_selected_frames


@dataclass(frozen=True)
class FaceQuality:
    """Quality figures of a swapped video (see module docstring)."""

    identity_similarity: float
    identity_pass_rate: float
    original_distance_pass_rate: float
    face_coverage: float
    jitter_px: float
    sampled_frames: int
    warnings: tuple[str, ...] = ()

    @property
    def shortfalls(self) -> tuple[str, ...]:
        """Each bar of SPEC §7.3 the output misses, named for the reviewer: a failed output
        always says why (a clip too dark for the face to be found again said nothing)."""
        if self.sampled_frames == 0:
            return ("face_not_measured",)
        missed: list[str] = []
        if self.identity_pass_rate < PASS_RATE:
            missed.append("identity_below_bar")
        if self.original_distance_pass_rate < PASS_RATE:
            missed.append("original_still_recognised")
        return tuple(missed)

    @property
    def passed(self) -> bool:
        """Whether the output meets the identity and visibility bars (SPEC §7.3)."""
        return not self.shortfalls

    def to_dict(self) -> dict[str, float | int | bool | list[str]]:
        """camelCase keys for the container's `quality`."""
        return {
            "identitySimilarity": round(self.identity_similarity, 4),
            "identityPassRate": round(self.identity_pass_rate, 4),
            "originalDistancePassRate": round(self.original_distance_pass_rate, 4),
            "faceCoverage": round(self.face_coverage, 4),
            "jitterPx": round(self.jitter_px, 4),
            "sampledFrames": self.sampled_frames,
            "passed": self.passed,
            "warnings": [*self.warnings, *self.shortfalls],
        }


PASS_RATE = 0.9
REFERENCE_MIN_RATIO = 0.6
WARN_SHARE = 0.1
OCCLUDED_SHARE = 0.12


@dataclass
class _Tally:
    jitter: list[float] = field(default_factory=list)
    run: list[Landmarks] = field(default_factory=list)
    visible: int = 0
    turned: int = 0
    occlusion: list[float] = field(default_factory=list)


ROI_FACTOR = 2.2
"""The region searched around the track's box: the face plus margin enough for HOG's window."""


def embed_target(models: FaceModels, frame_bgr: Frame, box: Box) -> Embedding | None:
    """The embedding of the face overlapping `box` most (IoU ≥ 0.3), or None.

    Only a region around `box` is searched (at the analysis scale), not the whole frame:
    a face elsewhere could not pass the IoU test anyway, and HOG's cost is per pixel."""
    height, width = frame_bgr.shape[:2]
    rx, ry, rw, rh = expand_box(box, ROI_FACTOR, width, height)
    if rw < 2 or rh < 2:
        return None
    factor = min(1.0, ANALYSIS_WIDTH / width)
    roi = frame_bgr[ry : ry + rh, rx : rx + rw]
    small = cv2.resize(roi, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    rgb = np.ascontiguousarray(cv2.cvtColor(small, cv2.COLOR_BGR2RGB), dtype=np.uint8)
    found = models.detect(rgb, upsample=0, fallback=True)
    local = (box[0] - rx, box[1] - ry, box[2], box[3])
    scored = [(box_iou(scale_box(d.box, 1 / factor), local), d) for d in found]
    best = max(scored, key=lambda s: s[0], default=None)
    if best is None or best[0] < 0.3:
        return None
    return models.embed(rgb, best[1].box)


def jitter_of(run: list[Landmarks]) -> list[float]:
    """Per inner frame of a run of landmark sets, the mean second-difference length."""
    if len(run) < 3:
        return []
    pts = np.stack([r[:MESH_POINTS] for r in run])
    accel = pts[1:-1] - (pts[:-2] + pts[2:]) / 2
    return [float(v) for v in np.linalg.norm(accel, axis=2).mean(axis=1)]


JITTER_RUN = 8
JITTER_PERIOD = 30
JITTER_WARMUP = 3
"""Frames followed, but left out of the jitter, after FaceMesh starts again on a run: its
first tracked frames settle (counting them doubles the figure on the synthetic clip)."""
EMBED_FRAMES = 12
MAX_EMBED_EVERY = 30
"""A long clip still gets an embedded frame at least every second (at 30 fps)."""


@dataclass(frozen=True)
class FramePlan:
    """Which frames of the output quality looks at: every `embed_every`-th is embedded
    (and checked for occlusion), the first `jitter_run` of every `jitter_period` are
    followed in a row for jitter; the rest are decoded but not converted or followed."""

    embed_every: int
    jitter_run: int = JITTER_RUN + JITTER_WARMUP
    jitter_period: int = JITTER_PERIOD
    warmup: int = JITTER_WARMUP

    def embeds(self, index: int) -> bool:
        return index % self.embed_every == 0

    def follows(self, index: int) -> bool:
        return index % self.jitter_period < self.jitter_run or self.embeds(index)


DENSE = FramePlan(embed_every=1, jitter_run=1, jitter_period=1, warmup=0)
"""Every frame followed and embedded (the reference the sampled figures are checked against)."""


def plan_for(frame_count: int, sample_every: int | None = None) -> FramePlan:
    """The plan for a clip: `sample_every` when given, else ~`EMBED_FRAMES` embedded frames."""
    every = sample_every or min(MAX_EMBED_EVERY, math.ceil(frame_count / EMBED_FRAMES))
    return FramePlan(embed_every=max(1, every))


def _uncovered(track: FaceTrack, plan: FramePlan, text_over: TextOver) -> int:
    """How many of the plan's embedded frames show the face without our text over it."""
    return sum(
        not text_over(index, box)
        for index in range(track.frame_count)
        if plan.embeds(index) and (box := track.box_at(index)) is not None
    )


def _around_text(
    track: FaceTrack, plan: FramePlan, text_over: TextOver | None, chosen: bool
) -> tuple[FramePlan, TextOver | None]:
    """The plan and the frames to skip: frames where our text covers the face are skipped
    when at least `MIN_UNCOVERED` planned frames are left; a default plan (not `chosen`)
    is made denser, up to three halvings, until `EMBED_FRAMES` / 2 are (captions over
    the face for two thirds of captioned s18 left 4 of 12)."""
    if text_over is None:
        return plan, None
    left = _uncovered(track, plan, text_over)
    for _ in range(0 if chosen else 3):
        if plan.embed_every == 1 or left >= EMBED_FRAMES // 2:
            break
        plan = replace(plan, embed_every=max(1, plan.embed_every // 2))
        left = _uncovered(track, plan, text_over)
    return plan, text_over if left >= MIN_UNCOVERED else None


def _collect(
    video: Path,
    track: FaceTrack,
    models: FaceModels,
    plan: FramePlan,
    want_ids: bool,
    hooks: StageHooks,
    skip: TextOver | None = None,
) -> tuple[_Tally, list[Embedding | None]]:
    """Follow the plan's frames; the embeddings (HOG + ResNet, which release the GIL) run
    in a thread of their own, in frame order, beside FaceMesh: only this thread uses the
    dlib models while quality is measured."""
    tally = _Tally()
    pending: list[Future[Embedding | None]] = []
    follower = TargetFollower(track, models)
    embedding = ThreadPoolExecutor(1, thread_name_prefix="remixer-quality-embed")
    last, streak = -2, 0
    try:
        with prefetch_selected_frames(video, plan.follows) as frames:  # decode overlaps FaceMesh
            for seen, (index, frame) in enumerate(frames):
                box = track.box_at(index)
                embeds = want_ids and box is not None and plan.embeds(index)
                if embeds and box is not None and skip is not None and skip(index, box):
                    embeds = False
                if embeds and box is not None:
                    pending.append(embedding.submit(embed_target, models, frame, box))
                state = follower.follow(frame, index)
                if state is None or track.is_shot_start(index) or index != last + 1:
                    tally.jitter += jitter_of(tally.run)
                    tally.run, streak = [], 0
                last = index
                if state is not None:
                    streak += 1
                    if streak > plan.warmup:
                        tally.run.append(state.raw)
                    tally.visible += 1
                    tally.turned += abs(state.pose.yaw) > FULL_YAW
                if embeds and state is not None:
                    outline = warp_points(state.raw, 1.0)[MESH_POINTS:]
                    tally.occlusion.append(occluded_share(frame, state.raw, outline))
                if seen % 8 == 0:
                    hooks.check_cancel()
                    hooks.progress(min(0.99, index / max(track.frame_count, 1)))
        embeddings = [found.result() for found in pending]
    finally:
        embedding.shutdown(cancel_futures=True)
        follower.close()
    tally.jitter += jitter_of(tally.run)
    return tally, embeddings


def measure_jitter(
    video: Path, track: FaceTrack, models: FaceModels, plan: FramePlan | None = None
) -> float:
    """The landmark jitter (px) of the target in `video` (see module docstring), on the
    same frames `measure_quality` uses unless another `plan` (e.g. `DENSE`) is given."""
    tally, _ = _collect(
        video, track, models, plan or plan_for(track.frame_count), False, StageHooks()
    )
    return float(np.mean(tally.jitter)) if tally.jitter else 0.0


TextOver = Callable[[int, Box], bool]
"""Whether, on a frame, the video's own new text covers a face box."""
MIN_UNCOVERED = 3


def measure_quality(
    output_video: Path,
    identity: FaceIdentity,
    track: FaceTrack,
    models: FaceModels,
    sample_every: int | None = None,
    hooks: StageHooks | None = None,
    plan: FramePlan | None = None,
    text_over: TextOver | None = None,
) -> FaceQuality:
    """Quality of a swapped video against the influencer and the original target, on the
    frames of `plan` (default: `plan_for(frame_count, sample_every)`).

    Frames where `text_over` says the remix's own new caption covers the face are not
    embedded nor tested for occluders (on a captioned s18 × s42 every frame was swapped,
    but under the captions the recogniser found no face or read 0.64–0.72 from the
    influencer against 0.33–0.36 beside them, and the text counted as an occluder),
    unless fewer than `MIN_UNCOVERED` planned frames would be left (`_around_text`)."""
    chosen, skip = _around_text(
        track, plan or plan_for(track.frame_count, sample_every), text_over, plan is not None
    )
    tally, embeddings = _collect(
        output_video, track, models, chosen, True, hooks or StageHooks(), skip
    )
    influencer = identity.embedding
    to_inf = [1.0 if e is None else float(np.linalg.norm(e - influencer)) for e in embeddings]
    to_orig = [0.0 if e is None else float(np.linalg.norm(e - track.embedding)) for e in embeddings]
    count = len(embeddings)
    warnings = quality_warnings(identity, track, tally)
    if count == 0:
        return FaceQuality(0.0, 0.0, 0.0, 0.0, 0.0, 0, warnings)
    found = [e is not None for e in embeddings]
    swapped = [f and a < b for f, a, b in zip(found, to_inf, to_orig, strict=True)]
    return FaceQuality(
        identity_similarity=float(np.mean([1.0 - d for d in to_inf])),
        identity_pass_rate=float(np.mean([d < SAME_PERSON_DISTANCE for d in to_inf])),
        original_distance_pass_rate=float(
            np.mean([f and d >= SAME_PERSON_DISTANCE for f, d in zip(found, to_orig, strict=True)])
        ),
        face_coverage=float(np.mean(swapped)),
        jitter_px=float(np.mean(tally.jitter)) if tally.jitter else 0.0,
        sampled_frames=count,
        warnings=warnings,
    )


def reference_face_px(identity: FaceIdentity) -> float:
    """The widest reference face, in photo pixels (crops are at most 512 px wide faces)."""
    return float(max(box_of(r.landmarks)[2] for r in identity.references))


def target_face_px(track: FaceTrack) -> float:
    """The median width of the target's face box over its visible frames (frame pixels)."""
    widths = track.boxes[track.visible][:, 2] if track.visible.any() else np.zeros(1)
    return float(np.median(widths))


def quality_warnings(identity: FaceIdentity, track: FaceTrack, tally: _Tally) -> tuple[str, ...]:
    """What a reviewer should know about the swap (see module docstring)."""
    found: list[str] = []
    if reference_face_px(identity) < REFERENCE_MIN_RATIO * target_face_px(track):
        found.append("reference_too_small")
    if tally.visible and tally.turned / tally.visible >= WARN_SHARE:
        found.append("face_turned_away")
    if tally.occlusion and np.mean([s >= OCCLUDED_SHARE for s in tally.occlusion]) >= WARN_SHARE:
        found.append("occluded")
    return tuple(found)
