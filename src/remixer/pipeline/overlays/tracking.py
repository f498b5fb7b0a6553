"""Caption tracks over sampled frames: matching blocks sample to sample, pinning exact
first/last frames with the pixel probe on the frames between samples, and the
voting and scene-text rejection that turn tracks into overlays.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from remixer.pipeline.overlays.blocks import Block, iou, same_caption, text_similarity
from remixer.pipeline.overlays.spans import PixelProbe, fade_length
from remixer.pipeline.overlays.style import BlockLook, measure_block
from remixer.pipeline.types import Box, Frame

Pending = list[tuple[int, Frame]]
"""Frames decoded since the previous sample, in order, as (frame_index, frame_bgr)."""

MIN_READINGS = 2
MIN_CHARS = 3
MIN_FILL_FRACTION = 0.05
SETTLE_IOU = 0.3
MAX_SETTLES = 2
SETTLE_WITHIN = 2
"""Only a caption's first readings may re-measure it (text that keeps moving is scene text)."""


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
    word_frames: list[int] | None = None
    """Word-by-word captions: the frame each word of the final text appeared at."""
    fade_in: int = 0
    fade_out: int = 0
    settled: int = 0
    """How often the look was measured again (a caption that was still animating in)."""
    steady: int = 0
    """Later samples that found the caption's pixels unchanged since it was (re)measured."""


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

    def update(
        self, index: int, blocks: list[Block], frame: Frame, pending: Pending, last: bool = False
    ) -> None:
        """A sample read whole. `last`: the clip's final frame, read so that a caption shown
        only at the very end is seen twice; a caption read there that its pixels no longer
        match is fading out with the clip, not moving."""
        unmatched = list(blocks)
        for track in list(self.active):
            block = next((b for b in unmatched if same_caption(track.readings[-1], b)), None)
            grown = None
            if block is None:
                grown = next((b for b in unmatched if _grows(track, b)), None)
            if grown is not None:
                unmatched.remove(grown)
                self._grow(track, index, grown, frame, pending)
            elif block is not None:
                unmatched.remove(block)
                if _grows(track, block):
                    self._grow(track, index, block, frame, pending)
                    continue
                if last and not track.probe.visible(frame):
                    # Read, but its pixels no longer match: fading out with the clip.
                    # Closed where its pixels were last seen, its fade measured (as if
                    # the clip had not been read at its end), not taken for moving text.
                    end = _last_visible(track.probe, pending, track.last_seen)
                    self._close(track, end, pending)
                    continue
                track.readings.append(block)
                track.last_seen = index
                if track.probe.visible(frame):
                    track.steady += 1
                elif not self._settle(track, index, block, frame, pending):
                    track.moved += 1
            elif track.probe.visible(frame):
                track.last_seen = index
            else:
                self._close(track, _last_visible(track.probe, pending, track.last_seen), pending)
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
                track.steady += 1
            else:
                self._close(track, _last_visible(track.probe, pending, track.last_seen), pending)

    def finish(self, pending: Pending) -> list[Track]:
        for track in list(self.active):
            self._close(track, _last_visible(track.probe, pending, track.last_seen), pending)
        return sorted(self.done, key=lambda t: (t.start_frame, t.look.box[1]))

    def _open(self, index: int, block: Block, frame: Frame, pending: Pending) -> None:
        look = measure_block(frame, block)
        if look is None:
            return
        probe = PixelProbe.from_look(look, frame)
        start = _first_visible(probe, pending, index)
        track = Track(look, probe, start, index, [block])
        track.fade_in = fade_length(probe, [f for i, f in reversed(pending) if i < start])
        self.active.append(track)

    def _grow(self, track: Track, index: int, block: Block, frame: Frame, pending: Pending) -> None:
        """A word-by-word caption showed more words: measure its look again on the longer
        block and note when the new words appeared."""
        look = measure_block(frame, block)
        if look is None:
            track.readings.append(block)
            track.last_seen = index
            return
        probe = PixelProbe.from_look(look, frame)
        appeared = _first_visible(probe, pending, index)
        before = _words_of(track.readings[-1].text)
        now = _words_of(block.text)
        frames = list(track.word_frames or [track.start_frame] * len(before))[: len(before)]
        frames += [max(appeared, frames[-1] if frames else track.start_frame)] * (
            len(now) - len(before)
        )
        track.word_frames = frames
        track.look, track.probe = look, probe
        track.readings = [block]
        track.last_seen = index

    def _settle(
        self, track: Track, index: int, block: Block, frame: Frame, pending: Pending
    ) -> bool:
        """A caption measured while it was still fading or sliding in looks different
        once it settles: measure it again (a few times, early in the track) when it sits
        about where it was; its start is then where the settled caption appears, and the
        frames before that are its entrance."""
        if track.settled >= MAX_SETTLES or len(track.readings) > SETTLE_WITHIN:
            return False
        track.settled += 1
        look = measure_block(frame, block)
        if look is None or iou(look.box, track.look.box) < SETTLE_IOU:
            return False
        probe = PixelProbe.from_look(look, frame)
        track.look, track.probe = look, probe
        track.steady = 0
        start = _first_visible(probe, pending, index)
        if pending and start <= pending[0][0]:
            return True  # settled before this window already: the start stands
        earlier = [f for i, f in reversed(pending) if i < start]
        entrance = min(start - track.start_frame, MAX_ANIMATION)
        track.fade_in = max(fade_length(probe, earlier), entrance)
        track.start_frame = start
        return True

    def _close(self, track: Track, end_frame: int, pending: Pending | None = None) -> None:
        track.end_frame = end_frame
        if pending:
            track.fade_out = fade_length(track.probe, [f for i, f in pending if i > end_frame])
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


def is_caption(track: Track, min_readings: int = MIN_READINGS) -> bool:
    """Reject scene text: seen on fewer than `min_readings` samples, moving box (pixels not
    static), very short or letterless text, thin fill."""
    if len(track.readings) + track.confirmations < min_readings:
        return False
    text = vote_text(track.readings).text
    if sum(ch.isalnum() for ch in text) < MIN_CHARS or sum(ch.isalpha() for ch in text) < 2:
        return False  # too short, or digits only: clocks, jersey numbers, price tags
    if track.settled and track.steady == 0:
        return False  # re-measured and never seen still afterwards: moving scene text
    return track.look.fill_fraction >= MIN_FILL_FRACTION and track.moved == 0


def _words_of(text: str) -> list[str]:
    return text.lower().split()


def _grows(track: Track, block: Block) -> bool:
    """`block` is the track's caption with more words revealed: same place (the track's
    box inside the block's) and its text begins with the track's last reading."""
    last = "".join(_words_of(track.readings[-1].text))
    now = "".join(_words_of(block.text))
    if not last or len(now) <= len(last) or not now.startswith(last):
        return False
    slack = max(track.look.style.font_size_px // 2, 8)
    tx, ty, tw, th = track.readings[-1].box
    bx, by, bw, bh = block.box
    overlap = min(ty + th, by + bh) - max(ty, by)
    return tx >= bx - slack and tx + tw <= bx + bw + slack and overlap >= 0.5 * min(th, bh)


def _words(track: Track) -> list[str]:
    return vote_text(track.readings).text.lower().split()


def _grows_into(early: Track, late: Track) -> bool:
    """`late` is `early` with more words revealed: it starts later, ends with it, sits
    on the same place (early's box inside late's) and its text begins with early's."""
    if late.start_frame <= early.start_frame or late.end_frame is None or early.end_frame is None:
        return False
    if abs(late.end_frame - early.end_frame) > 3:
        return False
    if not _inside(early.look.box, late.look.box, slack=max(late.look.style.font_size_px // 3, 6)):
        return False
    a, b = "".join(_words(early)), "".join(_words(late))
    return len(a) < len(b) and b.startswith(a)


def merge_reveals(tracks: list[Track]) -> list[Track]:
    """Fold the tracks of a word-by-word caption (each new word makes OCR read a longer
    text at the same place, ending together) into the track of its full text, with the
    frame each word appeared at."""
    ordered = sorted(tracks, key=lambda t: t.start_frame)
    absorbed: set[int] = set()
    for n, late in enumerate(ordered):
        chain = [t for t in ordered[:n] if id(t) not in absorbed and _grows_into(t, late)]
        if not chain:
            continue
        words = _words(late)
        frames = [late.start_frame] * len(words)
        for early in sorted(chain, key=lambda t: t.start_frame, reverse=True):
            count = len(_words(early))
            frames[:count] = [early.start_frame] * min(count, len(words))
            absorbed.add(id(early))
        late.word_frames = frames
        late.start_frame = min(t.start_frame for t in chain)
        late.confirmations += sum(len(t.readings) + t.confirmations for t in chain)
    return [t for t in ordered if id(t) not in absorbed]


GHOST_GAP = 10
"""Frames between a caption and a separate reading of its own entrance or exit."""
MAX_ANIMATION = 15


def absorb_animation_ghosts(tracks: list[Track]) -> list[Track]:
    """A caption that slides (or fades) in or out is sometimes read mid-animation as a
    separate track: the same text at nearly the same place, just before the caption's
    span or just after it. Fold such a track into the caption as its entrance/exit."""
    kept = sorted(tracks, key=lambda t: t.start_frame)
    ghosts: set[int] = set()
    for track in kept:
        for other in kept:
            if other is track or id(other) in ghosts or id(track) in ghosts:
                continue
            if other.end_frame is None or track.end_frame is None:
                continue
            similar = (
                text_similarity(vote_text(track.readings).text, vote_text(other.readings).text)
                > 0.7
            )
            near = iou(track.look.box, other.look.box) > 0.3
            if not (similar and near) or len(other.readings) > len(track.readings) + 2:
                continue
            after = 0 < other.start_frame - track.end_frame <= GHOST_GAP
            before = 0 < track.start_frame - other.end_frame <= GHOST_GAP or (
                other.start_frame < track.start_frame <= other.end_frame + 1
                and other.end_frame < track.end_frame
            )
            if after:
                track.fade_out = max(
                    track.fade_out, min(other.start_frame - track.end_frame + 4, MAX_ANIMATION)
                )
                ghosts.add(id(other))
            elif before:
                track.fade_in = max(
                    track.fade_in, min(track.start_frame - other.start_frame, MAX_ANIMATION)
                )
                ghosts.add(id(other))
    return [t for t in kept if id(t) not in ghosts]
