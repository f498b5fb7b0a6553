"""Shape transfer: render landmarks with the reference's inner-face proportions in the
target's pose and expression.

Warping the reference's texture onto the target's own landmarks keeps the target's
geometry (eye spacing, nose length and width, brow line, jaw), which a recogniser reads
as the target. Here the render landmarks are

    render = target + w · A_t(reference − neutral)

where `neutral` is a running average of the target's shape (its identity without the
expression of the moment), both shapes brought into the reference's frame by an affine
fit over the mesh, and A_t the linear part of the affine taking the reference's frame to
the target's current face (pose, including the foreshortening of a turn). The target's
expression of the moment (target − neutral) is thus kept on top of the reference's shape.

- Eyes take a per-eye scale and shift (the reference's eye size and position) applied to
  the target's current lids, so blinks still close the eye.
- The inner lips stay the target's (the target's mouth interior is kept, and the lips must
  frame it); the outer lips and the rest of the mouth area follow the reference.
- The face outline moves only `OUTLINE_WEIGHT` of the way, so the head does not tear
  against the target's own jaw and hair (the blend mask stays on the target's outline)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from remixer.pipeline.faces.geometry import FACE_OVAL, INNER_LIPS, MESH_POINTS
from remixer.pipeline.faces.occlusion import LEFT_EYE, RIGHT_EYE

Points = NDArray[np.float32]

SHAPE_GAIN = 1.0
"""How far the inner face moves towards the reference's shape (0 = the target's own)."""
OUTLINE_WEIGHT = 0.4
"""Share of the shape change applied to the face outline."""
NEUTRAL_RATE = 0.03
"""Running-average rate of the target's neutral shape (after a cumulative start)."""
NEUTRAL_WARMUP = 30
"""Frames averaged with equal weight before the running average takes over."""
EYE_SHAPE = 1.0
"""Share of the eyes' own change (size, position) applied to the eye contours."""
EYE_SCALE_LIMITS = (0.7, 1.4)
MAX_SHIFT = 0.08
"""Largest shape change of any point, as a share of the face width (guards bad fits)."""


def fit_affine(src: Points, dst: Points) -> NDArray[np.float64]:
    """Least-squares 2×3 affine with dst ≈ M · [src, 1]."""
    ones = np.ones((len(src), 1), np.float64)
    design = np.hstack([src.astype(np.float64), ones])
    solution, *_ = np.linalg.lstsq(design, dst.astype(np.float64), rcond=None)
    return np.asarray(solution.T, np.float64)


def apply_affine(matrix: NDArray[np.float64], points: Points) -> Points:
    return (points.astype(np.float64) @ matrix[:, :2].T + matrix[:, 2]).astype(np.float32)


def _weights() -> NDArray[np.float32]:
    w = np.ones(MESH_POINTS, np.float32)
    w[list(FACE_OVAL)] = OUTLINE_WEIGHT
    w[list(INNER_LIPS)] = 0.0
    return w


_WEIGHTS = _weights()
_EYES = (RIGHT_EYE, LEFT_EYE)


def _eye_change(
    current: Points, neutral: Points, reference: Points, group: tuple[int, ...]
) -> Points:
    """New positions (reference frame) of the eye contour `group`: the current lids scaled
    and shifted so that the neutral eye would match the reference's eye box."""
    idx = list(group)
    n, r = neutral[idx], reference[idx]
    n_span = np.maximum(n.max(axis=0) - n.min(axis=0), 1e-3)
    r_span = r.max(axis=0) - r.min(axis=0)
    scale = np.clip(r_span / n_span, *EYE_SCALE_LIMITS)
    n_centre, r_centre = n.mean(axis=0), r.mean(axis=0)
    return np.asarray(r_centre + (current[idx] - n_centre) * scale, np.float32)


class ShapeTransfer:
    """Per swapper: the target's running neutral shape and the render landmarks."""

    def __init__(self, reference: Points, gain: float = SHAPE_GAIN) -> None:
        self._reference = reference[:MESH_POINTS].astype(np.float32)
        self._gain = gain
        self._neutral: Points | None = None
        self._count = 0

    def reset(self) -> None:
        """Forget the neutral (a new shot may show another framing or lens)."""
        self._neutral = None
        self._count = 0

    def set_reference(self, reference: Points) -> None:
        self._reference = reference[:MESH_POINTS].astype(np.float32)
        self.reset()

    def __call__(self, local: Points, unit: float) -> Points:
        """Render points for the target's `local` points (≥ 468; extra points unchanged)."""
        mesh = local[:MESH_POINTS]
        to_ref = fit_affine(mesh, self._reference)
        in_ref = apply_affine(to_ref, mesh)
        self._count += 1
        if self._neutral is None:
            self._neutral = in_ref
        else:
            rate = max(NEUTRAL_RATE, 1.0 / min(self._count, NEUTRAL_WARMUP))
            self._neutral = (self._neutral + rate * (in_ref - self._neutral)).astype(np.float32)
        # In the reference's frame: the target's current shape moved by the identity change.
        change = (self._reference - self._neutral) * _WEIGHTS[:, None]
        for group in _EYES:
            idx = list(group)
            eye = _eye_change(in_ref, self._neutral, self._reference, group)
            change[idx] = (eye - in_ref[idx]) * np.float32(EYE_SHAPE)
        back = np.linalg.inv(np.vstack([to_ref, [0.0, 0.0, 1.0]]))[:2]
        moved = (change.astype(np.float64) @ back[:, :2].T).astype(np.float32) * self._gain
        limit = MAX_SHIFT * unit
        norm = np.linalg.norm(moved, axis=1, keepdims=True)
        moved *= np.minimum(1.0, limit / np.maximum(norm, 1e-6)).astype(np.float32)
        out = local.astype(np.float32).copy()
        out[:MESH_POINTS] += moved
        return out
