"""Choosing the flow method per caption on its clean references: on a scene where the
left half slides under a wide caption band while the right half stays, the per-column
guess is right and the isotropic average smears the two motions; the test on the clean
references must find that out, and the method it picks must fill the hole better than
the default on a frame of the span."""

from __future__ import annotations

import cv2
import numpy as np

from remixer.pipeline.render.flowcheck import check_pairs, choose_method, pick
from remixer.pipeline.render.temporal import (
    DEFAULT_METHOD,
    FlowMethod,
    Reference,
    align_reference,
)

W, H = 320, 240
HOLE = (100, 140, 16, W - 16)  # y0, y1, x0, x1: a wide band, scene above and below


def _texture(seed: int, width: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    noise = rng.random((H, width, 3)).astype(np.float32)
    fine = cv2.GaussianBlur(noise, (0, 0), 1.5)
    coarse = cv2.GaussianBlur(noise, (0, 0), 6.0)
    return np.clip(128 + 900 * (fine - 0.5) + 1500 * (coarse - 0.5), 0, 255).astype(np.uint8)


MOVING, STILL = _texture(1, W + 200), _texture(2, W)


def _scene(index: int) -> np.ndarray:
    """The left half slides right 1.5 px a frame; the right half stays."""
    shift = 1.5 * index
    matrix = np.array([[1, 0, shift - 100], [0, 1, 0]], dtype=np.float32)
    left = cv2.warpAffine(MOVING, matrix, (W, H), flags=cv2.INTER_LINEAR)
    frame = STILL.copy()
    frame[:, : W // 2] = left[:, : W // 2]
    return frame


def _hole() -> np.ndarray:
    hole = np.zeros((H, W), bool)
    y0, y1, x0, x1 = HOLE
    hole[y0:y1, x0:x1] = True
    return hole


def _reference(index: int) -> Reference:
    return Reference(index, _scene(index), np.ones((H, W), bool))


def _fill_psnr(method: FlowMethod, reference: Reference, index: int) -> float:
    hole = _hole()
    current = _scene(index)
    burned = current.copy()
    burned[hole] = 255  # the caption: nothing of the scene shows through
    warped, _valid = align_reference(reference, burned, hole, None, method)
    diff = warped[hole].astype(np.float64) - current[hole].astype(np.float64)
    return float(10 * np.log10(255**2 / max(np.mean(diff**2), 1e-6)))


def test_the_test_on_clean_references_picks_the_column_guess_at_a_motion_boundary() -> None:
    references = [_reference(0), _reference(4)]
    pairs = check_pairs(references, 10)
    assert [(a.frame_index, b.frame_index) for a, b in pairs] == [(4, 0)]
    method = choose_method(pairs, _hole())
    assert method.fill == "columns", method
    assert method.also is None, method  # a clear winner is not averaged with another fill
    chosen = _fill_psnr(method, references[1], 14)
    default = _fill_psnr(DEFAULT_METHOD, references[1], 14)
    assert chosen >= default + 6.0, (chosen, default)


def test_pairs_are_the_nearest_across_the_span_and_the_nearest_on_each_side() -> None:
    references = [_reference(i) for i in (3, 7, 60, 64)]
    pairs = check_pairs(references, 20)
    assert [(a.frame_index, b.frame_index) for a, b in pairs] == [(7, 60), (7, 3), (60, 64)]
    assert check_pairs(references[:1], 20) == []
    assert choose_method([], _hole()) == DEFAULT_METHOD


def test_the_runner_up_fill_is_averaged_in_only_when_it_tests_about_as_well() -> None:
    close = {
        FlowMethod(True, "columns"): 100.0,
        FlowMethod(True, "average"): 130.0,
        FlowMethod(False, "mean"): 110.0,  # another DIS depth: needs its own flow
    }
    assert pick(close) == FlowMethod(True, "columns", "average")
    clear = {FlowMethod(True, "columns"): 100.0, FlowMethod(True, "average"): 400.0}
    assert pick(clear) == FlowMethod(True, "columns")
    assert pick({FlowMethod(False, "near"): 5.0}) == FlowMethod(False, "near")


def test_a_second_fill_averages_the_two_warps() -> None:
    reference, current = _reference(4), _scene(14)
    single = [
        align_reference(reference, current, _hole(), None, FlowMethod(False, fill))[0]
        for fill in ("columns", "average")
    ]
    both, valid = align_reference(
        reference, current, _hole(), None, FlowMethod(False, "columns", "average")
    )
    mean = (single[0].astype(int) + single[1] + 1) // 2
    assert valid.any() and np.array_equal(both.astype(int), mean)
