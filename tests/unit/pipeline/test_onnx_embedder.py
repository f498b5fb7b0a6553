"""The ArcFace embedder on a stand-in with InsightFace's names (7×7 average pooling, so its
output is a known function of its input): the 112 px aligned crop and its normalisation,
unit embeddings, the influencer's normalised mean, storage in the identity file, and
models that are not ArcFace refused."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from onnx_standins import arcface_model, arcface_reference
from remixer.pipeline.errors import PipelineError
from remixer.pipeline.faces.geometry import Pose
from remixer.pipeline.faces.identity import FaceIdentity, ReferenceFace
from remixer.pipeline.faces.neural.alignment import ARCFACE_112, five_points, similarity
from remixer.pipeline.faces.neural.embedder import ArcFaceEmbedder, open_embedder, with_arcface


def _landmarks(seed: int) -> np.ndarray:
    """478 landmarks whose five key points sit on a scaled, shifted ArcFace template."""
    rng = np.random.default_rng(seed)
    points = rng.uniform(100, 300, (478, 2)).astype(np.float32)
    key = ARCFACE_112 * rng.uniform(2.0, 3.0) + rng.uniform(20, 60, 2)
    eyes = ((33, 133), (362, 263))
    for (a, b), centre in zip(eyes, key[:2], strict=True):
        half = np.array([15.0, 0.0])
        points[a], points[b] = centre - half, centre + half
    points[1], points[61], points[291] = key[2], key[3], key[4]
    return points


def _reference(seed: int) -> ReferenceFace:
    rng = np.random.default_rng(seed)
    crop = cv2.GaussianBlur(rng.integers(0, 256, (400, 400, 3), dtype=np.uint8), (0, 0), 3)
    return ReferenceFace(f"p{seed}.jpg", crop, _landmarks(seed), Pose(0.0, 0.0, 0.0), np.zeros(128))


@pytest.fixture
def embedder(tmp_path: Path) -> ArcFaceEmbedder:
    return open_embedder(arcface_model(tmp_path / "w600k_r50.onnx"))


def test_the_embedder_sees_the_aligned_112_crop_normalised_around_127_5(
    embedder: ArcFaceEmbedder,
) -> None:
    ref = _reference(1)
    crop = embedder.crop(ref.crop_bgr, ref.landmarks)
    matrix = similarity(five_points(ref.landmarks), ARCFACE_112.astype(np.float32))
    assert np.array_equal(crop, cv2.warpAffine(ref.crop_bgr, matrix, (112, 112)))
    blob = embedder.blob(crop)
    rgb = crop[:, :, ::-1].transpose(2, 0, 1)[None].astype(np.float64)
    assert blob.shape == (1, 3, 112, 112)
    assert np.allclose(blob, (rgb - 127.5) / 127.5, atol=1e-6)
    expected = arcface_reference(blob)
    embedding = embedder.embed(ref.crop_bgr, ref.landmarks)
    assert np.allclose(embedding, expected / np.linalg.norm(expected), atol=1e-5)
    assert np.isclose(np.linalg.norm(embedding), 1.0, atol=1e-6)


def test_the_influencer_embedding_is_the_normalised_mean_and_is_stored(
    embedder: ArcFaceEmbedder, tmp_path: Path
) -> None:
    identity = FaceIdentity([_reference(s) for s in (2, 3, 4)], np.zeros((1, 3), np.int32))
    assert identity.arcface is None
    each = [embedder.embed(r.crop_bgr, r.landmarks) for r in identity.references]
    mean = np.mean(each, axis=0)
    with_embedding = with_arcface(identity, embedder)
    assert with_embedding.arcface is not None
    assert np.allclose(with_embedding.arcface, mean / np.linalg.norm(mean), atol=1e-6)
    with_embedding.save(tmp_path / "identity.npz")
    loaded = FaceIdentity.load(tmp_path / "identity.npz")
    assert loaded.arcface is not None and np.array_equal(loaded.arcface, with_embedding.arcface)
    identity.save(tmp_path / "plain.npz")
    assert FaceIdentity.load(tmp_path / "plain.npz").arcface is None


@pytest.mark.parametrize("size,out", [(128, 512), (112, 128)])
def test_a_model_that_is_not_arcface_is_refused(tmp_path: Path, size: int, out: int) -> None:
    path = arcface_model(tmp_path / "odd.onnx", size=size, out=out)
    with pytest.raises(PipelineError) as caught:
        open_embedder(path)
    assert caught.value.code == "INTERNAL"
    assert "expected one input N×3×112×112 and a first output N×512" in caught.value.message
