"""Put back the word spaces OCR sometimes drops on stroked captions ("Saveit forlater").

The caption's fill mask (the stroke would close the gaps) shows the words directly:
ink runs split by empty columns wider than a fraction of the font size. Each gap is
mapped to the character boundary at the same fraction of the line's ink width,
measured with the caption font.
"""

from __future__ import annotations

import numpy as np

from remixer.pipeline.overlays.style import BlockLook, Mask
from remixer.pipeline.types import Box
from remixer.pipeline.typeset.text import TextStyle

GAP_EM = 0.25
"""Fill-mask gaps at least this many font sizes wide are word gaps. Measured on the
footage's burned captions (Montserrat, 25-69 px): word gaps 0.30-0.45 em, gaps between
letters up to 0.2 em at 25 px (the fill's anti-aliased edge, lost into the stroke, widens
each by about a pixel a side: "fina lly" at 0.2 em)."""


def _segments(fill: Mask, support: Mask, min_gap: int, stroked: bool) -> list[tuple[int, int]]:
    """Column ranges [start, end) of the words; for stroked captions, ink without a stroke
    around it (an emoji) is not a word."""
    columns = np.flatnonzero(fill.any(axis=0))
    if len(columns) == 0:
        return []
    breaks = np.flatnonzero(np.diff(columns) - 1 >= min_gap)
    starts = [int(columns[0])] + [int(columns[b + 1]) for b in breaks]
    ends = [int(columns[b]) + 1 for b in breaks] + [int(columns[-1]) + 1]
    words = list(zip(starts, ends, strict=True))
    if stroked:
        words = [(a, b) for a, b in words if support[:, a:b].sum() >= 0.5 * fill[:, a:b].sum()]
    return words


def _boundaries(chars: str, look: BlockLook) -> list[float]:
    """Where each character boundary lies, as a share of the line's width, in the font
    the caption was measured in (a serif's letters are not Poppins' widths)."""
    style = look.style
    font = TextStyle(font_size=style.font_size_px, family=style.family, weight=style.weight).font
    widths = [font.getlength(ch) for ch in chars]
    total = sum(widths) or 1.0
    return [sum(widths[:i]) / total for i in range(1, len(chars))]


def restore_spaces(text: str, look: BlockLook, line_box: Box) -> str:
    """`text` with a space at every wide ink gap of its line, when OCR read fewer spaces."""
    cx, cy, cw, ch = look.crop_box
    y0 = max(line_box[1] - cy, 0)
    y1 = min(line_box[1] + line_box[3] - cy, ch)
    x0 = max(line_box[0] - cx, 0)
    x1 = min(line_box[0] + line_box[2] - cx, cw)
    fill, support = look.fill_mask[y0:y1, x0:x1], look.support_mask[y0:y1, x0:x1]
    min_gap = max(round(GAP_EM * look.style.font_size_px), 2)
    words = _segments(fill, support, min_gap, look.style.stroke_rgb is not None)
    chars = "".join(text.split())
    if len(words) - 1 <= text.count(" ") or len(words) >= len(chars) // 2:
        return text
    return spaced(text, words, _boundaries(chars, look))


KNOWN_GAP_SHARE = 0.8
"""A gap OCR read no space at counts as a word gap only when it is at least this share of
the narrowest gap where OCR did read one: a letter gap widened by the stroke ("n obody",
6 px against word gaps of 8-10 px at 25 px type) is not one."""


def spaced(text: str, words: list[tuple[int, int]], bounds: list[float]) -> str:
    """`text` with OCR's own spaces kept and one added at the character boundary each
    further ink gap between `words` (column ranges) maps to; `bounds` are the character
    boundaries as shares of the line's ink width (`_boundaries`)."""
    chars = "".join(text.split())
    read = {len("".join(text[:i].split())) for i, c in enumerate(text) if c == " "}
    ink = [b - a for a, b in words]
    total = float(sum(ink))
    gaps = [(words[i][0] - words[i - 1][1], i) for i in range(1, len(words))]
    at = {i: int(np.argmin([abs(b - sum(ink[:i]) / total) for b in bounds])) + 1 for _, i in gaps}
    known = [width for width, i in gaps if at[i] in read]
    least = KNOWN_GAP_SHARE * min(known) if known else 0.0
    cuts = read | {at[i] for width, i in gaps if width >= least}
    return "".join((" " + ch if i in cuts else ch) for i, ch in enumerate(chars))
