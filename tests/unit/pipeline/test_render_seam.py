"""The seam correction: matched exactly on the rim of a hole, smooth inside."""

from __future__ import annotations

import numpy as np

from remixer.pipeline.render.seam import push_pull, rim_offset


def test_push_pull_keeps_known_values_and_fills_a_constant_exactly() -> None:
    weight = np.zeros((40, 60), np.float32)
    weight[:, :5] = 1.0
    weight[:, -5:] = 1.0
    values = np.full((40, 60, 3), 7.0, np.float32) * weight[:, :, None]
    filled = push_pull(values, weight)
    assert np.allclose(filled, 7.0, atol=1e-4)


def test_push_pull_fills_between_two_levels_in_order() -> None:
    weight = np.zeros((32, 64), np.float32)
    weight[:, :4] = 1.0
    weight[:, -4:] = 1.0
    values = np.zeros((32, 64, 1), np.float32)
    values[:, -4:] = 100.0
    filled = push_pull(values, weight)[16, :, 0]
    assert filled[0] == 0.0 and filled[-1] == 100.0
    middle = filled[8:56]
    assert np.all(np.diff(middle) >= -1.0), middle  # rises from one side to the other
    assert 20.0 < filled[32] < 80.0


def test_rim_offset_matches_the_scene_on_the_rim() -> None:
    rng = np.random.default_rng(0)
    current = rng.integers(0, 200, (50, 80, 3)).astype(np.uint8)
    fill = np.clip(current.astype(int) - 20, 0, 255).astype(np.uint8)  # 20 too dark
    hole = np.zeros((50, 80), bool)
    hole[15:35, 20:60] = True
    offset = rim_offset(current, fill, hole, np.ones_like(hole), 2)
    inside = offset[20:30, 30:50]
    assert np.allclose(inside, 20.0, atol=1.5)
