"""Caption tracks over sampled frames: matching blocks sample to sample, pinning exact
first/last frames with the pixel probe on the frames between samples, and the
voting and scene-text rejection that turn tracks into overlays.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from remixer.pipeline.overlays.blocks import Block, same_caption
from remixer.pipeline.overlays.spans import PixelProbe
from remixer.pipeline.overlays.style import BlockLook, measure_block
from remixer.pipeline.types import Box, Frame

Pending = list[tuple[int, Frame]]
"""Frames decoded since the previous sample, in order, as (frame_index, frame_bgr)."""

MIN_READINGS = 2
MIN_CHARS = 3
MIN_FILL_FRACTION = 0.05


@dataclass
class Track:
    """One caption followed over time."""

    look: BlockLook
    probe: PixelProbe
    start_frame: int
    last_seen: int
    readings: list[Block] = field(default_factory=list)
    end_frame: int | None = None
    moved: int = 0
    """Samples where OCR still read the block but its pixels had changed: a moving box."""
    confirmations: int = 0
    """Later samples where detection found only this known, unchanged caption."""


def _first_visible(probe: PixelProbe, pending: Pending, index: int) -> int:
    """Walk back from `index` over the frames in between while the caption is still shown."""
    start = index
    for frame_index, frame in reversed(pending):
        if not probe.visible(frame):
            break
        start = frame_index
    return start


def _last_visible(probe: PixelProbe, pending: Pending, last_seen: int) -> int:
    end = last_seen
    for frame_index, frame in pending:
        if frame_index <= last_seen:
            continue
        if not probe.visible(frame):
            break
        end = frame_index
    return end


class Tracker:
    """Consumes sampled frames with their blocks; yields finished tracks."""

    def __init__(self) -> None:
        self.active: list[Track] = []
        self.done: list[Track] = []

    def update(self, index: int, blocks: list[Block], frame: Frame, pending: Pending) -> None:
        unmatched = list(blocks)
        for track in list(self.active):
            block = next((b for b in unmatched if same_caption(track.readings[-1], b)), None)
            if block is not None:
                unmatched.remove(block)
                track.readings.append(block)
                track.last_seen = index
                track.moved += not track.probe.visible(frame)
            elif track.probe.visible(frame):
                track.last_seen = index
            else:
                self._close(track, _last_visible(track.probe, pending, track.last_seen))
        for block in unmatched:
            self._open(index, block, frame, pending)

    def explains(self, boxes: list[Box], frame: Frame) -> bool:
        """True when every detected text box lies on an active caption still shown, so the
        sample needs no recognition."""
        shown = [t.look.crop_box for t in self.active if t.probe.visible(frame)]
        return all(any(_inside(box, crop) for crop in shown) for box in boxes)

    def confirm(self, index: int, frame: Frame, pending: Pending) -> None:
        """A sample with nothing new: extend the captions still shown, close the others."""
        for track in list(self.active):
            if track.probe.visible(frame):
                track.last_seen = index
                track.confirmations += 1
            else:
                self._close(track, _last_visible(track.probe, pending, track.last_seen))

    def finish(self, pending: Pending) -> list[Track]:
        for track in list(self.active):
            self._close(track, _last_visible(track.probe, pending, track.last_seen))
        return sorted(self.done, key=lambda t: (t.start_frame, t.look.box[1]))

    def _open(self, index: int, block: Block, frame: Frame, pending: Pending) -> None:
        look = measure_block(frame, block)
        if look is None:
            return
        probe = PixelProbe.from_look(look, frame)
        start = _first_visible(probe, pending, index)
        self.active.append(Track(look, probe, start, index, [block]))

    def _close(self, track: Track, end_frame: int) -> None:
        track.end_frame = end_frame
        self.active.remove(track)
        self.done.append(track)


def _inside(box: Box, outer: Box, slack: int = 12) -> bool:
    x, y, w, h = box
    ox, oy, ow, oh = outer
    return (
        x >= ox - slack
        and y >= oy - slack
        and x + w <= ox + ow + slack
        and y + h <= oy + oh + slack
    )


def vote_text(readings: list[Block]) -> Block:
    """The majority reading. OCR drops spaces far more often than it invents them, so among
    readings that agree letter for letter the one with the most spaces wins."""
    keys = Counter("".join(b.text.split()).lower() for b in readings)
    key = keys.most_common(1)[0][0]
    agreeing = [b for b in readings if "".join(b.text.split()).lower() == key]
    counts = Counter(b.text for b in agreeing)
    best = max(counts, key=lambda text: (text.count(" "), counts[text]))
    return next(b for b in agreeing if b.text == best)


def is_caption(track: Track) -> bool:
    """Reject scene text: seen once, moving box (pixels not static), very short or
    letterless text, thin fill."""
    if len(track.readings) + track.confirmations < MIN_READINGS:
        return False
    text = vote_text(track.readings).text
    if sum(ch.isalnum() for ch in text) < MIN_CHARS or sum(ch.isalpha() for ch in text) < 2:
        return False  # too short, or digits only: clocks, jersey numbers, price tags
    return track.look.fill_fraction >= MIN_FILL_FRACTION and track.moved == 0
