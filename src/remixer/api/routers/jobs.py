"""Jobs: poll with ETags, cancel (SPEC §6.2)."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from remixer.api.deps import Caller, require
from remixer.api.idempotency import Idem, encode
from remixer.api.responses import error_docs, stored
from remixer.api.schemas.responses import CancelResult, Job
from remixer.domain.ids import parse_id
from remixer.services import content
from remixer.services.idempotency import StoredResponse
from remixer.services.jobs import request_cancel

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])


@router.get(
    "/{jobId}",
    response_model=Job,
    responses={**error_docs(404), 304: {"description": "Not modified (If-None-Match)"}},
)
def get_job(
    jobId: str, request: Request, caller: Annotated[Caller, Depends(require("jobs:read"))]
) -> Response:
    job_id = parse_id(jobId, "job", "path.jobId")
    body = encode(
        content.get_job(
            caller.components.uow_factory,
            caller.components.signer.for_key(caller.principal.api_key_id),
            caller.org_id,
            job_id,
        )
    )
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers={"ETag": etag})
    return Response(body, 200, headers={"ETag": etag}, media_type="application/json")


@router.post(
    "/{jobId}/cancel",
    status_code=202,
    response_model=CancelResult,
    responses={
        **error_docs(404, 409),
        200: {"model": CancelResult, "description": "Already terminal: not canceled"},
    },
)
def cancel_job(
    jobId: str, idem: Idem, caller: Annotated[Caller, Depends(require("jobs:cancel"))]
) -> Response:
    job_id = parse_id(jobId, "job", "path.jobId")
    c = caller.components

    def work() -> StoredResponse:
        result = request_cancel(c.uow_factory, c.scheduler, caller.org_id, job_id)
        return stored(result, 202 if result["accepted"] else 200)

    return idem.run(c.uow_factory, caller.principal.api_key_id, [job_id], work)
