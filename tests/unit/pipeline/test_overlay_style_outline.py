"""Reading a caption's look when k-means merges its fill with a bright scene: white CJK
text with a black stroke over skin (thin strokes: the white fill is no thicker than its
outline) is white with a black stroke, and black CJK text over the same skin stays black."""

from __future__ import annotations

import cv2
import numpy as np

from remixer.pipeline.overlays.blocks import Block
from remixer.pipeline.overlays.ocr import TextLine
from remixer.pipeline.overlays.style import measure_block
from remixer.pipeline.render.compose import composite_rgba
from remixer.pipeline.typeset.fonts import CJK_FAMILY
from remixer.pipeline.typeset.text import TextStyle, render_block

TEXT = "每天早上的习惯"


def _skin(width: int = 420, height: int = 120) -> np.ndarray:
    """A face-like scene (BGR): bright skin shading into darker tones across the caption,
    with a soft texture, so k-means spends clusters on the shading and puts a white fill
    together with the bright skin."""
    rng = np.random.default_rng(3)
    noise = cv2.GaussianBlur(rng.normal(0, 30, (height, width, 3)).astype(np.float32), (0, 0), 2)
    t = np.linspace(0.0, 1.0, width, dtype=np.float32)[None, :, None]
    bright, dark = np.array([175, 200, 240], np.float32), np.array([70, 90, 130], np.float32)
    base = bright * (1 - t) + dark * t
    return np.clip(base + noise, 0, 255).astype(np.uint8)


def _burn(style: TextStyle) -> tuple[np.ndarray, Block]:
    frame = _skin()
    sprite = render_block([TEXT], style)
    x, y = (frame.shape[1] - sprite.rgba.shape[1]) // 2, 30
    composite_rgba(frame, sprite.rgba, x, y)
    ys, xs = np.nonzero(sprite.rgba[:, :, 3] > 0)
    box = (x + int(xs.min()), y + int(ys.min()), int(np.ptp(xs)) + 1, int(np.ptp(ys)) + 1)
    return frame, Block((TextLine(TEXT, box, 0.99),))


def test_white_cjk_with_a_black_stroke_is_read_as_white_with_a_stroke() -> None:
    style = TextStyle(
        font_size=28, family=CJK_FAMILY, weight="bold", stroke_rgb=(0, 0, 0), stroke_px=3
    )
    frame, block = _burn(style)
    look = measure_block(frame, block)
    assert look is not None
    assert min(look.style.fill_rgb) > 200
    assert look.style.stroke_rgb is not None and max(look.style.stroke_rgb) < 60
    assert 2 <= look.style.stroke_px <= 4
    assert look.style.plate_rgb is None


def test_black_cjk_without_a_stroke_stays_black() -> None:
    frame, block = _burn(TextStyle(font_size=28, family=CJK_FAMILY, fill_rgb=(0, 0, 0)))
    look = measure_block(frame, block)
    assert look is not None
    assert max(look.style.fill_rgb) < 80
    assert look.style.stroke_rgb is None or min(look.style.stroke_rgb) < 200
