"""The render grid fixed to the face's own frame.

Warp maps and the blend mask are rasterised on a coarse grid and interpolated. A grid
laid on the frame moves against the face from frame to frame, so triangle edges and the
mask outline land on different cells each time: a sub-pixel shimmer that a landmark
tracker sees as jitter. This grid lives in the face's own frame (`Stabilised.local`): its
cells sit at fixed local positions for the whole shot (the origin is snapped to whole
cells), and one affine map carries it into the frame, like the camera carries the face."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from remixer.pipeline.types import Box

Floats = NDArray[np.float32]

GRID_MARGIN = 0.06
"""Margin around the face on the grid, as a share of the face width."""


@dataclass(frozen=True)
class FaceGrid:
    """Cell (i, j) is at local position ((i, j) + origin) / scale."""

    origin: tuple[int, int]
    size: tuple[int, int]
    scale: float

    def to_grid(self, local: Floats) -> Floats:
        return (local * np.float32(self.scale) - np.array(self.origin, np.float32)).astype(
            np.float32
        )

    def from_roi(self, rigid: Floats, roi: Box) -> NDArray[np.float64]:
        """The 2×3 affine taking ROI pixels to grid cells (`rigid`: local → frame)."""
        inverse = np.linalg.inv(rigid[:, :2].astype(np.float64))
        shift = np.array(roi[:2], np.float64) - rigid[:, 2].astype(np.float64)
        linear = inverse * self.scale
        return np.hstack([linear, (linear @ shift - np.array(self.origin))[:, None]])


def grid_for(local: Floats, unit: float, cells: int) -> FaceGrid:
    """A grid with about `cells` cells across a face `unit` local units wide (at most one
    per local unit) covering `local` with a margin; cells stay put while `unit` does."""
    scale = min(1.0, cells / max(unit, 1.0))
    margin = GRID_MARGIN * unit * scale + 2
    low = local.min(axis=0) * scale - margin
    high = local.max(axis=0) * scale + margin
    x0, y0 = math.floor(float(low[0])), math.floor(float(low[1]))
    x1, y1 = math.ceil(float(high[0])), math.ceil(float(high[1]))
    return FaceGrid((x0, y0), (x1 - x0 + 1, y1 - y0 + 1), scale)
