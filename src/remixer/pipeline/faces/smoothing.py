"""Temporal filters for landmark sets. One-Euro (Casiez et al. 2012): strong smoothing when
the face is still, little lag when it moves; its speed term is measured in face widths per
second, so it behaves the same at any resolution. `TrendFilter` (Holt): no lag on steady
motion, for the few precise parameters of a rigid fit."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

Points = NDArray[np.float32]


def _alpha(cutoff: float | NDArray[np.float32], period: float) -> NDArray[np.float32]:
    tau = 1.0 / (2 * math.pi * np.asarray(cutoff, dtype=np.float32))
    return np.asarray(1.0 / (1.0 + tau / period), dtype=np.float32)


class OneEuroFilter:
    """Filter successive N×2 point sets sampled at `rate` Hz; `reset()` at cuts."""

    def __init__(
        self, rate: float, min_cutoff: float = 1.0, beta: float = 6.0, d_cutoff: float = 1.0
    ) -> None:
        self._period = 1.0 / max(rate, 1e-3)
        self.min_cutoff: float | Points = min_cutoff
        """Hz; an N×1 array gives each point its own."""
        self._beta = beta
        self._d_cutoff = d_cutoff
        self._value: Points | None = None
        self._speed: Points | None = None

    def reset(self) -> None:
        self._value = self._speed = None

    def __call__(self, points: Points, unit: float) -> Points:
        """Smooth `points` (pixels); `unit` (e.g. the face width in px) scales the speed term,
        so the filter reacts the same way at any resolution."""
        x = points.astype(np.float32)
        if self._value is None or self._speed is None:
            self._value, self._speed = x, np.zeros_like(x)
            return x
        raw_speed = (x - self._value) / (self._period * max(unit, 1e-6))
        a_d = _alpha(self._d_cutoff, self._period)
        self._speed = a_d * raw_speed + (1 - a_d) * self._speed
        cutoff = self.min_cutoff + self._beta * np.linalg.norm(self._speed, axis=1, keepdims=True)
        a = _alpha(cutoff.astype(np.float32), self._period)
        self._value = a * x + (1 - a) * self._value
        return self._value


class TrendFilter:
    """Holt's double exponential smoothing of N×2 point sets: a level and a per-frame trend,
    so steady motion (a pan, a zoom) passes without lag while frame-to-frame noise is
    averaged; `reset()` at cuts."""

    def __init__(self, level: float = 0.4, trend: float = 0.15) -> None:
        self._a = np.float32(level)
        self._b = np.float32(trend)
        self._value: Points | None = None
        self._trend: Points | None = None

    def reset(self) -> None:
        self._value = self._trend = None

    def __call__(self, points: Points) -> Points:
        x = points.astype(np.float32)
        if self._value is None or self._trend is None:
            self._value, self._trend = x, np.zeros_like(x)
            return x
        value = self._a * x + (1 - self._a) * (self._value + self._trend)
        self._trend = self._b * (value - self._value) + (1 - self._b) * self._trend
        self._value = value
        return value

    def move_to(self, value: Points, keep_trend: float) -> None:
        """Set the level to `value` (a correction from outside) and scale the trend by
        `keep_trend` (0..1): the lag it caught up on is not carried on as momentum."""
        if self._value is None or self._trend is None:
            return
        self._value = value.astype(np.float32)
        self._trend = self._trend * np.float32(keep_trend)
