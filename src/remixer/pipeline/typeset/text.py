"""Caption text blocks drawn once into RGBA sprites: fill, stroke, rounded plate, alignment,
colour emoji, and greedy word wrapping to a width. Shared by the overlay painter and the
synthetic clip generator."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from PIL import Image, ImageDraw

from remixer.pipeline.types import Frame
from remixer.pipeline.typeset.fonts import (
    EMOJI_NATIVE_SIZE,
    FontT,
    is_cjk_char,
    load_emoji_font,
    load_font,
    split_emoji_runs,
)

Align = Literal["left", "center", "right"]
RGB = tuple[int, int, int]

EMOJI_SCALE = 1.05
LINE_SPACING = 1.12


@dataclass(frozen=True)
class TextStyle:
    """How a caption block looks; sizes in pixels."""

    font_size: int
    fill_rgb: RGB = (255, 255, 255)
    stroke_rgb: RGB | None = None
    stroke_px: int = 0
    plate_rgb: RGB | None = None
    plate_pad_px: int = 0
    plate_radius_px: int = 0
    plate_pad_y_px: int | None = None
    """Vertical plate padding; `plate_pad_px` when None."""
    align: Align = "center"
    family: str = "poppins"
    weight: str = "bold"
    line_spacing: float = LINE_SPACING

    @property
    def font(self) -> FontT:
        return load_font(self.family, self.weight, self.font_size)


@dataclass(frozen=True)
class Sprite:
    """A rendered block: RGBA pixels and where its ink sits inside them."""

    rgba: Frame
    text_box: tuple[int, int, int, int]
    """x, y, w, h of the text ink (fill and stroke, plate excluded) within `rgba`."""


def emoji_size(style: TextStyle) -> int:
    return max(int(style.font_size * EMOJI_SCALE), 4)


def measure_line(line: str, style: TextStyle) -> float:
    """Advance width in pixels of one line, emoji included."""
    width = 0.0
    for run, emoji in split_emoji_runs(line):
        if emoji:
            width += emoji_size(style)
        else:
            width += style.font.getlength(run)
    return width + 2 * style.stroke_px


def text_tokens(paragraph: str) -> list[tuple[str, str]]:
    """(token, joiner) pieces: words joined by a space; CJK characters are tokens of
    their own joined by nothing (CJK lines break between any two characters)."""
    tokens: list[tuple[str, str]] = []
    for word in paragraph.split():
        joiner = " "
        piece = ""
        for char in word:
            if is_cjk_char(char):
                if piece:
                    tokens.append((piece, joiner))
                    joiner = ""
                tokens.append((char, joiner))
                joiner, piece = "", ""
            else:
                piece += char
        if piece:
            tokens.append((piece, joiner))
    return tokens


def wrap_text(text: str, style: TextStyle, max_width: float) -> list[str]:
    """Greedy word wrap of `text` (explicit newlines kept) so each line fits `max_width`."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for token, joiner in text_tokens(paragraph):
            candidate = f"{current}{joiner}{token}" if current else token
            if current and measure_line(candidate, style) > max_width:
                lines.append(current)
                current = token
            else:
                current = candidate
        lines.append(current)
    return [line for line in lines if line] or [""]


def _emoji_image(sequence: str, size: int) -> Image.Image:
    font = load_emoji_font()
    _left, _top, right, bottom = font.getbbox(sequence)
    canvas = Image.new("RGBA", (max(int(right), 1), max(int(bottom), 1)), (0, 0, 0, 0))
    ImageDraw.Draw(canvas).text((0, 0), sequence, font=font, embedded_color=True)
    scale = size / EMOJI_NATIVE_SIZE
    out_w = max(round(canvas.width * scale), 1)
    out_h = max(round(canvas.height * scale), 1)
    return canvas.resize((out_w, out_h), Image.Resampling.LANCZOS)


def _draw_line(
    image: Image.Image, draw: ImageDraw.ImageDraw, line: str, x: float, y: float, style: TextStyle
) -> None:
    ascent, _descent = style.font.getmetrics()
    cursor = x + style.stroke_px
    for run, emoji in split_emoji_runs(line):
        if emoji:
            sprite = _emoji_image(run, emoji_size(style))
            top = int(y + ascent - sprite.height * 0.85)
            image.alpha_composite(sprite, (int(cursor), max(top, 0)))
            cursor += emoji_size(style)
            continue
        draw.text(
            (cursor, y),
            run,
            font=style.font,
            fill=(*style.fill_rgb, 255),
            stroke_width=style.stroke_px if style.stroke_rgb else 0,
            stroke_fill=(*style.stroke_rgb, 255) if style.stroke_rgb else None,
        )
        cursor += style.font.getlength(run)


def render_block(
    lines: list[str],
    style: TextStyle,
    min_width: int = 0,
    min_height: int = 0,
    visible_words: int | None = None,
) -> Sprite:
    """Draw `lines` as one block, at least `min_width`×`min_height` inside its padding
    (text centred vertically) so a plate can cover an old one exactly. With
    `visible_words`, only that many first words are drawn, each where it sits in the
    whole block (word-by-word captions)."""
    ascent, descent = style.font.getmetrics()
    line_h = round((ascent + descent) * style.line_spacing)
    widths = [measure_line(line, style) for line in lines]
    text_w = int(np.ceil(max(max(widths, default=0.0), float(min_width))))
    ink_h = line_h * (len(lines) - 1) + ascent + descent + 2 * style.stroke_px
    text_h = max(ink_h, min_height)
    top = (text_h - ink_h) // 2
    pad = style.plate_pad_px if style.plate_rgb else 2
    pad_y = pad if style.plate_pad_y_px is None or not style.plate_rgb else style.plate_pad_y_px
    image = Image.new("RGBA", (text_w + 2 * pad, text_h + 2 * pad_y), (0, 0, 0, 0))
    if style.plate_rgb is not None:
        _draw_plate(image, style)
    draw = ImageDraw.Draw(image)
    left = len(" ".join(lines).split()) if visible_words is None else visible_words
    for index, (line, width) in enumerate(zip(lines, widths, strict=True)):
        x = pad + _offset(style.align, text_w, width)
        words = line.split()
        shown = " ".join(words[: max(left, 0)])
        left -= len(words)
        if shown:
            _draw_line(image, draw, shown, x, pad_y + top + index * line_h, style)
    rgba = np.asarray(image, dtype=np.uint8).copy()
    return Sprite(rgba=rgba, text_box=_ink_box(rgba, style))


def _offset(align: Align, block_w: float, line_w: float) -> float:
    if align == "left":
        return 0.0
    if align == "right":
        return block_w - line_w
    return (block_w - line_w) / 2


def _draw_plate(image: Image.Image, style: TextStyle) -> None:
    assert style.plate_rgb is not None
    ImageDraw.Draw(image).rounded_rectangle(
        (0, 0, image.width - 1, image.height - 1),
        radius=style.plate_radius_px,
        fill=(*style.plate_rgb, 255),
    )


def _ink_box(rgba: Frame, style: TextStyle) -> tuple[int, int, int, int]:
    alpha = rgba[:, :, 3] > 0
    if style.plate_rgb is not None:
        plate = np.array(style.plate_rgb, dtype=np.int16)
        diff = np.abs(rgba[:, :, :3].astype(np.int16) - plate).sum(axis=2)
        alpha &= diff > 60
    ys, xs = np.nonzero(alpha)
    if len(xs) == 0:
        return (0, 0, 0, 0)
    x0, y0 = int(xs.min()), int(ys.min())
    return (x0, y0, int(xs.max()) - x0 + 1, int(ys.max()) - y0 + 1)


def render_plated(
    lines: list[str], style: TextStyle, pad_x: int, pad_y: int, visible_words: int | None = None
) -> Sprite:
    """`lines` on a rounded plate that extends `pad_x`/`pad_y` beyond the text ink (how a
    source plate's padding is measured), radius `style.plate_radius_px`."""
    bare_style = replace(style, plate_rgb=None, plate_pad_px=0)
    bare = render_block(lines, bare_style)
    tx, ty, tw, th = bare.text_box
    if visible_words is not None:
        bare = render_block(lines, bare_style, visible_words=visible_words)
    ink = bare.rgba[ty : ty + th, tx : tx + tw]
    image = Image.new("RGBA", (tw + 2 * pad_x, th + 2 * pad_y), (0, 0, 0, 0))
    if style.plate_rgb is not None:
        _draw_plate(image, style)
    image.alpha_composite(Image.fromarray(np.ascontiguousarray(ink), "RGBA"), (pad_x, pad_y))
    return Sprite(rgba=np.asarray(image, dtype=np.uint8).copy(), text_box=(pad_x, pad_y, tw, th))
