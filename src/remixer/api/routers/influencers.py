"""Influencers and media uploads (SPEC §6.6)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from remixer.api.deps import Caller, json_body, require
from remixer.api.idempotency import Idem, IdempotencyInput
from remixer.api.paths import path_check
from remixer.api.responses import (
    UPLOAD_DOCS,
    Cursor,
    Limit,
    body_docs,
    error_docs,
    json_response,
    stored,
)
from remixer.api.schemas.requests import InfluencerCreate, InfluencerUpdate
from remixer.api.schemas.responses import (
    Influencer,
    InfluencerJobAccepted,
    InfluencerPage,
    MediaUpload,
)
from remixer.api.uploads import require_multipart, spool_file_part
from remixer.domain.ids import parse_id
from remixer.services import idempotency, influencers, media
from remixer.services.idempotency import StoredResponse
from remixer.services.media import UploadLimits

router = APIRouter(prefix="/v1", tags=["influencers"])
Write = Annotated[Caller, Depends(require("influencers:write"))]
Start = Annotated[Caller, Depends(require("influencers:write", long_running=True))]
Read = Annotated[Caller, Depends(require("influencers:read"))]
MediaWrite = Annotated[Caller, Depends(require("media:write"))]
StartPath = Annotated[None, Depends(path_check(Start))]
WritePath = Annotated[None, Depends(path_check(Write))]


@router.post(
    "/projects/{projectId}/influencers",
    status_code=202,
    response_model=InfluencerJobAccepted,
    responses=error_docs(404, 409, 415),
    openapi_extra=body_docs(InfluencerCreate),
)
def create_influencer(
    projectId: str,
    caller: Start,
    _path: StartPath,
    idem: Idem,
    body: Annotated[InfluencerCreate, Depends(json_body(InfluencerCreate))],
) -> Response:
    pid = parse_id(projectId, "prj", "path.projectId")
    fields = body.model_dump(exclude_none=True)
    fields["referenceImageIds"] = [
        parse_id(m, "med", f"body.referenceImageIds.{i}")
        for i, m in enumerate(body.referenceImageIds)
    ]
    c = caller.components
    return idem.run(
        c.uow_factory,
        caller.principal.api_key_id,
        [pid],
        lambda: stored(
            influencers.create_influencer(
                c.uow_factory, c.scheduler, caller.org_id, pid, fields, caller.principal
            ),
            202,
        ),
    )


@router.get(
    "/projects/{projectId}/influencers", response_model=InfluencerPage, responses=error_docs(404)
)
def list_influencers(
    projectId: str, caller: Read, limit: Limit = 20, cursor: Cursor = None
) -> Response:
    pid = parse_id(projectId, "prj", "path.projectId")
    return json_response(
        influencers.list_influencers(
            caller.components.uow_factory, caller.org_id, pid, cursor, limit
        )
    )


@router.get("/influencers/{influencerId}", response_model=Influencer, responses=error_docs(404))
def get_influencer(influencerId: str, caller: Read) -> Response:
    iid = parse_id(influencerId, "inf", "path.influencerId")
    return json_response(
        influencers.get_influencer(caller.components.uow_factory, caller.org_id, iid)
    )


@router.patch(
    "/influencers/{influencerId}",
    response_model=Influencer,
    responses=error_docs(404, 409, 415),
    openapi_extra=body_docs(InfluencerUpdate),
)
def update_influencer(
    influencerId: str,
    caller: Write,
    _path: WritePath,
    idem: Idem,
    body: Annotated[InfluencerUpdate, Depends(json_body(InfluencerUpdate))],
) -> Response:
    iid = parse_id(influencerId, "inf", "path.influencerId")
    uow = caller.components.uow_factory
    fields = {
        k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None or k != "name"
    }
    return idem.run(
        uow,
        caller.principal.api_key_id,
        [iid],
        lambda: stored(influencers.update_influencer(uow, caller.org_id, iid, fields)),
    )


@router.delete("/influencers/{influencerId}", status_code=204, responses=error_docs(404))
def delete_influencer(influencerId: str, caller: Write) -> Response:
    iid = parse_id(influencerId, "inf", "path.influencerId")
    influencers.delete_influencer(caller.components.uow_factory, caller.org_id, iid)
    return Response(status_code=204)


@router.post(
    "/projects/{projectId}/media",
    status_code=201,
    response_model=MediaUpload,
    responses=error_docs(404, 409, 413, 415),
    openapi_extra=UPLOAD_DOCS,
)
async def upload_media(projectId: str, caller: MediaWrite, request: Request) -> Response:
    """Upload an image or video (multipart field `file`); its type is decided from the bytes.

    Order: auth, scope and rate (the dependency), the path id, the project (exists in this
    organization, active) and the content type, and only then is the body read.
    """
    pid = parse_id(projectId, "prj", "path.projectId")
    c = caller.components
    await run_in_threadpool(media.check_upload_target, c.uow_factory, caller.org_id, pid)
    boundary = require_multipart(request)
    s = c.settings
    path = await spool_file_part(request, boundary, max(s.max_image_bytes, s.max_video_bytes))
    limits = UploadLimits(
        s.max_image_bytes, s.max_image_pixels, s.max_video_bytes, s.max_video_seconds
    )

    def work() -> StoredResponse:
        view = media.upload_media(
            c.uow_factory, c.blobs, c.inspector, caller.org_id, pid, path, limits
        )
        return stored(view, 201)

    try:
        idem = IdempotencyInput(
            key=request.headers.get("idempotency-key"),
            method="POST",
            route="/v1/projects/{projectId}/media",
            given_hash=await run_in_threadpool(idempotency.file_body_hash, path),
        )
        return await run_in_threadpool(
            idem.run, c.uow_factory, caller.principal.api_key_id, [pid], work
        )
    finally:
        path.unlink(missing_ok=True)
