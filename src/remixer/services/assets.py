"""Finished outputs become media rows, so one signed-URL route serves every file (SPEC §6.9)."""

from __future__ import annotations

from math import gcd
from typing import Any

from remixer.domain.ids import new_ulid_id
from remixer.store.tables.influencers import Media
from remixer.store.uow import UnitOfWork


def _aspect(width: int, height: int) -> str:
    d = gcd(width, height) or 1
    return f"{width // d}:{height // d}"


def register_assets(
    uow: UnitOfWork, org_id: str, project_id: str, assets: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Add a media row per asset (and its thumbnail); return the container's asset entries,
    which name media ids and keep the blob keys (never shown) to pre-sign store URLs."""
    entries = []
    for asset in assets:
        thumb_id = new_ulid_id("med") if asset.get("thumbnailKey") else None
        uow.influencers.add(
            Media(
                id=asset["assetId"],
                organization_id=org_id,
                project_id=project_id,
                kind=asset["kind"],
                mime_type=asset["mimeType"],
                blob_key=asset["blobKey"],
                size_bytes=asset["sizeBytes"],
                width=asset["width"],
                height=asset["height"],
                duration_ms=asset["durationMs"],
                checksum_sha256=asset["checksumSha256"],
            )
        )
        if thumb_id is not None:
            uow.influencers.add(
                Media(
                    id=thumb_id,
                    organization_id=org_id,
                    project_id=project_id,
                    kind="image",
                    mime_type="image/jpeg",
                    blob_key=asset["thumbnailKey"],
                    size_bytes=asset.get("thumbnailSizeBytes", 0),
                    width=asset["width"],
                    height=asset["height"],
                    duration_ms=None,
                    checksum_sha256=asset.get("thumbnailChecksumSha256", ""),
                )
            )
        entry = {k: v for k, v in asset.items() if not k.startswith("thumbnail")}
        entry.update(
            mediaId=asset["assetId"],
            thumbnailMediaId=thumb_id,
            thumbnailBlobKey=asset.get("thumbnailKey"),
            aspectRatio=_aspect(asset["width"], asset["height"]),
        )
        entries.append(entry)
    return entries
