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
the method with the least squared error wins. Cost: four DIS flows and twelve window
warps per pair, at most three pairs, once per caption.
"""

from __future__ import annotations

import numpy as np

from remixer.pipeline.render.temporal import (
    DEFAULT_METHOD,
    FILLS,
    FlowMethod,
    Mask,
    Reference,
    Window,
    fill_guesses,
    raw_flow,
    warp_reference,
)

MIN_PIXELS = 50
"""Fewer hole pixels seen by both references than this: no test, the default method."""


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


def choose_method(
    pairs: list[tuple[Reference, Reference]], hole: Mask, window: Window
) -> FlowMethod:
    """The method (DIS depth × fill) under which each pair's references, aligned onto
    each other (both ways) with `hole` (region pixels) treated as unknown, best match
    inside the hole (`window` of the region: where the erase works), by total squared
    error; the default method when no pair sees enough of the hole."""
    if not pairs:
        return DEFAULT_METHOD
    y0, y1, x0, x1 = window
    inside = hole[y0:y1, x0:x1]
    errors: dict[FlowMethod, list[float]] = {}
    directions = [(a, b) for p, q in pairs for a, b in ((p, q), (q, p))]
    for current, target in directions:
        seen = inside & current.valid[y0:y1, x0:x1]
        truth = current.crop[y0:y1, x0:x1]
        for fine in (False, True):
            flow, untrusted, weight = raw_flow(current.crop, target.crop, hole, target.valid, fine)
            for fill, guess in fill_guesses(flow, untrusted, weight, FILLS).items():
                warped, valid = warp_reference(target, guess, hole.shape, window)
                use = seen & valid
                if int(use.sum()) < MIN_PIXELS:
                    continue
                diff = warped[use].astype(np.float32) - truth[use].astype(np.float32)
                errors.setdefault(FlowMethod(fine, fill), []).append(float(np.mean(diff * diff)))
    if not errors:
        return DEFAULT_METHOD
    tests = max(len(e) for e in errors.values())
    scored = {m: sum(e) for m, e in errors.items() if len(e) == tests}
    return min(scored, key=lambda m: scored[m])
