"""Measure a caption block's look on one frame: text pixel mask, fill and stroke colours,
background plate, tight box, font size, line height and alignment.

Colours come from the box itself (k-means in the padded OCR box), not from white
thresholds: clusters that cover the box's border are background (or, when one
uniform cluster covers nearly all of it, a plate); of the rest, the one deepest
inside the glyphs is the fill and a distinct one hugging it is the stroke.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from remixer.pipeline.overlays.blocks import Block
from remixer.pipeline.overlays.fontmatch import match_font
from remixer.pipeline.overlays.model import RGB, OverlayStyle
from remixer.pipeline.types import Box, Frame
from remixer.pipeline.typeset.fonts import family_for_text, strip_emoji
from remixer.pipeline.typeset.text import TextStyle, measure_line

Mask = NDArray[np.bool_]
BGR = NDArray[np.float32]
_K = 4
_K_BUSY = 7
_GLYPH_TOL = 70
"""Sum of channel differences from the line's median fill colour that still counts as glyph."""
_RING = 3
_STROKE_TOL = 60
"""Sum of channel differences within which a pixel has the stroke's colour."""
_FLAT_TOL = 30
_FLAT_SHARE = 0.9
"""A plate is flat: this share of its border pixels within `_FLAT_TOL` of its median."""
_GLYPH_TALL = 1.25
"""A connected part of a cluster taller than this many OCR line heights is not a glyph."""


@dataclass(frozen=True)
class BlockLook:
    """A block measured on a reference frame."""

    style: OverlayStyle
    box: Box
    """Tight box of the text ink (fill and stroke) in frame pixels."""
    crop_box: Box
    fill_mask: Mask
    support_mask: Mask
    """Pixels of the crop that frame the fill: the stroke, or the plate around the text."""
    fill_fraction: float


def _rgb(bgr: NDArray[np.float32]) -> RGB:
    b, g, r = (int(np.clip(round(float(v)), 0, 255)) for v in bgr)
    return (r, g, b)


def _crop_box(box: Box, frame: Frame) -> Box:
    x, y, w, h = box
    pad = max(h // 10, 2)
    x0, y0 = max(x - pad, 0), max(y - pad, 0)
    x1, y1 = min(x + w + pad, frame.shape[1]), min(y + h + pad, frame.shape[0])
    return (x0, y0, x1 - x0, y1 - y0)


def _cluster(crop: Frame, k: int = _K) -> tuple[NDArray[np.int32], NDArray[np.float32]]:
    pixels = crop.reshape(-1, 3).astype(np.float32)
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 12, 1.0)
    cv2.setRNGSeed(7)
    seed = np.zeros((len(pixels), 1), np.int32)
    _, found, centres = cv2.kmeans(pixels, k, seed, criteria, 2, cv2.KMEANS_PP_CENTERS)
    labels = np.asarray(found, dtype=np.int32).reshape(crop.shape[:2])
    return labels, np.asarray(centres, dtype=np.float32)


def _ring(shape: tuple[int, ...]) -> Mask:
    ring = np.zeros(shape[:2], dtype=bool)
    ring[:_RING, :] = ring[-_RING:, :] = True
    ring[:, :_RING] = ring[:, -_RING:] = True
    return ring


def _ring_shares(labels: NDArray[np.int32]) -> list[float]:
    ring_labels = labels[_ring(labels.shape)]
    return [float(np.mean(ring_labels == k)) for k in range(int(labels.max()) + 1)]


def _coverage(mask: Mask, bins: int = 16) -> float:
    """Fraction of the box's column bins holding some of `mask` in the middle rows."""
    h = mask.shape[0]
    columns = mask[h // 5 : h - h // 5].any(axis=0)
    parts = np.array_split(columns, bins)
    return float(np.mean([part.any() for part in parts if len(part)]))


def _thickness(mask: Mask) -> float:
    depth = cv2.distanceTransform(mask.astype(np.uint8), cv2.DIST_L2, 3)
    return float(depth[mask].mean())


def _glyph_parts(mask: Mask, line_h: int) -> Mask:
    """`mask` without its parts taller than a text line: a letter (or a word its stroke
    joins up) is no taller than its line, so a taller part is a region of the scene."""
    _count, parts, stats, _ = cv2.connectedComponentsWithStats(
        mask.astype(np.uint8), connectivity=8
    )
    tall = np.flatnonzero(stats[:, cv2.CC_STAT_HEIGHT] > _GLYPH_TALL * line_h)
    return mask & ~np.isin(parts, tall[tall > 0])


def _pick_fill(
    labels: NDArray[np.int32], shares: list[float], exclude: int | None, line_h: int
) -> int | None:
    """The cluster that spans the whole text width, stays off the box border and has the
    thickest strokes (thin clusters are anti-aliasing or outlines). Thickness is measured
    on glyph-sized parts only: a dark scene region behind the text (hair behind a black
    stroke) shares a cluster with the stroke's anti-aliased edge, and as one region it
    would be the thickest "ink" of all."""
    scored: list[tuple[float, float, int]] = []
    for k in range(len(shares)):
        mask = labels == k
        if k == exclude or shares[k] > 0.12 or mask.sum() < 20:
            continue
        glyphs = _glyph_parts(mask, line_h)
        depth = _thickness(glyphs) if glyphs.any() else 0.0
        scored.append((_coverage(mask) - 2.0 * shares[k], depth, k))
    if not scored:
        return None
    top = max(score for score, _, _ in scored)
    if top < 0.5:
        return None
    return max((t, k) for score, t, k in scored if score >= top - 0.15)[1]


def _pick_stroke(
    labels: NDArray[np.int32], centres: NDArray[np.float32], fill: int, exclude: int | None
) -> int | None:
    """The cluster that makes up most of the band just outside the fill."""
    fill_mask = (labels == fill).astype(np.uint8)
    band = (cv2.dilate(fill_mask, np.ones((5, 5), np.uint8)) > 0) & (fill_mask == 0)
    if not band.any():
        return None
    counts = np.bincount(labels[band], minlength=len(centres))
    k = int(np.argmax(counts))
    distinct = float(np.abs(centres[k] - centres[fill]).sum()) > 150
    if k in (fill, exclude) or not distinct or counts[k] < 0.5 * band.sum():
        return None
    return k


def _stroke_extent(crop: Frame, fill_mask: Mask, stroke_mask: Mask) -> tuple[Mask, int, BGR]:
    """The stroke pixels that hug the fill, the stroke width in pixels and its colour.

    The colour is the median of the stroke-cluster pixels just outside the fill, and the
    width is how far rings around the fill keep that colour: a black stroke on a dark,
    textured background (a suit, hair) shares a k-means cluster with it, so the cluster
    alone would run on into the background."""
    dist = cv2.distanceTransform((~fill_mask).astype(np.uint8), cv2.DIST_L2, 3)
    near = stroke_mask & (dist > 1) & (dist <= 3)
    if not near.any():
        return np.zeros_like(fill_mask), 0, np.zeros(3, np.float32)
    colour = np.median(crop[near].astype(np.float32), axis=0)
    like = np.abs(crop.astype(np.int16) - colour.astype(np.int16)).sum(axis=2) < _STROKE_TOL
    width = 0
    for d in range(1, 16):
        ring = (dist > d - 1) & (dist <= d)
        if ring.any() and (stroke_mask & like)[ring].mean() >= 0.5:
            width = d
        elif d > 2:
            break
    return stroke_mask & like & (dist <= width + 1), width, colour


def _plate_inside(crop: Frame, labels: NDArray[np.int32], box: Box, crop_box: Box) -> int | None:
    """A plate whose edge lies inside the (loose) OCR box: the ring just inside the box
    is one flat cluster."""
    x0, y0 = box[0] - crop_box[0] + 2, box[1] - crop_box[1] + 2
    x1, y1 = x0 + box[2] - 4, y0 + box[3] - 4
    if x1 - x0 < 12 or y1 - y0 < 12:
        return None
    inner = labels[y0:y1, x0:x1]
    ring = _ring(inner.shape)
    counts = np.bincount(inner[ring], minlength=int(labels.max()) + 1)
    k = int(np.argmax(counts))
    if counts[k] < 0.9 * ring.sum():
        return None
    pixels = crop[y0:y1, x0:x1][ring & (inner == k)].astype(np.int16)
    deviation = np.abs(pixels - np.median(pixels, axis=0)).sum(axis=1)
    return k if float(np.mean(deviation < _FLAT_TOL)) >= _FLAT_SHARE else None


def _is_flat(crop: Frame, labels: NDArray[np.int32], k: int) -> bool:
    """Is cluster `k` on the box border one flat colour (a drawn plate), rather than a
    textured background that happens to dominate the border (a dark suit, a wall)?"""
    pixels = crop[_ring(labels.shape) & (labels == k)].astype(np.int16)
    if len(pixels) == 0:
        return False
    deviation = np.abs(pixels - np.median(pixels, axis=0)).sum(axis=1)
    return float(np.mean(deviation < _FLAT_TOL)) >= _FLAT_SHARE


def _enclosed_fill(crop: Frame, outline: Mask, inside: Mask) -> tuple[Mask, BGR] | None:
    """When the picked ink cluster is really a stroke around a fill that k-means merged
    with a light background (white text, black stroke, bright scene), the fill is the one
    colour the outline encloses; None when the ink is the fill itself."""
    free = (~outline).astype(np.uint8)
    _count, comp = cv2.connectedComponents(free, connectivity=4)
    edge = np.unique(np.concatenate([comp[0], comp[-1], comp[:, 0], comp[:, -1]]))
    enclosed = (comp > 0) & ~np.isin(comp, edge) & inside
    if enclosed.sum() < 0.5 * (outline & inside).sum():
        return None
    colour = np.median(crop[enclosed].astype(np.float32), axis=0)
    like = np.abs(crop.astype(np.int16) - colour.astype(np.int16)).sum(axis=2) < 90
    fill = enclosed & like
    outline_colour = np.median(crop[outline & inside].astype(np.float32), axis=0)
    distinct = float(np.abs(colour - outline_colour).sum()) > 150
    if not distinct or fill.sum() < 0.6 * enclosed.sum():
        return None
    if _thickness(fill) <= _thickness(outline & inside) and not _unlike_outside(
        crop, outline, enclosed, colour
    ):
        return None
    return fill, colour


def _unlike_outside(crop: Frame, outline: Mask, enclosed: Mask, colour: BGR) -> bool:
    """Does the enclosed colour differ from the scene just outside the outline? Thin
    strokes (CJK, light weights) make a white fill no thicker than its black stroke, so
    thickness cannot tell a stroked fill from the counters of dark text; but counters show
    the scene around the glyphs, and a fill does not."""
    grown = cv2.dilate(outline.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    outside = grown & ~outline & ~enclosed
    if outside.sum() < 20:
        return False
    scene = np.median(crop[outside].astype(np.float32), axis=0)
    return float(np.abs(scene - colour).sum()) > _UNLIKE_SCENE


_UNLIKE_SCENE = 80
"""Sum of channel differences between an enclosed fill and the scene around its outline
above which the enclosed colour is a fill, not a counter showing the scene."""


def _tight_box(mask: Mask, origin: Box) -> Box:
    ys, xs = np.nonzero(mask)
    x0, y0 = int(xs.min()), int(ys.min())
    return (origin[0] + x0, origin[1] + y0, int(xs.max()) - x0 + 1, int(ys.max()) - y0 + 1)


def _plate_box(frame: Frame, box: Box, colour: NDArray[np.float32], max_pad: int) -> Box:
    """Grow the text box outward while the border strips are plate-coloured."""
    near = np.abs(frame.astype(np.int16) - colour.astype(np.int16)).sum(axis=2) < 36
    h, w = near.shape
    # Start 2 px out: the rows and columns right at the ink are anti-aliased glyph edges.
    x0, y0 = max(box[0] - 2, 0), max(box[1] - 2, 0)
    x1, y1 = min(box[0] + box[2] + 2, w), min(box[1] + box[3] + 2, h)
    reach = max_pad
    top, bottom = max(y0 - reach, 0), min(y1 + reach, h)
    left, right = max(x0 - reach, 0), min(x1 + reach, w)
    while y0 > top and near[y0 - 1, x0:x1].mean() > 0.8:
        y0 -= 1
    while y1 < bottom and near[y1, x0:x1].mean() > 0.8:
        y1 += 1
    while x0 > left and near[y0:y1, x0 - 1].mean() > 0.6:
        x0 -= 1
    while x1 < right and near[y0:y1, x1].mean() > 0.6:
        x1 += 1
    return (x0, y0, x1 - x0, y1 - y0)


def _plate_radius(frame: Frame, plate: Box, colour: NDArray[np.float32]) -> int:
    x, y, w, h = plate
    steps = min(w, h) // 2
    for d in range(int(steps)):
        if np.abs(frame[y + d, x + d].astype(np.int16) - colour.astype(np.int16)).sum() < 60:
            return round(d / 0.4142)
    return 0


def _align(block: Block, frame_w: int) -> str:
    lefts = [line.box[0] for line in block.lines]
    rights = [line.box[0] + line.box[2] for line in block.lines]
    centres = [(a + b) / 2 for a, b in zip(lefts, rights, strict=True)]
    if len(block.lines) == 1:
        if abs(centres[0] - frame_w / 2) < 0.06 * frame_w:
            return "center"
        return "left" if centres[0] < frame_w / 2 else "right"
    spreads = {"left": np.ptp(lefts), "center": np.ptp(centres), "right": np.ptp(rights)}
    return str(min(spreads, key=lambda k: float(spreads[k])))


def _font_size(line_mask: Mask, text: str, weight: str, family: str, fallback: int) -> int:
    """The size at which our font draws the line's glyphs (fill only) as wide and as tall
    as the source's glyph pixels of that line: the smaller of the two estimates, since
    strays (an emoji's highlight beside the line, a bright speck of the scene) only ever
    make the measured ink larger on one axis."""
    xs = np.nonzero(line_mask.any(axis=0))[0]
    ys = np.nonzero(line_mask.any(axis=1))[0]
    text = strip_emoji(text)
    if len(xs) < 2 or len(ys) < 2 or not text:
        return fallback
    font = TextStyle(font_size=100, weight=weight, family=family_for_text(family, text)).font
    left, top, right, bottom = font.getbbox(text)
    by_width = 100 * float(xs.max() - xs.min() + 1) / max(float(right - left), 1.0)
    by_height = 100 * float(ys.max() - ys.min() + 1) / max(float(bottom - top), 1.0)
    return max(round(min(by_width, by_height)), 8)


def _width_size(block: Block, ink: Box, stroke_px: int) -> int:
    """Fallback size: the widest OCR line's width with Poppins Bold."""
    widest = max(block.lines, key=lambda line: line.box[2])
    probe = TextStyle(font_size=100, stroke_px=stroke_px)
    width_at_100 = measure_line(widest.text, probe) - 2 * stroke_px
    ink_w = min(widest.box[2], ink[2]) - 2 * stroke_px
    return max(round(100 * ink_w / max(width_at_100, 1.0)), 8)


def _line_height(block: Block, font_size: int) -> int:
    if len(block.lines) < 2:
        return round(font_size * 1.25)
    centres = [line.box[1] + line.box[3] / 2 for line in block.lines]
    return round(float(np.median(np.diff(centres))))


def _line_mask(block: Block, crop_box: Box) -> Mask:
    """Pixels of the crop inside the block's (padded) OCR line boxes."""
    mask = np.zeros((crop_box[3], crop_box[2]), dtype=bool)
    for x, y, w, h in (line.box for line in block.lines):
        x0, y0 = max(x - crop_box[0] - 2, 0), max(y - crop_box[1] - 2, 0)
        mask[y0 : y0 + h + 4, x0 : x0 + w + 4] = True
    return mask


def _widest_line(block: Block, fill_mask: Mask, crop_box: Box, crop: Frame) -> tuple[str, Mask]:
    """The widest line's text and its glyph (fill) pixels in the crop: only pixels close
    to the line's typical fill colour (an emoji's red or yellow parts can share the fill's
    cluster), stray blobs at the ends trimmed."""
    widest = max(block.lines, key=lambda line: line.box[2])
    x, y, w, h = widest.box
    line = np.zeros_like(fill_mask)
    x0, y0 = max(x - crop_box[0], 0), max(y - crop_box[1], 0)
    line[y0 : y0 + h, x0 : x0 + w] = True
    glyphs = fill_mask & line
    if glyphs.sum() > 20:
        typical = np.median(crop[glyphs].astype(np.int16), axis=0)
        close = np.abs(crop.astype(np.int16) - typical).sum(axis=2) < _GLYPH_TOL
        glyphs &= close
    return widest.text, _trim_strays(glyphs)


def _trim_strays(mask: Mask) -> Mask:
    """Drop small blobs standing apart at either end of a line (an emoji's highlight, a
    bright speck of the scene) so the line's glyph width is measured on glyphs only."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        mask.astype(np.uint8), connectivity=8
    )
    if count <= 2:
        return mask
    parts = sorted(range(1, count), key=lambda k: int(stats[k, cv2.CC_STAT_LEFT]))
    areas = np.array([stats[k, cv2.CC_STAT_AREA] for k in parts], dtype=np.float64)
    height = float(np.max(stats[1:, cv2.CC_STAT_HEIGHT]))
    small = 0.35 * float(np.median(areas))
    keep = list(parts)
    for end in (0, -1):
        while len(keep) > 2:
            k, neighbour = keep[end], keep[end + 1 if end == 0 else end - 1]
            left_k, right_k = (k, neighbour) if end == 0 else (neighbour, k)
            gap = stats[right_k, cv2.CC_STAT_LEFT] - (
                stats[left_k, cv2.CC_STAT_LEFT] + stats[left_k, cv2.CC_STAT_WIDTH]
            )
            if stats[k, cv2.CC_STAT_AREA] < small and gap > 0.25 * height:
                keep.pop(end)
            else:
                break
    return np.isin(labels, keep)


def _match(text: str, line_mask: Mask) -> tuple[str, str]:
    """Font family and weight from one line's glyph pixels (Poppins Bold when the line is
    too small to tell)."""
    found = match_font(line_mask, strip_emoji(text))
    if found is None:
        return family_for_text("poppins", text), "bold"
    return found.family, found.weight


def measure_block(frame_bgr: Frame, block: Block) -> BlockLook | None:
    """Measure `block` on `frame_bgr`; None when no text colour stands out in its box."""
    crop_box = _crop_box(block.box, frame_bgr)
    cx, cy, cw, ch = crop_box
    crop = frame_bgr[cy : cy + ch, cx : cx + cw]
    if cw < 8 or ch < 8:
        return None
    line_h = max(line.box[3] for line in block.lines)
    for k in (_K, _K_BUSY):
        # A bright or busy scene can share a cluster with the fill at k = 4; more
        # clusters split the fill's flat colour from it.
        labels, centres = _cluster(crop, k)
        shares = _ring_shares(labels)
        if len(shares) < len(centres):
            shares += [0.0] * (len(centres) - len(shares))
        top = int(np.argmax(shares))
        plate = top if shares[top] > 0.85 and _is_flat(crop, labels, top) else None
        if plate is None:
            plate = _plate_inside(crop, labels, block.box, crop_box)
        fill = _pick_fill(labels, shares, plate, line_h)
        if fill is not None:
            break
    if fill is None:
        return None
    inside = _line_mask(block, crop_box)
    fill_mask, fill_bgr = (labels == fill) & inside, centres[fill]
    stroke_mask, stroke_px, stroke_bgr = np.zeros_like(fill_mask), 0, None
    outlined = _enclosed_fill(crop, labels == fill, inside) if plate is None else None
    if outlined is not None:
        stroke_cluster = fill_mask
        fill_mask, fill_bgr = outlined
        stroke_mask, stroke_px, stroke_bgr = _stroke_extent(crop, fill_mask, stroke_cluster)
    else:
        stroke = _pick_stroke(labels, centres, fill, plate)
        if stroke is not None:
            found = _stroke_extent(crop, fill_mask, (labels == stroke) & inside)
            stroke_mask, stroke_px, stroke_bgr = found
    if stroke_px == 0:
        stroke_mask, stroke_bgr = np.zeros_like(fill_mask), None
    ink = _tight_box(fill_mask | stroke_mask, crop_box)
    line_text, line_mask = _widest_line(block, fill_mask, crop_box, crop)
    family, weight = _match(line_text, line_mask)
    font_size = _font_size(line_mask, line_text, weight, family, _width_size(block, ink, stroke_px))
    plate_box = None
    if plate is not None:
        plate_box = _plate_box(frame_bgr, ink, centres[plate], 2 * max(font_size, ink[3]))
    style = OverlayStyle(
        fill_rgb=_rgb(fill_bgr),
        stroke_rgb=_rgb(stroke_bgr) if stroke_bgr is not None else None,
        stroke_px=stroke_px,
        plate_rgb=_rgb(centres[plate]) if plate is not None else None,
        plate_box=plate_box,
        plate_radius_px=_plate_radius(frame_bgr, plate_box, centres[plate]) if plate_box else 0,
        font_size_px=font_size,
        line_height_px=_line_height(block, font_size),
        align=_align(block, frame_bgr.shape[1]),
        weight=weight,
        family=family,
    )
    fraction = float(fill_mask.sum()) / max(ink[2] * ink[3], 1)
    support = labels == plate if plate is not None else stroke_mask
    return BlockLook(style, ink, crop_box, fill_mask, support, fraction)
