"""Closed lids for the drawn eyes: a closing drawn aperture is rendered as a closed eye
(lid skin and a thin line), not as the reference's open eye squeezed into a dark band."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from scipy.spatial import Delaunay  # type: ignore[import-untyped]

from remixer.pipeline.faces import lids
from remixer.pipeline.faces.geometry import MESH_POINTS
from remixer.pipeline.faces.lids import (
    EYES,
    REACH,
    SHUT,
    UPPER,
    eye_gap,
    lid_covers,
    shut_lids,
)
from remixer.pipeline.faces.occlusion import LEFT_EYE, RIGHT_EYE
from remixer.pipeline.faces.warp import grid_maps


@pytest.fixture(autouse=True)
def _lids_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests measure the closed lid at full gain, whatever the default."""
    monkeypatch.setattr(lids, "LID_GAIN", 1.0)


CENTRES = {RIGHT_EYE: (70.0, 100.0), LEFT_EYE: (130.0, 100.0)}
EYE_W, EYE_H = 30.0, 12.0


def _contour(cx: float, cy: float, height: float) -> np.ndarray:
    """16 contour points in FaceMesh order: corner, 7 upper (above), corner, 7 lower."""
    t = np.concatenate([np.linspace(np.pi, 0, 9), np.linspace(0, -np.pi, 9)[1:-1]])
    return np.stack([cx + EYE_W / 2 * np.cos(t), cy - height / 2 * np.sin(t)], axis=1)


def _face(height: float) -> np.ndarray:
    """468 points: both eye contours `height` tall and a jittered grid around them."""
    rng = np.random.default_rng(3)
    points = np.zeros((MESH_POINTS, 2), np.float32)
    eye_idx = [i for eye in EYES for i in eye]
    for eye, (cx, cy) in CENTRES.items():
        points[list(eye)] = _contour(cx, cy, height)
    gx, gy = np.meshgrid(np.linspace(5, 195, 25), np.linspace(5, 195, 25))
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1) + rng.uniform(-1, 1, (625, 2))
    far = [
        p
        for p in grid
        if all(np.hypot(*(p - c) / (EYE_W, EYE_H * 1.5)) > 0.9 for c in CENTRES.values())
    ]
    rest = [i for i in range(MESH_POINTS) if i not in eye_idx]
    points[rest] = np.array(far[: len(rest)], np.float32)
    return points


def _reference_image() -> np.ndarray:
    """Skin (180) with, per eye, a dark lash band and iris reaching past the landmarks."""
    image = np.full((200, 200), 180, np.uint8)
    for cx, cy in CENTRES.values():
        cv2.ellipse(image, (round(cx), round(cy)), (17, 9), 0, 0, 360, 40, -1)
        cv2.ellipse(image, (round(cx), round(cy)), (14, 5), 0, 0, 360, 230, -1)
        cv2.circle(image, (round(cx), round(cy)), 5, 30, -1)
    return image


def _render(drawn: np.ndarray, reference: np.ndarray, image: np.ndarray) -> np.ndarray:
    triangles = Delaunay(reference.astype(np.float64)).simplices.astype(np.int32)
    maps = grid_maps(drawn.astype(np.float32), reference.astype(np.float32), triangles, (200, 200))
    return np.asarray(cv2.remap(image, maps[..., 0], maps[..., 1], cv2.INTER_LINEAR), np.uint8)


def _dark_share(image: np.ndarray) -> float:
    """Share of dark pixels in a box around both eyes."""
    box = image[85:115, 50:150]
    return float((box < 110).mean())


def test_eye_gap_follows_the_lid_opening() -> None:
    open_, half, shut = (_face(h) for h in (EYE_H, EYE_H / 2, 0.5))
    gaps = [eye_gap(p, RIGHT_EYE) for p in (open_, half, shut)]
    assert gaps[0] > gaps[1] > gaps[2]
    assert abs(gaps[1] - gaps[0] / 2) < 1e-3
    assert gaps[2] < 0.05


def test_covers_are_zero_open_and_full_shut() -> None:
    reference = _face(EYE_H)
    assert lid_covers(reference, reference) == (0.0, 0.0)
    assert lid_covers(_face(EYE_H * 0.1), reference) == (1.0, 1.0)
    middle = lid_covers(_face(EYE_H * 0.5), reference)
    assert all(0.0 < k < 1.0 for k in middle)


def test_open_covers_change_nothing() -> None:
    reference, drawn = _face(EYE_H), _face(EYE_H)
    d2, r2 = shut_lids(drawn, reference, (0.0, 0.0))
    np.testing.assert_array_equal(d2, drawn)
    np.testing.assert_array_equal(r2, reference)


def test_shut_lids_close_the_drawn_lid_and_open_the_sampled_eye() -> None:
    reference, drawn = _face(EYE_H), _face(EYE_H * 0.3)
    d2, r2 = shut_lids(drawn, reference, (1.0, 0.0))
    before, after = eye_gap(drawn, RIGHT_EYE), eye_gap(d2, RIGHT_EYE)
    assert abs(after - before * (1 - SHUT)) < 1e-3
    assert eye_gap(d2, LEFT_EYE) == eye_gap(drawn, LEFT_EYE)  # its cover is 0
    upper = np.array(RIGHT_EYE)[UPPER]
    assert np.all(r2[upper, 1] < reference[upper, 1])  # sampled higher (image y is down)
    far = np.hypot(*((reference - CENTRES[RIGHT_EYE]) / (EYE_W / 2)).T) > REACH * 1.3
    np.testing.assert_allclose(r2[far], reference[far], atol=1e-4)
    tri = Delaunay(reference.astype(np.float64)).simplices

    def signed(p: np.ndarray) -> np.ndarray:
        a, b, c = (p[tri[:, i]] for i in range(3))
        return (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])

    assert np.all(np.sign(signed(r2)) == np.sign(signed(reference)))  # the mesh never folds


def test_a_closing_aperture_is_drawn_as_a_closed_eye() -> None:
    image, reference = _reference_image(), _face(EYE_H)
    drawn = _face(EYE_H * 0.15)
    covers = lid_covers(drawn, reference)
    assert covers == (1.0, 1.0)
    squeezed = _render(drawn, reference, image)
    closed = _render(*shut_lids(drawn, reference, covers), image)
    opened = _render(reference, reference, image)
    assert _dark_share(closed) < 0.5 * _dark_share(squeezed)
    assert _dark_share(squeezed) < _dark_share(opened)


def test_lid_memory_smooths_covers_and_forgets_on_reset() -> None:
    memory = lids.LidMemory(0.5)
    assert memory.smooth((0.0, 0.0)) == (0.0, 0.0)
    assert memory.smooth((1.0, 0.4)) == (0.5, 0.2)  # a one-frame jump is halved
    assert memory.smooth((1.0, 0.4)) == pytest.approx((0.75, 0.3))
    memory.reset()
    assert memory.smooth((1.0, 0.4)) == (1.0, 0.4)  # after a cut: the frame's own covers
