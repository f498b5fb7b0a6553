"""Fair queues: one organization with a backlog cannot starve another.

A real worker with two slots runs the cheap test workflow. Organization A enqueues a
backlog, then organization B one job. On the organization-partitioned queue (one slot
per organization) B's job starts within one job-length of being accepted; the control on
the old first-in-first-out queue shows B waiting behind A's backlog.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from jobs_support import TEST_WORKFLOW, Db, load, seed_job, wait_for

from remixer.blobs.store import LocalBlobStore
from remixer.workflows.names import FAIR_REMIX_QUEUE, REMIX_QUEUE
from remixer.workflows.runtime import Runtime
from remixer.workflows.scheduler import DbosJobScheduler
from remixer.workflows.worker import Worker, launch_worker

PARAMS = {"frames": 10, "frameDelay": 0.04}


@pytest.fixture(params=[FAIR_REMIX_QUEUE, REMIX_QUEUE])
def queue(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def two_slot_worker(db: Db, queue: str) -> Iterator[tuple[Worker, DbosJobScheduler]]:
    settings = db.settings.model_copy(
        update={"executor_id": "fair-worker", "worker_concurrency": 2, "org_job_slots": 1}
    )
    runtime = Runtime(settings, db.uow_factory, LocalBlobStore(settings.media_dir))
    workflows = {"content_generate": (TEST_WORKFLOW, queue)}
    launched = launch_worker(settings, runtime, polling_interval_s=0.1, workflows=workflows)
    scheduler = DbosJobScheduler(settings, workflows)
    yield launched, scheduler
    scheduler.close()
    launched.shutdown()


def _started_at(db: Db, job_id: str) -> float:
    job = wait_for(db, job_id, lambda j: "runStartedAt" in (j.state or {}), timeout_s=120)
    return datetime.fromisoformat(job.state["runStartedAt"]).timestamp()


def test_a_small_org_is_not_starved_by_a_backlog(
    db: Db, two_slot_worker: tuple[Worker, DbosJobScheduler], queue: str, clip: Path
) -> None:
    _, scheduler = two_slot_worker
    params = {**PARAMS, "clip": str(clip)}
    first = seed_job(db, params=params)
    # 20 queued jobs; the control needs fewer to show the queue-jumping it lacks.
    size = 20 if queue == FAIR_REMIX_QUEUE else 8
    backlog = [first] + [seed_job(db, params=params) for _ in range(size - 1)]
    # Every A job belongs to A's org: re-point the seeded jobs at the first one's org.
    org_a = load(db, first)[0].organization_id
    with db.uow_factory() as uow:
        for job_id in backlog[1:]:
            job = uow.content.job_by_id(job_id)
            assert job is not None
            job.organization_id = org_a
        uow.commit()
    for job_id in backlog:
        scheduler.enqueue(job_id, "content_generate")
    # One job-length: how long A's first job takes from start to finish.
    done = wait_for(db, first, lambda j: j.status == "completed", timeout_s=120)
    job_length = (done.finished_at.timestamp() if done.finished_at else time.time()) - (
        _started_at(db, first)
    )

    other = seed_job(db, params=params)
    accepted = time.time()
    scheduler.enqueue(other, "content_generate")
    waited = _started_at(db, other) - accepted
    print(f"{queue}: job length {job_length:.2f} s, the other org's job waited {waited:.2f} s")
    if queue == FAIR_REMIX_QUEUE:
        assert waited < job_length, (waited, job_length)
    else:  # the control: first in, first out, behind A's backlog
        assert waited > 2 * job_length, (waited, job_length)
