"""ArcFace alignment for the neural backend: the templates InsightFace's `estimate_norm`
uses, the five key points read off FaceMesh, the least-squares similarity (checked against
scikit-image's, which InsightFace uses) and the aligned crop's pixels."""

from __future__ import annotations

import cv2
import numpy as np
from skimage.transform import SimilarityTransform

from remixer.pipeline.faces.neural.alignment import (
    ARCFACE_112,
    align_matrix,
    aligned_crop,
    arcface_template,
    five_points,
    similarity,
)


def _random_similarity(rng: np.random.Generator) -> np.ndarray:
    angle, scale = rng.uniform(-0.5, 0.5), rng.uniform(1.5, 4.0)
    linear = scale * np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    return np.hstack([linear, rng.uniform(100, 300, size=(2, 1))])


def test_templates_follow_insightface_estimate_norm() -> None:
    assert np.allclose(arcface_template(112), ARCFACE_112)
    assert np.allclose(arcface_template(224), ARCFACE_112 * 2)
    # No multiple of 112: shifted 8 px right, scaled by size / 128 (FaceFusion's arcface_128).
    shift = np.array([8.0, 0.0])
    assert np.allclose(arcface_template(128), ARCFACE_112 + shift)
    assert np.allclose(arcface_template(256), (ARCFACE_112 + shift) * 2)
    assert np.allclose(arcface_template(128)[0] / 128, [0.36167656, 0.40387734], atol=1e-6)


def test_similarity_matches_scikit_image_on_noisy_points() -> None:
    rng = np.random.default_rng(3)
    for _ in range(20):
        src = (ARCFACE_112 * rng.uniform(1, 5) + rng.normal(0, 4, (5, 2))).astype(np.float32)
        dst = arcface_template(128)
        reference = SimilarityTransform.from_estimate(
            src.astype(np.float64), dst.astype(np.float64)
        )
        assert np.allclose(similarity(src, dst), reference.params[:2], atol=1e-6)


def test_similarity_recovers_an_exact_transform() -> None:
    rng = np.random.default_rng(4)
    truth = _random_similarity(rng)
    src = ARCFACE_112.astype(np.float32)
    dst = (src @ truth[:, :2].T + truth[:, 2]).astype(np.float32)
    assert np.allclose(similarity(src, dst), truth, atol=1e-4)


def test_five_points_are_eye_centres_nose_tip_and_mouth_corners() -> None:
    landmarks = np.zeros((478, 2), np.float32)
    landmarks[33], landmarks[133] = (10, 20), (30, 22)
    landmarks[362], landmarks[263] = (60, 22), (80, 20)
    landmarks[1], landmarks[61], landmarks[291] = (45, 50), (25, 70), (65, 70)
    expected = [(20, 21), (70, 21), (45, 50), (25, 70), (65, 70)]
    assert np.allclose(five_points(landmarks), expected)


def test_the_aligned_crop_puts_the_five_points_on_the_template() -> None:
    """Five dots drawn at the face's key points land on the template's pixels of the crop,
    and the crop is `warpAffine` of the frame by the matrix (bilinear, black outside)."""
    rng = np.random.default_rng(5)
    truth = _random_similarity(rng)
    points = (ARCFACE_112 @ truth[:, :2].T + truth[:, 2]).astype(np.float32)
    frame = np.zeros((720, 720, 3), np.uint8)
    for index, (x, y) in enumerate(points):
        cv2.circle(frame, (round(x), round(y)), 9, (40 * index + 40, 255, 255 - 40 * index), -1)
    for size in (112, 128, 256):
        matrix = align_matrix(points, size)
        crop = aligned_crop(frame, matrix, size, replicate=False)
        assert crop.shape == (size, size, 3)
        for index, (x, y) in enumerate(arcface_template(size)):
            colour = crop[round(float(y)), round(float(x))]
            assert tuple(colour) == (40 * index + 40, 255, 255 - 40 * index)
        expected = cv2.warpAffine(frame, matrix, (size, size), flags=cv2.INTER_LINEAR)
        assert np.array_equal(crop, expected)


def test_outside_the_frame_is_black_or_the_repeated_edge() -> None:
    frame = np.full((100, 100, 3), 200, np.uint8)
    points = (ARCFACE_112 * 0.5 + [60, 60]).astype(np.float32)  # the face near a corner
    matrix = align_matrix(points, 128)
    black = aligned_crop(frame, matrix, 128, replicate=False)
    edge = aligned_crop(frame, matrix, 128, replicate=True)
    assert black[-1, -1].tolist() == [0, 0, 0] and edge[-1, -1].tolist() == [200, 200, 200]
