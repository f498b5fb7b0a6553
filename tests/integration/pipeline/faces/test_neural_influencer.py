"""Influencer creation stores the ArcFace embedding with the dlib identity: the
`building_identity` stage of `influencer_create`, run on real reference photos with a
stand-in ArcFace model, writes an identity file whose `arcface` is the normalised mean
over the usable photos; without an embedder configured it stores none."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from onnx_standins import arcface_model
from remixer.blobs.store import LocalBlobStore
from remixer.config import Settings
from remixer.pipeline.faces import FaceIdentity
from remixer.pipeline.faces.neural import load_embedder
from remixer.pipeline.synth.photos import save_photo
from remixer.pipeline.types import StageHooks
from remixer.store.tables.content import Job
from remixer.workflows.influencer import build_identity
from remixer.workflows.runtime import Runtime


def _stage(tmp_path: Path, embedder: Path | None) -> FaceIdentity:
    blobs = LocalBlobStore(tmp_path / "media")
    keys = [
        blobs.put_file(save_photo(n, tmp_path / f"{n}.jpg"), ".jpg") for n in ("obama", "obama2")
    ]
    settings = Settings(data_dir=tmp_path / "data", face_embedder_model=embedder)
    runtime = Runtime(settings=settings, uow_factory=lambda: None, blobs=blobs)  # type: ignore[arg-type, return-value]
    photos = [{"mediaId": f"med_{i}", "blobKey": k} for i, k in enumerate(keys)]
    job = Job(id="job_1", state={"checking_photos": {"photos": photos}})
    out = build_identity(runtime, job, StageHooks())
    return FaceIdentity.load(blobs.path_of(out["identityKey"]))


def test_the_identity_file_carries_the_arcface_embedding(tmp_path: Path) -> None:
    model = arcface_model(tmp_path / "w600k_r50.onnx")
    stored = _stage(tmp_path, model)
    assert len(stored.references) == 2 and stored.arcface is not None
    embedder = load_embedder(model)
    each = [embedder.embed(r.crop_bgr, r.landmarks) for r in stored.references]
    mean = np.mean(each, axis=0)
    assert np.allclose(stored.arcface, mean / np.linalg.norm(mean), atol=1e-6)
    assert not np.allclose(each[0], each[1], atol=1e-3)  # two different photos were embedded


def test_without_an_embedder_no_arcface_is_stored(tmp_path: Path) -> None:
    assert _stage(tmp_path, None).arcface is None


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("REMIXER_FACE_EMBEDDER_MODEL", raising=False)
