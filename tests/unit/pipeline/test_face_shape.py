"""Shape transfer (the reference's proportions in the target's pose and expression) and the
reference crop's own occluders and fringe."""

from __future__ import annotations

import cv2
import numpy as np

from remixer.pipeline.faces.geometry import FACE_OVAL, INNER_LIPS, MESH_POINTS, warp_points
from remixer.pipeline.faces.occlusion import (
    FEATURES,
    LEFT_BROW,
    LEFT_EYE,
    RIGHT_BROW,
    RIGHT_EYE,
)
from remixer.pipeline.faces.shape import ShapeTransfer
from remixer.pipeline.faces.swapper import above_brows, reference_with_skin
from remixer.pipeline.faces.warp import OccluderMemory

RNG = np.random.default_rng(7)
BASE = RNG.uniform(-50, 50, (MESH_POINTS, 2)).astype(np.float32)
"""A stand-in face shape: what matters is that points are moved per index consistently."""
RIGHT_EYE_IDX, LEFT_EYE_IDX = list(RIGHT_EYE), list(LEFT_EYE)


def _with_eyes(shape: np.ndarray, centres: tuple[float, float], height: float) -> np.ndarray:
    """`shape` with both eye contours as ellipses 20 wide and `height` tall at x = centres."""
    out = shape.copy()
    angles = np.linspace(0, 2 * np.pi, len(RIGHT_EYE), endpoint=False)
    for idx, cx in ((RIGHT_EYE_IDX, centres[0]), (LEFT_EYE_IDX, centres[1])):
        out[idx, 0] = cx + 10 * np.cos(angles)
        out[idx, 1] = -10 + height / 2 * np.sin(angles)
    return out


def _pose(points: np.ndarray, scale: float, angle: float, shift: tuple[float, float]) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    rot = np.array([[c, -s], [s, c]], np.float32) * scale
    return np.asarray(points @ rot.T + np.array(shift, np.float32), np.float32)


def _eye_height(points: np.ndarray, idx: list[int]) -> float:
    return float(np.ptp(points[idx, 1]))


def test_the_reference_shape_is_drawn_in_the_target_pose() -> None:
    target = _with_eyes(BASE, (-30.0, 30.0), 8.0)
    reference = _with_eyes(BASE, (-36.0, 36.0), 8.0)  # wider-set eyes
    reference[list(FACE_OVAL)] += 3.0
    shape = ShapeTransfer(_pose(reference, 2.5, 0.0, (300, 300)))
    for _ in range(5):
        drawn = shape(target, 100.0)
    spacing = drawn[LEFT_EYE_IDX, 0].mean() - drawn[RIGHT_EYE_IDX, 0].mean()
    assert abs(spacing - 72.0) < 1.5  # the reference's spacing, in the target's frame
    assert np.allclose(drawn[list(INNER_LIPS)], target[list(INNER_LIPS)])  # mouth kept
    oval_moved = np.linalg.norm(drawn[list(FACE_OVAL)] - target[list(FACE_OVAL)], axis=1)
    assert 0.5 < float(oval_moved.mean()) < 3.0  # the outline only part of the way
    # The same target seen rotated and scaled: the same change, rotated and scaled.
    turned = ShapeTransfer(_pose(reference, 2.5, 0.0, (300, 300)))
    moved = _pose(target, 1.5, 0.3, (10, -4))
    for _ in range(5):
        drawn_moved = turned(moved, 150.0)
    assert np.allclose(drawn_moved, _pose(drawn, 1.5, 0.3, (10, -4)), atol=0.05)


def test_a_blink_still_closes_the_drawn_eye() -> None:
    open_eyes = _with_eyes(BASE, (-30.0, 30.0), 8.0)
    reference = _with_eyes(BASE, (-30.0, 30.0), 12.0)  # larger eyes
    shape = ShapeTransfer(reference)
    for _ in range(40):
        drawn_open = shape(open_eyes, 100.0)
    assert abs(_eye_height(drawn_open, RIGHT_EYE_IDX) - 12.0) < 1.0
    closed = _with_eyes(BASE, (-30.0, 30.0), 0.8)
    drawn_closed = shape(closed, 100.0)
    assert _eye_height(drawn_closed, RIGHT_EYE_IDX) < 0.2 * _eye_height(drawn_open, RIGHT_EYE_IDX)
    # Other points keep following the target's expression on top of the shape change.
    smile = open_eyes.copy()
    smile[61, 1] -= 4.0
    assert abs((shape(smile, 100.0) - drawn_open)[61, 1] + 4.0) < 0.5


def test_gain_zero_draws_the_target_itself() -> None:
    target = _with_eyes(BASE, (-30.0, 30.0), 8.0)
    reference = _with_eyes(BASE, (-36.0, 36.0), 11.0)
    assert np.allclose(ShapeTransfer(reference, gain=0.0)(target, 100.0), target)


FEATURE_AT = ((0.38, 0.45), (0.38, 0.38), (0.62, 0.45), (0.62, 0.38), (0.5, 0.8), (0.5, 0.56))
"""Centres of `occlusion.FEATURES` (right eye, brow, left eye, brow, lips, nose base)."""


def _face_points(size: int) -> np.ndarray:
    """Mesh points spread over a face area of a `size` crop, brows and eyes placed."""
    points = np.column_stack(
        [RNG.uniform(0.25, 0.75, MESH_POINTS), RNG.uniform(0.2, 0.9, MESH_POINTS)]
    ).astype(np.float32)
    for group, (x, y) in zip(FEATURES, FEATURE_AT, strict=True):  # compact features
        points[list(group)] = np.array([x, y]) + RNG.uniform(-0.03, 0.03, (len(group), 2))
    points[list(RIGHT_BROW + LEFT_BROW), 1] = 0.38
    points[[33, 263]] = [[0.35, 0.45], [0.65, 0.45]]  # outer eye corners (image left, right)
    angles = np.linspace(0, 2 * np.pi, len(FACE_OVAL), endpoint=False)
    points[list(FACE_OVAL)] = np.column_stack(
        [0.5 + 0.25 * np.cos(angles), 0.55 + 0.35 * np.sin(angles)]
    )
    return (points * size).astype(np.float32)


def test_the_reference_fringe_is_not_used_and_its_strands_are_painted_over() -> None:
    size = 256
    points = _face_points(size)
    keep = above_brows(points, (size, size))
    assert keep[int(0.5 * size), size // 2] == 1.0  # below the brows
    assert keep[int(0.25 * size), size // 2] == 0.0  # the forehead, where a fringe lies
    skin = np.full((size, size, 3), (150, 170, 210), np.uint8)
    skin = np.clip(skin + RNG.normal(0, 3, skin.shape), 0, 255).astype(np.uint8)
    crop = skin.copy()
    cv2.line(crop, (90, 170), (170, 178), (30, 30, 40), 4)  # a hair strand over the cheek
    out = reference_with_skin(crop, warp_points(points, 1.0))
    assert out.shape == (size, size, 4)
    strand = out[174, 100:160, :3].astype(np.float32)
    assert float(np.abs(strand - skin[174, 100:160].astype(np.float32)).mean()) < 15  # skin
    assert out[174, 130, 3] == 255 and out[int(0.25 * size), size // 2, 3] == 0


def test_the_occluder_map_is_smoothed_on_the_face_grid_and_forgotten_when_it_changes() -> None:
    memory = OccluderMemory(0.5)
    on, off = np.ones((4, 5), np.float32), np.zeros((4, 5), np.float32)
    key = ((0, 0), (5, 4), 1.0, 100.0)
    assert np.array_equal(memory.smooth(on, key), on)
    assert np.allclose(memory.smooth(off, key), 0.5)  # a one-frame flicker is halved
    assert np.allclose(memory.smooth(off, key), 0.25)
    assert np.array_equal(memory.smooth(on, ((1, 0), (5, 4), 1.0, 100.0)), on)  # new grid
    memory.reset()
    assert np.array_equal(memory.smooth(off, key), off)
