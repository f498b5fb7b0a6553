"""Influencers (SPEC §6.6): creating one starts an `influencer_create` job; read, update, delete."""

from __future__ import annotations

from typing import Any

from remixer.domain import credits
from remixer.domain.errors import not_found, validation
from remixer.domain.ids import new_ulid_id, new_uuid_id
from remixer.domain.jobs import KIND_INFLUENCER_CREATE
from remixer.domain.principal import Principal
from remixer.domain.time import now
from remixer.services.paging import decode_id_cursor, id_page
from remixer.services.ports import JobScheduler
from remixer.services.projects import load_project
from remixer.services.views import influencer_view, job_view
from remixer.store.tables.content import Job
from remixer.store.tables.influencers import Influencer
from remixer.store.uow import UnitOfWork, UnitOfWorkFactory

EDITABLE = {
    "name": "name",
    "brandVoice": "brand_voice",
    "language": "language",
    "gender": "gender",
    "ageRange": "age_range",
}


def create_influencer(
    uow_factory: UnitOfWorkFactory,
    scheduler: JobScheduler,
    org_id: str,
    project_id: str,
    fields: dict[str, Any],
    principal: Principal | None = None,
) -> dict[str, Any]:
    """Start the influencer's build job; 429 at the organization's concurrent-job cap."""
    image_ids: list[str] = fields["referenceImageIds"]
    with uow_factory() as uow:
        load_project(uow, org_id, project_id, active=True)
        cap = None if principal is None else credits.job_cap(principal.rate_limit_tier)
        if cap is not None:
            credits.check_job_cap(cap, uow.content.running_jobs_locked(org_id))
        found = {m.id: m for m in uow.influencers.media_by_ids(org_id, image_ids)}
        for index, media_id in enumerate(image_ids):
            media = found.get(media_id)
            if media is None or media.project_id != project_id:  # SPEC §6.6: in this project
                raise not_found("Media")
            if media.kind != "image":
                raise validation(f"body.referenceImageIds.{index}", "must be an image")
        influencer = Influencer(
            id=new_uuid_id("inf"), project_id=project_id, reference_image_ids=image_ids
        )
        for wire, column in EDITABLE.items():
            if wire in fields:
                setattr(influencer, column, fields[wire])
        job = Job(
            id=new_ulid_id("job"),
            organization_id=org_id,
            project_id=project_id,
            kind=KIND_INFLUENCER_CREATE,
            influencer_id=influencer.id,
            params={"influencerId": influencer.id, "referenceImageIds": image_ids},
        )
        influencer.job_id = job.id
        uow.influencers.add(influencer)
        uow.content.add(job)
        uow.commit()
        view = job_view(job)
    scheduler.enqueue(job.id, KIND_INFLUENCER_CREATE)
    return view


def _load(uow: UnitOfWork, org_id: str, influencer_id: str) -> Influencer:
    influencer = uow.influencers.get(influencer_id)
    if influencer is None or influencer.deleted:
        raise not_found("Influencer")
    if uow.projects.get(org_id, influencer.project_id) is None:
        raise not_found("Influencer")
    return influencer


def get_influencer(
    uow_factory: UnitOfWorkFactory, org_id: str, influencer_id: str
) -> dict[str, Any]:
    with uow_factory() as uow:
        return influencer_view(_load(uow, org_id, influencer_id))


def list_influencers(
    uow_factory: UnitOfWorkFactory, org_id: str, project_id: str, cursor: str | None, limit: int
) -> dict[str, Any]:
    with uow_factory() as uow:
        load_project(uow, org_id, project_id)
        rows = uow.influencers.list(project_id, decode_id_cursor(cursor), limit + 1)
        return id_page(rows, limit, influencer_view)


def update_influencer(
    uow_factory: UnitOfWorkFactory, org_id: str, influencer_id: str, fields: dict[str, Any]
) -> dict[str, Any]:
    with uow_factory() as uow:
        influencer = _load(uow, org_id, influencer_id)
        for wire, column in EDITABLE.items():
            if wire in fields:
                setattr(influencer, column, fields[wire])
        influencer.updated_at = now()
        uow.commit()
        return influencer_view(influencer)


def delete_influencer(uow_factory: UnitOfWorkFactory, org_id: str, influencer_id: str) -> None:
    with uow_factory() as uow:
        influencer = _load(uow, org_id, influencer_id)
        influencer.deleted = True
        influencer.updated_at = now()
        uow.commit()
