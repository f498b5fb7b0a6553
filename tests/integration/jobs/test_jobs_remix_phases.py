"""The real `remix.v1` workflow runs the shared orchestration: OCR and the face track run
at the same time in the job too, a failing track stops OCR, and the job row's stage never
goes back when a phase runs again. The media work is replaced by small real work that
records when it ran (the media stages have their own tests)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from jobs_support import Db, load, seed_job, wait_for

from remixer.pipeline.errors import PipelineError
from remixer.pipeline.types import StageHooks
from remixer.store.tables.content import Job
from remixer.workflows import remix_stages
from remixer.workflows.remix_run import JobDisplay
from remixer.workflows.runtime import Runtime, get_runtime
from remixer.workflows.scheduler import DbosJobScheduler
from remixer.workflows.worker import Worker


@pytest.fixture
def named(db: Db, worker: Worker) -> Any:
    sched = DbosJobScheduler(db.settings)
    yield sched
    sched.close()


def _stub_media(monkeypatch: pytest.MonkeyPatch, clip: Path, **stages: Any) -> None:
    source_key = get_runtime().blobs.put_file(clip, ".mp4")
    defaults = {
        "fetch_source": lambda rt, job, hooks: {
            "sourceKey": source_key,
            "caption": "",
            "language": "en",
            "video": {},
        },
        "extract_overlays": lambda rt, job, hooks: {"overlays": []},
        "adapt_copy": lambda rt, job, hooks: {"texts": [], "caption": ""},
        "analyze_face": lambda rt, job, hooks: {"trackKey": "sha256/none.npz"},
        "render_video": lambda rt, job, hooks: {"videoKey": source_key},
        "measure_output_quality": lambda rt, job, video, hooks: {"faceCoverage": 1.0},
    }
    for name, fn in {**defaults, **stages}.items():
        monkeypatch.setattr(remix_stages, name, fn)


def test_ocr_and_the_face_track_run_at_once_in_the_job(
    db: Db, named: DbosJobScheduler, clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    both = threading.Barrier(2, timeout=20)  # broken unless the two passes overlap
    threads: dict[str, str] = {}

    def extract(rt: Runtime, job: Job, hooks: StageHooks) -> dict[str, Any]:
        threads["ocr"] = threading.current_thread().name
        both.wait()
        return {"overlays": []}

    def track(rt: Runtime, job: Job, hooks: StageHooks) -> dict[str, Any]:
        threads["track"] = threading.current_thread().name
        both.wait()
        return {"trackKey": "sha256/none.npz"}

    _stub_media(monkeypatch, clip, extract_overlays=extract, analyze_face=track)
    job_id = seed_job(db, params={"tiktokVideoId": "7234567890123456789"})
    named.enqueue(job_id, "content_generate")
    job = wait_for(db, job_id, lambda j: j.status != "running")
    assert job.status == "completed", job.error_message
    assert threads["ocr"] != threads["track"]
    assert job.state["face_swapping"] == {"trackKey": "sha256/none.npz"}
    assert job.state["quality"] == {"faceCoverage": 1.0}


def test_a_failing_face_track_stops_ocr_and_fails_the_job(
    db: Db, named: DbosJobScheduler, clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    frames = {"after_failure": 0}
    failed = threading.Event()

    def extract(rt: Runtime, job: Job, hooks: StageHooks) -> dict[str, Any]:
        for _ in range(3000):  # a frame loop with its cancel checks
            hooks.check_cancel()
            frames["after_failure"] += failed.is_set()
            time.sleep(0.01)
        return {"overlays": []}

    def track(rt: Runtime, job: Job, hooks: StageHooks) -> dict[str, Any]:
        time.sleep(0.3)
        failed.set()
        raise PipelineError("NO_FACE_FOUND", "No face was found in the source video.")

    _stub_media(monkeypatch, clip, extract_overlays=extract, analyze_face=track)
    job_id = seed_job(db, params={"tiktokVideoId": "7234567890123456789"})
    started = time.monotonic()
    named.enqueue(job_id, "content_generate")
    job = wait_for(db, job_id, lambda j: j.status != "running")
    assert (job.status, job.error_code) == ("failed", "NO_FACE_FOUND")
    assert time.monotonic() - started < 20  # OCR's 30 s loop was cut short
    assert frames["after_failure"] <= 5
    _job, container, org, _ = load(db, job_id)
    assert container.status == "failed" and org.credits_reserved == 0


def test_the_row_never_goes_back_to_an_earlier_stage(db: Db) -> None:
    job_id = seed_job(db, stage="face_swapping")
    runtime = Runtime(settings=db.settings, uow_factory=db.uow_factory, blobs=None)  # type: ignore[arg-type]
    display = JobDisplay(runtime, job_id, "face_swapping")
    display.enter("extracting_overlays")  # the analysis phase running again after a crash
    display.progress("extracting_overlays", 0.7)
    job, *_ = load(db, job_id)
    assert (job.stage, job.stage_progress) == ("face_swapping", 0.0)
    display.enter("rendering")
    job, *_ = load(db, job_id)
    assert job.stage == "rendering"
