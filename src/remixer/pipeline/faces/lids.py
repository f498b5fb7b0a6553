"""Closed lids for the drawn eyes.

The reference's eyes are warped onto lids that follow the target's, so a blink squeezes
the drawn aperture; but FaceMesh puts the reference's lid landmarks inside its visible
lash line and liner (above and below them lie a dark band and the bright lower rim of
the sclera), and those bands sit in the lid triangles, which stretch as the eye closes:
the closed eye was drawn as a thick dark band over a bright rim, which a landmark reader
(and a viewer) takes for an eye still open.

As a drawn eye closes against the reference's own open aperture (`lid_covers`),
`shut_lids` therefore (a) opens the reference's eye out where it is sampled (a smooth,
monotone field around the eye pushes the sampled points past the lash line, the sclera's
rim and the corners), so the stretched lids show more of the reference's lid skin and
the bands go into the aperture's triangles, and (b) brings the drawn upper lid down the
rest of the way, so those triangles become the thin dark line of a closed eye. Both are
per-frame point moves (~0.8 ms while an eye closes): the warp is rebuilt every frame anyway."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from remixer.pipeline.faces.occlusion import LEFT_EYE, RIGHT_EYE

Floats = NDArray[np.float32]

EYES = (RIGHT_EYE, LEFT_EYE)
UPPER = slice(1, 8)
"""In an eye contour (corner, 7 upper, corner, 7 lower): the upper lid's points; the
lower lid's, in reverse, lie opposite them (`_lower`)."""
LID_COVER = (0.3, 0.7)
"""Closure (1 − drawn aperture ÷ the reference's open aperture) where the closed lid
starts, and where it is complete."""
UPPER_BAND, LOWER_BAND, CORNER_BAND = 0.12, 0.06, 0.06
"""How far (share of the eye's width) the reference's eye is opened out, where it is
sampled, at a complete closure: above the upper lid's landmarks, below the lower lid's,
past the corners. On s1 the lash line and liner lie up to ~0.25 eye widths above the
upper landmarks, but at 0.25 / 0.1 / 0.12 the dark socket above her right eye was
pulled over the closed lid (d14 × s1 eye correlation 0.61 → 0.45; 0.80 at these)."""
REACH = 3.5
"""The opening out fades to nothing at this many eye radii (so it never folds the mesh
and leaves the brows alone)."""
SHUT = 0.85
"""Share of the remaining drawn lid gap closed at a complete closure (the upper lid comes
down; the lower stays, as in a blink)."""
LID_GAIN = 1.0
"""Scale on every cover (0 = off: a blinking eye is drawn as the reference's open eye
squeezed into a dark smear). On since 2026-12-07, with `LidMemory`: eye correlation 0.73 →
0.78 on ten real pairs (first 4 s; 3 → 4 pairs at the 0.8 bar), the glasses clip × s1
influencer 0.92 → 0.83, the glasses clip × s42 eyes 0.81 → 0.76; see
docs/pipeline-faces.md."""


def _lower(contour: Floats) -> Floats:
    """The lower lid's points opposite the upper lid's (same order)."""
    return np.asarray(contour[np.arange(15, 8, -1)], contour.dtype)


def eye_gap(points: Floats, eye: tuple[int, ...]) -> float:
    """Mean gap between opposite lid points of `eye` over its corner-to-corner width."""
    contour = points[list(eye)]
    width = max(float(np.linalg.norm(contour[8] - contour[0])), 1e-6)
    gaps = np.linalg.norm(contour[UPPER] - _lower(contour), axis=1)
    return float(gaps.mean()) / width


def lid_covers(drawn: Floats, reference: Floats) -> tuple[float, ...]:
    """Per eye (`EYES`), how closed the drawn lid is to be rendered (0 open .. 1 shut)."""
    lo, hi = LID_COVER
    out = []
    for eye in EYES:
        closure = 1.0 - eye_gap(drawn, eye) / max(eye_gap(reference, eye), 1e-6)
        out.append(float(np.clip((closure - lo) / (hi - lo), 0.0, 1.0)) * LID_GAIN)
    return tuple(out)


LID_MEMORY = 0.5
"""Weight of the previous frame's cover (an EMA per eye): landmark noise around the cover's
ramp made the drawn lid flutter (synthetic clip: landmark jitter 1.02–1.13 × the source's
with covers taken frame by frame, 0.92–0.97 with this memory, 0.90–1.00 without covers)."""


class LidMemory:
    """The covers smoothed over time, per eye; forgotten at a cut or a lost face."""

    def __init__(self, memory: float = LID_MEMORY) -> None:
        self._memory = memory
        self._covers: tuple[float, ...] | None = None

    def reset(self) -> None:
        self._covers = None

    def smooth(self, covers: tuple[float, ...]) -> tuple[float, ...]:
        if self._covers is not None and len(self._covers) == len(covers):
            k = self._memory
            covers = tuple(
                k * old + (1.0 - k) * new for old, new in zip(self._covers, covers, strict=True)
            )
        self._covers = covers
        return covers


def _open_out(points: Floats, eye: tuple[int, ...], k: float) -> Floats:
    """`points` with the region around `eye` pushed away from its centre (see the bands),
    `k` of the way: a smooth, monotone field, 1 at the lids, 0 from `REACH` radii."""
    contour = points[list(eye)]
    centre = (contour[0] + contour[8]) / 2
    width = max(float(np.linalg.norm(contour[8] - contour[0])), 1e-6)
    axis = (contour[8] - contour[0]) / width
    normal = np.array([axis[1], -axis[0]], np.float32)
    if float((contour[UPPER].mean(axis=0) - _lower(contour).mean(axis=0)) @ normal) < 0:
        normal = -normal
    half_w = width / 2
    half_h = max(float(np.abs((contour - centre) @ normal).max()), 0.12 * width)
    x = ((points - centre) @ axis) / half_w
    y = ((points - centre) @ normal) / half_h
    r = np.maximum(np.hypot(x, y), 1e-6)
    fade = np.minimum(r, 1.0) * np.clip((REACH - r) / (REACH - 1.0), 0.0, 1.0) * k
    push_x = CORNER_BAND * width / half_w
    push_y = np.where(y > 0, UPPER_BAND, LOWER_BAND) * width / half_h
    x2 = x + fade * push_x * x / r
    y2 = y + fade * push_y * y / r
    moved = centre + np.outer(x2 * half_w, axis) + np.outer(y2 * half_h, normal)
    return np.asarray(moved, np.float32)


def shut_lids(drawn: Floats, reference: Floats, covers: tuple[float, ...]) -> tuple[Floats, Floats]:
    """`drawn` and `reference` points with each eye's lids closed by its cover (see the
    module doc); unchanged where every cover is 0."""
    drawn, reference = drawn.copy(), reference.copy()
    for eye, k in zip(EYES, covers, strict=True):
        if k <= 0.0:
            continue
        idx = np.array(eye)
        up_idx, low_idx = idx[UPPER], _lower(idx)
        reference = _open_out(reference, eye, k)
        drawn[up_idx] += (drawn[low_idx] - drawn[up_idx]) * np.float32(k * SHUT)
    return drawn, reference
