"""Font files and loading: OFL caption fonts by family and weight, CJK and colour emoji fonts.

Families come from PyPI `fontpkg-*` wheels (static or variable files) and Debian
(`fonts-noto-cjk`, `fonts-noto-color-emoji`). A variable font is set to the requested
weight clamped to its axis; single-weight display faces (Anton, Bebas Neue) ignore it.

Pillow has no font fallback, so text is split into emoji and non-emoji runs here
(`split_emoji_runs`) and each run is drawn with its own font; text holding CJK
characters is drawn with Noto Sans CJK (`family_for_text`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import fontpkg_anton
import fontpkg_bebas_neue
import fontpkg_caveat
import fontpkg_inter
import fontpkg_montserrat
import fontpkg_noto_sans
import fontpkg_oswald
import fontpkg_playfair_display
import fontpkg_poppins
from PIL import ImageFont

FontT = ImageFont.FreeTypeFont

WEIGHTS = ("regular", "medium", "semibold", "bold", "extrabold", "black")
WEIGHT_VALUES = {
    "regular": 400,
    "medium": 500,
    "semibold": 600,
    "bold": 700,
    "extrabold": 800,
    "black": 900,
}
CJK_FAMILY = "noto-sans-cjk"
EMOJI_FONT = Path("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf")
CJK_FONTS = {
    "regular": Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    "bold": Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
}
EMOJI_NATIVE_SIZE = 109

_FILES: dict[str, Path] = {
    "montserrat": fontpkg_montserrat.ROOT / "files" / "Montserrat[wght].ttf",
    "noto-sans": fontpkg_noto_sans.ROOT / "files" / "NotoSans[wdth,wght].ttf",
    "inter": fontpkg_inter.ROOT / "files" / "Inter[opsz,wght].ttf",
    "oswald": fontpkg_oswald.ROOT / "files" / "Oswald[wght].ttf",
    "playfair": fontpkg_playfair_display.ROOT / "files" / "PlayfairDisplay[wght].ttf",
    "caveat": fontpkg_caveat.ROOT / "files" / "Caveat[wght].ttf",
    "anton": fontpkg_anton.ROOT / "files" / "Anton-Regular.ttf",
    "bebas-neue": fontpkg_bebas_neue.ROOT / "files" / "BebasNeue-Regular.ttf",
}
SINGLE_WEIGHT = frozenset({"anton", "bebas-neue"})
FAMILIES = ("poppins", *_FILES, CJK_FAMILY)
"""Every family a caption can be drawn in; `poppins` is the default."""
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
_CJK_RE = re.compile(
    "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]"
)


def has_cjk(text: str) -> bool:
    return _CJK_RE.search(text) is not None


def is_cjk_char(char: str) -> bool:
    return _CJK_RE.fullmatch(char) is not None


def family_for_text(family: str, text: str) -> str:
    """`family`, or Noto Sans CJK when `text` holds CJK characters the Latin faces lack."""
    return CJK_FAMILY if has_cjk(text) else family


def font_path(family: str, weight: str) -> Path:
    """The font file for a family; static Poppins files per weight, variable files otherwise."""
    if family == "poppins":
        return Path(fontpkg_poppins.ROOT) / "files" / f"Poppins-{_NAMED[weight]}.ttf"
    if family == CJK_FAMILY:
        return CJK_FONTS["bold" if WEIGHT_VALUES[weight] >= 600 else "regular"]
    return Path(_FILES[family])


def _set_weight(font: FontT, weight: str) -> None:
    """Set a variable font's weight axis (clamped to its range); other axes at default."""
    values: list[float] = []
    for axis in font.get_variation_axes():
        raw: object = axis["name"]
        name = raw.decode() if isinstance(raw, bytes) else str(raw)
        low, high, default = (float(axis[k] or 0) for k in ("minimum", "maximum", "default"))
        if name.lower() == "weight":
            values.append(min(max(float(WEIGHT_VALUES[weight]), low), high))
        else:
            values.append(default)
    font.set_variation_by_axes(values)


@lru_cache(maxsize=256)
def load_font(family: str, weight: str, size: int) -> FontT:
    """Load a caption font at `size` pixels (cached)."""
    if family not in FAMILIES or weight not in WEIGHTS:
        raise ValueError(f"unknown font {family!r} / {weight!r}")
    font = ImageFont.truetype(str(font_path(family, weight)), size=max(int(size), 4))
    if family in _FILES and family not in SINGLE_WEIGHT:
        _set_weight(font, weight)
    return font


def weights_of(family: str) -> tuple[str, ...]:
    """The distinct weights worth trying for a family (font matching)."""
    if family in SINGLE_WEIGHT:
        return ("regular",)
    if family == CJK_FAMILY:
        return ("regular", "bold")
    if family in ("oswald", "caveat"):
        return ("regular", "bold")
    if family == "playfair":
        return ("bold", "black")
    return ("semibold", "bold", "extrabold", "black")


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
