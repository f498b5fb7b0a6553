"""The real `remix.v1` and `influencer.v1` workflows, enqueued by name, with their heaviest
stage functions replaced by small real work (the media stages have their own tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from jobs_support import Db, load, seed_job, wait_for

from remixer.blobs.store import LocalBlobStore
from remixer.domain.ids import new_ulid_id
from remixer.pipeline.overlays.model import Overlay, OverlayStyle
from remixer.pipeline.types import StageHooks
from remixer.store.tables.content import Job
from remixer.store.tables.influencers import Influencer, Media
from remixer.workflows import influencer, remix_stages
from remixer.workflows.runtime import Runtime, get_runtime
from remixer.workflows.scheduler import DbosJobScheduler
from remixer.workflows.worker import Worker


@pytest.fixture
def named(db: Db, worker: Worker) -> Any:
    sched = DbosJobScheduler(db.settings)
    yield sched
    sched.close()


def test_remix_workflow_fills_the_container(
    db: Db, named: DbosJobScheduler, clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blobs = get_runtime().blobs
    source_key = blobs.put_file(clip, ".mp4")

    def fetch(rt: Runtime, job: Job, hooks: StageHooks) -> dict[str, Any]:
        return {"sourceKey": source_key, "caption": "src", "language": "en", "video": {}}

    style = OverlayStyle((255, 255, 255), (0, 0, 0), 2, None, None, 0, 8, 10, "center")
    overlay = Overlay("ov1", "old", ["old"], (1, 2, 30, 10), 0, 29, 0.0, 1.0, style).to_dict()
    stages = {
        "fetch_source": fetch,
        "extract_overlays": lambda rt, job, hooks: {"overlays": [overlay]},
        "adapt_copy": lambda rt, job, hooks: {"texts": ["new"], "caption": "cap"},
        "analyze_face": lambda rt, job, hooks: {"trackKey": "sha256/none.npz"},
        "render_video": lambda rt, job, hooks: {"videoKey": source_key},
        "measure_output_quality": lambda rt, job, video, hooks: {"faceCoverage": 1.0},
    }
    for name, fn in stages.items():
        monkeypatch.setattr(remix_stages, name, fn)
    job_id = seed_job(db, params={"tiktokVideoId": "7234567890123456789"})
    named.enqueue(job_id, "content_generate")
    wait_for(db, job_id, lambda j: j.status != "running")
    job, container, org, _ = load(db, job_id)
    assert job.status == "completed", job.error_message
    assert (container.hook, container.caption) == ("new", "cap")
    assert container.quality == {
        "faceCoverage": 1.0,
        "overlaysReplaced": 1,
        "copyProvider": "offline",
        "warnings": [],
    }
    (placed,) = container.overlays
    assert {k: placed[k] for k in ("start", "end", "sourceText", "text", "box")} == {
        "start": 0.0,
        "end": 1.0,
        "sourceText": "old",
        "text": "new",
        "box": [1, 2, 30, 10],
    }
    # where the new text sits: inside the frame, laid out in lines, in a named font
    x, y, w, h = placed["newBox"]
    assert x >= 0 and y >= 0 and x + w <= 64 and y + h <= 96 and w > 0 and h > 0
    assert placed["newLines"] == ["new"] and placed["font"]
    (asset,) = container.assets
    assert (asset["width"], asset["height"], asset["mimeType"]) == (64, 96, "video/mp4")
    assert asset["aspectRatio"] == "2:3" and asset["mediaId"] == asset["assetId"]
    with db.uow_factory() as uow:
        video = uow.influencers.media_by_id(asset["mediaId"])
        thumb = uow.influencers.media_by_id(asset["thumbnailMediaId"])
        assert video is not None and thumb is not None
        assert blobs.exists(video.blob_key) and blobs.exists(thumb.blob_key)
        assert thumb.mime_type == "image/jpeg" and thumb.size_bytes > 0
    assert (org.credit_balance, org.credits_reserved) == (880, 0)


def _influencer_job(db: Db, blobs: LocalBlobStore, photo: Path | None) -> str:
    job_id = seed_job(db, credits=0)
    with db.uow_factory() as uow:
        job = uow.content.job_by_id(job_id)
        assert job is not None
        key = blobs.put_file(photo, ".jpg") if photo else "sha256/00/missing.jpg"
        media_id = new_ulid_id("med")
        uow.influencers.add(
            Media(
                id=media_id,
                organization_id=job.organization_id,
                kind="image",
                mime_type="image/jpeg",
                blob_key=key,
                size_bytes=1,
                checksum_sha256="0" * 64,
            )
        )
        uow.influencers.add(Influencer(id="inf_1", project_id=job.project_id, name="Ada"))
        job.kind, job.influencer_id, job.container_id = "influencer_create", "inf_1", None
        job.params = {"influencerId": "inf_1", "referenceImageIds": [media_id]}
        uow.commit()
    return job_id


def _influencer(db: Db) -> Influencer:
    with db.uow_factory() as uow:
        found = uow.influencers.get("inf_1")
        assert found is not None
        return found


def test_influencer_workflow_ready(
    db: Db, named: DbosJobScheduler, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Identity:
        def __init__(self) -> None:
            self.rejected: list[Any] = []

        def save(self, path: Path) -> None:
            path.write_bytes(b"identity")

    monkeypatch.setattr(influencer, "build_identity_from", lambda paths, models: Identity())
    monkeypatch.setattr(influencer, "load_models", lambda: object())
    photo = tmp_path / "a.jpg"
    photo.write_bytes(b"jpeg")
    job_id = _influencer_job(db, get_runtime().blobs, photo)  # type: ignore[arg-type]
    named.enqueue(job_id, "influencer_create")
    job = wait_for(db, job_id, lambda j: j.status != "running")
    assert job.status == "completed", job.error_message
    ready = _influencer(db)
    assert ready.status == "ready" and ready.identity_blob_key


def test_influencer_workflow_fails_naming_the_photo(db: Db, named: DbosJobScheduler) -> None:
    job_id = _influencer_job(db, get_runtime().blobs, None)  # type: ignore[arg-type]
    named.enqueue(job_id, "influencer_create")
    job = wait_for(db, job_id, lambda j: j.status != "running")
    assert (job.status, job.error_code) == ("failed", "REFERENCE_PHOTOS_INVALID")
    failed = _influencer(db)
    assert failed.status == "failed" and "med_" in (failed.error_message or "")
