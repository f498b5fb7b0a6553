"""Font matching: the family (and weight) whose rendering looks most like the source's
glyph pixels wins, among the OFL faces the renderer ships."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from remixer.pipeline.overlays.fontmatch import candidates, match_font
from remixer.pipeline.typeset.fonts import FAMILIES, load_font


def _glyphs(text: str, family: str, weight: str, size: int) -> np.ndarray:
    font = load_font(family, weight, size)
    left, top, right, bottom = font.getbbox(text)
    image = Image.new("L", (int(right - left) + 20, int(bottom - top) + 20), 0)
    ImageDraw.Draw(image).text((10 - left, 10 - top), text, font=font, fill=255)
    return np.asarray(image) > 127


@pytest.mark.parametrize(
    ("family", "weight", "text"),
    [
        ("montserrat", "extrabold", "Morning routine tips"),
        ("poppins", "bold", "Nobody talks about this"),
        ("anton", "regular", "THREE HABITS THAT WORK"),
        ("bebas-neue", "regular", "LIFE HACK OF THE DAY"),
        ("oswald", "bold", "NOBODY TELLS YOU THIS"),
        ("playfair", "black", "Follow for part two"),
        ("caveat", "bold", "my honest review"),
        ("inter", "semibold", "Three habits that work"),
    ],
)
def test_the_source_family_is_picked(family: str, weight: str, text: str) -> None:
    found = match_font(_glyphs(text, family, weight, 37), text)
    assert found is not None
    assert found.family == family


def test_cjk_text_is_matched_among_cjk_weights_only() -> None:
    assert {family for family, _ in candidates("每天早上的习惯")} == {"noto-sans-cjk"}
    assert "noto-sans-cjk" not in {family for family, _ in candidates("latin text")}
    assert len(FAMILIES) >= 9


def test_too_little_ink_gives_no_match() -> None:
    assert match_font(np.zeros((20, 20), bool), "abc") is None
