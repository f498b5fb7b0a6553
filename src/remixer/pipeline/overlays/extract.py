"""The `extracting_overlays` stage: one decode pass, OCR on sampled frames, tracking, exact
spans from the frames in between, and the final list of caption overlays."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from remixer.pipeline.overlays.blocks import group_blocks
from remixer.pipeline.overlays.gate import ChangeGate, detect_in, is_whole
from remixer.pipeline.overlays.model import Overlay
from remixer.pipeline.overlays.ocr import read_lines
from remixer.pipeline.overlays.spacing import restore_spaces
from remixer.pipeline.overlays.tracking import (
    MIN_READINGS,
    Pending,
    Track,
    Tracker,
    absorb_animation_ghosts,
    is_caption,
    merge_reveals,
    vote_text,
)
from remixer.pipeline.types import Frame, StageHooks
from remixer.pipeline.video.probe import VideoInfo
from remixer.pipeline.video.transcode import HOOK_EVERY, prefetch_frames

SAMPLES_PER_S = 3.0


def sample_step(fps: float, samples_per_s: float = SAMPLES_PER_S) -> int:
    """Frames between two OCR samples."""
    return max(round(fps / samples_per_s), 1)


def extract_overlays(path: Path, info: VideoInfo, ocr: Any, hooks: StageHooks) -> list[Overlay]:
    """Find the burned-in caption blocks of `path`, each with its exact frame span and style."""
    step = sample_step(info.fps)
    tracker = Tracker()
    gate = ChangeGate()
    pending: Pending = []
    total = max(info.frame_count, 1)
    samples = 0
    with prefetch_frames(path) as frames:
        for index, frame in enumerate(frames):
            if index % HOOK_EVERY == 0:
                hooks.check_cancel()
                hooks.progress(min(index / total, 0.99))
            if index % step == 0:
                _sample(tracker, gate, ocr, index, frame, pending)
                samples, pending = samples + 1, []
            else:
                pending.append((index, frame))
    if pending and len(pending) >= step / 2:
        # The last frame too, when half a step or more past the last sample: a caption in
        # a clip shorter than a step, or shown only over the last step or two, is then
        # seen twice. (Nearer, a moving scene text would look still across the two.)
        # Read whole, as the clip's last frame (`last`): a caption fading out with the clip
        # was read there, taken for moving scene text (its pixels no longer matched) and
        # dropped.
        index, frame = pending[-1]
        tracker.update(index, group_blocks(read_lines(ocr, frame)), frame, pending[:-1], last=True)
        samples, pending = samples + 1, []
    found = absorb_animation_ghosts(merge_reveals(tracker.finish(pending)))
    # A clip too short for two samples (a few frames) cannot show its text twice.
    tracks = [t for t in found if is_caption(t, min(MIN_READINGS, samples))]
    hooks.progress(1.0)
    return [_to_overlay(n, track, info.fps) for n, track in enumerate(tracks)]


def _sample(
    tracker: Tracker, gate: ChangeGate, ocr: Any, index: int, frame: Frame, pending: Pending
) -> None:
    """Detection only where the picture changed since the previous sample; recognition only
    when something not already tracked shows up."""
    region = gate.region(frame, [t.look.crop_box for t in tracker.active])
    if region is None:
        tracker.confirm(index, frame, pending)
        return
    if not tracker.active and is_whole(region, frame):
        tracker.update(index, group_blocks(read_lines(ocr, frame)), frame, pending)
    elif tracker.explains(detect_in(ocr, frame, region), frame):
        tracker.confirm(index, frame, pending)
    else:
        tracker.update(index, group_blocks(read_lines(ocr, frame)), frame, pending)


def _to_overlay(number: int, track: Track, fps: float) -> Overlay:
    reading = vote_text(track.readings)
    lines = [restore_spaces(line.text, track.look, line.box) for line in reading.lines]
    end = track.end_frame if track.end_frame is not None else track.last_seen
    return Overlay(
        id=f"ovl_{number + 1}",
        text=" ".join(lines),
        lines=lines,
        box=track.look.box,
        start_frame=track.start_frame,
        end_frame=end,
        start_s=round(track.start_frame / fps, 3),
        end_s=round((end + 1) / fps, 3),
        style=track.look.style,
        word_frames=list(track.word_frames) if track.word_frames else None,
        fade_in_frames=track.fade_in,
        fade_out_frames=track.fade_out,
    )
