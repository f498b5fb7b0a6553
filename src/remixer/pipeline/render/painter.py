"""Redraw caption overlays frame by frame: erase the old text with a pixel-accurate mask and
draw the new text in the matched style over exactly the old frame span.

Everything that does not depend on the frame is prepared once in the constructor (text
sprites, placement, regions); `paint` only touches the regions of the overlays shown on
that frame, so it can run inside `transcode`'s process function next to a face swap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from remixer.pipeline.overlays.model import Overlay
from remixer.pipeline.render.compose import composite_rgba
from remixer.pipeline.render.erase import erase_on_plate, erase_text
from remixer.pipeline.render.layout import place_sprite
from remixer.pipeline.types import Frame


@dataclass(frozen=True)
class _Job:
    overlay: Overlay
    rgba: Frame
    x: int
    y: int


class OverlayPainter:
    """Erase `overlays` and draw `new_texts` (same order) on frames of `width`×`height`."""

    def __init__(
        self, overlays: Sequence[Overlay], new_texts: Sequence[str], width: int, height: int
    ) -> None:
        if len(overlays) != len(new_texts):
            raise ValueError("one new text per overlay is needed")
        self.width = width
        self.height = height
        self._jobs = [
            _Job(overlay, *place_sprite(overlay, text, width, height))
            for overlay, text in zip(overlays, new_texts, strict=True)
        ]

    def active(self, frame_index: int) -> list[Overlay]:
        return [job.overlay for job in self._jobs if job.overlay.shown_at(frame_index)]

    def paint(self, frame_bgr: Frame, frame_index: int) -> Frame:
        """The frame with every overlay shown on it erased and redrawn (a new array when
        anything changed, the input otherwise)."""
        jobs = [job for job in self._jobs if job.overlay.shown_at(frame_index)]
        if not jobs:
            return frame_bgr
        out = frame_bgr.copy()
        for job in jobs:
            if job.overlay.style.plate_rgb is not None:
                erase_on_plate(out, job.overlay)
            else:
                erase_text(out, job.overlay)
        for job in jobs:
            composite_rgba(out, job.rgba, job.x, job.y)
        return out
