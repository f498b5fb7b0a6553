"""`services.jobs` on a real SQLite file: stages, progress, eta, settlement, cancel, reconcile."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

import remixer.store.tables  # noqa: F401 - the full metadata
from remixer.domain.errors import ErrorCode, RemixerError
from remixer.domain.ids import new_uuid_id
from remixer.services import jobs
from remixer.services.influencer_jobs import complete_influencer_job, mark_influencer_training
from remixer.store.base import Base
from remixer.store.engine import make_engine, make_session_factory
from remixer.store.tables.accounts import Organization
from remixer.store.tables.content import Container, Job
from remixer.store.tables.influencers import Influencer
from remixer.store.tables.projects import Project
from remixer.store.uow import UnitOfWork, UnitOfWorkFactory


@pytest.fixture
def uow_factory(tmp_path: Path) -> Iterator[UnitOfWorkFactory]:
    engine = make_engine(f"sqlite:///{tmp_path / 'app.sqlite3'}")
    Base.metadata.create_all(engine)
    sessions = make_session_factory(engine)
    yield lambda: UnitOfWork(sessions)
    engine.dispose()


def seed(uow_factory: UnitOfWorkFactory, credits: int = 120, **job: Any) -> str:
    org, prj, cnt, job_id = new_uuid_id("org"), new_uuid_id("prj"), new_uuid_id("cnt"), "job_1"
    with uow_factory() as uow:
        uow.accounts.add_org(
            Organization(id=org, name="o", credit_balance=1000, credits_reserved=credits)
        )
        uow.flush()
        uow.session.add(Project(id=prj, organization_id=org, name="p"))
        uow.flush()
        uow.content.add(Container(id=cnt, organization_id=org, project_id=prj))
        fields: dict[str, Any] = {"kind": "content_generate", "container_id": cnt, **job}
        uow.content.add(
            Job(id=job_id, organization_id=org, project_id=prj, credits_reserved=credits, **fields)
        )
        uow.commit()
    return job_id


def get(uow_factory: UnitOfWorkFactory, job_id: str = "job_1") -> tuple[Job, Container, Any]:
    with uow_factory() as uow:
        job = uow.content.job_by_id(job_id)
        assert job is not None and job.container_id
        container = uow.content.container_by_id(job.container_id)
        org = uow.accounts.get_org(job.organization_id)
        events = list(uow.ledger.events(job.organization_id, None, 10))
        return job, container, (org.credit_balance, org.credits_reserved, events)  # type: ignore[union-attr]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class FakeScheduler:
    def __init__(self) -> None:
        self.enqueued: list[tuple[str, str]] = []
        self.canceled: list[str] = []
        self.statuses: dict[str, str | None] = {}

    def enqueue(self, job_id: str, kind: str) -> None:
        self.enqueued.append((job_id, kind))

    def cancel(self, job_id: str) -> None:
        self.canceled.append(job_id)

    def workflow_status(self, job_id: str) -> str | None:
        return self.statuses.get(job_id)


def test_begin_stage_marks_container_processing(uow_factory: UnitOfWorkFactory) -> None:
    job_id = seed(uow_factory)
    jobs.begin_stage(uow_factory, job_id, "extracting_overlays")
    job, container, _ = get(uow_factory)
    assert (job.stage, job.stage_progress, container.status) == (
        "extracting_overlays",
        0.0,
        "processing",
    )
    assert job.progress == pytest.approx(0.03) and job.stage_started_at is not None


def test_progress_is_throttled_monotonic_and_below_one(uow_factory: UnitOfWorkFactory) -> None:
    job_id = seed(uow_factory)
    jobs.begin_stage(uow_factory, job_id, "rendering")
    clock = Clock()
    throttle = jobs.ProgressThrottle(clock=clock)
    jobs.report_progress(uow_factory, job_id, 0.5, throttle)
    first = get(uow_factory)[0].progress
    jobs.report_progress(uow_factory, job_id, 0.9, throttle)  # within 0.5 s: not written
    assert get(uow_factory)[0].progress == first
    clock.now += 0.6
    jobs.report_progress(uow_factory, job_id, 0.1, throttle)  # a lower fraction never lowers it
    assert get(uow_factory)[0].progress == first
    clock.now += 0.6
    jobs.report_progress(uow_factory, job_id, 1.0, throttle)
    job = get(uow_factory)[0]
    assert first < job.progress < 1.0 and job.stage_progress == 1.0


def test_eta_follows_the_average_pace(uow_factory: UnitOfWorkFactory) -> None:
    assert jobs.estimate_eta_s(10.0, 0.25) == 30
    assert jobs.estimate_eta_s(0.5, 0.5) is None and jobs.estimate_eta_s(10, 0.0) is None
    job_id = seed(uow_factory)
    jobs.begin_stage(uow_factory, job_id, "rendering")
    started = (datetime.now(UTC) - timedelta(seconds=40)).isoformat()
    with uow_factory() as uow:
        uow.session.execute(update(Job).values(state={"runStartedAt": started}))
        uow.commit()
    jobs.report_progress(uow_factory, job_id, 0.0, jobs.ProgressThrottle())
    job = get(uow_factory)[0]
    expected = 40 * (1 - job.progress) / job.progress
    assert job.eta_seconds == pytest.approx(expected, rel=0.1)


def test_progress_and_stage_raise_when_cancel_requested(uow_factory: UnitOfWorkFactory) -> None:
    job_id = seed(uow_factory, stage="rendering")
    with uow_factory() as uow:
        uow.content.update_running_job(job_id, {"cancel_requested": True})
        uow.commit()
    with pytest.raises(jobs.JobCanceled):
        jobs.report_progress(uow_factory, job_id, 0.2, jobs.ProgressThrottle())
    with pytest.raises(jobs.JobCanceled):
        jobs.check_cancel(uow_factory, job_id, jobs.ProgressThrottle())
    with pytest.raises(jobs.JobCanceled):
        jobs.begin_stage(uow_factory, job_id, "finalizing")


def test_complete_charges_once_and_replay_does_nothing(uow_factory: UnitOfWorkFactory) -> None:
    job_id = seed(uow_factory)
    assert jobs.complete_job(uow_factory, job_id, {"caption": "c", "hook": "h"})
    assert not jobs.complete_job(uow_factory, job_id, {"caption": "again"})
    job, container, (balance, reserved, events) = get(uow_factory)
    assert (job.status, job.progress, container.status, container.caption) == (
        "completed",
        1.0,
        "completed",
        "c",
    )
    assert (balance, reserved) == (880, 0)
    assert [(e.event_type, e.credits, e.balance_after) for e in events] == [("usage", -120, 880)]


def test_sandbox_job_completes_without_charge(uow_factory: UnitOfWorkFactory) -> None:
    job_id = seed(uow_factory, credits=0)
    assert jobs.complete_job(uow_factory, job_id, {})
    assert get(uow_factory)[2][:2] == (1000, 0) and get(uow_factory)[2][2] == []


@pytest.mark.parametrize("end", ["fail", "cancel"])
def test_fail_and_cancel_release_and_are_idempotent(
    uow_factory: UnitOfWorkFactory, end: str
) -> None:
    job_id = seed(uow_factory, stage="rendering")
    finish = (
        (lambda: jobs.fail_job(uow_factory, job_id, "NO_FACE_FOUND", "No face."))
        if end == "fail"
        else (lambda: jobs.finish_canceled(uow_factory, job_id))
    )
    assert finish() and not finish()
    assert not jobs.complete_job(uow_factory, job_id, {})
    job, container, (balance, reserved, events) = get(uow_factory)
    assert job.status == ("failed" if end == "fail" else "canceled") and job.finished_at
    assert container.status == job.status and container.failed_at and container.last_error
    assert (balance, reserved, events) == (1000, 0, [])


def test_cancel_rules(uow_factory: UnitOfWorkFactory) -> None:
    job_id = seed(uow_factory, stage="rendering")
    org = get(uow_factory)[0].organization_id
    sched = FakeScheduler()
    with pytest.raises(RemixerError) as missing:
        jobs.request_cancel(uow_factory, sched, new_uuid_id("org"), job_id)
    assert missing.value.code == ErrorCode.NOT_FOUND
    assert jobs.request_cancel(uow_factory, sched, org, job_id) == {
        "jobId": job_id,
        "accepted": True,
    }
    assert sched.canceled == [job_id] and get(uow_factory)[0].cancel_requested
    assert get(uow_factory)[0].status == "running"  # the workflow ends it
    jobs.finish_canceled(uow_factory, job_id)
    again = jobs.request_cancel(uow_factory, sched, org, job_id)
    assert again == {"jobId": job_id, "accepted": False, "reason": "ALREADY_CANCELED"}


def test_cancel_in_finalizing_is_a_conflict(uow_factory: UnitOfWorkFactory) -> None:
    job_id = seed(uow_factory, stage="finalizing")
    org = get(uow_factory)[0].organization_id
    with pytest.raises(RemixerError) as exc:
        jobs.request_cancel(uow_factory, FakeScheduler(), org, job_id)
    assert exc.value.code == ErrorCode.CONFLICT
    assert exc.value.details == {"subcode": "JOB_CANCEL_UNAVAILABLE"}


def test_cancel_of_completed_job_reports_reason(uow_factory: UnitOfWorkFactory) -> None:
    job_id = seed(uow_factory)
    jobs.complete_job(uow_factory, job_id, {})
    org = get(uow_factory)[0].organization_id
    reply = jobs.request_cancel(uow_factory, FakeScheduler(), org, job_id)
    assert reply["reason"] == "ALREADY_COMPLETED"


def test_cancel_of_queued_job_ends_it_at_once(uow_factory: UnitOfWorkFactory) -> None:
    job_id = seed(uow_factory)
    org = get(uow_factory)[0].organization_id
    assert jobs.request_cancel(uow_factory, FakeScheduler(), org, job_id)["accepted"]
    job, container, (balance, reserved, _) = get(uow_factory)
    assert (job.status, container.status, balance, reserved) == ("canceled", "canceled", 1000, 0)
    with pytest.raises(jobs.JobCanceled):
        jobs.begin_stage(uow_factory, job_id, "fetching_source")


def _add_job(uow_factory: UnitOfWorkFactory, like: str, job_id: str, **fields: Any) -> None:
    with uow_factory() as uow:
        template = uow.content.job_by_id(like)
        assert template is not None
        uow.content.add(
            Job(
                id=job_id,
                organization_id=template.organization_id,
                project_id=template.project_id,
                kind="content_generate",
                **fields,
            )
        )
        uow.commit()


class FlakyScheduler(FakeScheduler):
    def enqueue(self, job_id: str, kind: str) -> None:
        if job_id == "job_2":
            raise RuntimeError("queue unavailable")
        super().enqueue(job_id, kind)


def test_dispatch_hands_each_running_job_over_once(uow_factory: UnitOfWorkFactory) -> None:
    first = seed(uow_factory)
    _add_job(uow_factory, first, "job_2")
    _add_job(uow_factory, first, "job_3")
    _add_job(uow_factory, first, "job_4", status="canceled")
    sched = FlakyScheduler()
    assert jobs.dispatch_pending(uow_factory, sched) == ["job_1", "job_3"]
    assert sched.enqueued == [("job_1", "content_generate"), ("job_3", "content_generate")]
    with uow_factory() as uow:
        marked = {j: uow.content.job_by_id(j).dispatched_at for j in ("job_1", "job_2", "job_3")}  # type: ignore[union-attr]
    assert marked["job_1"] and marked["job_3"] and marked["job_2"] is None
    healthy = FakeScheduler()
    assert jobs.dispatch_pending(uow_factory, healthy) == ["job_2"]
    assert jobs.dispatch_pending(uow_factory, healthy) == []
    assert healthy.enqueued == [("job_2", "content_generate")]


def test_reconcile(uow_factory: UnitOfWorkFactory) -> None:
    job_id = seed(uow_factory)
    sched = FakeScheduler()
    assert jobs.reconcile_jobs(uow_factory, sched, sched, min_age_s=60).enqueued == []
    report = jobs.reconcile_jobs(uow_factory, sched, sched, min_age_s=0)
    assert report.enqueued == [job_id] and sched.enqueued == [(job_id, "content_generate")]
    sched.statuses[job_id] = "PENDING"
    assert jobs.reconcile_jobs(uow_factory, sched, sched, min_age_s=0).enqueued == []
    sched.statuses[job_id] = "CANCELLED"
    assert jobs.reconcile_jobs(uow_factory, sched, sched, min_age_s=0).canceled == [job_id]
    assert get(uow_factory)[2][:2] == (1000, 0)


def test_reconcile_fails_a_job_whose_workflow_ended(uow_factory: UnitOfWorkFactory) -> None:
    job_id = seed(uow_factory)
    sched = FakeScheduler()
    sched.statuses[job_id] = "ERROR"
    assert jobs.reconcile_jobs(uow_factory, sched, sched, min_age_s=0).failed == [job_id]
    assert get(uow_factory)[0].error_code == "INTERNAL"


def test_influencer_job_ready_or_failed(uow_factory: UnitOfWorkFactory) -> None:
    job_id = seed(uow_factory, credits=0, kind="influencer_create", influencer_id="inf_1")
    with uow_factory() as uow:
        prj = uow.content.job_by_id(job_id).project_id  # type: ignore[union-attr]
        uow.influencers.add(Influencer(id="inf_1", project_id=prj, name="Ada"))
        uow.commit()
    mark_influencer_training(uow_factory, job_id)
    with uow_factory() as uow:
        assert uow.influencers.get("inf_1").status == "training"  # type: ignore[union-attr]
    jobs.fail_job(uow_factory, job_id, "REFERENCE_PHOTOS_INVALID", "a.jpg: no face")
    assert not complete_influencer_job(uow_factory, job_id, "sha256/x.npz")
    with uow_factory() as uow:
        influencer = uow.influencers.get("inf_1")
        assert influencer is not None
        assert (influencer.status, influencer.error_message) == ("failed", "a.jpg: no face")


def test_influencer_job_completes_ready(uow_factory: UnitOfWorkFactory) -> None:
    job_id = seed(uow_factory, credits=0, kind="influencer_create", influencer_id="inf_2")
    with uow_factory() as uow:
        prj = uow.content.job_by_id(job_id).project_id  # type: ignore[union-attr]
        uow.influencers.add(Influencer(id="inf_2", project_id=prj, name="Bo"))
        uow.commit()
    assert complete_influencer_job(uow_factory, job_id, "sha256/ab/id.npz")
    assert not complete_influencer_job(uow_factory, job_id, "sha256/other.npz")
    with uow_factory() as uow:
        influencer = uow.influencers.get("inf_2")
        assert influencer is not None
        assert (influencer.status, influencer.identity_blob_key) == ("ready", "sha256/ab/id.npz")
    assert get(uow_factory)[0].status == "completed"
