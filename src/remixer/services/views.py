"""Wire views (camelCase dicts) of stored rows: what the API returns and the CLI prints."""

from __future__ import annotations

from typing import Any

from remixer.domain.time import iso
from remixer.store.tables.accounts import Organization
from remixer.store.tables.content import Container, Job
from remixer.store.tables.influencers import Influencer, Media
from remixer.store.tables.ledger import CreditEvent
from remixer.store.tables.projects import Layer, Project, SocialAccount


def project_view(p: Project) -> dict[str, Any]:
    ctx = p.brand_context or {}
    return {
        "id": p.id,
        "name": p.name,
        "timezone": p.timezone,
        "primaryLanguage": p.primary_language,
        "brandVoice": p.brand_voice,
        "brandContext": {
            "appName": ctx.get("appName"),
            "appDescription": ctx.get("appDescription"),
            "tagline": ctx.get("tagline"),
            "audience": ctx.get("audience"),
            "keywords": ctx.get("keywords", []),
            "bannedPhrases": ctx.get("bannedPhrases", []),
        },
        "status": p.status,
        "createdAt": iso(p.created_at),
        "updatedAt": iso(p.updated_at),
    }


def layer_view(layer: Layer) -> dict[str, Any]:
    return {
        "id": layer.id,
        "projectId": layer.project_id,
        "template": layer.template,
        "config": layer.config,
        "isActive": layer.is_active,
        "createdAt": iso(layer.created_at),
        "updatedAt": iso(layer.updated_at),
    }


def account_view(a: SocialAccount, distribution_layer_id: str | None) -> dict[str, Any]:
    return {
        "id": a.id,
        "projectId": a.project_id,
        "platform": a.platform,
        "handle": a.handle,
        "status": a.status,
        "distributionLayerId": distribution_layer_id,
        "createdAt": iso(a.created_at),
        "updatedAt": iso(a.updated_at),
    }


def influencer_view(i: Influencer) -> dict[str, Any]:
    return {
        "id": i.id,
        "projectId": i.project_id,
        "name": i.name,
        "gender": i.gender,
        "ageRange": i.age_range,
        "brandVoice": i.brand_voice,
        "language": i.language,
        "referenceImageIds": i.reference_image_ids,
        "status": i.status,
        "errorMessage": i.error_message,
        "jobId": i.job_id,
        "createdAt": iso(i.created_at),
        "updatedAt": iso(i.updated_at),
    }


def media_view(m: Media) -> dict[str, Any]:
    return {
        "mediaId": m.id,
        "kind": m.kind,
        "mimeType": m.mime_type,
        "sizeBytes": m.size_bytes,
        "width": m.width,
        "height": m.height,
        "durationMs": m.duration_ms,
        "checksumSha256": m.checksum_sha256,
    }


def job_view(j: Job) -> dict[str, Any]:
    view: dict[str, Any] = {
        "jobId": j.id,
        "kind": j.kind,
        "status": j.status,
        "stage": j.stage,
        "progress": round(j.progress, 4),
        "projectId": j.project_id,
        "containerIds": [j.container_id] if j.container_id else [],
        "startedAt": iso(j.started_at),
        "updatedAt": iso(j.updated_at),
        "etaSeconds": j.eta_seconds if j.status == "running" else 0,
    }
    if j.influencer_id:
        view["influencerId"] = j.influencer_id
    if j.status != "running":
        view["finishedAt"] = iso(j.finished_at)
    if j.status == "completed":
        view["result"] = {"containerId": j.container_id, "assets": []}
    if j.status == "failed":
        view["error"] = {"code": j.error_code, "message": j.error_message}
    return view


def container_view(c: Container, signed_assets: list[dict[str, Any]]) -> dict[str, Any]:
    video = signed_assets[0] if signed_assets else None
    stored = (c.assets or [{}])[0]
    preview = None
    if video is not None:
        preview = {
            "kind": "video",
            "primaryUrl": video["url"],
            "videoUrl": video["url"],
            "thumbnailUrl": video.get("thumbnailUrl"),
            "durationMs": video.get("durationMs"),
            "aspectRatio": stored.get("aspectRatio", "9:16"),
        }
    return {
        "id": c.id,
        "projectId": c.project_id,
        "format": c.format,
        "status": c.status,
        "creativeType": "generated",
        "sourceTiktokId": c.source_tiktok_id,
        "influencerId": c.influencer_id,
        "projectLayerId": c.project_layer_id,
        "hook": c.hook,
        "caption": c.caption,
        "overlays": c.overlays or [],
        "preview": preview,
        "assets": signed_assets,
        "quality": c.quality,
        "approvalStatus": "not_required",
        "sandbox": c.sandbox,
        "createdAt": iso(c.created_at),
        "completedAt": iso(c.completed_at),
        "failedAt": iso(c.failed_at),
        "lastError": c.last_error,
    }


def credits_view(org: Organization, per_format: int) -> dict[str, Any]:
    return {
        "organizationId": org.id,
        "balance": org.credit_balance,
        "reserved": org.credits_reserved,
        "available": max(0, org.credit_balance - org.credits_reserved),
        "estimatedCreditsPerFormat": {"video-remix": per_format},
    }


def credit_event_view(e: CreditEvent) -> dict[str, Any]:
    return {
        "eventId": e.id,
        "eventType": e.event_type,
        "credits": e.credits,
        "balanceAfter": e.balance_after,
        "projectId": e.project_id,
        "containerId": e.container_id,
        "jobId": e.job_id,
        "createdAt": iso(e.created_at),
    }
