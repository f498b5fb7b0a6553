"""Pick the caption font closest to the source's: render the caption's longest line in
every candidate family and weight, binarise, and compare shapes with the source's fill
mask (the glyph pixels measured on the frame).

Score: IoU of the two masks scaled to the same box (letter shapes and stroke weight),
minus a penalty for a different aspect ratio of the line (condensed or wide faces), and
for a different ink density (weight). Text with CJK characters is matched among the Noto
Sans CJK weights only.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw

from remixer.pipeline.typeset.fonts import CJK_FAMILY, FAMILIES, has_cjk, load_font, weights_of

Mask = NDArray[np.bool_]
COMPARE_H = 48
WORD_GAP = 0.12
"""Empty runs of columns wider than this share of the ink height are cut to it."""
ASPECT_WEIGHT = 1.5
DENSITY_WEIGHT = 1.0


@dataclass(frozen=True)
class FontMatch:
    family: str
    weight: str
    score: float


def _tight(mask: Mask) -> Mask | None:
    """The ink's bounding box with wide ink-free runs of columns cut short: word spaces
    (which OCR often loses: "Saveitforlater") then weigh the same in both masks."""
    ys, xs = np.nonzero(mask)
    if len(xs) < 20:
        return None
    box = mask[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    inked = [bool(v) for v in np.asarray(box.any(axis=0)).tolist()]
    gap = max(int(WORD_GAP * box.shape[0]), 1)
    keep: list[bool] = []
    run = 0
    for has_ink in inked:
        run = 0 if has_ink else run + 1
        keep.append(has_ink or run <= gap)
    return np.asarray(box[:, np.asarray(keep, dtype=bool)], dtype=bool)


def _rendered(text: str, family: str, weight: str, size: int) -> Mask | None:
    font = load_font(family, weight, size)
    left, top, right, bottom = font.getbbox(text)
    image = Image.new("L", (int(right - left) + 8, int(bottom - top) + 8), 0)
    ImageDraw.Draw(image).text((4 - left, 4 - top), text, font=font, fill=255)
    return _tight(np.asarray(image) > 127)


def _normalised(mask: Mask) -> tuple[NDArray[np.float32], float, float]:
    h, w = mask.shape
    width = max(round(COMPARE_H * w / max(h, 1)), 4)
    scaled = cv2.resize(mask.astype(np.float32), (width, COMPARE_H), interpolation=cv2.INTER_AREA)
    return np.asarray(scaled, dtype=np.float32), w / max(h, 1), float(mask.mean())


def _score(source: tuple[NDArray[np.float32], float, float], candidate: Mask) -> float:
    src, src_aspect, src_density = source
    cand = cv2.resize(
        candidate.astype(np.float32), (src.shape[1], src.shape[0]), interpolation=cv2.INTER_AREA
    )
    a, b = src > 0.5, cand > 0.5
    iou = float((a & b).sum()) / max(float((a | b).sum()), 1.0)
    aspect = abs(np.log(src_aspect / max(candidate.shape[1] / max(candidate.shape[0], 1), 1e-3)))
    density = abs(src_density - float(candidate.mean())) / max(src_density, 1e-3)
    return iou - ASPECT_WEIGHT * float(aspect) - DENSITY_WEIGHT * 0.25 * density


def candidates(text: str) -> list[tuple[str, str]]:
    if has_cjk(text):
        return [(CJK_FAMILY, weight) for weight in weights_of(CJK_FAMILY)]
    return [(f, w) for f in FAMILIES if f != CJK_FAMILY for w in weights_of(f)]


def match_font(line_mask: Mask, text: str) -> FontMatch | None:
    """The family and weight whose rendering of `text` looks most like `line_mask` (the
    source's glyph pixels of that one line); None when the mask is too small to tell."""
    text = "".join(text.split())
    source = _tight(line_mask)
    if source is None or not text:
        return None
    normal = _normalised(source)
    size = max(int(source.shape[0] * 1.3), 12)
    best: FontMatch | None = None
    for family, weight in candidates(text):
        rendered = _rendered(text, family, weight, size)
        if rendered is None:
            continue
        score = _score(normal, rendered)
        if best is None or score > best.score:
            best = FontMatch(family, weight, score)
    return best
