"""Redraw caption overlays frame by frame: erase the old caption from time (clean
references of its region from frames outside its span, aligned per frame) and draw the
new text, laid out like the source, over exactly the old frame span.

Everything that does not depend on the frame is prepared in the constructor (layout,
sprites, erase geometry, the reference schedule). `erase` (or `paint`, which erases and
draws) is called in frame order: it keeps the region crops of the frames scheduled as
references *before* a span as they go by. The dense pass erases the decoded frame first,
swaps the face on the erased frame and draws the new text last (`erase`, then `draw`):
the references, from before or after a span, are then all decoded frames like the ones
erased, and the face found and drawn under an old caption is not hidden by its text. A
caption that has no clean frame before it (it starts the clip, or another caption covers
its place until then) gets references from frames *after* its span, read from `source`
by a background decoder that keeps only those crops; no whole frames are held.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from remixer.pipeline.overlays.model import Overlay
from remixer.pipeline.render.compose import composite_rgba
from remixer.pipeline.render.erase import EraseArea, erase, erase_area
from remixer.pipeline.render.flowcheck import check_pairs, choose_method
from remixer.pipeline.render.layout import Placement, place_text
from remixer.pipeline.render.temporal import CleanPlate, Mask, align_reference
from remixer.pipeline.types import Frame
from remixer.pipeline.video.reader import iter_selected_frames_bgr

REFERENCE_OFFSETS = (2, 6, 15)
"""Frames before the start (after the end) tried as clean references, nearest first."""
MAX_REFERENCES = 2
MAX_COVERED = 0.25
"""A candidate frame is skipped when other captions cover more than this share of the area."""


@dataclass(frozen=True)
class _Job:
    overlay: Overlay
    placement: Placement
    geo: EraseArea


class OverlayPainter:
    """Erase `overlays` and draw `new_texts` (same order) on frames of `width`×`height`.

    `source` (the video being painted) and its `frame_count` enable references from after
    a span; without them only frames passed to `paint` before a span serve."""

    def __init__(
        self,
        overlays: Sequence[Overlay],
        new_texts: Sequence[str],
        width: int,
        height: int,
        source: Path | None = None,
        frame_count: int | None = None,
    ) -> None:
        if len(overlays) != len(new_texts):
            raise ValueError("one new text per overlay is needed")
        self.width = width
        self.height = height
        self._jobs = [
            _Job(
                overlay,
                place_text(overlay, text, width, height),
                erase_area(overlay, width, height),
            )
            for overlay, text in zip(overlays, new_texts, strict=True)
        ]
        self._plates = [CleanPlate(job.geo.region) for job in self._jobs]
        self._before: dict[int, list[int]] = {}
        after: dict[int, list[int]] = {}
        for number, (overlay, text) in enumerate(zip(overlays, new_texts, strict=True)):
            pre, post = self._schedule(number, frame_count)
            for index in pre:
                self._before.setdefault(index, []).append(number)
            if source is not None:
                for index in post:
                    after.setdefault(index, []).append(number)
            if not pre and (source is None or not post) and overlay.style.plate_box:
                # No clean frame to erase this plate from: the new plate covers the old.
                job = self._jobs[number]
                cover = place_text(overlay, text, width, height, cover=True)
                self._jobs[number] = _Job(overlay, cover, job.geo)
        self._ready = {n: threading.Event() for indexes in after.values() for n in indexes}

        self._previous: dict[int, tuple[int, Frame]] = {}
        self._stop = threading.Event()
        self._reader: threading.Thread | None = None
        if after and source is not None:
            self._reader = threading.Thread(
                target=self._read_after, args=(source, after), name="remixer-refs", daemon=True
            )
            self._reader.start()

    @property
    def placements(self) -> list[Placement]:
        """The new blocks, one per overlay (same order): lines, box, font."""
        return [job.placement for job in self._jobs]

    def active(self, frame_index: int) -> list[Overlay]:
        return [job.overlay for job in self._jobs if job.overlay.drawn_at(frame_index)]

    def close(self) -> None:
        """Stop the background reference reader (if any)."""
        self._stop.set()
        if self._reader is not None:
            self._reader.join(timeout=5)

    def paint(self, frame_bgr: Frame, frame_index: int) -> Frame:
        """The frame with every overlay shown on it erased and redrawn (a new array when
        anything changed, the input otherwise)."""
        return self.draw(self.erase(frame_bgr, frame_index), frame_index)

    def erase(self, frame_bgr: Frame, frame_index: int) -> Frame:
        """The frame with every old caption shown on it erased (a new array when anything
        changed, the input otherwise). Call in frame order, with the frames as decoded: the
        crops kept as references must match the frames being erased."""
        for number in self._before.get(frame_index, ()):
            self._keep(number, frame_index, frame_bgr)
        jobs = [
            (n, job) for n, job in enumerate(self._jobs) if _erased_at(job.overlay, frame_index)
        ]
        if not jobs:
            return frame_bgr
        out = frame_bgr.copy()
        for number, job in jobs:
            ready = self._ready.get(number)
            if ready is not None:
                ready.wait()
            previous = self._previous.get(number)
            overlay = job.overlay
            unsettled = _unsettled(overlay, frame_index) or _unsettled(overlay, frame_index - 1)
            crop = erase(
                out,
                overlay,
                job.geo,
                self._aligner(number, frame_index, unsettled),
                None
                if unsettled or previous is None or previous[0] != frame_index - 1
                else previous[1],
                fading=unsettled,
            )
            self._previous[number] = (frame_index, crop)
        return out

    def draw(self, frame_bgr: Frame, frame_index: int) -> Frame:
        """The frame with the new text of every overlay shown on it drawn over it (a new
        array when anything is drawn, the input otherwise)."""
        drawn = [job for job in self._jobs if job.overlay.drawn_at(frame_index)]
        if not drawn:
            return frame_bgr
        out = frame_bgr.copy()
        for job in drawn:
            placed = job.placement
            rgba = placed.sprite_at(frame_index)
            opacity = job.overlay.opacity_at(frame_index)
            if opacity < 1.0:
                rgba = rgba.copy()
                rgba[:, :, 3] = (rgba[:, :, 3].astype(np.float32) * opacity).astype(np.uint8)
            composite_rgba(out, rgba, placed.x, placed.y)
        return out

    def _aligner(
        self, number: int, frame_index: int, unsettled: bool
    ) -> Callable[[Frame], Iterator[tuple[Frame, Mask, float]]]:
        """Clean references of caption `number` aligned onto its crop with their blend
        weights: the nearest on each side of the span first (`CleanPlate.blend_order`)."""

        def aligned(crop: Frame) -> Iterator[tuple[Frame, Mask, float]]:
            geo = self._jobs[number].geo
            area = geo.area if unsettled else geo.still
            plate = self._plates[number]
            if plate.method is None:
                pairs = check_pairs(plate.references, frame_index)
                plate.method = choose_method(pairs, geo.still)
            for reference, weight in plate.blend_order(frame_index):
                warped, valid = align_reference(reference, crop, area, geo.window, plate.method)
                yield warped, valid, weight

        return aligned

    def _covered(self, number: int, frame_index: int) -> Mask:
        """Pixels of caption `number`'s work region that captions shown at `frame_index`
        cover (their caption areas)."""
        x0, y0, x1, y1 = self._jobs[number].geo.region
        covered = np.zeros((y1 - y0, x1 - x0), bool)
        for job in self._jobs:
            if not job.overlay.drawn_at(frame_index):
                continue
            gx0, gy0, gx1, gy1 = job.geo.region
            ix0, iy0, ix1, iy1 = max(x0, gx0), max(y0, gy0), min(x1, gx1), min(y1, gy1)
            if ix0 >= ix1 or iy0 >= iy1:
                continue
            covered[iy0 - y0 : iy1 - y0, ix0 - x0 : ix1 - x0] |= job.geo.area[
                iy0 - gy0 : iy1 - gy0, ix0 - gx0 : ix1 - gx0
            ]
        return covered

    def _usable(self, number: int, frame_index: int) -> bool:
        area = self._jobs[number].geo.area
        covered = self._covered(number, frame_index) & area
        return float(covered.sum()) <= MAX_COVERED * float(area.sum())

    def _schedule(self, number: int, frame_count: int | None) -> tuple[list[int], list[int]]:
        overlay = self._jobs[number].overlay
        # A measured fade can be short of the real one: keep as far again from its ends.
        first = overlay.start_frame - 2 * overlay.fade_in_frames
        last = overlay.end_frame + 2 * overlay.fade_out_frames
        pre = [first - d for d in REFERENCE_OFFSETS if first - d >= 0]
        post = [last + d for d in REFERENCE_OFFSETS]
        if frame_count is not None:
            post = [index for index in post if index < frame_count]
        pre = [index for index in pre if self._usable(number, index)][:MAX_REFERENCES]
        post = [index for index in post if self._usable(number, index)][:MAX_REFERENCES]
        return pre, post

    def _keep(self, number: int, frame_index: int, frame: Frame) -> None:
        self._plates[number].add(frame_index, frame, self._covered(number, frame_index))

    def _read_after(self, source: Path, wanted: dict[int, list[int]]) -> None:
        """Keep the scheduled crops after the spans; only those frames are converted to
        BGR (the others are decoded, which later frames need, and dropped)."""
        last_for = {n: max(i for i, ns in wanted.items() if n in ns) for n in self._ready}

        def kept(index: int) -> bool:
            return index in wanted or self._stop.is_set()

        try:
            for index, frame in iter_selected_frames_bgr(source, kept):
                if self._stop.is_set():
                    break
                for number in wanted.get(index, ()):
                    self._keep(number, index, frame)
                for number, last in last_for.items():
                    if index >= last:
                        self._ready[number].set()
                if index >= max(last_for.values()):
                    break
        finally:
            for event in self._ready.values():
                event.set()


SETTLE_FRAMES = 3
"""Frames after a fade-in or a word's appearance (and before a fade-out) during which the
caption may still be moving: its pixels are found by difference, not by stillness."""
WORD_SETTLE_FRAMES = 8
"""Words are timed to about ±5 frames and animate in: the frames this close to a word's
measured appearance are unsettled."""


def _margin(fade: int) -> int:
    """Extra frames erased beyond a measured fade (fades are measured short, never long)."""
    return max(fade, SETTLE_FRAMES) if fade else 0


def _erased_at(overlay: Overlay, frame_index: int) -> bool:
    """Drawn, or within the margin beyond a measured fade."""
    first = overlay.start_frame - overlay.fade_in_frames - _margin(overlay.fade_in_frames)
    last = overlay.end_frame + overlay.fade_out_frames + _margin(overlay.fade_out_frames)
    return first <= frame_index <= last


def _unsettled(overlay: Overlay, frame_index: int) -> bool:
    """Is the caption fading, sliding or revealing a word on this frame (its pixels are
    not still)?"""
    if not overlay.shown_at(frame_index):
        return True
    if overlay.fade_in_frames and frame_index - overlay.start_frame < SETTLE_FRAMES:
        return True
    if overlay.fade_out_frames and overlay.end_frame - frame_index < SETTLE_FRAMES:
        return True
    words = overlay.word_frames or []
    return any(abs(frame_index - first) <= WORD_SETTLE_FRAMES for first in words[1:])
