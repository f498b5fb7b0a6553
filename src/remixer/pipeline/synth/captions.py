"""TikTok-style caption specs for synthetic clips: style presets, placement, and drawing.

A `CaptionSpec` is resolution independent (sizes are fractions of the frame width);
`place_caption` turns it into a sprite at a pixel position plus its ground truth.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from remixer.pipeline.render.text import Align, Sprite, TextStyle, render_block
from remixer.pipeline.types import Box

STYLE_PRESETS: dict[str, dict[str, Any]] = {
    "white_stroke": {"fill_rgb": (255, 255, 255), "stroke_rgb": (0, 0, 0), "stroke": 0.09},
    "yellow_stroke": {"fill_rgb": (255, 221, 0), "stroke_rgb": (0, 0, 0), "stroke": 0.08},
    "red_stroke": {"fill_rgb": (235, 40, 40), "stroke_rgb": (255, 255, 255), "stroke": 0.08},
    "white_plate": {"fill_rgb": (0, 0, 0), "plate_rgb": (255, 255, 255)},
    "black_plate": {"fill_rgb": (255, 255, 255), "plate_rgb": (20, 20, 20)},
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
    h, w = sprite.rgba.shape[:2]
    margin = int(width * 0.08)
    if spec.align == "left":
        x = margin
    elif spec.align == "right":
        x = width - margin - w
    else:
        x = (width - w) // 2
    y = int(spec.y_frac * height - h / 2)
    start = round(spec.start_s * fps)
    end = round(spec.end_s * fps) - 1
    return PlacedCaption(spec, sprite, max(x, 0), max(y, 0), start, end, style)
