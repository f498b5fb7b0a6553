"""Font files and loading: OFL caption fonts by family and weight, and the colour emoji font.

Pillow has no font fallback, so text is split into emoji and non-emoji runs here
(`split_emoji_runs`) and each run is drawn with its own font.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import fontpkg_montserrat
import fontpkg_noto_sans
import fontpkg_poppins
from PIL import ImageFont

FontT = ImageFont.FreeTypeFont

WEIGHTS = ("regular", "medium", "semibold", "bold", "extrabold", "black")
FAMILIES = ("poppins", "montserrat", "noto-sans")
EMOJI_FONT = Path("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf")
EMOJI_NATIVE_SIZE = 109

_VARIABLE: dict[str, Path] = {
    "montserrat": fontpkg_montserrat.ROOT / "files" / "Montserrat[wght].ttf",
    "noto-sans": fontpkg_noto_sans.ROOT / "files" / "NotoSans[wdth,wght].ttf",
}
_NAMED = {
    "regular": "Regular",
    "medium": "Medium",
    "semibold": "SemiBold",
    "bold": "Bold",
    "extrabold": "ExtraBold",
    "black": "Black",
}
_EMOJI_RE = re.compile(
    "(?:[\U0001f1e6-\U0001f1ff]{2}"
    "|[\U0001f300-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff]"
    "[\U0001f3fb-\U0001f3ff\ufe0f]*"
    "(?:\u200d[\U0001f300-\U0001faff\u2600-\u27bf][\U0001f3fb-\U0001f3ff\ufe0f]*)*)"
)


def font_path(family: str, weight: str) -> Path:
    """The font file for a family; static Poppins files per weight, variable files otherwise."""
    if family == "poppins":
        return Path(fontpkg_poppins.ROOT) / "files" / f"Poppins-{_NAMED[weight]}.ttf"
    return Path(_VARIABLE[family])


@lru_cache(maxsize=64)
def load_font(family: str, weight: str, size: int) -> FontT:
    """Load a caption font at `size` pixels (cached)."""
    if family not in FAMILIES or weight not in WEIGHTS:
        raise ValueError(f"unknown font {family!r} / {weight!r}")
    font = ImageFont.truetype(str(font_path(family, weight)), size=max(int(size), 4))
    if family != "poppins":
        font.set_variation_by_name(_NAMED[weight])
    return font


@lru_cache(maxsize=1)
def load_emoji_font() -> FontT:
    """Noto Color Emoji only renders at its bitmap size; callers scale the result."""
    return ImageFont.truetype(str(EMOJI_FONT), size=EMOJI_NATIVE_SIZE)


def is_emoji(text: str) -> bool:
    return _EMOJI_RE.fullmatch(text) is not None


def split_emoji_runs(text: str) -> list[tuple[str, bool]]:
    """Split `text` into (run, is_emoji) pieces; each emoji sequence is its own run."""
    runs: list[tuple[str, bool]] = []
    pos = 0
    for match in _EMOJI_RE.finditer(text):
        if match.start() > pos:
            runs.append((text[pos : match.start()], False))
        runs.append((match.group(0), True))
        pos = match.end()
    if pos < len(text):
        runs.append((text[pos:], False))
    return runs


def strip_emoji(text: str) -> str:
    """`text` without emoji (what OCR can read back), spaces collapsed."""
    return " ".join(_EMOJI_RE.sub(" ", text).split())
