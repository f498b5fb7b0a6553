"""Frequency-separated compositing, occluder maps and the turned-head triangle test."""

from __future__ import annotations

import cv2
import numpy as np

from remixer.pipeline.faces.composite import band_sigmas, blur, composite
from remixer.pipeline.faces.geometry import FACE_OVAL
from remixer.pipeline.faces.occlusion import LEFT_EYE, RIGHT_EYE, occluder_map, under_eyes
from remixer.pipeline.faces.warp import NO_TRIANGLE, nearest_triangle, triangle_facing

SIZE = 96


def _textured(seed: int, base: tuple[int, int, int]) -> np.ndarray:
    rng = np.random.default_rng(seed)
    noise = rng.normal(0, 12, (SIZE, SIZE, 1))
    return np.clip(np.array(base, np.float32) + noise, 0, 255).astype(np.uint8)


def test_zero_weight_or_full_keep_leaves_the_target() -> None:
    target, warped = _textured(1, (120, 140, 180)), _textured(2, (60, 90, 200))
    ones, zeros = np.ones((SIZE, SIZE), np.float32), np.zeros((SIZE, SIZE), np.float32)
    assert np.array_equal(composite(target, warped, zeros, zeros, zeros, 80.0), target)
    assert np.array_equal(composite(target, warped, ones, ones, zeros, 80.0), target)


def test_the_target_keeps_its_fine_grain_and_the_reference_brings_the_middle_band() -> None:
    target = _textured(3, (120, 140, 180))
    warped = np.full_like(target, (120, 140, 180))
    cv2.circle(warped, (48, 48), 14, (40, 50, 90), -1)  # a feature: mid-band structure
    warped = cv2.GaussianBlur(warped, (0, 0), 2.0)
    ones, zeros = np.ones((SIZE, SIZE), np.float32), np.zeros((SIZE, SIZE), np.float32)
    out = composite(target, warped, ones, zeros, zeros, 80.0).astype(np.float32)
    fine, _ = band_sigmas(80.0)
    grain = lambda img: img - blur(img, fine)  # noqa: E731
    inner = np.s_[8:-8, 8:-8]
    kept = np.corrcoef(grain(out)[inner].ravel(), grain(target.astype(np.float32))[inner].ravel())
    assert kept[0, 1] > 0.8
    assert out[48, 48].mean() < target[48, 48].astype(np.float32).mean() - 40  # feature in
    assert abs(out[10, 10].mean() - target[10, 10].astype(np.float32).mean()) < 30


def test_a_colour_offset_leaves_no_band_where_the_mask_ramps() -> None:
    """A reference that is the target plus a flat offset (a darker skin, a painted-over
    fringe) brings nothing: no band where the mask fades (the forehead's ramp)."""
    target = _textured(4, (170, 180, 210))
    warped = np.clip(target.astype(np.int16) - 40, 0, 255).astype(np.uint8)
    weight = np.ones((SIZE, SIZE), np.float32)
    weight[:40] = np.linspace(0.0, 1.0, 40, dtype=np.float32)[:, None]  # the forehead's ramp
    zeros = np.zeros((SIZE, SIZE), np.float32)
    out = composite(target, warped, weight, zeros, zeros, 80.0).astype(np.float32)
    step = np.abs(out - target.astype(np.float32)).mean(axis=(1, 2))
    assert step.max() < 4.0, step.round(1)


def test_the_gain_stretches_brightness_not_colour() -> None:
    """A feature that differs from the target only in colour (a pink lid of the same
    brightness) comes through at its own strength; a brightness feature at the gain."""
    target = np.full((SIZE, SIZE, 3), (120, 140, 180), np.uint8)
    pink, dark = target.copy(), target.copy()
    cv2.circle(pink, (48, 48), 14, (150, 124, 200), -1)  # BT.601 luma within 1 of the skin's
    cv2.circle(dark, (48, 48), 14, (100, 120, 160), -1)
    ones, zeros = np.ones((SIZE, SIZE), np.float32), np.zeros((SIZE, SIZE), np.float32)

    def change(warped: np.ndarray) -> np.ndarray:
        out = composite(target, warped, ones, zeros, zeros, 80.0).astype(np.float32)
        return out[44:53, 44:53].mean(axis=(0, 1)) - target[48, 48].astype(np.float32)

    drawn = pink[48, 48].astype(np.float32) - target[48, 48].astype(np.float32)
    assert np.all(np.abs(change(pink)) <= np.abs(drawn) + 1.0), (change(pink), drawn)
    # -20 drawn: past it by the gain (the local mean takes about 11 % of it).
    assert change(dark).mean() < -21.0


def test_dark_strands_on_skin_are_occluders_but_features_are_not() -> None:
    skin = _textured(4, (150, 170, 210))
    skin = cv2.GaussianBlur(skin, (0, 0), 1.0)
    cv2.line(skin, (10, 30), (85, 36), (30, 30, 40), 3)  # a hair strand / glasses rim
    cv2.circle(skin, (48, 70), 8, (40, 40, 60), -1)  # a feature (nostril) kept out
    inside = np.ones((SIZE, SIZE), np.float32)
    features = np.zeros((SIZE, SIZE), np.float32)
    cv2.circle(features, (48, 70), 11, 1.0, -1)
    occ = occluder_map(skin, inside, features)
    assert occ[33, 48] > 0.9
    assert occ[70, 48] == 0.0
    assert float((occ[55:64, 5:30] > 0.5).mean()) < 0.02


def test_squeezed_and_flipped_triangles_are_not_drawn() -> None:
    src = np.array([[0, 0], [10, 0], [0, 10], [10, 10], [20, 0], [20, 10]], np.float32)
    triangles = np.array([[0, 1, 2], [1, 3, 2], [1, 4, 3], [4, 5, 3]], np.int32)
    dst = src.copy()
    dst[4:, 0] = 10.5  # the far column squeezed to a twentieth of its width
    facing = triangle_facing(dst, src, triangles)
    assert facing.shape == (5,) and facing[-1] == 0.0
    assert np.allclose(facing[:2], 1.0) and np.all(facing[2:4] == 0.0)
    flipped = src.copy()
    flipped[4:, 0] = 0.0
    assert np.all(triangle_facing(flipped, src, triangles)[2:4] == 0.0)


SKIN = (120, 150, 215)


def _skin_with_patch(patch_bgr: tuple[int, int, int]) -> np.ndarray:
    skin = cv2.GaussianBlur(_textured(5, SKIN), (0, 0), 1.0)
    skin[20:50, 8:30] = patch_bgr
    return skin


def test_a_lit_cheek_is_skin_but_a_patch_of_another_hue_is_an_occluder() -> None:
    """Light from a window whitens a cheek: brighter, the same hue, less saturated. Taken
    for an occluder, the target's lit cheek was kept beside the drawn face (a pale, ragged
    patch on s18)."""
    inside = np.ones((SIZE, SIZE), np.float32)
    features = np.zeros((SIZE, SIZE), np.float32)
    lab = cv2.cvtColor(np.uint8([[SKIN]]), cv2.COLOR_BGR2LAB).astype(np.float32)
    lit = lab.copy()
    lit[..., 0] = min(255.0, lit[0, 0, 0] + 25)
    lit[..., 1:] = 128 + (lab[..., 1:] - 128) * 0.5  # towards grey: a, b 149, 154 -> 138, 141
    lit_bgr = cv2.cvtColor(np.clip(lit, 0, 255).astype(np.uint8), cv2.COLOR_LAB2BGR)[0, 0]
    occ = occluder_map(_skin_with_patch(tuple(int(v) for v in lit_bgr)), inside, features)
    assert float((occ[25:45, 12:26] > 0.5).mean()) < 0.02
    greenish = occluder_map(_skin_with_patch((150, 200, 190)), inside, features)
    assert float((greenish[25:45, 12:26] > 0.5).mean()) > 0.9
    grey = occluder_map(_skin_with_patch((120, 120, 120)), inside, features)
    assert float((grey[25:45, 12:26] > 0.5).mean()) > 0.9


def test_a_fold_in_the_strip_along_the_outline_is_drawn() -> None:
    """A triangle on the outline flipped but opened up (the near cheek of a turned head,
    where the reference's outline hugs the next ring) is drawn; squeezed, it is not."""
    rim = FACE_OVAL[0]
    src = np.zeros((rim + 1, 2), np.float32)
    src[:4] = [[0, 0], [10, 0], [0, 10], [10, 10]]
    src[rim] = [12, 5]
    triangles = np.array([[0, 1, 2], [1, 3, 2], [1, rim, 3]], np.int32)
    folded = src.copy()
    folded[rim] = [4, 5]  # the outline point pulled past its ring: the strip flips, wide
    facing = triangle_facing(folded, src, triangles)
    assert facing[2] == 1.0
    squeezed = src.copy()
    squeezed[rim] = [10.1, 5]
    assert triangle_facing(squeezed, src, triangles)[2] == 0.0


def test_cells_outside_the_drawn_mesh_take_the_nearest_triangle() -> None:
    ids = np.full((5, 6), NO_TRIANGLE, np.uint16)
    ids[:, :2] = 3
    ids[:, 4:] = 7
    filled = nearest_triangle(ids)
    assert filled[2, 2] == 3 and filled[2, 3] == 7 and filled[0, 0] == 3 and filled[4, 5] == 7
    assert np.all(nearest_triangle(np.full((3, 3), NO_TRIANGLE, np.uint16)) == NO_TRIANGLE)


def test_shadow_under_an_eye_is_not_an_occluder_but_a_rim_further_out_is() -> None:
    """Dark make-up under a lower lid lies in `under_eyes`; the upper lash line and a
    glasses rim a tenth of the face width below do not."""
    size, face_px = (200, 200), 200.0
    points = np.zeros((478, 2), np.float32)
    for eye, cx in ((RIGHT_EYE, 60.0), (LEFT_EYE, 140.0)):
        angles = np.linspace(np.pi, 3 * np.pi, len(eye), endpoint=False)  # corner, upper, ...
        points[list(eye)] = np.stack([cx + 15 * np.cos(angles), 100 + 6 * np.sin(angles)], 1)
    rings = under_eyes(points, size, face_px)
    assert rings[100 + 6 + 6, 60] > 0.9  # 6 px (3 %) under the lower lid
    assert rings[100 - 6 - 4, 60] < 0.05  # the upper lash line, 4 px above the lid
    assert rings[100 + 6 + 20, 60] < 0.05  # a rim 20 px (10 %) under the lower lid
    assert rings[100, 100] < 0.05  # between the eyes
