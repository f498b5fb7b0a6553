"""Pick, per caption, how the flow across its hole is found, by a test whose answer is
known: the caption's own clean references.

Which DIS depth and which guess of the flow inside the hole work best depends on the
scene under the caption (fine hair texture wants the finer DIS level, a head turning
beside a wall the per-column guess, a face under a plate the isotropic average), and on
real footage no one choice wins (overlays-real: each lost 1.5–3 dB on some caption).
But the references are clean frames of the same region: aligning one to another with
the caption's area treated as a hole, and comparing what lands there with what the
reference really shows, scores every method on this caption's scene and motion. The
nearest reference on each side, and the two nearest on each side, are aligned both ways;
the method with the least squared error at flow scale wins. Cost: four DIS flows and
sixteen small warps per pair, at most three pairs, once per caption.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from remixer.pipeline.render.temporal import (
    DEFAULT_METHOD,
    FILLS,
    Flow,
    FlowMethod,
    Mask,
    Reference,
    fill_guesses,
    flow_size,
    raw_flow,
)

HEDGE_RATIO = 1.5
"""The runner-up fill is averaged in when its test error is within this factor of the
pick's."""
MIN_PIXELS = 20
"""Fewer hole pixels (at flow scale) seen by both references than this: no test, the
default method."""


def check_pairs(references: list[Reference], frame_index: int) -> list[tuple[Reference, Reference]]:
    """The pairs of references a caption's test aligns, for a span around `frame_index`:
    the nearest clean frame before with the nearest after (the distance the middle of
    the span is filled over), and the two nearest on each side (the distance its ends
    are filled over)."""
    ordered = sorted(references, key=lambda r: abs(r.frame_index - frame_index))
    before = [r for r in ordered if r.frame_index < frame_index]
    after = [r for r in ordered if r.frame_index > frame_index]
    pairs = [(before[0], after[0])] if before and after else []
    pairs += [(side[0], side[1]) for side in (before, after) if len(side) >= 2]
    return pairs


def choose_method(pairs: list[tuple[Reference, Reference]], hole: Mask) -> FlowMethod:
    """The method (DIS depth × fill) under which each pair's references, aligned onto
    each other (both ways) with `hole` (region pixels) treated as unknown, best match
    inside the hole, by total squared error at flow scale (a ranking, not a picture:
    warping the full crops for every method cost 10 % of the erase at 1080p), with the
    runner-up fill at the same DIS depth as its `also` when that scored within
    `HEDGE_RATIO` of it; the default method when no pair sees enough of the hole."""
    if not pairs:
        return DEFAULT_METHOD
    h, w = hole.shape
    sw, sh, _scale = flow_size(h, w)
    small_hole = _small_mask(hole, (sw, sh))
    small: dict[int, tuple[NDArray[np.float32], Mask]] = {}
    for reference in {id(r): r for pair in pairs for r in pair}.values():
        crop = cv2.resize(reference.crop, (sw, sh), interpolation=cv2.INTER_AREA)
        small[id(reference)] = (crop.astype(np.float32), _small_mask(reference.valid, (sw, sh)))
    errors: dict[FlowMethod, list[float]] = {}
    directions = [(a, b) for p, q in pairs for a, b in ((p, q), (q, p))]
    for current, target in directions:
        truth, truth_valid = small[id(current)]
        image, image_valid = small[id(target)]
        seen = small_hole & truth_valid
        for fine in (False, True):
            flow, untrusted, weight = raw_flow(current.crop, target, hole, fine)
            for fill, guess in fill_guesses(flow, untrusted, weight, FILLS).items():
                warped, valid = _warp_small(image, image_valid, guess)
                use = seen & valid
                if int(use.sum()) < MIN_PIXELS:
                    continue
                diff = warped[use] - truth[use]
                errors.setdefault(FlowMethod(fine, fill), []).append(float(np.mean(diff * diff)))
    if not errors:
        return DEFAULT_METHOD
    tests = max(len(e) for e in errors.values())
    scored = {m: sum(e) for m, e in errors.items() if len(e) == tests}
    return pick(scored)


def pick(scored: dict[FlowMethod, float]) -> FlowMethod:
    """The method with the least test error, with the runner-up fill at the same DIS
    depth (one flow serves both) as its `also` when the test cannot tell the two apart
    (within `HEDGE_RATIO`); a clear winner is used alone."""
    best = min(scored, key=lambda m: scored[m])
    others = [m for m in scored if m.fine == best.fine and m != best]
    if not others:
        return best
    runner = min(others, key=lambda m: scored[m])
    if scored[runner] > HEDGE_RATIO * scored[best]:
        return best
    return FlowMethod(best.fine, best.fill, runner.fill)


def _small_mask(mask: Mask, size: tuple[int, int]) -> Mask:
    small = cv2.resize(mask.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST)
    return np.asarray(small > 0)


def _warp_small(
    image: NDArray[np.float32], valid: Mask, flow: Flow
) -> tuple[NDArray[np.float32], Mask]:
    """`image` (at flow scale) pulled along `flow`, and where that lands on valid pixels
    inside it."""
    h, w = flow.shape[:2]
    grid_x, grid_y = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    map_x, map_y = grid_x + flow[:, :, 0], grid_y + flow[:, :, 1]
    warped = cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    landed = cv2.remap(valid.astype(np.uint8), map_x, map_y, cv2.INTER_NEAREST, borderValue=0)
    inside = (map_x >= 0) & (map_x <= w - 1) & (map_y >= 0) & (map_y <= h - 1)
    return np.asarray(warped, dtype=np.float32), np.asarray((landed > 0) & inside)
