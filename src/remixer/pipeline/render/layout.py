"""Lay a new caption text out in an old caption's place, the way a person would redo it:
the source's font, type size and line spacing; wrapped onto more lines before any
shrinking (shrink only past 1.5× the source's lines); balanced lines; the block kept on
its anchor (left/centre/right edge, and its top edge, bottom edge or centre depending on
where it sits in the frame); plates sized to the new text with the source's padding."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, cast

import numpy as np

from remixer.pipeline.overlays.model import Overlay
from remixer.pipeline.types import Box, Frame
from remixer.pipeline.typeset.fonts import family_for_text
from remixer.pipeline.typeset.text import (
    Align,
    Sprite,
    TextStyle,
    measure_line,
    render_block,
    render_plated,
    text_tokens,
    wrap_text,
)

MIN_SHRINK = 0.6
LINES_BEFORE_SHRINK = 1.5
WRAP_MIN_FRAME_SHARE = 0.5
"""New text may run as wide as this share of the frame even when the old box was narrower."""
WRAP_MAX_FRAME_SHARE = 0.92
EDGE_ZONE = 0.33
"""A block whose centre is in the top (bottom) third of the frame keeps its top (bottom) edge."""
VAnchor = Literal["top", "center", "bottom"]


@dataclass(frozen=True)
class Placement:
    """The new block: its sprite, where it goes and how it was laid out."""

    rgba: Frame
    x: int
    y: int
    lines: list[str]
    new_box: Box
    """Tight box of the new text ink in frame pixels."""
    block_box: Box
    """Everything the new block draws (its plate included), clipped to the frame."""
    font_size: int
    family: str
    weight: str
    reveal: tuple[tuple[int, Frame], ...] = ()
    """Word-by-word captions: (first frame, sprite) per stage of the reveal in frame
    order, the last showing every word; the sprites share `rgba`'s size and position."""

    @property
    def font(self) -> str:
        return f"{self.family}:{self.weight}"

    def sprite_at(self, frame_index: int) -> Frame:
        """The sprite to draw on `frame_index` (fewer words early in a word reveal)."""
        if not self.reveal:
            return self.rgba
        current = self.reveal[0][1]
        for first, rgba in self.reveal:
            if frame_index < first:
                break
            current = rgba
        return current


def text_style_of(overlay: Overlay, font_size: int, text: str = "") -> TextStyle:
    """Our render style matching a measured overlay style at `font_size`."""
    style = overlay.style
    align = cast(Align, style.align if style.align in ("left", "center", "right") else "center")
    base = TextStyle(
        font_size=font_size,
        fill_rgb=style.fill_rgb,
        stroke_rgb=style.stroke_rgb,
        stroke_px=style.stroke_px if style.stroke_rgb else 0,
        plate_rgb=style.plate_rgb,
        plate_radius_px=style.plate_radius_px,
        align=align,
        family=family_for_text(style.family, text or overlay.text),
        weight=style.weight,
    )
    if len(overlay.lines) > 1 and style.line_height_px > 0:
        ascent, descent = base.font.getmetrics()
        scale = font_size / max(style.font_size_px, 1)
        spacing = style.line_height_px * scale / max(ascent + descent, 1)
        base = replace(base, line_spacing=min(max(spacing, 0.85), 1.8))
    return base


def max_lines_for(source_lines: int) -> int:
    """How many lines the new text may take before the type is shrunk."""
    return max(math.ceil(LINES_BEFORE_SHRINK * source_lines), source_lines + 1)


def wrap_width(overlay: Overlay, frame_w: int) -> float:
    wide = max(overlay.box[2] * 1.05, WRAP_MIN_FRAME_SHARE * frame_w)
    return min(wide, WRAP_MAX_FRAME_SHARE * frame_w)


def _balanced(text: str, style: TextStyle, width: float) -> list[str]:
    """The greedy wrap at `width`, then the narrowest width giving as many lines (even
    line lengths rather than one long line and a short one)."""
    lines = wrap_text(text, style, width)
    if len(lines) < 2:
        return lines
    tokens = [token for token, _joiner in text_tokens(text)]
    low, high = max((measure_line(t, style) for t in tokens), default=0.0), width
    best = lines
    for _ in range(8):
        mid = (low + high) / 2
        trial = wrap_text(text, style, mid)
        if len(trial) <= len(lines):
            best, high = trial, mid
        else:
            low = mid
    return best


def fit_lines(overlay: Overlay, text: str, frame_w: int) -> tuple[list[str], TextStyle]:
    """Keep the source size while the text fits in `max_lines_for` lines at the wrap
    width; only then shrink, down to `MIN_SHRINK`."""
    width = wrap_width(overlay, frame_w)
    allowed = max_lines_for(max(len(overlay.lines), 1))
    measured = overlay.style.font_size_px
    size = measured
    while True:
        style = text_style_of(overlay, size, text)
        lines = wrap_text(text, style, width)
        if len(lines) <= allowed or size <= measured * MIN_SHRINK:
            return _balanced(text, style, width), style
        size = max(int(size * 0.95), 4)


def plate_pads(overlay: Overlay) -> tuple[int, int]:
    """The source plate's padding around its text ink, horizontally and vertically."""
    plate = overlay.style.plate_box
    if plate is None:
        return 0, 0
    bx, by, bw, bh = overlay.box
    pad_x = max(min(bx - plate[0], plate[0] + plate[2] - bx - bw), 2)
    pad_y = max(min(by - plate[1], plate[1] + plate[3] - by - bh), 2)
    return pad_x, pad_y


def vertical_anchor(box: Box, frame_h: int) -> VAnchor:
    centre = (box[1] + box[3] / 2) / max(frame_h, 1)
    if centre < EDGE_ZONE:
        return "top"
    if centre > 1 - EDGE_ZONE:
        return "bottom"
    return "center"


def reveal_frames(old_frames: list[int], words: int) -> list[int]:
    """When each of `words` new words appears, spread over the old words' times (the
    first with the first old word, the last with the last)."""
    if words <= 0 or not old_frames:
        return []
    if words == 1:
        return [old_frames[0]]
    last = len(old_frames) - 1
    return [old_frames[round(j * last / (words - 1))] for j in range(words)]


def _covering_pads(overlay: Overlay, lines: list[str], style: TextStyle) -> tuple[int, int] | None:
    """Plate padding that makes the new plate at least the old plate's size."""
    plate = overlay.style.plate_box
    if plate is None:
        return None
    pad_x, pad_y = plate_pads(overlay)
    ink = _render(overlay, lines, style).text_box
    return max(pad_x, (plate[2] - ink[2] + 1) // 2), max(pad_y, (plate[3] - ink[3] + 1) // 2)


def _reveal(
    overlay: Overlay,
    lines: list[str],
    style: TextStyle,
    pads: tuple[int, int] | None = None,
) -> tuple[tuple[int, Frame], ...]:
    if not overlay.word_frames:
        return ()
    count = len(" ".join(lines).split())
    stages: list[tuple[int, Frame]] = []
    for shown, first in enumerate(reveal_frames(overlay.word_frames, count), start=1):
        rgba = _render(overlay, lines, style, visible_words=shown, pads=pads).rgba
        if stages and stages[-1][0] == first:
            stages[-1] = (first, rgba)
        else:
            stages.append((first, rgba))
    return tuple(stages)


def place_text(
    overlay: Overlay, text: str, width: int, height: int, cover: bool = False
) -> Placement:
    """Lay `text` out in `overlay`'s place on a `width`×`height` frame (an empty text
    draws nothing: the caption is only erased). With `cover`, a new plate is at least as
    large as the old one (used when no clean frame exists to erase the old plate from)."""
    if not text.strip():
        x, y = overlay.box[:2]
        return Placement(
            rgba=np.zeros((1, 1, 4), np.uint8),
            x=x,
            y=y,
            lines=[],
            new_box=(x, y, 0, 0),
            block_box=(x, y, 0, 0),
            font_size=overlay.style.font_size_px,
            family=overlay.style.family,
            weight=overlay.style.weight,
        )
    lines, style = fit_lines(overlay, text, width)
    pads = _covering_pads(overlay, lines, style) if cover else None
    sprite = _render(overlay, lines, style, pads=pads)
    old = overlay.style.plate_box or overlay.box
    x, y = _anchor(old, sprite, style.align, width, height, overlay.style.plate_box is not None)
    tx, ty, tw, th = sprite.text_box
    return Placement(
        rgba=sprite.rgba,
        x=x,
        y=y,
        lines=lines,
        new_box=(x + tx, y + ty, tw, th),
        block_box=_clipped((x, y, sprite.rgba.shape[1], sprite.rgba.shape[0]), width, height),
        font_size=style.font_size,
        family=style.family,
        weight=style.weight,
        reveal=_reveal(overlay, lines, style, pads),
    )


def _clipped(box: Box, width: int, height: int) -> Box:
    x, y, w, h = box
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, width), min(y + h, height)
    return (x0, y0, max(x1 - x0, 0), max(y1 - y0, 0))


def place_sprite(overlay: Overlay, text: str, width: int, height: int) -> tuple[Frame, int, int]:
    """The new block's RGBA sprite and top-left position in the frame."""
    placed = place_text(overlay, text, width, height)
    return placed.rgba, placed.x, placed.y


def _render(
    overlay: Overlay,
    lines: list[str],
    style: TextStyle,
    visible_words: int | None = None,
    pads: tuple[int, int] | None = None,
) -> Sprite:
    if overlay.style.plate_box is None:
        return render_block(lines, style, visible_words=visible_words)
    pad_x, pad_y = pads or plate_pads(overlay)
    return render_plated(lines, style, pad_x, pad_y, visible_words=visible_words)


def _anchor(
    old: Box, sprite: Sprite, align: Align, width: int, height: int, whole: bool
) -> tuple[int, int]:
    """Top-left of the sprite so that its block (the plate when `whole`, else the ink)
    keeps the old block's horizontal edge/centre and vertical anchor."""
    h, w = sprite.rgba.shape[:2]
    tx, ty, tw, th = (0, 0, w, h) if whole else sprite.text_box
    bx, by, bw, bh = old
    if align == "left":
        x = bx - tx
    elif align == "right":
        x = bx + bw - (tx + tw)
    else:
        x = bx + bw // 2 - (tx + tw // 2)
    anchor = vertical_anchor(old, height)
    if anchor == "top":
        y = by - ty
    elif anchor == "bottom":
        y = by + bh - (ty + th)
    else:
        y = by + bh // 2 - (ty + th // 2)
    return min(max(x, 0), max(width - w, 0)), min(max(y, 0), max(height - h, 0))


def placement_fields(overlay: Overlay, text: str, width: int, height: int) -> dict[str, Any]:
    """What the container's overlay records about the new block: `newBox` [x, y, w, h]
    of the new text ink, `newLines` as laid out, and the `font` ("family:weight")."""
    placed = place_text(overlay, text, width, height)
    return {"newBox": list(placed.new_box), "newLines": list(placed.lines), "font": placed.font}


TEXT_OVER_FACE = 0.1
"""Share of a face's box the new text must cover for `text_over` to count the frame."""


def text_over(
    overlays: Sequence[Overlay], texts: Sequence[str], width: int, height: int
) -> Callable[[int, Box], bool]:
    """Whether, on frame `index`, the new text (its sprite: plate included) covers at
    least `TEXT_OVER_FACE` of `box`: the output's quality is not measured there, where our
    own caption hides or bends the face the recogniser reads."""
    drawn: list[tuple[Overlay, Box]] = []
    for overlay, text in zip(overlays, texts, strict=True):
        placed = place_text(overlay, text, width, height)
        sprite_h, sprite_w = placed.rgba.shape[:2]
        drawn.append((overlay, (placed.x, placed.y, sprite_w, sprite_h)))

    def covers(index: int, box: Box) -> bool:
        area = max(box[2] * box[3], 1)
        return any(
            overlay.drawn_at(index) and _overlap(box, sprite) >= TEXT_OVER_FACE * area
            for overlay, sprite in drawn
        )

    return covers


def _overlap(a: Box, b: Box) -> int:
    width = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    height = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return max(width, 0) * max(height, 0)
