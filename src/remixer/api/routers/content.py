"""Video remix, content containers, progress and source recommendations (SPEC §6.1, §6.3, §6.4)."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Annotated, Literal

import anyio
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from remixer.api.deps import Caller, read_json, require
from remixer.api.idempotency import Idem, to_response
from remixer.api.responses import Cursor, Limit, error_docs, json_response
from remixer.api.schemas.requests import VideoRemixBody
from remixer.domain.errors import RemixerError
from remixer.domain.ids import parse_id
from remixer.services import accept, content, idempotency
from remixer.services.idempotency import Claim, StoredResponse

router = APIRouter(prefix="/v1", tags=["content"])
Read = Annotated[Caller, Depends(require("content:read"))]
Start = Annotated[Caller, Depends(require("content:write", long_running=True))]

_REMIX_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": VideoRemixBody.model_json_schema()}},
    }
}


@router.post(
    "/projects/{projectId}/content/video-remix",
    status_code=202,
    openapi_extra=_REMIX_BODY,
    responses=error_docs(402, 404, 409, 415),
)
async def video_remix(projectId: str, caller: Start, idem: Idem, request: Request) -> Response:
    """Start a video-remix job; checks run in SPEC §6.1's order."""
    pid = parse_id(projectId, "prj", "path.projectId")
    c = caller.components
    claim: Claim | None = None
    if idem.key is not None:
        await run_in_threadpool(accept.check_project, c.uow_factory, caller.org_id, pid)
        started = await run_in_threadpool(
            idem.begin, c.uow_factory, caller.principal.api_key_id, [pid]
        )
        if isinstance(started, StoredResponse):
            return to_response(started, replayed=True)
        claim = started
    try:
        parsed = await _parse_remix(request)
        ports = accept.AcceptPorts(
            c.scheduler, c.sources, c.settings.video_remix_credits, c.read_uow_factory
        )
        result = await anyio.to_thread.run_sync(
            functools.partial(
                accept.accept_remix, c.uow_factory, ports, caller.principal, pid, parsed, claim
            ),
            limiter=request.app.state.db_limiter,
        )
    except BaseException:
        if claim is not None:
            await run_in_threadpool(idempotency.abandon, c.uow_factory, claim)
        raise
    return to_response(result)


async def _parse_remix(request: Request) -> accept.RemixRequest | RemixerError:
    """The body check's outcome; an error is raised by the service after the project checks."""
    try:
        return accept.validate_request(accept.parse_body_fields(await read_json(request)))
    except RemixerError as exc:
        return exc


@router.get("/content/{containerId}", responses=error_docs(404))
def get_container(containerId: str, caller: Read) -> Response:
    cid = parse_id(containerId, "cnt", "path.containerId")
    c = caller.components
    return json_response(content.get_container(c.uow_factory, c.signer, caller.org_id, cid))


@router.get("/content/{containerId}/progress", responses=error_docs(404))
def get_progress(containerId: str, caller: Read) -> Response:
    cid = parse_id(containerId, "cnt", "path.containerId")
    return json_response(content.get_progress(caller.components.uow_factory, caller.org_id, cid))


def _utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


@router.get("/projects/{projectId}/content", responses=error_docs(404))
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
        content.list_containers(c.uow_factory, c.signer, caller.org_id, pid, filters, cursor, limit)
    )


@router.get("/projects/{projectId}/content/source-recommendations", responses=error_docs(404))
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
            c.uow_factory, c.signer, caller.org_id, pid, keyword, kind, limit
        )
    )
