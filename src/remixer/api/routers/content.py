"""Video remix, content containers, progress and source recommendations (SPEC §6.1, §6.3, §6.4)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from remixer.api.bodies import parse_json_model
from remixer.api.deps import Caller, authorize, components_of, require
from remixer.api.idempotency import encode, to_response
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
from remixer.domain.errors import ErrorCode, RemixerError
from remixer.domain.ids import parse_id
from remixer.domain.time import iso
from remixer.services import accept, content, idempotency
from remixer.services.idempotency import StoredResponse
from remixer.store.hotpath import KeyRead, KeyRecord

REMIX_CODES = (
    ErrorCode.INFLUENCER_REQUIRED,
    ErrorCode.INVALID_TIKTOK_ID,
    ErrorCode.ACCOUNT_NOT_WIRED,
    ErrorCode.NO_CONTENT_LAYER_WIRED,
    ErrorCode.INFLUENCER_NOT_WIRED,
)

router = APIRouter(prefix="/v1", tags=["content"])
REMIX_ROUTE = "/v1/projects/{projectId}/content/video-remix"
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
    REMIX_ROUTE.removeprefix("/v1"),
    status_code=202,
    openapi_extra=_REMIX_DOCS,
    response_model=JobAccepted,
    responses=error_docs(401, 402, 403, 404, 409, 413, 415, 429, 503, codes=REMIX_CODES),
)
async def video_remix(request: Request) -> Response:
    """Start a video-remix job, with the checks in SPEC §6.1's order: auth, scope, rate
    limit, path and project before the body is read; the rest in the accept service."""
    c = components_of(request)
    project_id, bad_path = _path_project(request.path_params["projectId"])
    read: list[KeyRead | None] = []

    def lookup(key_id: str) -> KeyRecord | None:
        read.append(c.key_reads.key_and_project(key_id, project_id))
        found = read[-1]
        return None if found is None else found.key

    principal = authorize(request, c, "content:write", "long-running", lookup)
    if bad_path is not None:
        raise bad_path
    found = read[-1]
    assert found is not None and project_id is not None
    accept.check_project(found.project_status)
    raw = await request.body()
    key = request.headers.get("idempotency-key")
    scope = None
    if key is not None:
        scope = idempotency.scope_for(
            principal.api_key_id, "POST", REMIX_ROUTE, [project_id], key, raw
        )
    body = _fields(raw, request.headers.get("content-type", ""))
    remix = accept.RemixRequest(project_id, body, scope, record=render_accepted)
    credits = c.settings.video_remix_credits
    outcome = await accept.submit_remix(c.accepts, c.sources, principal, remix, credits)
    if isinstance(outcome, accept.Replayed):
        return to_response(outcome.response, replayed=True)
    c.scheduler.enqueue(outcome.job_id, outcome.kind)
    return to_response(render_accepted(outcome))


def _path_project(value: str) -> tuple[str | None, RemixerError | None]:
    """The path's project id, or the error to raise once the caller is authorized."""
    try:
        return parse_id(value, "prj", "path.projectId"), None
    except RemixerError as exc:
        return None, exc


def _fields(raw: bytes, content_type: str) -> accept.RemixFields | RemixerError:
    """The body's fields, or its error: §6.1 raises that after the idempotency replay."""
    try:
        body = parse_json_model(VideoRemixBody, raw, content_type)
    except RemixerError as exc:
        return exc
    return accept.RemixFields(body.tiktokVideoId, body.socialAccountId, body.influencerId)


def render_accepted(job: accept.AcceptedJob) -> StoredResponse:
    """The 202 of an accepted remix; `Location` equals `locationUrl`."""
    location = f"/v1/jobs/{job.job_id}"
    body = {
        "jobId": job.job_id,
        "kind": job.kind,
        "status": job.status,
        "stage": job.stage,
        "projectId": job.project_id,
        "containerIds": [job.container_id],
        "locationUrl": location,
        "startedAt": iso(job.started_at),
    }
    return StoredResponse(202, encode(body), {"Location": location})


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
    found = content.recommend_for_project(
        c.uow_factory,
        _signer(caller),
        caller.org_id,
        pid,
        keyword,
        kind,
        limit,
        cache=c.recommendations,
    )
    return json_response(found)
