"""Signed media delivery with HTTP range support (SPEC §6.9): no API key, a valid signature."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from remixer.api.deps import components_of, get_limiter
from remixer.api.responses import error_docs
from remixer.services.media import open_signed_media

_BINARY = {"schema": {"type": "string", "format": "binary"}}
MEDIA_DOCS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The file (signed URL; no API key). Supports HTTP Range.",
        "content": {t: _BINARY for t in ("video/mp4", "image/jpeg", "image/png", "image/webp")},
    },
    206: {"description": "A byte range of the file", "content": {"video/mp4": _BINARY}},
}

router = APIRouter(prefix="/v1/media", tags=["media"])


@router.get(
    "/{mediaId}",
    response_class=Response,
    responses={**error_docs(404), **MEDIA_DOCS},
    openapi_extra={"security": []},
)
def get_media(
    mediaId: str, request: Request, exp: str | None = None, sig: str | None = None
) -> Response:
    c = components_of(request)
    decision = get_limiter(request).hit("partner", "read", f"media:{mediaId}")
    request.scope["state"]["rate_headers"] = decision.headers()
    found = open_signed_media(c.uow_factory, c.blobs, c.signer, mediaId, exp, sig)
    return FileResponse(
        found.path, media_type=found.mime_type, headers={"Cache-Control": "private, max-age=3600"}
    )
