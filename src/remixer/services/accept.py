"""Accept a video-remix (SPEC §6.1): every check in the contract's order, then one transaction
writing the credit reservation, the container, the job and the idempotency record."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from remixer.domain.errors import ErrorCode, RemixerError, conflict, validation
from remixer.domain.ids import new_ulid_id, new_uuid_id, parse_id
from remixer.domain.jobs import KIND_CONTENT_GENERATE
from remixer.domain.principal import Principal
from remixer.domain.time import iso
from remixer.services.idempotency import Claim, StoredResponse, record_response
from remixer.services.ports import JobScheduler, SourceResolver
from remixer.services.projects import load_project
from remixer.services.wiring import resolve_influencer
from remixer.store.tables.content import Container, Job
from remixer.store.tables.influencers import Influencer
from remixer.store.tables.projects import Project
from remixer.store.uow import UnitOfWork, UnitOfWorkFactory

TIKTOK_ID_RE = re.compile(r"^[0-9]{15,21}$")
CONCURRENT_JOB_CAP = {"standard": 10, "pilot": 50, "partner": 200}
CAP_RETRY_AFTER_S = 30


@dataclass(frozen=True)
class RemixRequest:
    tiktok_video_id: str
    social_account_id: str | None
    influencer_id: str | None


@dataclass(frozen=True)
class AcceptPorts:
    scheduler: JobScheduler
    sources: SourceResolver
    credits_per_remix: int
    read_uow_factory: UnitOfWorkFactory


def check_project(uow_factory: UnitOfWorkFactory, org_id: str, project_id: str) -> None:
    """404 / PROJECT_ARCHIVED checks that precede idempotency in §6.1's order."""
    with uow_factory() as uow:
        load_project(uow, org_id, project_id, active=True)


def validate_request(body: dict[str, Any]) -> RemixRequest:
    """Shape-checked fields → INFLUENCER_REQUIRED → tiktok id format → id shapes."""
    if body.get("socialAccountId") is None and body.get("influencerId") is None:
        raise RemixerError(
            ErrorCode.INFLUENCER_REQUIRED,
            "video-remix needs an on-camera influencer. Pass socialAccountId (with a wired "
            "influencer) or influencerId.",
        )
    tiktok_id = body["tiktokVideoId"]
    if not TIKTOK_ID_RE.match(tiktok_id):
        raise RemixerError(
            ErrorCode.INVALID_TIKTOK_ID, "tiktokVideoId must be a TikTok post id (15-21 digits)."
        )
    return RemixRequest(tiktok_id, body.get("socialAccountId"), body.get("influencerId"))


def _voice_and_language(influencer: Influencer, project: Project) -> tuple[str, str]:
    voice = influencer.brand_voice or project.brand_voice or "authentic"
    language = influencer.language or project.primary_language or "en"
    return voice, language


def _check_capacity(uow: UnitOfWork, principal: Principal, cost: int) -> None:
    cap = CONCURRENT_JOB_CAP.get(principal.rate_limit_tier)
    if cap is not None and uow.accounts.count_running_jobs(principal.organization_id) >= cap:
        raise RemixerError(
            ErrorCode.RATE_LIMITED,
            f"At most {cap} jobs may run at once for this organization.",
            {"limit": cap, "kind": "concurrent_jobs"},
            headers={"Retry-After": str(CAP_RETRY_AFTER_S)},
        )
    if cost and not uow.accounts.reserve_credits(principal.organization_id, cost):
        raise RemixerError(
            ErrorCode.BILLING_EXHAUSTED,
            "The organization's available credits cannot cover this job.",
            {"required": cost},
        )


def accept_remix(
    uow_factory: UnitOfWorkFactory,
    ports: AcceptPorts,
    principal: Principal,
    project_id: str,
    request: RemixRequest | RemixerError,
    claim: Claim | None,
) -> StoredResponse:
    """Run the checks after auth/scope/rate limit, then write the job.

    `request` is the body-validation outcome, raised only after the project checks so
    that a missing project wins over a bad body (SPEC §6.1). The lookups run in a read
    transaction (on SQLite it never waits for writers); the write transaction only
    checks capacity, reserves credits and inserts, so writers hold the lock briefly.
    """
    with ports.read_uow_factory() as uow:
        project = load_project(uow, principal.organization_id, project_id, active=True)
        if isinstance(request, RemixerError):
            raise request
        plan = _plan(uow, project, request)
    if not plan.in_catalog and not ports.sources.is_resolvable(request.tiktok_video_id):
        raise RemixerError(
            ErrorCode.INVALID_TIKTOK_ID, "No configured source can fetch this tiktokVideoId."
        )
    with uow_factory() as uow:
        response = _create(uow, ports, principal, plan, claim)
    ports.scheduler.enqueue(plan.job_id, KIND_CONTENT_GENERATE)
    return response


@dataclass(frozen=True)
class _Plan:
    project_id: str
    request: RemixRequest
    influencer_id: str
    layer_id: str | None
    voice: str
    language: str
    brand: dict[str, Any]
    in_catalog: bool
    job_id: str


def _plan(uow: UnitOfWork, project: Project, request: RemixRequest) -> _Plan:
    resolution = resolve_influencer(
        uow, project.id, request.social_account_id, request.influencer_id
    )
    if resolution.influencer.status != "ready":
        raise conflict("INFLUENCER_NOT_READY", "The influencer is not ready yet.")
    voice, language = _voice_and_language(resolution.influencer, project)
    return _Plan(
        project_id=project.id,
        request=request,
        influencer_id=resolution.influencer.id,
        layer_id=resolution.project_layer_id,
        voice=voice,
        language=language,
        brand=dict(project.brand_context or {}),
        in_catalog=uow.catalog.get(request.tiktok_video_id) is not None,
        job_id=new_ulid_id("job"),
    )


def _create(
    uow: UnitOfWork, ports: AcceptPorts, principal: Principal, plan: _Plan, claim: Claim | None
) -> StoredResponse:
    org_id = principal.organization_id
    cost = 0 if principal.sandbox else ports.credits_per_remix
    if principal.rate_limit_tier in CONCURRENT_JOB_CAP:
        # Serialise accepts per organization so the running-job count cannot race.
        uow.accounts.get_org_for_update(org_id)
    _check_capacity(uow, principal, cost)
    tiktok_id = plan.request.tiktok_video_id
    container = Container(
        id=new_uuid_id("cnt"),
        organization_id=org_id,
        project_id=plan.project_id,
        source_tiktok_id=tiktok_id,
        influencer_id=plan.influencer_id,
        project_layer_id=plan.layer_id,
        voice=plan.voice,
        language=plan.language,
        sandbox=principal.sandbox,
        overlays=[],
        assets=[],
    )
    job = Job(
        id=plan.job_id,
        organization_id=org_id,
        project_id=plan.project_id,
        kind=KIND_CONTENT_GENERATE,
        container_id=container.id,
        influencer_id=plan.influencer_id,
        credits_reserved=cost,
        params={
            "tiktokVideoId": tiktok_id,
            "influencerId": plan.influencer_id,
            "voice": plan.voice,
            "language": plan.language,
            "brand": plan.brand,
            "sandbox": principal.sandbox,
            "projectLayerId": plan.layer_id,
        },
    )
    uow.content.add(container)
    uow.content.add(job)
    uow.flush()
    response = _accepted_response(job, container)
    if claim is not None:
        record_response(uow, claim, response)
    uow.commit()
    return response


def _accepted_response(job: Job, container: Container) -> StoredResponse:
    location = f"/v1/jobs/{job.id}"
    body = {
        "jobId": job.id,
        "kind": job.kind,
        "status": "running",
        "stage": "queued",
        "projectId": job.project_id,
        "containerIds": [container.id],
        "locationUrl": location,
        "startedAt": iso(job.started_at),
    }
    return StoredResponse(
        202, json.dumps(body, separators=(",", ":")).encode(), {"Location": location}
    )


def parse_body_fields(raw: Any) -> dict[str, Any]:
    """Body shape: an object with known string fields and well-shaped ids (VALIDATION)."""
    if not isinstance(raw, dict):
        raise validation("body", "must be a JSON object")
    allowed = {"tiktokVideoId": None, "socialAccountId": "sa", "influencerId": "inf"}
    issues = [{"path": f"body.{k}", "message": "unknown field"} for k in raw if k not in allowed]
    if "tiktokVideoId" not in raw:
        issues.append({"path": "body.tiktokVideoId", "message": "required"})
    fields: dict[str, Any] = {}
    for key, prefix in allowed.items():
        value = raw.get(key)
        if value is None and key != "tiktokVideoId":
            continue
        if not isinstance(value, str):
            issues.append({"path": f"body.{key}", "message": "must be a string"})
        elif prefix is None:
            fields[key] = value
        else:
            try:
                fields[key] = parse_id(value, prefix, f"body.{key}")
            except RemixerError as exc:
                issues.extend(exc.details["issues"])
    if issues:
        raise RemixerError(ErrorCode.VALIDATION, "The request body is invalid.", {"issues": issues})
    return fields
