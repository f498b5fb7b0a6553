"""Signed media delivery with HTTP range support (SPEC §6.9): no API key, a valid signature."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from remixer.api.deps import components_of, get_limiter
from remixer.api.responses import error_docs
from remixer.services.media import open_signed_media

router = APIRouter(prefix="/v1/media", tags=["media"])


@router.get("/{mediaId}", responses=error_docs(404))
def get_media(
    mediaId: str, request: Request, exp: str | None = None, sig: str | None = None
) -> Response:
    c = components_of(request)
    decision = get_limiter(request).hit("partner", "read", f"media:{mediaId}")
    request.scope["state"]["rate_headers"] = decision.headers()
    found = open_signed_media(c.uow_factory, c.blobs, c.signer, mediaId, exp, sig)
    if found.redirect is not None or found.path is None:
        return RedirectResponse(found.redirect or "", status_code=307)
    return FileResponse(
        found.path, media_type=found.mime_type, headers={"Cache-Control": "private, max-age=3600"}
    )
