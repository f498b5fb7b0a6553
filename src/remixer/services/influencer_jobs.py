"""The influencer_create job's use cases: training state, reference photos, the identity result.

Failure and cancel go through `services.jobs` (`fail_job` / `finish_canceled`), which
also mark the influencer `failed` with the job's message in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from remixer.domain.errors import not_found
from remixer.domain.jobs import JobStatus
from remixer.observability import metrics
from remixer.services.jobs import mark_job_completed
from remixer.services.webhooks import record_job_events
from remixer.store.tables.content import Job
from remixer.store.uow import UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True)
class ReferencePhoto:
    media_id: str
    blob_key: str


def _influencer_id(job: Job) -> str:
    influencer_id = job.influencer_id or (job.params or {}).get("influencerId")
    if not influencer_id:
        raise not_found("Influencer")
    return str(influencer_id)


def _locked_job(uow: UnitOfWork, job_id: str) -> Job:
    job = uow.content.job_for_update(job_id)
    if job is None:
        raise not_found("Job")
    return job


def mark_influencer_training(uow_factory: UnitOfWorkFactory, job_id: str) -> None:
    """`pending` → `training` once the job starts its first stage."""
    with uow_factory() as uow:
        job = _locked_job(uow, job_id)
        influencer = uow.influencers.get(_influencer_id(job))
        if influencer is not None and influencer.status == "pending":
            influencer.status = "training"
            influencer.updated_at = datetime.now(UTC)
            uow.commit()


def reference_photos(uow_factory: UnitOfWorkFactory, job_id: str) -> list[ReferencePhoto]:
    """The job's reference photos, in the order the client gave them."""
    with uow_factory() as uow:
        job = _locked_job(uow, job_id)
        ids = [str(i) for i in (job.params or {}).get("referenceImageIds", [])]
        media = {m.id: m for m in uow.influencers.media_by_ids(job.organization_id, ids)}
        return [ReferencePhoto(i, media[i].blob_key) for i in ids if i in media]


def complete_influencer_job(
    uow_factory: UnitOfWorkFactory, job_id: str, identity_blob_key: str
) -> bool:
    """Influencer `ready` with its identity and job `completed`, in one transaction.

    Influencer jobs cost no credits. False (nothing changed) when the job was already terminal.
    """
    now = datetime.now(UTC)
    with uow_factory() as uow:
        job = _locked_job(uow, job_id)
        if job.status != JobStatus.RUNNING:
            return False
        mark_job_completed(job, now)
        influencer = uow.influencers.get(_influencer_id(job))
        if influencer is not None:
            influencer.status = "ready"
            influencer.identity_blob_key = identity_blob_key
            influencer.error_message = None
            influencer.updated_at = now
        record_job_events(uow, job, None, now)
        kind = job.kind
        uow.commit()
    metrics.job_finished(kind, JobStatus.COMPLETED.value)
    return True


def influencer_identity_key(uow_factory: UnitOfWorkFactory, influencer_id: str) -> str:
    """The blob key of a ready influencer's face identity (the remix job's face source)."""
    with uow_factory() as uow:
        influencer = uow.influencers.get(influencer_id)
        if influencer is None or not influencer.identity_blob_key:
            raise not_found("Influencer identity")
        return influencer.identity_blob_key
