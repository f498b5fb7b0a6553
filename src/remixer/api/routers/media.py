"""Signed media delivery with HTTP range support (SPEC §6.9): no API key, a valid signature.

Only failed signatures are rate limited, per client address: a valid URL is never slowed
by someone else guessing, and knowing an asset id does not let anyone lock it out.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from remixer.api.deps import client_identity, components_of, get_limiter
from remixer.api.ratelimit import ANONYMOUS_TIER
from remixer.api.responses import error_docs
from remixer.services.media import SignatureError, SignedRequest, open_signed_media

_BINARY = {"schema": {"type": "string", "format": "binary"}}
MEDIA_DOCS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The file (signed URL; no API key). Supports HTTP Range.",
        "content": {t: _BINARY for t in ("video/mp4", "image/jpeg", "image/png", "image/webp")},
    },
    206: {"description": "A byte range of the file", "content": {"video/mp4": _BINARY}},
}

router = APIRouter(prefix="/v1/media", tags=["media"])
MAX_RANGES = 16
_RANGE_RE = re.compile(
    rf"bytes=\d{{0,15}}-\d{{0,15}}(,\s*\d{{0,15}}-\d{{0,15}}){{0,{MAX_RANGES - 1}}}", re.ASCII
)


def _satisfiable(spec: str, size: int) -> bool:
    start, _, end = spec.strip().partition("-")
    if not start:
        return bool(end) and int(end) > 0
    return int(start) < size and (not end or int(end) >= int(start))


def _drop_unusable_range(request: Request, size: int) -> None:
    """Serve the whole file (200) for a Range header that is malformed, has more than
    `MAX_RANGES` parts or asks for nothing in the file (RFC 9110 lets a server ignore
    Range), so the answer is never a bare-text 400/416 outside the error envelope."""
    value = request.headers.get("range")
    if value is None:
        return
    match = _RANGE_RE.fullmatch(value.strip())
    specs = value.strip().removeprefix("bytes=").split(",") if match else []
    if specs and all(_satisfiable(spec, size) for spec in specs):
        return
    request.scope["headers"] = [(k, v) for k, v in request.scope["headers"] if k != b"range"]


@router.get(
    "/{mediaId}",
    response_class=Response,
    responses={**error_docs(404), **MEDIA_DOCS},
    openapi_extra={"security": []},
)
def get_media(
    mediaId: str,
    request: Request,
    exp: str | None = None,
    sig: str | None = None,
    k: str | None = None,
) -> Response:
    c = components_of(request)
    limiter = get_limiter(request)
    identity = "media-" + client_identity(request)
    state = request.scope["state"]
    state["rate_headers"] = limiter.peek(ANONYMOUS_TIER, "read", identity).headers()
    try:
        signed = SignedRequest(mediaId, exp, sig, k)
        found = open_signed_media(c.uow_factory, c.blobs, c.signer, c.key_lookup, signed)
    except SignatureError:
        decision = limiter.hit(ANONYMOUS_TIER, "read", identity)
        state["rate_headers"] = decision.headers()
        raise
    if found.redirect is not None or found.path is None:
        return RedirectResponse(found.redirect or "", status_code=307)
    _drop_unusable_range(request, found.path.stat().st_size)
    return FileResponse(
        found.path, media_type=found.mime_type, headers={"Cache-Control": "private, max-age=3600"}
    )
