"""Video remix, content containers, progress and source recommendations (SPEC §6.1, §6.3, §6.4)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from remixer.api.deps import Caller, client_identity, components_of, get_limiter, require
from remixer.api.idempotency import to_response
from remixer.api.ratelimit import rate_check
from remixer.api.responses import Cursor, Limit, error_docs, json_response
from remixer.api.schemas.requests import VideoRemixBody
from remixer.api.schemas.responses import (
    Container,
    ContainerPage,
    ContainerProgress,
    JobAccepted,
    SourceRecommendations,
)
from remixer.blobs.signing import UrlSigner
from remixer.bootstrap import Components
from remixer.domain.errors import ErrorCode, RemixerError
from remixer.domain.ids import parse_id
from remixer.domain.jobs import KIND_CONTENT_GENERATE
from remixer.services import accept, content

REMIX_CODES = (
    ErrorCode.INFLUENCER_REQUIRED,
    ErrorCode.INVALID_TIKTOK_ID,
    ErrorCode.ACCOUNT_NOT_WIRED,
    ErrorCode.NO_CONTENT_LAYER_WIRED,
    ErrorCode.INFLUENCER_NOT_WIRED,
)

router = APIRouter(prefix="/v1", tags=["content"])
Read = Annotated[Caller, Depends(require("content:read"))]

# The route takes the raw request (no FastAPI parameters to solve on the hot path), so
# its path parameter, headers and body are described here for the OpenAPI document.
_REMIX_DOCS = {
    "parameters": [
        {"name": "projectId", "in": "path", "required": True, "schema": {"type": "string"}},
        {
            "name": "Idempotency-Key",
            "in": "header",
            "required": False,
            "schema": {"type": "string", "maxLength": 255},
        },
    ],
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": VideoRemixBody.model_json_schema()}},
    },
}


@router.post(
    "/projects/{projectId}/content/video-remix",
    status_code=202,
    openapi_extra=_REMIX_DOCS,
    response_model=JobAccepted,
    responses=error_docs(401, 402, 403, 404, 409, 415, 429, 503, codes=REMIX_CODES),
)
async def video_remix(request: Request) -> Response:
    """Start a video-remix job; checks run in SPEC §6.1's order (auth included, so that the
    whole accept is one unit of work on the store's group-commit thread)."""
    c = components_of(request)
    call = accept.RemixCall(
        authorization=request.headers.get("authorization"),
        client=client_identity(request),
        project_id=request.path_params["projectId"],
        body=await request.body(),
        content_type=request.headers.get("content-type", ""),
        idempotency_key=request.headers.get("idempotency-key"),
    )
    try:
        accepted = await _accept(c, call, rate_check(get_limiter(request)))
    finally:
        if call.rate_headers:
            request.scope["state"]["rate_headers"] = call.rate_headers
    if accepted.job_id is not None:
        c.scheduler.enqueue(accepted.job_id, KIND_CONTENT_GENERATE)
    return to_response(accepted.response, replayed=accepted.replayed)


async def _accept(c: Components, call: accept.RemixCall, rate: accept.RateCheck) -> accept.Accepted:
    unit = accept.remix_unit(call, rate, c.settings.video_remix_credits)
    for _ in range(3):
        try:
            outcome = await c.batcher.run(unit)
            if isinstance(outcome, accept.Refused):
                raise outcome.error
            return outcome
        except accept.SourceCheckNeededError as need:
            if not await run_in_threadpool(c.sources.is_resolvable, need.tiktok_id):
                raise accept.unresolvable_source() from None
            call.source_checked = True
        except accept.IdempotencyRaceError:
            continue  # the other request's record is committed now: the next try replays it
    raise RemixerError(ErrorCode.INTERNAL, "The request could not be completed; retry it.")


def _signer(caller: Caller) -> UrlSigner:
    """Media URLs in answers are bound to the asking key (they die with it)."""
    return caller.components.signer.for_key(caller.principal.api_key_id)


@router.get("/content/{containerId}", response_model=Container, responses=error_docs(404))
def get_container(containerId: str, caller: Read) -> Response:
    cid = parse_id(containerId, "cnt", "path.containerId")
    c = caller.components
    return json_response(content.get_container(c.uow_factory, _signer(caller), caller.org_id, cid))


@router.get(
    "/content/{containerId}/progress",
    response_model=ContainerProgress,
    responses=error_docs(404),
)
def get_progress(containerId: str, caller: Read) -> Response:
    cid = parse_id(containerId, "cnt", "path.containerId")
    return json_response(content.get_progress(caller.components.uow_factory, caller.org_id, cid))


def _utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


@router.get(
    "/projects/{projectId}/content", response_model=ContainerPage, responses=error_docs(404)
)
def list_content(
    projectId: str,
    caller: Read,
    limit: Limit = 20,
    cursor: Cursor = None,
    status: Literal["queued", "processing", "completed", "failed", "canceled"] | None = None,
    format: Literal["video-remix"] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Response:
    pid = parse_id(projectId, "prj", "path.projectId")
    c = caller.components
    filters: dict[str, str | datetime | None] = {
        "status": status,
        "format": format,
        "since": _utc(since),
        "until": _utc(until),
    }
    return json_response(
        content.list_containers(
            c.uow_factory, _signer(caller), caller.org_id, pid, filters, cursor, limit
        )
    )


@router.get(
    "/projects/{projectId}/content/source-recommendations",
    response_model=SourceRecommendations,
    responses=error_docs(404),
)
def source_recommendations(
    projectId: str,
    caller: Read,
    keyword: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    kind: Literal["video", "slideshow", "mixed"] = "mixed",
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> Response:
    pid = parse_id(projectId, "prj", "path.projectId")
    c = caller.components
    return json_response(
        content.recommend_for_project(
            c.uow_factory, _signer(caller), caller.org_id, pid, keyword, kind, limit
        )
    )
