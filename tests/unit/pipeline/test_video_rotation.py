"""Frames recorded sideways (a phone's display matrix) are decoded upright."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from remixer.pipeline.video.reader import quarter_turns, upright_bgr


@dataclass
class FakeFrame:
    """Stands in for `av.VideoFrame`: the two attributes the reader uses."""

    array: np.ndarray
    rotation: int

    def to_ndarray(self, format: str) -> np.ndarray:
        assert format == "bgr24"
        return self.array


def test_quarter_turns_follow_the_display_matrix() -> None:
    assert [quarter_turns(FakeFrame(np.zeros((1, 1, 3)), r)) for r in (0, -90, 90, 180)] == [
        0,
        3,
        1,
        2,
    ]


def test_phone_portrait_is_turned_clockwise() -> None:
    stored = np.zeros((2, 3, 3), dtype=np.uint8)
    stored[0, 0] = 255  # top-left of the stored (landscape) frame
    upright = upright_bgr(FakeFrame(stored, -90))
    assert upright.shape == (3, 2, 3)
    assert upright[0, -1, 0] == 255  # a clockwise turn moves top-left to top-right
    assert upright.flags["C_CONTIGUOUS"]
    assert upright_bgr(FakeFrame(stored, 0)) is stored
