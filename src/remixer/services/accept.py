"""Accept a video-remix (SPEC §6.1): every check in the contract's order, then one transaction
writing the credit reservation, the container, the job and the idempotency record.

The whole accept — key lookup included — is one unit of work for the store's
`TransactionBatcher` (group commit): it runs on the batcher's thread, inside a savepoint
of a transaction shared with the other accepts that arrived meanwhile, and uses Core
statements (`store.hotpath`) rather than the ORM. Its only input is the raw request.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from remixer.domain.errors import ErrorCode, RemixerError, conflict, not_found, validation
from remixer.domain.ids import new_ulid_id, new_uuid_id, parse_id
from remixer.domain.jobs import KIND_CONTENT_GENERATE
from remixer.domain.principal import Principal
from remixer.domain.time import iso, now
from remixer.services import idempotency
from remixer.services.auth import authenticate, require_scope
from remixer.services.bodies import decode_json_body
from remixer.services.idempotency import StoredResponse
from remixer.services.wiring import resolve_influencer
from remixer.store import hotpath
from remixer.store.hotpath import InfluencerRecord, ProjectRecord
from remixer.store.uow import uow_on

TIKTOK_ID_RE = re.compile(r"^[0-9]{15,21}$")
CONCURRENT_JOB_CAP = {"standard": 10, "pilot": 50, "partner": 200}
CAP_RETRY_AFTER_S = 30
ENDPOINT_CLASS = "long-running"
SCOPE = "content:write"
ROUTE = "/v1/projects/{projectId}/content/video-remix"

RateCheck = Callable[[str | None, str, str], dict[str, str]]
"""(tier or None for an unauthenticated caller, endpoint class, identity) → rate headers;
raises RATE_LIMITED (with its headers) over the bucket."""


@dataclass(frozen=True)
class RemixRequest:
    tiktok_video_id: str
    social_account_id: str | None
    influencer_id: str | None

    @property
    def lookups(self) -> tuple[str | None, str | None]:
        """(influencer id, TikTok id) to read with the project."""
        return self.influencer_id, self.tiktok_video_id


@dataclass
class RemixCall:
    """One HTTP call to video-remix, as received; the unit fills in `rate_headers`."""

    authorization: str | None
    client: str
    project_id: str
    body: bytes
    content_type: str
    idempotency_key: str | None
    source_checked: bool = False
    rated: bool = False
    rate_headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Accepted:
    response: StoredResponse
    job_id: str | None
    replayed: bool


@dataclass(frozen=True)
class Refused:
    """An accept that wrote nothing: the error to answer with, or a signal to the caller
    (`SourceCheckNeededError`, `IdempotencyRaceError`) to act and submit again."""

    error: Exception


class SourceCheckNeededError(Exception):
    """The id is not in the catalog: ask the providers (network) outside the transaction,
    then submit the call again with `source_checked=True`."""

    def __init__(self, tiktok_id: str) -> None:
        super().__init__(tiktok_id)
        self.tiktok_id = tiktok_id


class IdempotencyRaceError(Exception):
    """Another transaction stored this Idempotency-Key first; submit again to replay it."""


def unresolvable_source() -> RemixerError:
    return RemixerError(
        ErrorCode.INVALID_TIKTOK_ID, "No configured source can fetch this tiktokVideoId."
    )


def remix_unit(
    call: RemixCall, rate: RateCheck, credits_per_remix: int
) -> Callable[[Connection], Accepted | Refused]:
    """The accept as a unit of work for `TransactionBatcher.submit`: refusals are returned
    (having written nothing), so they never roll back the accepts batched with them."""

    def work(conn: Connection) -> Accepted | Refused:
        try:
            return _accept(conn, call, rate, credits_per_remix)
        except (RemixerError, SourceCheckNeededError, IdempotencyRaceError) as exc:
            return Refused(exc)

    return work


def _accept(conn: Connection, call: RemixCall, rate: RateCheck, credits: int) -> Accepted:
    principal = _authorize(conn, call, rate)
    pid = parse_id(call.project_id, "prj", "path.projectId")
    # The body is parsed now so that one statement reads the project, the influencer and
    # the catalog entry; its errors are raised in their place in §6.1's order.
    parsed = _parse(call)
    named = (None, None) if isinstance(parsed, RemixerError) else parsed.lookups
    plan = hotpath.remix_plan(conn, principal.organization_id, pid, *named)
    if plan is None:
        raise not_found("Project")
    project = plan.project
    if project.status == "archived":
        raise conflict("PROJECT_ARCHIVED", "The project is archived.")
    scope_key = None
    if call.idempotency_key is not None:
        key = idempotency.validate_key(call.idempotency_key)
        scope_key = idempotency.scope_key_for(principal.api_key_id, "POST", ROUTE, [pid], key)
        body_hash = idempotency.canonical_body_hash(call.body)
        stored = _stored_response(conn, scope_key, body_hash)
        if stored is not None:
            return Accepted(stored, None, replayed=True)
    if isinstance(parsed, RemixerError):
        raise parsed
    request = parsed
    influencer, layer_id = _resolve(conn, project, request, plan.influencer)
    if not call.source_checked and not plan.in_catalog:
        raise SourceCheckNeededError(request.tiktok_video_id)
    cost = 0 if principal.sandbox else credits
    if scope_key is None:
        _check_capacity(conn, principal, cost)
        response, job_id = _create(conn, principal, project, request, influencer, layer_id, cost)
        return Accepted(response, job_id, replayed=False)
    # A concurrent transaction (PostgreSQL) may store the same key first: the savepoint
    # takes the reservation and the rows back with the failed insert.
    savepoint = conn.begin_nested()
    try:
        _check_capacity(conn, principal, cost)
        response, job_id = _create(conn, principal, project, request, influencer, layer_id, cost)
        _store_response(conn, scope_key, body_hash, response)
    except IntegrityError as exc:
        savepoint.rollback()
        raise IdempotencyRaceError() from exc
    except RemixerError:
        savepoint.rollback()
        raise
    savepoint.commit()
    return Accepted(response, job_id, replayed=False)


def _authorize(conn: Connection, call: RemixCall, rate: RateCheck) -> Principal:
    """auth → scope → rate limit, in the SPEC's order."""
    try:
        principal = authenticate(partial(hotpath.key_record, conn), call.authorization)
    except RemixerError:
        call.rate_headers = rate(None, ENDPOINT_CLASS, call.client)
        raise
    require_scope(principal, SCOPE)
    if not call.rated:  # a resubmitted call was counted the first time
        call.rate_headers = rate(principal.rate_limit_tier, ENDPOINT_CLASS, principal.api_key_id)
        call.rated = True
    return principal


def _stored_response(conn: Connection, scope_key: str, body_hash: str) -> StoredResponse | None:
    """A replay, a conflict, or None when the key is free (an expired record is removed)."""
    row = hotpath.idempotency_row(conn, scope_key)
    if row is None:
        return None
    current = now()
    stale = row.state == "in_flight" and row.created_at < current - idempotency.STALE_IN_FLIGHT
    if row.expires_at < current or stale:
        hotpath.delete_idempotency(conn, scope_key)
        return None
    return idempotency.check_existing(row, body_hash)


def _store_response(
    conn: Connection, scope_key: str, body_hash: str, response: StoredResponse
) -> None:
    current = now()
    values = {
        "scope_key": scope_key,
        "body_hash": body_hash,
        "state": "completed",
        "status_code": response.status_code,
        "response_body": response.body,
        "response_headers": json.dumps(response.headers),
        "created_at": current,
        "expires_at": current + idempotency.REPLAY_WINDOW,
    }
    hotpath.insert_idempotency(conn, values)


def _parse(call: RemixCall) -> RemixRequest | RemixerError:
    try:
        return validate_request(parse_body_fields(decode_json_body(call.body, call.content_type)))
    except RemixerError as exc:
        return exc


def _resolve(
    conn: Connection,
    project: ProjectRecord,
    request: RemixRequest,
    named: InfluencerRecord | None,
) -> tuple[InfluencerRecord, str | None]:
    """Referenced ids → wiring chain (§6.7) → influencer ready. `named` is the influencer
    `request.influencer_id` names, as read with the project (None: not in the project)."""
    if request.social_account_id is None:
        if named is None:
            raise not_found("Influencer")
        influencer, layer_id = named, None
    else:
        with uow_on(conn) as uow:
            resolution = resolve_influencer(
                uow, project.id, request.social_account_id, request.influencer_id
            )
            chosen = resolution.influencer
            influencer = InfluencerRecord(
                chosen.id, chosen.status, chosen.brand_voice, chosen.language
            )
            layer_id = resolution.project_layer_id
    if influencer.status != "ready":
        raise conflict("INFLUENCER_NOT_READY", "The influencer is not ready yet.")
    return influencer, layer_id


def _check_capacity(conn: Connection, principal: Principal, cost: int) -> None:
    org_id = principal.organization_id
    cap = CONCURRENT_JOB_CAP.get(principal.rate_limit_tier)
    if cap is not None:
        # Serialise accepts per organization (PostgreSQL) so the count cannot race.
        hotpath.lock_org(conn, org_id)
        if hotpath.running_jobs(conn, org_id) >= cap:
            raise RemixerError(
                ErrorCode.RATE_LIMITED,
                f"At most {cap} jobs may run at once for this organization.",
                {"limit": cap, "kind": "concurrent_jobs"},
                headers={"Retry-After": str(CAP_RETRY_AFTER_S)},
            )
    if cost and not hotpath.reserve_credits(conn, org_id, cost):
        raise RemixerError(
            ErrorCode.BILLING_EXHAUSTED,
            "The organization's available credits cannot cover this job.",
            {"required": cost},
        )


def _create(
    conn: Connection,
    principal: Principal,
    project: ProjectRecord,
    request: RemixRequest,
    influencer: InfluencerRecord,
    layer_id: str | None,
    cost: int,
) -> tuple[StoredResponse, str]:
    org_id = principal.organization_id
    voice = influencer.brand_voice or project.brand_voice or "authentic"
    language = influencer.language or project.primary_language or "en"
    tiktok_id = request.tiktok_video_id
    container_id, job_id, started = new_uuid_id("cnt"), new_ulid_id("job"), now()
    hotpath.insert_container(
        conn,
        {
            "id": container_id,
            "organization_id": org_id,
            "project_id": project.id,
            "source_tiktok_id": tiktok_id,
            "influencer_id": influencer.id,
            "project_layer_id": layer_id,
            "voice": voice,
            "language": language,
            "sandbox": principal.sandbox,
            "overlays": [],
            "assets": [],
            "created_at": started,
            "updated_at": started,
        },
    )
    hotpath.insert_job(
        conn,
        {
            "id": job_id,
            "organization_id": org_id,
            "project_id": project.id,
            "kind": KIND_CONTENT_GENERATE,
            "container_id": container_id,
            "influencer_id": influencer.id,
            "credits_reserved": cost,
            "params": {
                "tiktokVideoId": tiktok_id,
                "influencerId": influencer.id,
                "voice": voice,
                "language": language,
                "brand": project.brand_context,
                "sandbox": principal.sandbox,
                "projectLayerId": layer_id,
            },
            "started_at": started,
            "updated_at": started,
        },
    )
    location = f"/v1/jobs/{job_id}"
    body = {
        "jobId": job_id,
        "kind": KIND_CONTENT_GENERATE,
        "status": "running",
        "stage": "queued",
        "projectId": project.id,
        "containerIds": [container_id],
        "locationUrl": location,
        "startedAt": iso(started),
    }
    encoded = json.dumps(body, separators=(",", ":")).encode()
    return StoredResponse(202, encoded, {"Location": location}), job_id


def validate_request(body: dict[str, Any]) -> RemixRequest:
    """INFLUENCER_REQUIRED → tiktok id format (shape errors were raised by the parser)."""
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
