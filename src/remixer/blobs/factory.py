"""Builds the configured blob store: a local folder, or `s3://bucket/prefix`."""

from __future__ import annotations

from remixer.blobs.store import BlobStore, LocalBlobStore
from remixer.config import Settings


def build_blob_store(settings: Settings) -> BlobStore:
    """`REMIXER_MEDIA_STORE=s3://…` → `S3BlobStore` (boto3 imported only then), else a folder."""
    if not settings.media_store or not settings.media_store.startswith("s3://"):
        return LocalBlobStore(settings.media_dir)
    from remixer.blobs.s3 import S3BlobStore, S3Location, s3_client

    client = s3_client(settings.s3_endpoint_url)
    public = settings.s3_public_endpoint_url
    return S3BlobStore(
        S3Location.parse(settings.media_store),
        client,
        settings.blob_cache_dir or settings.resolved_data_dir / "blob-cache",
        presign_client=s3_client(public) if public else None,
        cache_max_bytes=settings.blob_cache_max_bytes,
    )
