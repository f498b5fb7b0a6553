"""Signed media delivery with HTTP range support (SPEC §6.9): no API key, a valid signature.

Only failed signatures are rate limited, per client address: a valid URL is never slowed
by someone else guessing, and knowing an asset id does not let anyone lock it out.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from remixer.api.deps import client_identity, components_of, get_limiter
from remixer.api.ratelimit import ANONYMOUS_TIER
from remixer.api.responses import error_docs
from remixer.services.media import SignatureError, SignedRequest, open_signed_media

router = APIRouter(prefix="/v1/media", tags=["media"])


@router.get("/{mediaId}", responses=error_docs(404))
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
    return FileResponse(
        found.path, media_type=found.mime_type, headers={"Cache-Control": "private, max-age=3600"}
    )
