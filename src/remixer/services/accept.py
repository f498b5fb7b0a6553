"""Accept a video-remix (SPEC §6.1): the checks in the contract's order, then one
transaction writing the credit reservation, the container, the job and the idempotency
record.

The caller (the API) has already authenticated the key, checked its scope and rate
limit, the path's shape and the project (`check_project`), all before reading the
body; it hands over the parsed body, or the error parsing it raised, because §6.1 puts
the idempotency replay before the body's shape. `accept_remix` is written against the
`AcceptUnitOfWork` port and raises every refusal before it writes anything;
`submit_remix` runs it through an `AcceptRunner` (the store's group-commit batcher),
asks the network source providers when the id is not in the catalog, and retries when
a concurrent request stored the same Idempotency-Key first.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from remixer.domain import credits
from remixer.domain.errors import ErrorCode, RemixerError, conflict, not_found
from remixer.domain.ids import new_ulid_id, new_uuid_id
from remixer.domain.jobs import KIND_CONTENT_GENERATE
from remixer.domain.principal import Principal
from remixer.domain.time import now
from remixer.services import idempotency
from remixer.services.idempotency import IdempotencyScope, StoredResponse
from remixer.services.ports import AcceptRunner, AcceptUnitOfWork, SourceResolver
from remixer.services.wiring import resolve_influencer
from remixer.store.accepts import KeyTakenError, NewRemix
from remixer.store.hotpath import InfluencerRecord, ProjectRecord

TIKTOK_ID_RE = re.compile(r"^[0-9]{15,21}$")
DEFAULT_VOICE = "authentic"
DEFAULT_LANGUAGE = "en"
MAX_TRIES = 3


@dataclass(frozen=True)
class RemixFields:
    """The body's fields once its shape is valid (ids canonical)."""

    tiktok_video_id: str
    social_account_id: str | None = None
    influencer_id: str | None = None


@dataclass(frozen=True)
class AcceptedJob:
    """A committed remix job: what the 202 announces."""

    job_id: str
    container_id: str
    project_id: str
    started_at: datetime
    kind: str = KIND_CONTENT_GENERATE
    status: str = "running"
    stage: str = "queued"


@dataclass(frozen=True)
class Replayed:
    """The response stored under the request's Idempotency-Key, to be sent again."""

    response: StoredResponse


@dataclass(frozen=True)
class RemixRequest:
    """One video-remix call. `body` is the parsed body or the error parsing it raised;
    with an Idempotency-Key, `record` renders the response the key's record keeps."""

    project_id: str
    body: RemixFields | RemixerError
    idempotency: IdempotencyScope | None = None
    record: Callable[[AcceptedJob], StoredResponse] | None = None
    source_checked: bool = False

    def __post_init__(self) -> None:
        if self.idempotency is not None and self.record is None:
            raise ValueError("an idempotent request needs the response its record keeps")


class SourceCheckNeededError(Exception):
    """The id is not in the catalog: ask the providers (network) outside the transaction."""

    def __init__(self, tiktok_id: str) -> None:
        super().__init__(tiktok_id)
        self.tiktok_id = tiktok_id


@dataclass(frozen=True)
class _Refused:
    error: Exception


_REFUSALS = (RemixerError, SourceCheckNeededError, KeyTakenError)


def check_project(status: str | None) -> None:
    """The project exists in the caller's organization (`status` None: 404) and is not
    archived (409)."""
    if status is None:
        raise not_found("Project")
    if status == "archived":
        raise conflict("PROJECT_ARCHIVED", "The project is archived.")


def check_fields(fields: RemixFields) -> RemixFields:
    """INFLUENCER_REQUIRED, then the TikTok id's format (the shape was checked by the parser)."""
    if fields.social_account_id is None and fields.influencer_id is None:
        raise RemixerError(
            ErrorCode.INFLUENCER_REQUIRED,
            "video-remix needs an on-camera influencer. Pass socialAccountId (with a wired "
            "influencer) or influencerId.",
        )
    if not TIKTOK_ID_RE.match(fields.tiktok_video_id):
        raise RemixerError(
            ErrorCode.INVALID_TIKTOK_ID, "tiktokVideoId must be a TikTok post id (15-21 digits)."
        )
    return fields


def unresolvable_source() -> RemixerError:
    return RemixerError(
        ErrorCode.INVALID_TIKTOK_ID, "No configured source can fetch this tiktokVideoId."
    )


def accept_remix(
    uow: AcceptUnitOfWork,
    principal: Principal,
    request: RemixRequest,
    credits_per_remix: int = 120,
) -> AcceptedJob | Replayed:
    """Every §6.1 check from the project on, then the accept's writes (nothing is written
    when it raises). Raises `SourceCheckNeededError` for an id not in the catalog unless
    `request.source_checked`, and `KeyTakenError` when a concurrent request stored the
    same Idempotency-Key first (submit again to replay it)."""
    org_id = principal.organization_id
    body = request.body
    named = None if isinstance(body, RemixerError) else body
    read = uow.remix_read(
        org_id,
        request.project_id,
        named.influencer_id if named else None,
        named.tiktok_video_id if named else "",
    )
    check_project(None if read is None else read.project.status)
    assert read is not None
    project = read.project
    idem = request.idempotency
    if idem is not None:
        stored = _stored_response(uow, idem)
        if stored is not None:
            return Replayed(stored)
    if isinstance(body, RemixerError):
        raise body
    fields = check_fields(body)
    influencer, layer_id = _resolve(uow, project, fields, read.influencer)
    if not request.source_checked and not read.in_catalog:
        raise SourceCheckNeededError(fields.tiktok_video_id)
    cost = credits.remix_cost(credits_per_remix, principal.sandbox)
    cap = credits.job_cap(principal.rate_limit_tier)
    if cap is not None:  # counting running jobs is a query; uncapped tiers skip it
        credits.check_job_cap(cap, uow.running_jobs(org_id))
    if principal.sandbox:
        running = uow.running_sandbox_jobs(org_id)
        credits.check_job_cap(credits.SANDBOX_JOB_CAP, running, "sandbox_jobs")
    remaining = credits.reserve(uow.available_credits(org_id), cost)
    remix = _new_remix(principal, project, fields, influencer, layer_id, cost)
    job = AcceptedJob(remix.job_id, remix.container_id, project.id, remix.started_at)
    if idem is not None:
        assert request.record is not None
        # The key's record goes in first: a concurrent transaction (PostgreSQL) that
        # stored the same key makes it fail before anything else is written.
        created = now()
        expires = created + idempotency.REPLAY_WINDOW
        uow.store_response(idem.scope_key, idem.body_hash, request.record(job), created, expires)
    uow.reserve_credits(org_id, cost, remaining)
    uow.add_remix(remix)
    return job


async def submit_remix(
    runner: AcceptRunner,
    sources: SourceResolver,
    principal: Principal,
    request: RemixRequest,
    credits_per_remix: int = 120,
) -> AcceptedJob | Replayed:
    """`accept_remix` in a transaction of `runner`, after the catalog / network checks."""

    def unit(uow: AcceptUnitOfWork) -> AcceptedJob | Replayed | _Refused:
        try:
            return accept_remix(uow, principal, request, credits_per_remix)
        except _REFUSALS as exc:  # returned, so the accepts batched with it still commit
            return _Refused(exc)

    for _ in range(MAX_TRIES):
        outcome = await runner.run(unit)
        if not isinstance(outcome, _Refused):
            return outcome
        error = outcome.error
        if isinstance(error, SourceCheckNeededError):
            if not await asyncio.to_thread(sources.is_resolvable, error.tiktok_id):
                raise unresolvable_source()
            request = replace(request, source_checked=True)
        elif not isinstance(error, KeyTakenError):
            raise error
        # KeyTakenError: the other request's record is committed now; the next try replays.
    raise RemixerError(ErrorCode.INTERNAL, "The request could not be completed; retry it.")


def _stored_response(uow: AcceptUnitOfWork, idem: IdempotencyScope) -> StoredResponse | None:
    """A replay, a conflict (raised), or None when the key is free (a dead record is removed)."""
    record = uow.idempotency_record(idem.scope_key)
    if record is None:
        return None
    if not idempotency.is_live(record, now()):
        uow.forget_idempotency(idem.scope_key)
        return None
    return idempotency.check_existing(record, idem.body_hash)


def _resolve(
    uow: AcceptUnitOfWork,
    project: ProjectRecord,
    fields: RemixFields,
    named: InfluencerRecord | None,
) -> tuple[InfluencerRecord, str | None]:
    """Referenced ids → wiring chain (§6.7) → influencer ready. `named` is the influencer
    `fields.influencer_id` names, as read with the project (None: not in the project)."""
    if fields.social_account_id is None:
        if named is None:
            raise not_found("Influencer")
        influencer, layer_id = named, None
    else:
        with uow.wiring() as wiring:
            resolution = resolve_influencer(
                wiring, project.id, fields.social_account_id, fields.influencer_id
            )
            chosen = resolution.influencer
            influencer = InfluencerRecord(
                chosen.id, chosen.status, chosen.brand_voice, chosen.language
            )
            layer_id = resolution.project_layer_id
    if influencer.status != "ready":
        raise conflict("INFLUENCER_NOT_READY", "The influencer is not ready yet.")
    return influencer, layer_id


def _new_remix(
    principal: Principal,
    project: ProjectRecord,
    fields: RemixFields,
    influencer: InfluencerRecord,
    layer_id: str | None,
    cost: int,
) -> NewRemix:
    """Voice and language: the influencer's, else the project's, else the defaults."""
    return NewRemix(
        job_id=new_ulid_id("job"),
        container_id=new_uuid_id("cnt"),
        organization_id=principal.organization_id,
        project_id=project.id,
        tiktok_id=fields.tiktok_video_id,
        influencer_id=influencer.id,
        project_layer_id=layer_id,
        voice=influencer.brand_voice or project.brand_voice or DEFAULT_VOICE,
        language=influencer.language or project.primary_language or DEFAULT_LANGUAGE,
        sandbox=principal.sandbox,
        brand=project.brand_context,
        credits_reserved=cost,
        started_at=now(),
    )
