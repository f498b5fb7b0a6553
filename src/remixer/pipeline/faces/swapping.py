"""What every face-swap backend shares: the `FaceSwapper` protocol the dense pass calls
and the `SwapStats` it keeps (`backends.create_swapper` picks the backend)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from remixer.pipeline.types import Frame


class FaceSwapper(Protocol):
    """Swaps the influencer onto the target; `swap` is called once per frame, in order."""

    def swap(self, frame_bgr: Frame, frame_index: int) -> Frame:
        """The frame with the target's face replaced (the input array is not modified)."""
        ...

    def close(self) -> None:
        """Release the landmark tracker."""
        ...


@dataclass
class SwapStats:
    """Counts kept by a swapper: frames seen, frames where the target was visible per the
    track, frames actually swapped (blend strength > 0)."""

    frames: int = 0
    visible: int = 0
    swapped: int = 0
    occluded: int = 0
    turned: int = 0
