"""Read side of jobs and containers: views with signed asset URLs, lists, progress."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from remixer.blobs.signing import UrlSigner
from remixer.domain.brand import BrandContext, BrandProfile
from remixer.domain.errors import not_found
from remixer.domain.time import iso
from remixer.services.media import SOURCE_THUMB_PREFIX, sign_asset
from remixer.services.paging import decode_time_cursor, time_page
from remixer.services.projects import load_project
from remixer.services.recommendations import (
    IndexCache,
    recommend_sources,
    recommendation_to_dict,
)
from remixer.services.views import container_view, job_view
from remixer.store.tables.content import Container
from remixer.store.uow import UnitOfWorkFactory


def get_job(
    uow_factory: UnitOfWorkFactory, signer: UrlSigner, org_id: str, job_id: str
) -> dict[str, Any]:
    with uow_factory() as uow:
        job = uow.content.get_job(org_id, job_id)
        if job is None:
            raise not_found("Job")
        view = job_view(job)
        if "result" in view and job.container_id:
            container = uow.content.container_by_id(job.container_id)
            assets = container.assets if container is not None else []
            view["result"]["assets"] = [sign_asset(signer, a) for a in assets or []]
        return view


def _container(signer: UrlSigner, container: Container) -> dict[str, Any]:
    return container_view(container, [sign_asset(signer, a) for a in container.assets or []])


def get_container(
    uow_factory: UnitOfWorkFactory, signer: UrlSigner, org_id: str, container_id: str
) -> dict[str, Any]:
    with uow_factory() as uow:
        container = uow.content.get_container(org_id, container_id)
        if container is None:
            raise not_found("Content")
        return _container(signer, container)


def get_progress(uow_factory: UnitOfWorkFactory, org_id: str, container_id: str) -> dict[str, Any]:
    with uow_factory() as uow:
        container = uow.content.get_container(org_id, container_id)
        if container is None:
            raise not_found("Content")
        job = uow.content.job_for_container(container_id)
        return {
            "containerId": container.id,
            "status": container.status,
            "stage": job.stage if job else None,
            "stageProgress": round(job.stage_progress, 4) if job else None,
            "progress": round(job.progress, 4) if job else None,
            "etaSeconds": job.eta_seconds if job and job.status == "running" else 0,
            "updatedAt": iso(job.updated_at if job else container.updated_at),
        }


def list_containers(
    uow_factory: UnitOfWorkFactory,
    signer: UrlSigner,
    org_id: str,
    project_id: str,
    filters: dict[str, str | datetime | None],
    cursor: str | None,
    limit: int,
) -> dict[str, Any]:
    with uow_factory() as uow:
        load_project(uow, org_id, project_id)
        rows = uow.content.list_containers(
            project_id, filters, decode_time_cursor(cursor), limit + 1
        )
        return time_page(rows, limit, lambda c: _container(signer, c))


def recommend_for_project(
    uow_factory: UnitOfWorkFactory,
    signer: UrlSigner,
    org_id: str,
    project_id: str,
    keyword: str | None,
    kind: str,
    limit: int,
    *,
    cache: IndexCache,
) -> dict[str, Any]:
    """SPEC §6.4: catalog items ranked for the project's brand (and `keyword`)."""
    with uow_factory() as uow:
        project = load_project(uow, org_id, project_id)
        ctx = project.brand_context or {}
        brand = BrandProfile(
            context=BrandContext(
                app_name=ctx.get("appName"),
                app_description=ctx.get("appDescription"),
                tagline=ctx.get("tagline"),
                audience=ctx.get("audience"),
                keywords=tuple(ctx.get("keywords", [])),
                banned_phrases=tuple(ctx.get("bannedPhrases", [])),
            ),
            voice=project.brand_voice or "authentic",
            language=project.primary_language or "en",
        )
    items = []
    for rec in recommend_sources(
        uow_factory, brand, keyword, kind, limit, cache=cache, organization_id=org_id
    ):
        item = recommendation_to_dict(rec)
        item.pop("thumbnailKey", None)
        item["thumbnailUrl"] = (
            signer.url_for(SOURCE_THUMB_PREFIX + rec.tiktok_id) if rec.thumbnail_key else None
        )
        items.append(item)
    return {"items": items, "source": "search" if keyword else "portfolio", "nextCursor": None}
