"""Lay a new caption text out in an old caption's place: matched style, wrapped to the old
box width, shrunk if it would not fit, anchored like the old block (alignment, centre)."""

from __future__ import annotations

from typing import Literal, cast

from remixer.pipeline.overlays.model import Overlay
from remixer.pipeline.render.text import Align, Sprite, TextStyle, render_block, wrap_text
from remixer.pipeline.types import Frame

MIN_SHRINK = 0.6
KEEP_LINES_SHRINK = 0.8
FAMILY = "poppins"


def text_style_of(overlay: Overlay, font_size: int) -> TextStyle:
    """Our render style matching a measured overlay style at `font_size`."""
    style = overlay.style
    plate_pad = 0
    if style.plate_box is not None:
        plate_pad = max((style.plate_box[3] - overlay.box[3]) // 2, 2)
    align = cast(Align, style.align if style.align in ("left", "center", "right") else "center")
    return TextStyle(
        font_size=font_size,
        fill_rgb=style.fill_rgb,
        stroke_rgb=style.stroke_rgb,
        stroke_px=style.stroke_px if style.stroke_rgb else 0,
        plate_rgb=style.plate_rgb,
        plate_pad_px=plate_pad,
        plate_radius_px=style.plate_radius_px,
        align=align,
        family=FAMILY,
        weight=style.weight,
    )


def _fit(overlay: Overlay, text: str) -> tuple[list[str], TextStyle]:
    """Wrap to the old box width keeping the source's line count, shrinking down to
    `KEEP_LINES_SHRINK` for that; else allow one more line, shrinking down to
    `MIN_SHRINK` if even that does not fit."""
    width = overlay.box[2]
    source_lines = max(len(overlay.lines), 1)
    measured = overlay.style.font_size_px
    for max_lines, floor in ((source_lines, KEEP_LINES_SHRINK), (source_lines + 1, MIN_SHRINK)):
        size = measured
        while True:
            style = text_style_of(overlay, size)
            lines = wrap_text(text, style, width * 1.05)
            if len(lines) <= max_lines:
                return lines, style
            if size <= measured * floor:
                break
            size = max(int(size * 0.95), 4)
    return lines, style


def place_sprite(overlay: Overlay, text: str, width: int, height: int) -> tuple[Frame, int, int]:
    """The new block's RGBA sprite and top-left position in the frame."""
    lines, style = _fit(overlay, text)
    sprite = _render(overlay, lines, style)
    return sprite.rgba, *_anchor(overlay, sprite, style.align, width, height)


def _render(overlay: Overlay, lines: list[str], style: TextStyle) -> Sprite:
    plate = overlay.style.plate_box
    if plate is None:
        return render_block(lines, style)
    pad = style.plate_pad_px
    return render_block(lines, style, min_width=plate[2] - 2 * pad, min_height=plate[3] - 2 * pad)


def _anchor(
    overlay: Overlay,
    sprite: Sprite,
    align: Literal["left", "center", "right"],
    width: int,
    height: int,
) -> tuple[int, int]:
    h, w = sprite.rgba.shape[:2]
    plate = overlay.style.plate_box
    if plate is not None:
        x = plate[0] - max(w - plate[2], 0) // 2
        y = plate[1] - max(h - plate[3], 0) // 2
        return x, y
    bx, by, bw, bh = overlay.box
    tx, ty, tw, th = sprite.text_box
    if align == "left":
        x = bx - tx
    elif align == "right":
        x = bx + bw - (tx + tw)
    else:
        x = bx + bw // 2 - (tx + tw // 2)
    y = by + bh // 2 - (ty + th // 2)
    return min(max(x, 0), max(width - w, 0)), min(max(y, 0), max(height - h, 0))
