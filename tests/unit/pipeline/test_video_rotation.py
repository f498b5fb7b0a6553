"""Frames recorded sideways (a phone's display matrix) are decoded upright."""

from __future__ import annotations

from dataclasses import dataclass

import av
import numpy as np

from remixer.pipeline.video.reader import (
    DecodedFrame,
    quarter_turns,
    turned_upright,
    upright_bgr,
)


@dataclass
class FakeFrame:
    """Stands in for `av.VideoFrame`'s rotation."""

    array: np.ndarray
    rotation: int


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
    upright = turned_upright(stored, quarter_turns(FakeFrame(stored, -90)))
    assert upright.shape == (3, 2, 3)
    assert upright[0, -1, 0] == 255  # a clockwise turn moves top-left to top-right
    assert upright.flags["C_CONTIGUOUS"]
    assert turned_upright(stored, quarter_turns(FakeFrame(stored, 0))) is stored


def test_kept_reformatters_convert_like_pyav_per_frame() -> None:
    """The reader keeps one swscale context per thread and kind of conversion; frames of
    other content, and a grey conversion in between, come out as PyAV's own per-frame
    conversion gives them."""
    rng = np.random.default_rng(3)
    for _ in range(3):
        source = rng.integers(0, 256, (36, 52, 3), dtype=np.uint8)
        frame = av.VideoFrame.from_ndarray(source, format="bgr24").reformat(format="yuv420p")
        assert np.array_equal(upright_bgr(frame), frame.to_ndarray(format="bgr24"))
        grey = frame.reformat(8, 6, "gray", interpolation="AREA").to_ndarray()
        assert np.array_equal(DecodedFrame(frame).grey(8, 6), grey)
