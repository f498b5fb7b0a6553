"""The job lifecycle: stages, throttled progress, cancel, and the one transaction that ends a job.

Workflows (DBOS) drive jobs through these functions; nothing here knows DBOS. Every
terminal transition locks the job row and acts only while the job is `running`, so a
step replayed after a worker crash changes nothing twice; the unique
(job_id, event_type) ledger constraint backs the "charged at most once" rule.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.exc import IntegrityError

from remixer.domain.errors import conflict, not_found
from remixer.domain.ids import new_ulid_id
from remixer.domain.jobs import (
    CANCEL_REASONS,
    KIND_INFLUENCER_CREATE,
    JobStatus,
    overall_progress,
)
from remixer.observability import metrics
from remixer.services.assets import register_assets
from remixer.services.ports import JobScheduler
from remixer.services.webhooks import record_job_events
from remixer.store.tables.content import Container, Job
from remixer.store.tables.ledger import CreditEvent
from remixer.store.uow import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

PROGRESS_INTERVAL_S = 0.5
CANCELED_ERROR = {"code": "CANCELED", "message": "The job was canceled."}
_RUN_STARTED = "runStartedAt"


class JobCanceled(Exception):  # noqa: N818 - the name the workflows and stages agree on
    """Raised into a stage when its job was asked to stop (or is no longer running)."""

    def __init__(self, job_id: str) -> None:
        super().__init__(f"job {job_id} was canceled")
        self.job_id = job_id


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ProgressThrottle:
    """Remembers, per job, when progress was last written and cancel last polled."""

    min_interval_s: float = PROGRESS_INTERVAL_S
    clock: Callable[[], float] = time.monotonic
    _last: dict[tuple[str, str], float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def due(self, job_id: str, what: str) -> bool:
        """True (and the clock restarted) when `what` was not done for `job_id` recently."""
        now = self.clock()
        with self._lock:
            last = self._last.get((job_id, what))
            if last is not None and now - last < self.min_interval_s:
                return False
            self._last[(job_id, what)] = now
            return True

    def forget(self, job_id: str) -> None:
        with self._lock:
            for key in [k for k in self._last if k[0] == job_id]:
                del self._last[key]


DEFAULT_THROTTLE = ProgressThrottle()


def estimate_eta_s(elapsed_s: float, progress: float) -> int | None:
    """Seconds left if the job keeps its average pace; None until there is a pace to measure."""
    if progress < 0.02 or elapsed_s < 1.0:
        return None
    return max(1, round(elapsed_s * (1.0 - progress) / progress))


def _run_started(job: Job, now: datetime) -> datetime:
    raw = (job.state or {}).get(_RUN_STARTED)
    return datetime.fromisoformat(raw) if isinstance(raw, str) else now


def begin_stage(uow_factory: UnitOfWorkFactory, job_id: str, stage: str) -> None:
    """Enter `stage`: stage progress 0, container `processing`; JobCanceled if asked to stop."""
    now = _now()
    with uow_factory() as uow:
        job = uow.content.job_for_update(job_id)
        if job is None or job.status != JobStatus.RUNNING or job.cancel_requested:
            raise JobCanceled(job_id)
        state = dict(job.state or {})
        state.setdefault(_RUN_STARTED, now.isoformat())
        progress = max(job.progress, overall_progress(job.kind, stage, 0.0))
        uow.content.update_running_job(
            job_id,
            {
                "stage": stage,
                "stage_progress": 0.0,
                "stage_started_at": now,
                "progress": progress,
                "state": state,
                "updated_at": now,
            },
        )
        container = _container_of(uow, job)
        if container is not None and container.status in ("queued", "processing"):
            container.status = "processing"
            container.updated_at = now
        uow.commit()
    DEFAULT_THROTTLE.forget(job_id)


def report_progress(
    uow_factory: UnitOfWorkFactory,
    job_id: str,
    stage_fraction: float,
    throttle: ProgressThrottle = DEFAULT_THROTTLE,
) -> None:
    """Record progress in the current stage (throttled); raise JobCanceled when asked to stop.

    Overall progress never decreases and stays below 1.0 until `complete_job`.
    """
    if not throttle.due(job_id, "progress"):
        return
    now = _now()
    with uow_factory() as uow:
        job = uow.content.job_by_id(job_id)
        if job is None or job.status != JobStatus.RUNNING or job.cancel_requested:
            raise JobCanceled(job_id)
        fraction = min(max(stage_fraction, 0.0), 1.0)
        progress = max(job.progress, overall_progress(job.kind, job.stage, fraction))
        elapsed = (now - _run_started(job, now)).total_seconds()
        values: dict[str, Any] = {
            "progress": progress,
            "stage_progress": max(job.stage_progress, fraction),
            "eta_seconds": estimate_eta_s(elapsed, progress),
            "updated_at": now,
        }
        uow.content.update_running_job(job_id, values)
        uow.commit()


def check_cancel(
    uow_factory: UnitOfWorkFactory, job_id: str, throttle: ProgressThrottle = DEFAULT_THROTTLE
) -> None:
    """Raise JobCanceled if the job was asked to stop; polls the database at most twice a second."""
    if not throttle.due(job_id, "cancel"):
        return
    with uow_factory() as uow:
        if uow.content.is_cancel_requested(job_id):
            raise JobCanceled(job_id)


def save_stage_output(
    uow_factory: UnitOfWorkFactory, job_id: str, stage: str, output: dict[str, Any]
) -> None:
    """Keep a stage's small JSON output (ids, blob keys, texts) in `job.state[stage]`."""
    with uow_factory() as uow:
        job = uow.content.job_for_update(job_id)
        if job is None:
            raise not_found("Job")
        state = dict(job.state or {})
        state[stage] = output
        uow.content.update_running_job(job_id, {"state": state, "updated_at": _now()})
        uow.commit()


def job_snapshot(uow_factory: UnitOfWorkFactory, job_id: str) -> Job:
    """A detached copy of the job row, for a stage to read its params and earlier outputs."""
    with uow_factory() as uow:
        job = uow.content.job_by_id(job_id)
        if job is None:
            raise not_found("Job")
        uow.session.expunge(job)
        return job


def mark_job_completed(job: Job, now: datetime) -> None:
    """The completed state of a job row (callers own the transaction and the guard)."""
    job.status = JobStatus.COMPLETED
    job.progress = 1.0
    job.stage_progress = 1.0
    job.eta_seconds = 0
    job.finished_at = now
    job.updated_at = now


def complete_job(
    uow_factory: UnitOfWorkFactory, job_id: str, container_fields: dict[str, Any]
) -> bool:
    """Complete the job, fill its container and settle its credits, in one transaction.

    Returns False (and changes nothing) when the job was already terminal: a replay.
    """
    now = _now()
    try:
        with uow_factory() as uow:
            job = uow.content.job_for_update(job_id)
            if job is None or job.status != JobStatus.RUNNING:
                return False
            mark_job_completed(job, now)
            container = _container_of(uow, job)
            if container is not None:
                if container_fields.get("assets"):
                    container_fields = {
                        **container_fields,
                        "assets": register_assets(
                            uow, job.organization_id, job.project_id, container_fields["assets"]
                        ),
                    }
                for name, value in container_fields.items():
                    setattr(container, name, value)
                container.status, container.completed_at, container.updated_at = (
                    "completed",
                    now,
                    now,
                )
            _settle_credits(uow, job, now)
            record_job_events(uow, job, container, now)
            kind = job.kind
            uow.commit()
    except IntegrityError:
        log.warning("job %s: usage already recorded; completion not repeated", job_id)
        return False
    DEFAULT_THROTTLE.forget(job_id)
    metrics.job_finished(kind, JobStatus.COMPLETED.value)
    return True


def _settle_credits(uow: UnitOfWork, job: Job, now: datetime) -> None:
    cost = job.credits_reserved
    if cost <= 0 or uow.ledger.has_job_event(job.id, "usage"):
        return
    balance = uow.accounts.charge_reserved(job.organization_id, cost)
    event = CreditEvent(
        id=new_ulid_id("evt"),
        organization_id=job.organization_id,
        event_type="usage",
        credits=-cost,
        balance_after=balance,
        project_id=job.project_id,
        container_id=job.container_id,
        job_id=job.id,
        created_at=now,
    )
    uow.ledger.add_event(event)
    uow.flush()


def fail_job(uow_factory: UnitOfWorkFactory, job_id: str, code: str, message: str) -> bool:
    """End the job `failed` with `code`, release its reservation; False if already terminal."""
    return _finish(uow_factory, job_id, JobStatus.FAILED, {"code": code, "message": message})


def finish_canceled(uow_factory: UnitOfWorkFactory, job_id: str) -> bool:
    """End the job `canceled`, release its reservation; False if already terminal."""
    return _finish(uow_factory, job_id, JobStatus.CANCELED, CANCELED_ERROR)


def _finish(
    uow_factory: UnitOfWorkFactory, job_id: str, status: JobStatus, error: dict[str, str]
) -> bool:
    now = _now()
    with uow_factory() as uow:
        job = uow.content.job_for_update(job_id)
        if job is None or job.status != JobStatus.RUNNING:
            return False
        _end_job(uow, job, status, error, now)
        kind = job.kind
        uow.commit()
    DEFAULT_THROTTLE.forget(job_id)
    metrics.job_finished(kind, status.value)
    return True


def _end_job(
    uow: UnitOfWork, job: Job, status: JobStatus, error: dict[str, str], now: datetime
) -> None:
    job.status = status
    job.finished_at = job.updated_at = now
    job.eta_seconds = None
    if status == JobStatus.FAILED:
        job.error_code, job.error_message = error["code"], error["message"]
    container = _container_of(uow, job)
    if container is not None:
        container.status = "failed" if status == JobStatus.FAILED else "canceled"
        container.last_error = dict(error)
        container.failed_at = container.updated_at = now
    if job.credits_reserved > 0:
        uow.accounts.release_credits(job.organization_id, job.credits_reserved)
    if job.kind == KIND_INFLUENCER_CREATE:
        _fail_influencer(uow, job, error["message"], now)
    record_job_events(uow, job, container, now)


def _fail_influencer(uow: UnitOfWork, job: Job, message: str, now: datetime) -> None:
    influencer_id = job.influencer_id or (job.params or {}).get("influencerId")
    influencer = uow.influencers.get(influencer_id) if influencer_id else None
    if influencer is not None and influencer.status != "ready":
        influencer.status = "failed"
        influencer.error_message = message
        influencer.updated_at = now


def _container_of(uow: UnitOfWork, job: Job) -> Container | None:
    return uow.content.container_by_id(job.container_id) if job.container_id else None


def request_cancel(
    uow_factory: UnitOfWorkFactory, scheduler: JobScheduler, org_id: str, job_id: str
) -> dict[str, Any]:
    """SPEC §6.2 cancel. A job still `queued` ends `canceled` at once; a running one is flagged
    (its frame loops stop within a second) and its workflow is cancelled."""
    with uow_factory() as uow:
        job = uow.content.job_for_update(job_id)
        if job is None or job.organization_id != org_id:
            raise not_found("Job")
        if job.status != JobStatus.RUNNING:
            return {
                "jobId": job_id,
                "accepted": False,
                "reason": CANCEL_REASONS[JobStatus(job.status)],
            }
        if job.stage == "finalizing":
            raise conflict("JOB_CANCEL_UNAVAILABLE", "The job is finalizing and can't be canceled.")
        job.cancel_requested = True
        job.updated_at = _now()
        if job.stage == "queued":
            _end_job(uow, job, JobStatus.CANCELED, CANCELED_ERROR, job.updated_at)
            metrics.job_finished(job.kind, JobStatus.CANCELED.value)
        uow.commit()
    scheduler.cancel(job_id)
    return {"jobId": job_id, "accepted": True}


DISPATCH_BATCH = 200


def dispatch_pending(
    uow_factory: UnitOfWorkFactory, scheduler: JobScheduler, limit: int = DISPATCH_BATCH
) -> list[str]:
    """Hand committed jobs from the outbox (the `jobs` table) to the durable queue.

    The API only commits the job row; a worker's dispatcher calls this. The enqueues run
    outside any transaction (they write DBOS's own tables, ~1 ms each), then one short
    update marks them. A crash in between, or two workers picking the same job, only
    enqueues a job twice, which attaches to the same workflow (workflow id = job id).
    """
    with uow_factory() as uow:
        pending = list(uow.content.undispatched_jobs(limit))
    done: list[str] = []
    for job_id, kind in pending:
        try:
            scheduler.enqueue(job_id, kind)
        except Exception:
            log.exception("dispatch of job %s failed; retrying at the next tick", job_id)
            continue
        done.append(job_id)
    if done:
        with uow_factory() as uow:
            uow.content.mark_dispatched(done, _now())
            uow.commit()
    return done


class WorkflowLookup(Protocol):
    """Reads the durable workflow behind a job (workflow id = job id); None when there is none."""

    def workflow_status(self, job_id: str) -> str | None: ...


@dataclass
class ReconcileReport:
    enqueued: list[str] = field(default_factory=list)
    canceled: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


_ACTIVE_WORKFLOW = frozenset({"ENQUEUED", "PENDING", "DELAYED"})


def reconcile_jobs(
    uow_factory: UnitOfWorkFactory,
    scheduler: JobScheduler,
    lookup: WorkflowLookup,
    min_age_s: float = 10.0,
) -> ReconcileReport:
    """Bring running jobs and their workflows back in line.

    No workflow (accept crashed before enqueueing) → enqueue it (attaching is safe);
    workflow cancelled outside a step → finish `canceled`; workflow ended without
    ending the job → fail `INTERNAL`. Active workflows are left alone.
    """
    report = ReconcileReport()
    with uow_factory() as uow:
        ids = list(uow.content.queued_job_ids(_now() - timedelta(seconds=min_age_s)))
    for job_id in ids:
        status = lookup.workflow_status(job_id)
        if status in _ACTIVE_WORKFLOW:
            continue
        if status is None:
            _enqueue_again(uow_factory, scheduler, job_id, report)
        elif status == "CANCELLED":
            if finish_canceled(uow_factory, job_id):
                report.canceled.append(job_id)
        elif fail_job(uow_factory, job_id, "INTERNAL", "The job stopped unexpectedly."):
            log.error("job %s: workflow ended %s with the job still running", job_id, status)
            report.failed.append(job_id)
    return report


def _enqueue_again(
    uow_factory: UnitOfWorkFactory, scheduler: JobScheduler, job_id: str, report: ReconcileReport
) -> None:
    with uow_factory() as uow:
        job = uow.content.job_by_id(job_id)
        kind = job.kind if job is not None and job.status == JobStatus.RUNNING else None
    if kind is not None:
        log.info("job %s has no workflow; enqueueing it again", job_id)
        scheduler.enqueue(job_id, kind)
        report.enqueued.append(job_id)
