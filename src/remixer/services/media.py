"""Uploads (SPEC §6.6) and signed media delivery (§6.9)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from remixer.blobs.probe import (
    MediaInspector,
    ProbeLimitError,
    TooManyPixelsError,
    UnsupportedMediaError,
)
from remixer.blobs.signing import UrlSigner
from remixer.blobs.store import BlobStore, sha256_of
from remixer.blobs.urls import MediaUrls
from remixer.domain.errors import ErrorCode, RemixerError, not_found
from remixer.domain.ids import new_ulid_id
from remixer.services.auth import KeyLookup
from remixer.services.projects import load_project
from remixer.services.views import media_view
from remixer.store.tables.influencers import Media
from remixer.store.uow import UnitOfWork, UnitOfWorkFactory

SOURCE_THUMB_PREFIX = "srcthumb_"
SUFFIX = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "video/mp4": ".mp4",
    "video/webm": ".webm",
}


@dataclass(frozen=True)
class UploadLimits:
    max_image_bytes: int
    max_image_pixels: int
    max_video_bytes: int
    max_video_seconds: float


def _too_large(message: str, limit: int | float) -> RemixerError:
    return RemixerError(ErrorCode.PAYLOAD_TOO_LARGE, message, {"limit": limit})


def _check_limits(kind: str, size: int, duration_ms: int | None, limits: UploadLimits) -> None:
    if kind == "image" and size > limits.max_image_bytes:
        raise _too_large("Images may be at most the configured size.", limits.max_image_bytes)
    if kind == "video" and size > limits.max_video_bytes:
        raise _too_large("Videos may be at most the configured size.", limits.max_video_bytes)
    if kind == "video" and (duration_ms or 0) > limits.max_video_seconds * 1000:
        raise _too_large("Videos may be at most the configured duration.", limits.max_video_seconds)


def check_upload_target(uow_factory: UnitOfWorkFactory, org_id: str, project_id: str) -> None:
    """Before any byte of an upload is read: the project exists in this org and is active."""
    with uow_factory() as uow:
        load_project(uow, org_id, project_id, active=True)


def upload_media(
    uow_factory: UnitOfWorkFactory,
    blobs: BlobStore,
    inspector: MediaInspector,
    org_id: str,
    project_id: str,
    upload: Path,
    limits: UploadLimits,
) -> dict[str, Any]:
    """Probe the spooled upload (in the inspector's sandbox), check its limits, store it."""
    check_upload_target(uow_factory, org_id, project_id)
    size = upload.stat().st_size
    if size == 0:
        raise RemixerError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "The uploaded file is empty.")
    if size > max(limits.max_image_bytes, limits.max_video_bytes):
        raise _too_large("Uploads may be at most the configured size.", limits.max_video_bytes)
    try:
        facts = inspector.inspect(upload, limits.max_image_pixels)
    except TooManyPixelsError as exc:
        raise _too_large("The image has too many pixels.", limits.max_image_pixels) from exc
    except ProbeLimitError as exc:
        raise RemixerError(
            ErrorCode.UNSUPPORTED_MEDIA_TYPE,
            "The file could not be inspected within the probe's time and memory limits.",
        ) from exc
    except UnsupportedMediaError as exc:
        raise RemixerError(
            ErrorCode.UNSUPPORTED_MEDIA_TYPE,
            "Upload a JPEG, PNG or WebP image, or an MP4, MOV or WebM video.",
        ) from exc
    if facts.mime_type not in SUFFIX or facts.kind not in ("image", "video"):
        raise RemixerError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "This media type is not allowed.")
    _check_limits(facts.kind, size, facts.duration_ms, limits)
    key = blobs.put_file(upload, SUFFIX[facts.mime_type])
    media = Media(
        id=new_ulid_id("med"),
        organization_id=org_id,
        project_id=project_id,
        kind=facts.kind,
        mime_type=facts.mime_type,
        blob_key=key,
        size_bytes=size,
        width=facts.width,
        height=facts.height,
        duration_ms=facts.duration_ms,
        checksum_sha256=sha256_of(upload),
    )
    with uow_factory() as uow:
        uow.influencers.add(media)
        uow.commit()
    return media_view(media)


@dataclass(frozen=True)
class MediaFile:
    """A local file to send, or (`redirect`) the blob store's own pre-signed URL."""

    path: Path | None
    mime_type: str
    redirect: str | None = None


class SignatureError(RemixerError):
    """A media URL whose signature is missing, malformed, wrong or expired (403)."""

    def __init__(self) -> None:
        super().__init__(
            ErrorCode.FORBIDDEN_SCOPE,
            "The media URL's signature is invalid or has expired.",
            {"required": "signature"},
        )


def check_signature(
    signer: UrlSigner, media_id: str, exp: str | None, sig: str | None, key_id: str | None = None
) -> None:
    """Raise `SignatureError` unless `exp`/`sig` are a valid, unexpired signature of the id."""
    if not signer.verify(media_id, exp, sig, key_id=key_id):
        raise SignatureError()


def _kill_switch(uow: UnitOfWork, org_id: str | None) -> None:
    if org_id is None:
        return
    org = uow.accounts.get_org(org_id)
    if org is not None and org.suspended:
        raise RemixerError(
            ErrorCode.KILL_SWITCH, "This organization is suspended.", {"scope": "org"}
        )


def _key_switch(key_lookup: KeyLookup, key_id: str | None) -> None:
    """A URL bound to a key works only while that key does (revoked: 403; killed: 503)."""
    if key_id is None:
        return
    key = key_lookup(key_id)
    if key is None or key.revoked:
        raise SignatureError()
    if key.killed:
        raise RemixerError(ErrorCode.KILL_SWITCH, "This API key is disabled.", {"scope": "key"})
    if key.org_suspended:
        raise RemixerError(
            ErrorCode.KILL_SWITCH, "This organization is suspended.", {"scope": "org"}
        )


@dataclass(frozen=True)
class SignedRequest:
    media_id: str
    exp: str | None
    sig: str | None
    key_id: str | None = None


def open_signed_media(
    uow_factory: UnitOfWorkFactory,
    blobs: BlobStore,
    signer: UrlSigner,
    key_lookup: KeyLookup,
    signed: SignedRequest,
) -> MediaFile:
    """Resolve a signed URL to a file: bad signature 403, killed key or suspended owner 503,
    missing 404. Nothing is looked up before the signature is known to be ours."""
    media_id = signed.media_id
    check_signature(signer, media_id, signed.exp, signed.sig, signed.key_id)
    _key_switch(key_lookup, signed.key_id)
    with uow_factory() as uow:
        if media_id.startswith(SOURCE_THUMB_PREFIX):
            source = uow.catalog.get(media_id[len(SOURCE_THUMB_PREFIX) :])
            key, mime = (source.thumbnail_key, "image/jpeg") if source else (None, "")
            _kill_switch(uow, source.organization_id if source else None)
        else:
            row = uow.influencers.media_by_id(media_id)
            key, mime = (row.blob_key, row.mime_type) if row else (None, "")
            _kill_switch(uow, row.organization_id if row else None)
    if key is None or not blobs.exists(key):
        raise not_found("Media")
    redirect = blobs.presigned_url(key, max(60, int(signed.exp or 0) - int(time.time())), mime)
    if redirect is not None:
        return MediaFile(None, mime, redirect)
    with blobs.local_copy(key) as path:
        return MediaFile(path, mime)


_INTERNAL_ASSET_FIELDS = (
    "mediaId",
    "thumbnailMediaId",
    "aspectRatio",
    "blobKey",
    "thumbnailBlobKey",
)


def _url(signer: UrlSigner, media_id: str, blob_key: str | None, mime: str | None) -> str:
    if isinstance(signer, MediaUrls):
        return signer.url_for_blob(media_id, blob_key, mime)
    return signer.url_for(media_id)


def sign_asset(signer: UrlSigner, asset: dict[str, Any]) -> dict[str, Any]:
    """Replace an asset's stored media ids with signed URLs (the store's own when it signs)."""
    signed = {k: v for k, v in asset.items() if k not in _INTERNAL_ASSET_FIELDS}
    signed["url"] = _url(signer, asset["mediaId"], asset.get("blobKey"), asset.get("mimeType"))
    thumb = asset.get("thumbnailMediaId")
    signed["thumbnailUrl"] = (
        _url(signer, thumb, asset.get("thumbnailBlobKey"), "image/jpeg") if thumb else None
    )
    return signed
