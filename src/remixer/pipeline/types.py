"""Shared typed aliases and the hooks every long pipeline stage accepts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

Frame = NDArray[np.uint8]
"""An H×W×3 uint8 image. Names say the channel order: `frame_bgr`, `photo_rgb`."""

Box = tuple[int, int, int, int]
"""x, y, width, height in pixels of the (unrotated) frame."""

ProgressFn = Callable[[float], None]
"""Called with the fraction (0..1) of the current stage that is done."""

CancelCheck = Callable[[], None]
"""Called every few frames; raises (e.g. `PipelineCanceled`) to stop the work."""


def _no_progress(_fraction: float) -> None:
    return None


def _never_cancel() -> None:
    return None


@dataclass(frozen=True)
class StageHooks:
    """Progress and cancellation callbacks a stage calls from its frame loops."""

    progress: ProgressFn = field(default=_no_progress)
    check_cancel: CancelCheck = field(default=_never_cancel)
