"""The job machinery on a real DBOS worker: progress, completion, failure, cancel, replay."""

from __future__ import annotations

import time
from pathlib import Path

from jobs_support import TEST_WORKFLOWS, Db, load, seed_job, wait_for

from remixer.services.jobs import complete_job, request_cancel
from remixer.workflows.scheduler import DbosJobScheduler, OutboxJobScheduler
from remixer.workflows.worker import Worker


def _params(clip: Path, **extra: object) -> dict[str, object]:
    return {"clip": str(clip), "frames": 60, **extra}


def test_job_runs_to_completion_and_charges_once(
    db: Db, scheduler: DbosJobScheduler, clip: Path
) -> None:
    job_id = seed_job(db, params=_params(clip, frameDelay=0.02))
    scheduler.enqueue(job_id, "content_generate")
    seen: list[float] = []
    job = wait_for(db, job_id, lambda j: seen.append(j.progress) or j.status != "running")
    job, container, org, events = load(db, job_id)
    assert job.status == "completed" and job.progress == 1.0 and job.finished_at
    assert seen == sorted(seen) and any(0 < p < 1 for p in seen)
    assert container.status == "completed" and container.caption == "60 frames"
    assert job.state["rendering"]["frames"] == 60
    usage = [e for e in events if e.event_type == "usage"]
    assert [(e.credits, e.balance_after) for e in usage] == [(-120, 880)]
    assert (org.credit_balance, org.credits_reserved) == (880, 0)
    assert sum(e.credits for e in events) == org.credit_balance
    # The job row completes inside the workflow's last step; DBOS records the workflow's
    # own SUCCESS a moment later.
    deadline = time.monotonic() + 10
    while scheduler.workflow_status(job_id) != "SUCCESS" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert scheduler.workflow_status(job_id) == "SUCCESS"


def test_enqueue_twice_runs_once(db: Db, scheduler: DbosJobScheduler, clip: Path) -> None:
    job_id = seed_job(db, params=_params(clip))
    scheduler.enqueue(job_id, "content_generate")
    scheduler.enqueue(job_id, "content_generate")
    wait_for(db, job_id, lambda j: j.status != "running")
    assert [e.event_type for e in load(db, job_id)[3]].count("usage") == 1


def test_pipeline_error_fails_with_its_code_and_releases(
    db: Db, scheduler: DbosJobScheduler, clip: Path
) -> None:
    job_id = seed_job(db, params=_params(clip, failWith="NO_FACE_FOUND"))
    scheduler.enqueue(job_id, "content_generate")
    wait_for(db, job_id, lambda j: j.status != "running")
    job, container, org, events = load(db, job_id)
    assert (job.status, job.error_code) == ("failed", "NO_FACE_FOUND")
    assert container.status == "failed" and container.last_error["code"] == "NO_FACE_FOUND"
    assert (org.credit_balance, org.credits_reserved) == (1000, 0)
    assert [e.event_type for e in events] == ["grant"]


def test_unexpected_error_is_internal_with_a_generic_message(
    db: Db, scheduler: DbosJobScheduler, clip: Path
) -> None:
    job_id = seed_job(db, params=_params(clip, crashWith=True))
    scheduler.enqueue(job_id, "content_generate")
    job = wait_for(db, job_id, lambda j: j.status != "running")
    assert job.error_code == "INTERNAL" and "/secret" not in (job.error_message or "")


def test_cancel_stops_the_frame_loop_quickly(
    db: Db, scheduler: DbosJobScheduler, clip: Path
) -> None:
    job_id = seed_job(db, params=_params(clip, frameDelay=0.1))
    scheduler.enqueue(job_id, "content_generate")
    wait_for(db, job_id, lambda j: j.stage == "fetching_source" and j.stage_progress > 0.1)
    org_id = load(db, job_id)[0].organization_id
    assert request_cancel(db.uow_factory, scheduler, org_id, job_id)["accepted"] is True
    import time

    started = time.monotonic()
    job = wait_for(db, job_id, lambda j: j.status != "running", timeout_s=10)
    assert time.monotonic() - started < 2.5
    job, container, org, events = load(db, job_id)
    assert job.status == "canceled" and container.status == "canceled"
    assert job.stage == "fetching_source" and "rendering" not in job.state
    assert (org.credit_balance, org.credits_reserved) == (1000, 0)
    assert [e.event_type for e in events] == ["grant"]


def test_completion_replayed_after_commit_charges_nothing_twice(
    db: Db, scheduler: DbosJobScheduler, clip: Path
) -> None:
    """A worker that died after `complete_job` committed but before DBOS recorded the step
    replays the completion step: nothing changes the second time."""
    job_id = seed_job(db, params=_params(clip))
    assert complete_job(db.uow_factory, job_id, {"caption": "first"})
    assert not complete_job(db.uow_factory, job_id, {"caption": "second"})
    _job, container, org, events = load(db, job_id)
    assert container.caption == "first"
    assert [e.event_type for e in events].count("usage") == 1
    assert (org.credit_balance, org.credits_reserved) == (880, 0)


def test_a_committed_job_is_dispatched_by_the_worker(db: Db, worker: Worker, clip: Path) -> None:
    """The API only commits the job row (the outbox) and wakes this process's dispatcher;
    the worker hands the job to DBOS and runs it."""
    job_id = seed_job(db, params=_params(clip))
    assert load(db, job_id)[0].dispatched_at is None
    inner = DbosJobScheduler(db.settings, TEST_WORKFLOWS)
    api_side = OutboxJobScheduler(inner, worker.runtime.dispatch_wakeup)
    api_side.enqueue(job_id, "content_generate")
    job = wait_for(db, job_id, lambda j: j.status != "running")
    assert job.status == "completed" and job.dispatched_at is not None
    api_side.close()
