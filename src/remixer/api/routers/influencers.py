"""Influencers and media uploads (SPEC §6.6)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from remixer.api.deps import Caller, json_body, require
from remixer.api.idempotency import Idem, IdempotencyInput
from remixer.api.responses import Cursor, Limit, error_docs, json_response, stored
from remixer.api.schemas.requests import InfluencerCreate, InfluencerUpdate
from remixer.domain.errors import ErrorCode, RemixerError, validation
from remixer.domain.ids import parse_id
from remixer.services import idempotency, influencers, media
from remixer.services.idempotency import StoredResponse
from remixer.services.media import UploadLimits

router = APIRouter(prefix="/v1", tags=["influencers"])
Write = Annotated[Caller, Depends(require("influencers:write"))]
Start = Annotated[Caller, Depends(require("influencers:write", long_running=True))]
Read = Annotated[Caller, Depends(require("influencers:read"))]
MediaWrite = Annotated[Caller, Depends(require("media:write"))]


@router.post(
    "/projects/{projectId}/influencers", status_code=202, responses=error_docs(404, 409, 415)
)
def create_influencer(
    projectId: str,
    caller: Start,
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


@router.get("/projects/{projectId}/influencers", responses=error_docs(404))
def list_influencers(
    projectId: str, caller: Read, limit: Limit = 20, cursor: Cursor = None
) -> Response:
    pid = parse_id(projectId, "prj", "path.projectId")
    return json_response(
        influencers.list_influencers(
            caller.components.uow_factory, caller.org_id, pid, cursor, limit
        )
    )


@router.get("/influencers/{influencerId}", responses=error_docs(404))
def get_influencer(influencerId: str, caller: Read) -> Response:
    iid = parse_id(influencerId, "inf", "path.influencerId")
    return json_response(
        influencers.get_influencer(caller.components.uow_factory, caller.org_id, iid)
    )


@router.patch("/influencers/{influencerId}", responses=error_docs(404, 415))
def update_influencer(
    influencerId: str,
    caller: Write,
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


async def _spool_upload(request: Request) -> Path:
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        raise RemixerError(
            ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Upload with multipart/form-data and a `file` field."
        )
    form = await request.form(max_files=1, max_fields=5)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise validation("body.file", "a file field named `file` is required")
    tmp = tempfile.NamedTemporaryFile(delete=False, suffix=".upload")  # noqa: SIM115
    with tmp:
        while chunk := await upload.read(1 << 20):
            tmp.write(chunk)
    await form.close()
    return Path(tmp.name)


@router.post(
    "/projects/{projectId}/media", status_code=201, responses=error_docs(404, 409, 413, 415)
)
async def upload_media(projectId: str, caller: MediaWrite, request: Request) -> Response:
    """Upload an image or video (multipart field `file`); its type is decided from the bytes."""
    pid = parse_id(projectId, "prj", "path.projectId")
    path = await _spool_upload(request)
    c = caller.components
    s = c.settings
    limits = UploadLimits(
        s.max_image_bytes, s.max_image_pixels, s.max_video_bytes, s.max_video_seconds
    )
    idem = IdempotencyInput(
        key=request.headers.get("idempotency-key"),
        body_hash=idempotency.file_body_hash(path),
        method="POST",
        route="/v1/projects/{projectId}/media",
    )

    def work() -> StoredResponse:
        view = media.upload_media(c.uow_factory, c.blobs, caller.org_id, pid, path, limits)
        return stored(view, 201)

    try:
        return await run_in_threadpool(
            idem.run, c.uow_factory, caller.principal.api_key_id, [pid], work
        )
    finally:
        path.unlink(missing_ok=True)
