"""Landmark stabilisation split into a rigid part and a non-rigid residual.

Per-point detector noise is what makes a dense warp shimmer. A similarity transform fitted
to all mesh points by least squares is nearly noise-free (4 parameters from 468 points),
so it is smoothed lightly and with a trend term (Holt), which follows a pan or zoom
without lag, so the face does not slide on the head; the residual shape in the face's own
frame (expression, turns, and most of the detector noise) is smoothed much more strongly.
The result is the smoothed residual shape mapped by the smoothed transform. `reset()` at
cuts and when the face is lost."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from remixer.pipeline.faces.geometry import INNER_LIPS, MESH_POINTS
from remixer.pipeline.faces.smoothing import OneEuroFilter, TrendFilter

Points = NDArray[np.float32]


def fit_similarity(src: Points, dst: Points) -> tuple[float, float, Points]:
    """Least-squares `a`, `b`, `t` with dst ≈ [[a, -b], [b, a]] · src + t."""
    sc, dc = src.mean(axis=0), dst.mean(axis=0)
    s, d = src - sc, dst - dc
    norm = float((s * s).sum())
    a = float((s * d).sum()) / norm
    b = float((s[:, 0] * d[:, 1] - s[:, 1] * d[:, 0]).sum()) / norm
    rot = np.array([[a, -b], [b, a]], dtype=np.float32)
    return a, b, (dc - rot @ sc).astype(np.float32)


@dataclass(frozen=True)
class Stabilised:
    """Smoothed landmarks as `local` points in the face's own frame (fixed per shot, in
    the pixels of the shot's first frame, centred on the face) and the similarity `rigid`
    (2×3) taking them into the frame; `unit` is the face width in local units."""

    local: Points
    rigid: Points
    unit: float

    @property
    def points(self) -> Points:
        """The landmarks in frame pixels."""
        return (self.local @ self.rigid[:, :2].T + self.rigid[:, 2]).astype(np.float32)


SNAP = (0.015, 0.04)
"""Lag of the smoothed similarity behind the fitted one (share of the face width) from
which the smoothed one is pulled towards the fit, and where it is pulled all the way: a
face thrown about (a dancer, 60 px wide) ran up to 20 % of its width ahead of the drawn
one, which then sat on the cheeks with the target's eyes showing above it. The fit's own
noise is far below (0.1–0.5 % on talking heads)."""


class RigidResidualSmoother:
    """Smooth landmark sets (N×2 frame pixels) as rigid(t) ∘ residual(t) (see module doc)."""

    def __init__(
        self,
        rate: float,
        rigid: tuple[float, float] = (0.5, 0.3),
        residual: tuple[float, float] = (0.3, 6.0),
        mouth_cutoff: float = 1.0,
    ) -> None:
        self._residual_cutoff = residual[0]
        self._mouth_cutoff = mouth_cutoff
        self._rigid = TrendFilter(*rigid)
        self._residual = OneEuroFilter(rate, residual[0], residual[1], d_cutoff=4.0)
        self._canonical: Points | None = None
        self._width = 1.0

    def _cutoffs(self, local: Points) -> Points:
        """Per point minimum cut-off: `mouth_cutoff` within a third of the face width of the
        mouth (speech is quick and small: lips must not lag the target's kept mouth)."""
        mouth = local[list(INNER_LIPS)].mean(axis=0)
        near = np.linalg.norm(local - mouth, axis=1) < self._width / 3
        return np.where(near, self._mouth_cutoff, self._residual_cutoff).astype(np.float32)[:, None]

    def reset(self) -> None:
        self._rigid.reset()
        self._residual.reset()
        self._canonical = None

    def __call__(self, points: Points) -> Stabilised:
        mesh = points[:MESH_POINTS].astype(np.float32)
        if self._canonical is None:
            self._canonical = (mesh - mesh.mean(axis=0)).astype(np.float32)
            span = self._canonical.max(axis=0) - self._canonical.min(axis=0)
            self._width = max(float(span[0]), 1.0)
            self._residual.min_cutoff = self._cutoffs(points - mesh.mean(axis=0))
        a, b, t = fit_similarity(self._canonical, mesh)
        scale = a * a + b * b
        inverse = np.array([[a, b], [-b, a]], dtype=np.float32) / np.float32(scale)
        local = ((points - t) @ inverse.T).astype(np.float32)
        local = self._residual(local, self._width)
        params = np.array([t, [a * self._width, b * self._width]], dtype=np.float32)
        smooth = self._rigid(params)
        face_px = float(np.hypot(a, b)) * self._width
        lag = float(np.abs(smooth - params).max()) / max(face_px, 1e-6)
        catch = float(np.clip((lag - SNAP[0]) / (SNAP[1] - SNAP[0]), 0.0, 1.0))
        if catch > 0.0:
            smooth = smooth + (params - smooth) * np.float32(catch)
            self._rigid.move_to(smooth, 1.0 - catch)
        params = smooth
        a_s, b_s = params[1] / np.float32(self._width)
        rigid = np.array([[a_s, -b_s, params[0, 0]], [b_s, a_s, params[0, 1]]], np.float32)
        return Stabilised(local, rigid, self._width)
