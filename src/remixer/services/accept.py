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
from typing import Any, TypeVar

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
from remixer.services.job_caps import CAP_RETRY_AFTER_S, CONCURRENT_JOB_CAP, check_sandbox_cap
from remixer.services.wiring import resolve_influencer
from remixer.store import hotpath
from remixer.store.hotpath import InfluencerRecord, KeyRecord, ProjectRecord, batch_writes
from remixer.store.uow import uow_on

TIKTOK_ID_RE = re.compile(r"^[0-9]{15,21}$")
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
    # The path and body are parsed first so that one statement reads the key, the project,
    # the influencer and the catalog entry; their errors are raised in §6.1's order.
    pid = _or_error(lambda: parse_id(call.project_id, "prj", "path.projectId"))
    parsed = _or_error(lambda: _parse(call))
    principal, read = _authorize(conn, call, rate, pid, parsed)
    if isinstance(pid, RemixerError):
        raise pid
    project = read.project
    if project is None:
        raise not_found("Project")
    if project.status == "archived":
        raise conflict("PROJECT_ARCHIVED", "The project is archived.")
    scope_key = body_hash = None
    if call.idempotency_key is not None:
        key = idempotency.validate_key(call.idempotency_key)
        scope_key = idempotency.scope_key_for(principal.api_key_id, "POST", ROUTE, [pid], key)
        body_hash = idempotency.canonical_body_hash(call.body)
        stored = _stored_response(conn, scope_key, body_hash)
        if stored is not None:
            return Accepted(stored, None, replayed=True)
    if isinstance(parsed, RemixerError):
        raise parsed
    influencer, layer_id = _resolve(conn, project, parsed, read.influencer)
    if not call.source_checked and not read.in_catalog:
        raise SourceCheckNeededError(parsed.tiktok_video_id)
    cost = 0 if principal.sandbox else credits
    rows = _rows(principal, project, parsed, influencer, layer_id, cost)
    if scope_key is None or body_hash is None:
        _reserve(conn, principal, cost)
        batch_writes(conn).add(rows.container, rows.job)
        return Accepted(rows.response, rows.job_id, replayed=False)
    # The key's record goes in first, in a savepoint: a concurrent transaction
    # (PostgreSQL) that stored the same key makes it fail before anything else is done,
    # and a refused reservation takes it back out.
    savepoint = conn.begin_nested()
    try:
        _store_response(conn, scope_key, body_hash, rows.response)
        _reserve(conn, principal, cost)
    except IntegrityError as exc:
        savepoint.rollback()
        raise IdempotencyRaceError() from exc
    except RemixerError:
        savepoint.rollback()
        raise
    savepoint.commit()
    batch_writes(conn).add(rows.container, rows.job)
    return Accepted(rows.response, rows.job_id, replayed=False)


E = TypeVar("E")


def _or_error(parse: Callable[[], E]) -> E | RemixerError:
    try:
        return parse()
    except RemixerError as exc:
        return exc


def _authorize(
    conn: Connection,
    call: RemixCall,
    rate: RateCheck,
    pid: str | RemixerError,
    parsed: RemixRequest | RemixerError,
) -> tuple[Principal, hotpath.AcceptRead]:
    """auth → scope → rate limit, in the SPEC's order; also returns the accept's one read."""
    found: list[hotpath.AcceptRead] = []

    def lookup(key_id: str) -> KeyRecord | None:
        named = (None, None) if isinstance(parsed, RemixerError) else parsed.lookups
        project_id = None if isinstance(pid, RemixerError) else pid
        read = hotpath.accept_read(conn, key_id, project_id, *named)
        found.extend([read] if read is not None else [])
        return None if read is None else read.key

    try:
        principal = authenticate(lookup, call.authorization)
    except RemixerError:
        call.rate_headers = rate(None, ENDPOINT_CLASS, call.client)
        raise
    require_scope(principal, SCOPE)
    if not call.rated:  # a resubmitted call was counted the first time
        call.rate_headers = rate(principal.rate_limit_tier, ENDPOINT_CLASS, principal.api_key_id)
        call.rated = True
    return principal, found[0]


def _parse(call: RemixCall) -> RemixRequest:
    return validate_request(parse_body_fields(decode_json_body(call.body, call.content_type)))


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


def _reserve(conn: Connection, principal: Principal, cost: int) -> None:
    """Concurrent-job cap (429), then the credit reservation (402)."""
    org_id = principal.organization_id
    writes = batch_writes(conn)
    cap = CONCURRENT_JOB_CAP.get(principal.rate_limit_tier)
    if cap is not None and writes.running_jobs(conn, org_id) >= cap:
        raise RemixerError(
            ErrorCode.RATE_LIMITED,
            f"At most {cap} jobs may run at once for this organization.",
            {"limit": cap, "kind": "concurrent_jobs"},
            headers={"Retry-After": str(CAP_RETRY_AFTER_S)},
        )
    check_sandbox_cap(conn, principal)  # scale: lp_test_ keys' own cap (services/job_caps)
    if cost and not writes.reserve(conn, org_id, cost):
        raise RemixerError(
            ErrorCode.BILLING_EXHAUSTED,
            "The organization's available credits cannot cover this job.",
            {"required": cost},
        )


@dataclass(frozen=True)
class _Rows:
    container: dict[str, Any]
    job: dict[str, Any]
    job_id: str
    response: StoredResponse


def _rows(
    principal: Principal,
    project: ProjectRecord,
    request: RemixRequest,
    influencer: InfluencerRecord,
    layer_id: str | None,
    cost: int,
) -> _Rows:
    """The container and job rows of an accepted remix, and the 202 that announces them."""
    org_id = principal.organization_id
    voice = influencer.brand_voice or project.brand_voice or "authentic"
    language = influencer.language or project.primary_language or "en"
    tiktok_id = request.tiktok_video_id
    container_id, job_id, started = new_uuid_id("cnt"), new_ulid_id("job"), now()
    container: dict[str, Any] = {
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
    }
    job: dict[str, Any] = {
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
    }
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
    return _Rows(container, job, job_id, StoredResponse(202, encoded, {"Location": location}))


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
