"""TikTok-style caption specs for synthetic clips: style presets, placement, and drawing.

A `CaptionSpec` is resolution independent (sizes are fractions of the frame width);
`place_caption` turns it into a sprite at a pixel position plus its ground truth.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from remixer.pipeline.types import Box, Frame
from remixer.pipeline.typeset.text import (
    LINE_SPACING,
    Align,
    Sprite,
    TextStyle,
    measure_line,
    render_block,
)

Reveal = Literal["none", "word", "fade", "slide"]

STYLE_PRESETS: dict[str, dict[str, Any]] = {
    "white_stroke": {"fill_rgb": (255, 255, 255), "stroke_rgb": (0, 0, 0), "stroke": 0.09},
    "yellow_stroke": {"fill_rgb": (255, 221, 0), "stroke_rgb": (0, 0, 0), "stroke": 0.08},
    "red_stroke": {"fill_rgb": (235, 40, 40), "stroke_rgb": (255, 255, 255), "stroke": 0.08},
    "white_plate": {"fill_rgb": (0, 0, 0), "plate_rgb": (255, 255, 255)},
    "black_plate": {"fill_rgb": (255, 255, 255), "plate_rgb": (20, 20, 20)},
    "pink_plate": {"fill_rgb": (255, 255, 255), "plate_rgb": (238, 29, 82)},
    "yellow_fill": {"fill_rgb": (255, 214, 10), "stroke_rgb": (20, 20, 20), "stroke": 0.04},
    "cyan_stroke": {"fill_rgb": (40, 230, 255), "stroke_rgb": (0, 0, 0), "stroke": 0.07},
}


@dataclass(frozen=True)
class CaptionSpec:
    """One caption block: lines split by `\\n`, shown over [start_s, end_s)."""

    text: str
    start_s: float
    end_s: float
    style: str = "white_stroke"
    y_frac: float = 0.3
    """Vertical centre of the block as a fraction of the frame height."""
    align: Align = "center"
    size_frac: float = 0.055
    """Font size as a fraction of the frame width."""
    family: str = "montserrat"
    weight: str = "extrabold"
    reveal: Reveal = "none"
    """How it appears: at once, word by word, fading in and out, or sliding up into place."""
    anim_s: float = 0.3
    """Fade/slide duration, or the time between two words of a word-by-word caption."""

    @property
    def lines(self) -> list[str]:
        return [line.strip() for line in self.text.split("\n") if line.strip()]


@dataclass(frozen=True)
class PlacedCaption:
    """A caption drawn at its pixel position, with everything the ground truth records."""

    spec: CaptionSpec
    sprite: Sprite
    x: int
    y: int
    start_frame: int
    end_frame: int
    text_style: TextStyle = field(repr=False)
    word_frames: tuple[int, ...] = ()
    """Word-by-word captions: the frame each word (in reading order) appears at."""
    word_masks: tuple[NDArray[np.float32], ...] = field(default=(), repr=False)
    """Word-by-word captions: per word count, the sprite's alpha mask showing that many."""
    anim_frames: int = 0

    def sprite_at(self, index: int) -> tuple[Frame, int, int] | None:
        """The sprite as drawn on frame `index` (faded, slid or partly revealed) and its
        top-left corner, or None when the caption is not shown."""
        if not self.start_frame <= index <= self.end_frame:
            return None
        rgba, x, y = self.sprite.rgba, self.x, self.y
        reveal = self.spec.reveal
        if reveal == "word":
            shown = sum(1 for f in self.word_frames if f <= index)
            if shown < len(self.word_frames):
                rgba = rgba.copy()
                rgba[:, :, 3] = (rgba[:, :, 3] * self.word_masks[shown - 1]).astype(np.uint8)
        elif reveal in ("fade", "slide") and self.anim_frames > 0:
            ramp = min(index - self.start_frame + 1, self.end_frame - index + 1)
            t = min(ramp / (self.anim_frames + 1), 1.0)
            if t < 1.0:
                rgba = rgba.copy()
                rgba[:, :, 3] = (rgba[:, :, 3].astype(np.float32) * t).astype(np.uint8)
                if reveal == "slide":
                    y += round((1.0 - t) * self.sprite.text_box[3] * 0.6)
        return rgba, x, y

    @property
    def box(self) -> Box:
        tx, ty, tw, th = self.sprite.text_box
        return (self.x + tx, self.y + ty, tw, th)

    @property
    def plate_box(self) -> Box | None:
        if self.text_style.plate_rgb is None:
            return None
        h, w = self.sprite.rgba.shape[:2]
        return (self.x, self.y, w, h)


def text_style_for(spec: CaptionSpec, width: int) -> TextStyle:
    """The render style of a spec at a frame width."""
    preset = STYLE_PRESETS[spec.style]
    size = max(round(spec.size_frac * width), 8)
    plate = preset.get("plate_rgb")
    return TextStyle(
        font_size=size,
        fill_rgb=preset["fill_rgb"],
        stroke_rgb=preset.get("stroke_rgb"),
        stroke_px=max(round(preset.get("stroke", 0.0) * size), 0),
        plate_rgb=plate,
        plate_pad_px=int(size * 0.45) if plate else 0,
        plate_radius_px=int(size * 0.4) if plate else 0,
        align=spec.align,
        family=spec.family,
        weight=spec.weight,
    )


def place_caption(spec: CaptionSpec, width: int, height: int, fps: float) -> PlacedCaption:
    """Render a spec and position it; frames [start_frame, end_frame] show it."""
    style = text_style_for(spec, width)
    sprite = render_block(spec.lines, style)
    start = round(spec.start_s * fps)
    end = round(spec.end_s * fps) - 1
    word_frames: tuple[int, ...] = ()
    masks: tuple[NDArray[np.float32], ...] = ()
    if spec.reveal == "word":
        count = sum(len(line.split()) for line in spec.lines)
        step = max(round(spec.anim_s * fps), 1)
        word_frames = tuple(start + n * step for n in range(count))
        masks = tuple(_word_mask(spec.lines, style, sprite, n) for n in range(1, count + 1))
    h, w = sprite.rgba.shape[:2]
    margin = int(width * 0.08)
    if spec.align == "left":
        x = margin
    elif spec.align == "right":
        x = width - margin - w
    else:
        x = (width - w) // 2
    y = int(spec.y_frac * height - h / 2)
    anim = round(spec.anim_s * fps) if spec.reveal in ("fade", "slide") else 0
    return PlacedCaption(
        spec, sprite, max(x, 0), max(y, 0), start, end, style, word_frames, masks, anim
    )


def _word_mask(
    lines: list[str], style: TextStyle, sprite: Sprite, shown: int
) -> NDArray[np.float32]:
    """1 where the first `shown` words of the block are drawn, 0 elsewhere (the same
    layout as the whole block: words appear in place)."""
    h, w = sprite.rgba.shape[:2]
    mask = np.zeros((h, w), np.float32)
    ascent, descent = style.font.getmetrics()
    line_h = round((ascent + descent) * LINE_SPACING)
    widths = [measure_line(line, style) for line in lines]
    block_w = max(widths)
    pad = style.plate_pad_px if style.plate_rgb else 2
    left = shown
    for number, (line, line_w) in enumerate(zip(lines, widths, strict=True)):
        words = line.split()
        if left <= 0:
            break
        take = min(left, len(words))
        left -= take
        x0: float
        if style.align == "left":
            x0 = float(pad)
        elif style.align == "right":
            x0 = pad + block_w - line_w
        else:
            x0 = pad + (block_w - line_w) / 2
        reach = x0 + measure_line(" ".join(words[:take]), style) + style.stroke_px
        top = pad + number * line_h
        bottom = h if number == len(lines) - 1 else pad + (number + 1) * line_h
        mask[top:bottom, : int(np.ceil(reach)) + 1] = 1.0
    return np.asarray(mask)
